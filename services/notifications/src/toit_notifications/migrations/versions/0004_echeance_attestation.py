"""The legal deadline of each attestation d'enregistrement (one month after the dépôt,
L441-2-1 CCH), so that a daily job lists those neither sent nor printed in time.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.add_column("notification", sa.Column("echeance", sa.Date, nullable=True))
    op.create_index("ix_notification_echeance", "notification", ["echeance"])


def downgrade() -> None:
    op.drop_index("ix_notification_echeance", table_name="notification")
    op.drop_column("notification", "echeance")
