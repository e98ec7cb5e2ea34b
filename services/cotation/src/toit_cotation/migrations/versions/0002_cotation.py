"""Grilles, demandes followed, scores and bulk re-scoring jobs.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"

_tz = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "grilles",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("epci", sa.String(9), nullable=False),
        sa.Column("population", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("etat", sa.String(16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("libelle", sa.String(200), nullable=False),
        sa.Column("date_effet", sa.Date(), nullable=False),
        sa.Column("exemple", sa.Boolean(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("creee_le", _tz, nullable=False),
        sa.Column("publiee_le", _tz, nullable=True),
        sa.Column("archivee_le", _tz, nullable=True),
        sa.UniqueConstraint("epci", "population", "version", name="uq_grilles_version"),
    )
    op.create_index(
        "uq_grilles_publiee",
        "grilles",
        ["epci", "population"],
        unique=True,
        postgresql_where=sa.text("etat = 'PUBLIEE'"),
        sqlite_where=sa.text("etat = 'PUBLIEE'"),
    )
    op.create_table(
        "demandes",
        sa.Column("demande_id", sa.Uuid(), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("departement", sa.String(3), nullable=False),
        sa.Column("statut", sa.String(16), nullable=False),
        sa.Column("typologie", sa.String(16), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=True),
        sa.Column("epcis", sa.JSON(), nullable=False),
        sa.Column("version_cotation", sa.Integer(), nullable=False),
        sa.Column("modifiee_le", _tz, nullable=False),
    )
    op.create_table(
        "demande_epcis",
        sa.Column("demande_id", sa.Uuid(), primary_key=True),
        sa.Column("epci", sa.String(9), primary_key=True),
    )
    op.create_index("ix_demande_epcis_epci", "demande_epcis", ["epci", "demande_id"])
    op.create_table(
        "scores",
        sa.Column("demande_id", sa.Uuid(), primary_key=True),
        sa.Column("epci", sa.String(9), primary_key=True),
        sa.Column("grille_id", sa.Uuid(), nullable=False),
        sa.Column("grille_version", sa.Integer(), nullable=False),
        sa.Column("points", sa.Numeric(10, 2), nullable=False),
        sa.Column("criteres", sa.JSON(), nullable=False),
        sa.Column("entrees", sa.JSON(), nullable=False),
        sa.Column("empreinte", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("demande_version", sa.Integer(), nullable=False),
        sa.Column("typologie", sa.String(16), nullable=True),
        sa.Column("actif", sa.Boolean(), nullable=False),
        sa.Column("calculee_le", _tz, nullable=False),
    )
    op.create_index("ix_scores_position", "scores", ["epci", "typologie", "actif", "points"])
    op.create_table(
        "recalculs",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("cle", sa.String(120), nullable=False, unique=True),
        sa.Column("motif", sa.String(32), nullable=False),
        sa.Column("epci", sa.String(9), nullable=True),
        sa.Column("grille_id", sa.Uuid(), nullable=True),
        sa.Column("etat", sa.String(16), nullable=False),
        sa.Column("curseur", sa.Uuid(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("traitees", sa.Integer(), nullable=False),
        sa.Column("modifiees", sa.Integer(), nullable=False),
        sa.Column("cree_le", _tz, nullable=False),
        sa.Column("demarre_le", _tz, nullable=True),
        sa.Column("mis_a_jour_le", _tz, nullable=True),
        sa.Column("termine_le", _tz, nullable=True),
    )
    op.create_index("ix_recalculs_etat", "recalculs", ["etat", "cree_le"])


def downgrade() -> None:
    op.drop_table("recalculs")
    op.drop_index("ix_scores_position", table_name="scores")
    op.drop_table("scores")
    op.drop_index("ix_demande_epcis_epci", table_name="demande_epcis")
    op.drop_table("demande_epcis")
    op.drop_table("demandes")
    op.drop_index("uq_grilles_publiee", table_name="grilles")
    op.drop_table("grilles")
