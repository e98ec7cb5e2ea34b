"""Search pre-filters on the demandes read model (typologies, size, category, income).

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.add_column("demandes", sa.Column("typologies", sa.String(length=64), nullable=True))
    op.add_column("demandes", sa.Column("taille", sa.Integer(), nullable=True))
    op.add_column("demandes", sa.Column("categorie", sa.Integer(), nullable=True))
    op.add_column("demandes", sa.Column("revenu_fiscal", sa.Numeric(12, 2), nullable=True))


def downgrade() -> None:
    for colonne in ("revenu_fiscal", "categorie", "taille", "typologies"):
        op.drop_column("demandes", colonne)
