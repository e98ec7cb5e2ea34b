"""Patrimoine, vacances, conventions, désignations and the read models of demandes and
cotations (issue 14).

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "conventions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("bailleur_id", sa.String(length=64), nullable=False),
        sa.Column("reservataire_id", sa.String(length=64), nullable=False),
        sa.Column("reservataire_nom", sa.String(length=200), nullable=False),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("commune", sa.String(length=5), nullable=True),
        sa.Column("annee", sa.Integer(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "bailleur_id",
            "reservataire_id",
            "departement",
            "commune",
            "annee",
            name="uq_convention",
        ),
    )
    op.create_table(
        "demandes",
        sa.Column("demande_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("statut", sa.String(length=16), nullable=False),
        sa.Column("numero_unique", sa.String(length=18), nullable=True),
        sa.Column("vue", sa.JSON(), nullable=False),
        sa.Column("source", sa.JSON(), nullable=False),
        sa.Column("recue_le", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("demande_id"),
    )
    op.create_index("ix_demandes_actives", "demandes", ["departement", "statut"], unique=False)
    op.create_table(
        "imports_stock",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("bailleur_id", sa.String(length=64), nullable=False),
        sa.Column("compte_id", sa.String(length=64), nullable=False),
        sa.Column("nom_fichier", sa.String(length=200), nullable=True),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("empreinte_fichier", sa.String(length=64), nullable=False),
        sa.Column("recu_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("statut", sa.String(length=10), nullable=False),
        sa.Column("lignes", sa.Integer(), nullable=False),
        sa.Column("crees", sa.Integer(), nullable=False),
        sa.Column("modifies", sa.Integer(), nullable=False),
        sa.Column("inchanges", sa.Integer(), nullable=False),
        sa.Column("erreurs", sa.JSON(), nullable=False),
        sa.Column("erreurs_total", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_imports_stock_bailleur_id"), "imports_stock", ["bailleur_id"], unique=False
    )
    op.create_table(
        "logements",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("rpls", sa.String(length=30), nullable=False),
        sa.Column("bailleur_id", sa.String(length=64), nullable=False),
        sa.Column("programme", sa.String(length=120), nullable=True),
        sa.Column("residence", sa.String(length=120), nullable=True),
        sa.Column("adresse", sa.String(length=200), nullable=False),
        sa.Column("code_postal", sa.String(length=5), nullable=True),
        sa.Column("commune", sa.String(length=5), nullable=False),
        sa.Column("epci", sa.String(length=9), nullable=True),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("qpv", sa.Boolean(), nullable=False),
        sa.Column("typologie", sa.String(length=10), nullable=False),
        sa.Column("surface_m2", sa.Numeric(precision=7, scale=2), nullable=False),
        sa.Column("etage", sa.Integer(), nullable=False),
        sa.Column("ascenseur", sa.Boolean(), nullable=False),
        sa.Column("accessibilite", sa.String(length=16), nullable=False),
        sa.Column("financement", sa.String(length=8), nullable=False),
        sa.Column("loyer", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("charges", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("chauffage", sa.String(length=12), nullable=False),
        sa.Column("eau", sa.String(length=12), nullable=False),
        sa.Column("contingent", sa.String(length=32), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("empreinte", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modifie_le", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rpls"),
    )
    op.create_index(op.f("ix_logements_bailleur_id"), "logements", ["bailleur_id"], unique=False)
    op.create_index(op.f("ix_logements_commune"), "logements", ["commune"], unique=False)
    op.create_table(
        "scores",
        sa.Column("demande_id", sa.Uuid(), nullable=False),
        sa.Column("epci", sa.String(length=9), nullable=False),
        sa.Column("points", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("criteres", sa.JSON(), nullable=False),
        sa.Column("grille_version", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("demande_id", "epci"),
    )
    op.create_table(
        "souhaits",
        sa.Column("demande_id", sa.Uuid(), nullable=False),
        sa.Column("commune", sa.String(length=5), nullable=False),
        sa.Column("epci", sa.String(length=9), nullable=True),
        sa.Column("actif", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("demande_id", "commune"),
    )
    op.create_index("ix_souhaits_commune", "souhaits", ["commune", "actif"], unique=False)
    op.create_index("ix_souhaits_epci", "souhaits", ["epci", "actif"], unique=False)
    op.create_table(
        "vacances",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("logement_id", sa.Uuid(), nullable=False),
        sa.Column("bailleur_id", sa.String(length=64), nullable=False),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("date_disponibilite", sa.Date(), nullable=False),
        sa.Column("annee_flux", sa.Integer(), nullable=False),
        sa.Column("declaree_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("statut", sa.String(length=16), nullable=False),
        sa.Column("hors_flux", sa.Boolean(), nullable=False),
        sa.Column("motif_hors_flux", sa.String(length=300), nullable=True),
        sa.Column("reservataire_id", sa.String(length=64), nullable=True),
        sa.Column("reservataire_nom", sa.String(length=200), nullable=True),
        sa.Column("contingent", sa.String(length=32), nullable=True),
        sa.Column("convention_id", sa.Uuid(), nullable=True),
        sa.Column("orientee_le", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["logement_id"],
            ["logements.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_vacances_bailleur_id"), "vacances", ["bailleur_id"], unique=False)
    op.create_index(op.f("ix_vacances_logement_id"), "vacances", ["logement_id"], unique=False)
    op.create_index(
        op.f("ix_vacances_reservataire_id"), "vacances", ["reservataire_id"], unique=False
    )
    op.create_table(
        "designations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("vacance_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("compte_id", sa.String(length=64), nullable=False),
        sa.Column("designee_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("exception", sa.String(length=32), nullable=True),
        sa.Column("candidats", sa.JSON(), nullable=False),
        sa.Column("ecarts", sa.JSON(), nullable=False),
        sa.Column("eligibles", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["vacance_id"],
            ["vacances.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("vacance_id"),
    )


def downgrade() -> None:
    op.drop_table("designations")
    op.drop_index(op.f("ix_vacances_reservataire_id"), table_name="vacances")
    op.drop_index(op.f("ix_vacances_logement_id"), table_name="vacances")
    op.drop_index(op.f("ix_vacances_bailleur_id"), table_name="vacances")
    op.drop_table("vacances")
    op.drop_index("ix_souhaits_epci", table_name="souhaits")
    op.drop_index("ix_souhaits_commune", table_name="souhaits")
    op.drop_table("souhaits")
    op.drop_table("scores")
    op.drop_index(op.f("ix_logements_commune"), table_name="logements")
    op.drop_index(op.f("ix_logements_bailleur_id"), table_name="logements")
    op.drop_table("logements")
    op.drop_index(op.f("ix_imports_stock_bailleur_id"), table_name="imports_stock")
    op.drop_table("imports_stock")
    op.drop_index("ix_demandes_actives", table_name="demandes")
    op.drop_table("demandes")
    op.drop_table("conventions")
