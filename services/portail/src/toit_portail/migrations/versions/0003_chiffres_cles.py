"""Key figures per département from the observatoire's public event (issue 15).

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "chiffres_cles",
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("publication_id", sa.Uuid(), nullable=False),
        sa.Column("publie_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_reference", sa.Date(), nullable=False),
        sa.Column("annee_attributions", sa.Integer(), nullable=False),
        sa.Column("seuil_secret", sa.Integer(), nullable=False),
        sa.Column("chiffres", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("departement"),
    )


def downgrade() -> None:
    op.drop_table("chiffres_cles")
