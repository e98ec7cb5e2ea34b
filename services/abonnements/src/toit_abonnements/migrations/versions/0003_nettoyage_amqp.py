"""AMQP clean-up on revocation: when the broker objects of a revoked subscription went.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.add_column(
        "abonnement", sa.Column("amqp_nettoye_le", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("abonnement", "amqp_nettoye_le")
