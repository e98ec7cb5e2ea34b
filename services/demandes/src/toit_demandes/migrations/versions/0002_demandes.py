"""Demandes, wished communes and typologies, historique, pièces, numéro unique sequences.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "demandes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("statut", sa.String(length=20), nullable=False),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("numero_unique", sa.String(length=18), nullable=True),
        sa.Column("nom_naissance", sa.String(length=100), nullable=False),
        sa.Column("nom_usage", sa.String(length=100), nullable=True),
        sa.Column("prenom", sa.String(length=100), nullable=False),
        sa.Column("date_naissance", sa.Date(), nullable=False),
        sa.Column("nir_empreinte", sa.String(length=64), nullable=True),
        sa.Column("proprietaire", sa.String(length=64), nullable=True),
        sa.Column("guichet", sa.String(length=5), nullable=True),
        sa.Column("date_depot_initial", sa.Date(), nullable=False),
        sa.Column("date_enregistrement", sa.Date(), nullable=True),
        sa.Column("date_dernier_renouvellement", sa.Date(), nullable=True),
        sa.Column("date_expiration", sa.Date(), nullable=True),
        sa.Column("date_radiation", sa.Date(), nullable=True),
        sa.Column("motif_radiation", sa.String(length=30), nullable=True),
        sa.Column("sous_motif_radiation", sa.String(length=30), nullable=True),
        sa.Column("preavis_radiation", sa.JSON(), nullable=True),
        sa.Column("preavis_radiation_effet", sa.Date(), nullable=True),
        sa.Column("preavis_renouvellement_pour", sa.Date(), nullable=True),
        sa.Column("delai_anormalement_long_signale", sa.Boolean(), nullable=False),
        sa.Column("doublons_ecartes", sa.JSON(), nullable=False),
        sa.Column("fusionnee_dans", sa.Uuid(), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modifie_le", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("numero_unique"),
    )
    op.create_index(
        "ix_demandes_date_expiration", "demandes", ["statut", "date_expiration"], unique=False
    )
    op.create_index("ix_demandes_date_naissance", "demandes", ["date_naissance"], unique=False)
    op.create_index(
        "ix_demandes_date_radiation", "demandes", ["statut", "date_radiation"], unique=False
    )
    op.create_index(
        "ix_demandes_departement_statut", "demandes", ["departement", "statut"], unique=False
    )
    op.create_index("ix_demandes_depot", "demandes", ["date_depot_initial", "id"], unique=False)
    op.create_index("ix_demandes_nir_empreinte", "demandes", ["nir_empreinte"], unique=False)
    op.create_index(
        "ix_demandes_nom_naissance",
        "demandes",
        ["nom_naissance"],
        unique=False,
        postgresql_ops={"nom_naissance": "text_pattern_ops"},
    )
    op.create_index(
        "ix_demandes_nom_usage",
        "demandes",
        ["nom_usage"],
        unique=False,
        postgresql_ops={"nom_usage": "text_pattern_ops"},
    )
    op.create_index(
        "ix_demandes_preavis_radiation_effet", "demandes", ["preavis_radiation_effet"], unique=False
    )
    op.create_index("ix_demandes_proprietaire", "demandes", ["proprietaire"], unique=False)
    op.create_table(
        "sequences_numero_unique",
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("annee", sa.Integer(), nullable=False),
        sa.Column("valeur", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("departement", "annee"),
    )
    op.create_table(
        "demande_communes",
        sa.Column("demande_id", sa.Uuid(), nullable=False),
        sa.Column("rang", sa.Integer(), nullable=False),
        sa.Column("commune", sa.String(length=5), nullable=False),
        sa.ForeignKeyConstraint(["demande_id"], ["demandes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("demande_id", "rang"),
    )
    op.create_index(
        "ix_demande_communes_commune", "demande_communes", ["commune", "demande_id"], unique=False
    )
    op.create_table(
        "demande_historique",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("demande_id", sa.Uuid(), nullable=False),
        sa.Column("date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("intervenant_type", sa.String(length=30), nullable=False),
        sa.Column("utilisateur", sa.String(length=64), nullable=True),
        sa.Column("organisation", sa.String(length=64), nullable=True),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("changements", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["demande_id"], ["demandes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_demande_historique_demande", "demande_historique", ["demande_id", "id"], unique=False
    )
    op.create_table(
        "demande_pieces",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("demande_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("personne", sa.String(length=20), nullable=True),
        sa.Column("nom_fichier", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=50), nullable=False),
        sa.Column("taille", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("cle_stockage", sa.String(length=200), nullable=False),
        sa.Column("statut", sa.String(length=20), nullable=False),
        sa.Column("motif_refus", sa.String(length=500), nullable=True),
        sa.Column("depose_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("depose_par", sa.String(length=64), nullable=True),
        sa.Column("statue_le", sa.DateTime(timezone=True), nullable=True),
        sa.Column("statue_par", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["demande_id"], ["demandes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_demande_pieces_demande", "demande_pieces", ["demande_id"], unique=False)
    op.create_table(
        "demande_typologies",
        sa.Column("demande_id", sa.Uuid(), nullable=False),
        sa.Column("typologie", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["demande_id"], ["demandes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("demande_id", "typologie"),
    )
    op.create_index(
        "ix_demande_typologies_typologie",
        "demande_typologies",
        ["typologie", "demande_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_demande_typologies_typologie", table_name="demande_typologies")
    op.drop_table("demande_typologies")
    op.drop_index("ix_demande_pieces_demande", table_name="demande_pieces")
    op.drop_table("demande_pieces")
    op.drop_index("ix_demande_historique_demande", table_name="demande_historique")
    op.drop_table("demande_historique")
    op.drop_index("ix_demande_communes_commune", table_name="demande_communes")
    op.drop_table("demande_communes")
    op.drop_table("sequences_numero_unique")
    op.drop_index("ix_demandes_proprietaire", table_name="demandes")
    op.drop_index("ix_demandes_preavis_radiation_effet", table_name="demandes")
    op.drop_index(
        "ix_demandes_nom_usage",
        table_name="demandes",
        postgresql_ops={"nom_usage": "text_pattern_ops"},
    )
    op.drop_index(
        "ix_demandes_nom_naissance",
        table_name="demandes",
        postgresql_ops={"nom_naissance": "text_pattern_ops"},
    )
    op.drop_index("ix_demandes_nir_empreinte", table_name="demandes")
    op.drop_index("ix_demandes_depot", table_name="demandes")
    op.drop_index("ix_demandes_departement_statut", table_name="demandes")
    op.drop_index("ix_demandes_date_radiation", table_name="demandes")
    op.drop_index("ix_demandes_date_naissance", table_name="demandes")
    op.drop_index("ix_demandes_date_expiration", table_name="demandes")
    op.drop_table("demandes")
