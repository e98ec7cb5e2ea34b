"""The applicant's portal account on each notification; the guichet lookup table goes,
since every demande event now carries the registering guichet.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.add_column("notification", sa.Column("compte_demandeur", sa.String(64), nullable=True))
    op.create_index("ix_notification_compte_demandeur", "notification", ["compte_demandeur"])
    op.drop_table("demande_guichet")


def downgrade() -> None:
    op.create_table(
        "demande_guichet",
        sa.Column("demande_id", sa.Uuid, primary_key=True),
        sa.Column("departement", sa.String(3), nullable=False),
        sa.Column("guichet", sa.String(5), nullable=True),
    )
    op.drop_index("ix_notification_compte_demandeur", table_name="notification")
    op.drop_column("notification", "compte_demandeur")
