"""Announcements of the fichier and favourites of the professionals.

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"

_ts = sa.DateTime(timezone=True)
_id = sa.String(36)


def upgrade() -> None:
    op.create_table(
        "annonce",
        sa.Column("id", _id, primary_key=True),
        sa.Column("departement", sa.String(3), nullable=False, index=True),
        sa.Column("titre", sa.String(120), nullable=False),
        sa.Column("texte", sa.String(1000), nullable=False),
        sa.Column("niveau", sa.String(16), nullable=False),
        sa.Column("roles", sa.JSON, nullable=False),
        sa.Column("types_organisation", sa.JSON, nullable=False),
        sa.Column("debut", _ts, nullable=False),
        sa.Column("fin", _ts, nullable=True),
        sa.Column("cree_le", _ts, nullable=False),
        sa.Column("cree_par", _id, nullable=False),
        sa.Column("modifie_le", _ts, nullable=False),
        sa.Column("modifie_par", _id, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "favori",
        sa.Column("id", _id, primary_key=True),
        sa.Column("compte_id", _id, sa.ForeignKey("compte.id"), nullable=False, index=True),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("cible", sa.String(300), nullable=False),
        sa.Column("libelle", sa.String(120), nullable=False),
        sa.Column("cree_le", _ts, nullable=False),
        sa.UniqueConstraint("compte_id", "type", "cible", name="uq_favori_compte_cible"),
    )


def downgrade() -> None:
    op.drop_table("favori")
    op.drop_table("annonce")
