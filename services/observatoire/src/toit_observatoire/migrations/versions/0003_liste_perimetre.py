"""The owner's territory stored with a saved list (scheduled runs).

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    with op.batch_alter_table("liste") as batch:
        batch.add_column(sa.Column("perimetre_proprietaire", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("liste") as batch:
        batch.drop_column("perimetre_proprietaire")
