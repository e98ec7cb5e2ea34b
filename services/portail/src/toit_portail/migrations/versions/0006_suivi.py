"""Timeline, pièces and typologie of the espace personnel (issue 15).

Revision ID: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.add_column("demandes", sa.Column("typologie", sa.String(length=12), nullable=True))
    op.create_table(
        "historique",
        sa.Column("cle", sa.String(length=120), nullable=False),
        sa.Column("demande_id", sa.Uuid(), nullable=False),
        sa.Column("date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("libelle", sa.String(length=500), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("cle"),
    )
    op.create_index("ix_historique_demande_id", "historique", ["demande_id"])
    op.create_table(
        "pieces",
        sa.Column("piece_id", sa.Uuid(), nullable=False),
        sa.Column("demande_id", sa.Uuid(), nullable=False),
        sa.Column("type_piece", sa.String(length=64), nullable=False),
        sa.Column("depot_en_ligne", sa.Boolean(), nullable=False),
        sa.Column("deposee_le", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("piece_id"),
    )
    op.create_index("ix_pieces_demande_id", "pieces", ["demande_id"])


def downgrade() -> None:
    op.drop_table("pieces")
    op.drop_table("historique")
    op.drop_column("demandes", "typologie")
