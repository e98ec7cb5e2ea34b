"""Event archive, projection state, read models, lists, exports and key figures.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "archive_evenement",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=128), nullable=False),
        sa.Column("archive_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("corps", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("position"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_table(
        "chiffres_cles",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("publie_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("annee_reference", sa.Integer(), nullable=False),
        sa.Column("contenu", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_chiffres_cles_publie_le"), "chiffres_cles", ["publie_le"], unique=False
    )
    op.create_table(
        "export",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("qui", sa.String(length=64), nullable=False),
        sa.Column("organisation", sa.String(length=64), nullable=True),
        sa.Column("roles", sa.String(length=200), nullable=False),
        sa.Column("quoi", sa.String(length=200), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("lignes", sa.Integer(), nullable=False),
        sa.Column("nominatif", sa.Boolean(), nullable=False),
        sa.Column("quand", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_export_quand"), "export", ["quand"], unique=False)
    op.create_table(
        "liste",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("domaine", sa.String(length=32), nullable=False),
        sa.Column("titre", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("proprietaire", sa.String(length=64), nullable=False),
        sa.Column("organisation", sa.String(length=64), nullable=True),
        sa.Column("destinataires", sa.JSON(), nullable=False),
        sa.Column("modification_destinataires", sa.Boolean(), nullable=False),
        sa.Column("dossier", sa.String(length=100), nullable=True),
        sa.Column("actif", sa.Boolean(), nullable=False),
        sa.Column("conservation_jours", sa.Integer(), nullable=False),
        sa.Column("planification", sa.String(length=16), nullable=True),
        sa.Column("accueil", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modifie_le", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_liste_proprietaire", "liste", ["proprietaire"], unique=False)
    op.create_table(
        "projection_etat",
        sa.Column("nom", sa.String(length=64), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("statut", sa.String(length=16), nullable=False),
        sa.Column("evenements", sa.BigInteger(), nullable=False),
        sa.Column("maj_le", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("nom"),
    )
    op.create_table(
        "resultat_liste",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("liste_id", sa.Uuid(), nullable=False),
        sa.Column("execute_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("execute_par", sa.String(length=64), nullable=False),
        sa.Column("contenu", sa.JSON(), nullable=False),
        sa.Column("expire_le", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_resultat_liste_liste_id"), "resultat_liste", ["liste_id"], unique=False
    )
    op.create_table(
        "rm_attribution",
        sa.Column("attribution_id", sa.String(length=64), nullable=False),
        sa.Column("demande_id", sa.Uuid(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("commune", sa.String(length=5), nullable=True),
        sa.Column("epci", sa.String(length=9), nullable=True),
        sa.Column("date_attribution", sa.Date(), nullable=False),
        sa.Column("mois", sa.String(length=7), nullable=False),
        sa.Column("annee", sa.Integer(), nullable=False),
        sa.Column("typologie_demandee", sa.String(length=8), nullable=True),
        sa.Column("typologie_attribuee", sa.String(length=8), nullable=True),
        sa.Column("bailleur", sa.String(length=14), nullable=True),
        sa.Column("reservataire", sa.String(length=64), nullable=True),
        sa.Column("qpv", sa.Boolean(), nullable=True),
        sa.Column("premier_quartile", sa.Boolean(), nullable=True),
        sa.Column("relogement_anru", sa.Boolean(), nullable=False),
        sa.Column("revenu_annuel_uc", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("dalo", sa.Boolean(), nullable=False),
        sa.Column("prioritaire", sa.Boolean(), nullable=False),
        sa.Column("mutation", sa.Boolean(), nullable=False),
        sa.Column("date_depot", sa.Date(), nullable=True),
        sa.Column("delai_jours", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("attribution_id"),
    )
    op.create_index(
        "ix_rm_attribution_territoire", "rm_attribution", ["epci", "annee"], unique=False
    )
    op.create_table(
        "rm_cotation",
        sa.Column("demande_id", sa.Uuid(), nullable=False),
        sa.Column("epci", sa.String(length=9), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("departement", sa.String(length=3), nullable=True),
        sa.Column("points", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("grille_id", sa.Uuid(), nullable=False),
        sa.Column("grille_version", sa.Integer(), nullable=False),
        sa.Column("calculee_le", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("demande_id", "epci"),
    )
    op.create_table(
        "rm_demande",
        sa.Column("demande_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("numero_unique", sa.String(length=18), nullable=True),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("statut", sa.String(length=16), nullable=False),
        sa.Column("commune", sa.String(length=5), nullable=True),
        sa.Column("epci", sa.String(length=9), nullable=True),
        sa.Column("typologie", sa.String(length=8), nullable=True),
        sa.Column("typologies", sa.String(length=64), nullable=True),
        sa.Column("taille_menage", sa.Integer(), nullable=True),
        sa.Column("categorie_menage", sa.Integer(), nullable=True),
        sa.Column("unites_consommation", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("ressources_mensuelles", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("revenu_annuel_uc", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("age_demandeur", sa.Integer(), nullable=True),
        sa.Column("situation_familiale", sa.String(length=32), nullable=True),
        sa.Column("type_logement_actuel", sa.String(length=32), nullable=True),
        sa.Column("motif_principal", sa.String(length=32), nullable=True),
        sa.Column("canal_depot", sa.String(length=16), nullable=True),
        sa.Column("guichet", sa.String(length=5), nullable=True),
        sa.Column("mutation", sa.Boolean(), nullable=False),
        sa.Column("dalo", sa.Boolean(), nullable=False),
        sa.Column("prioritaire", sa.Boolean(), nullable=False),
        sa.Column("date_depot", sa.Date(), nullable=True),
        sa.Column("mois_depot", sa.String(length=7), nullable=True),
        sa.Column("date_enregistrement", sa.Date(), nullable=True),
        sa.Column("date_expiration", sa.Date(), nullable=True),
        sa.Column("date_radiation", sa.Date(), nullable=True),
        sa.Column("mois_radiation", sa.String(length=7), nullable=True),
        sa.Column("motif_radiation", sa.String(length=32), nullable=True),
        sa.Column("anciennete_mois", sa.Integer(), nullable=True),
        sa.Column("maj_le", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("demande_id"),
    )
    op.create_index("ix_rm_demande_statut", "rm_demande", ["statut", "epci"], unique=False)
    op.create_index(
        "ix_rm_demande_territoire", "rm_demande", ["departement", "epci", "commune"], unique=False
    )
    op.create_table(
        "rm_logement_vacant",
        sa.Column("logement_id", sa.String(length=64), nullable=False),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("commune", sa.String(length=5), nullable=True),
        sa.Column("epci", sa.String(length=9), nullable=True),
        sa.Column("bailleur", sa.String(length=14), nullable=True),
        sa.Column("reservataire", sa.String(length=64), nullable=True),
        sa.Column("typologie", sa.String(length=8), nullable=True),
        sa.Column("qpv", sa.Boolean(), nullable=True),
        sa.Column("loyer", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("date_vacance", sa.Date(), nullable=False),
        sa.Column("mois", sa.String(length=7), nullable=False),
        sa.Column("statut", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("logement_id"),
    )
    op.create_table(
        "rm_proposition",
        sa.Column("proposition_id", sa.String(length=64), nullable=False),
        sa.Column("demande_id", sa.Uuid(), nullable=True),
        sa.Column("logement_id", sa.String(length=64), nullable=True),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("commune", sa.String(length=5), nullable=True),
        sa.Column("epci", sa.String(length=9), nullable=True),
        sa.Column("bailleur", sa.String(length=14), nullable=True),
        sa.Column("date_proposition", sa.Date(), nullable=False),
        sa.Column("mois", sa.String(length=7), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("motif_refus", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("proposition_id"),
    )


def downgrade() -> None:
    op.drop_table("rm_proposition")
    op.drop_table("rm_logement_vacant")
    op.drop_index("ix_rm_demande_territoire", table_name="rm_demande")
    op.drop_index("ix_rm_demande_statut", table_name="rm_demande")
    op.drop_table("rm_demande")
    op.drop_table("rm_cotation")
    op.drop_index("ix_rm_attribution_territoire", table_name="rm_attribution")
    op.drop_table("rm_attribution")
    op.drop_index(op.f("ix_resultat_liste_liste_id"), table_name="resultat_liste")
    op.drop_table("resultat_liste")
    op.drop_table("projection_etat")
    op.drop_index("ix_liste_proprietaire", table_name="liste")
    op.drop_table("liste")
    op.drop_index(op.f("ix_export_quand"), table_name="export")
    op.drop_table("export")
    op.drop_index(op.f("ix_chiffres_cles_publie_le"), table_name="chiffres_cles")
    op.drop_table("chiffres_cles")
    op.drop_table("archive_evenement")
