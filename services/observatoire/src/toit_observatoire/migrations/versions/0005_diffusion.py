"""Scheduled lists sent once per list and period.

Revision ID: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.create_table(
        "diffusion",
        sa.Column("liste_id", sa.Uuid(), nullable=False),
        sa.Column("periode", sa.String(length=10), nullable=False),
        sa.Column("diffusion_id", sa.Uuid(), nullable=False),
        sa.Column("diffusee_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("destinataires", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("liste_id", "periode"),
        sa.UniqueConstraint("diffusion_id"),
    )


def downgrade() -> None:
    op.drop_table("diffusion")
