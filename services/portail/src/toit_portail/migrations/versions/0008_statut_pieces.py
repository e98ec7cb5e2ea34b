"""The state of each pièce (demande.piece_statuee) for the household (issue 15).

Revision ID: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.add_column(
        "pieces",
        sa.Column("statut", sa.String(length=12), nullable=False, server_default="DEPOSEE"),
    )
    op.add_column("pieces", sa.Column("motif_refus", sa.String(length=500), nullable=True))


def downgrade() -> None:
    op.drop_column("pieces", "motif_refus")
    op.drop_column("pieces", "statut")
