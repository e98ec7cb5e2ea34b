"""Withdrawal of a vacancy before attribution (motive, precision, date).

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.add_column("vacances", sa.Column("motif_retrait", sa.String(length=16), nullable=True))
    op.add_column("vacances", sa.Column("precision_retrait", sa.String(length=300), nullable=True))
    op.add_column("vacances", sa.Column("retiree_le", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for colonne in ("retiree_le", "precision_retrait", "motif_retrait"):
        op.drop_column("vacances", colonne)
