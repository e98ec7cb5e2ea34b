"""The search pool reads only `souhaits`: each wished commune carries the demande's
version, département and pre-filter fields (the wide `demandes` rows are no longer
scanned by a search). Existing rows are filled from `demandes`.

Revision ID: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"

COLONNES = ("version", "departement", "typologies", "taille", "categorie", "revenu_fiscal")


def upgrade() -> None:
    op.add_column("souhaits", sa.Column("version", sa.Integer(), nullable=True))
    op.add_column("souhaits", sa.Column("departement", sa.String(length=3), nullable=True))
    op.add_column("souhaits", sa.Column("typologies", sa.String(length=64), nullable=True))
    op.add_column("souhaits", sa.Column("taille", sa.Integer(), nullable=True))
    op.add_column("souhaits", sa.Column("categorie", sa.Integer(), nullable=True))
    op.add_column("souhaits", sa.Column("revenu_fiscal", sa.Numeric(12, 2), nullable=True))
    op.execute(
        "UPDATE souhaits SET "
        + ", ".join(
            f"{c} = (SELECT d.{c} FROM demandes d WHERE d.demande_id = souhaits.demande_id)"
            for c in COLONNES
        )
    )


def downgrade() -> None:
    for colonne in reversed(COLONNES):
        op.drop_column("souhaits", colonne)
