"""Fiches territoriales produced on schedule, one per territory and month covered.

Revision ID: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.create_table(
        "fiche_publiee",
        sa.Column("niveau", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=9), nullable=False),
        sa.Column("periode", sa.String(length=7), nullable=False),
        sa.Column("annee", sa.Integer(), nullable=False),
        sa.Column("libelle", sa.String(length=200), nullable=False),
        sa.Column("departements", sa.String(length=64), nullable=False),
        sa.Column("genere_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("contenu", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("niveau", "code", "periode"),
    )


def downgrade() -> None:
    op.drop_table("fiche_publiee")
