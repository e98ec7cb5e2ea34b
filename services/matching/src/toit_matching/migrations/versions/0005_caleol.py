"""CALEOL commissions, members, sessions, dossiers, remote votes, decisions, offers and
attributions (issue 17).

Revision ID: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"

TABLES = (
    "attributions",
    "offres",
    "messages_dossier",
    "bulletins",
    "dossiers_caleol",
    "seances",
    "membres_caleol",
    "commissions",
)


def upgrade() -> None:
    op.create_table(
        "commissions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("bailleur_id", sa.String(length=64), nullable=False),
        sa.Column("nom", sa.String(length=200), nullable=False),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("territoire", sa.String(length=200), nullable=True),
        sa.Column("epci_preponderant", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_commissions_bailleur_id"), "commissions", ["bailleur_id"], unique=False
    )
    op.create_table(
        "membres_caleol",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("commission_id", sa.Uuid(), nullable=False),
        sa.Column("compte_id", sa.String(length=64), nullable=False),
        sa.Column("nom", sa.String(length=200), nullable=False),
        sa.Column("qualite", sa.String(length=32), nullable=False),
        sa.Column("president", sa.Boolean(), nullable=False),
        sa.Column("commune", sa.String(length=5), nullable=True),
        sa.Column("epci", sa.String(length=9), nullable=True),
        sa.Column("reservataire_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["commission_id"],
            ["commissions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("commission_id", "compte_id", name="uq_membre_compte"),
    )
    op.create_index(
        op.f("ix_membres_caleol_compte_id"), "membres_caleol", ["compte_id"], unique=False
    )
    op.create_table(
        "seances",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("commission_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("date_seance", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("pv_signe_le", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pv_signe_par", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commission_id"],
            ["commissions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    op.create_table(
        "dossiers_caleol",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seance_id", sa.Uuid(), nullable=False),
        sa.Column("vacance_id", sa.Uuid(), nullable=False),
        sa.Column("ordre", sa.Integer(), nullable=False),
        sa.Column("candidats", sa.JSON(), nullable=False),
        sa.Column("statut", sa.String(length=16), nullable=False),
        sa.Column("vote_ouvert_le", sa.DateTime(timezone=True), nullable=True),
        sa.Column("vote_limite", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resultat", sa.JSON(), nullable=True),
        sa.Column("decisions", sa.JSON(), nullable=True),
        sa.Column("date_decision", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seance_id"],
            ["seances.id"],
        ),
        sa.ForeignKeyConstraint(
            ["vacance_id"],
            ["vacances.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seance_id", "vacance_id", name="uq_dossier_seance_vacance"),
    )
    op.create_index(
        op.f("ix_dossiers_caleol_seance_id"), "dossiers_caleol", ["seance_id"], unique=False
    )
    op.create_index(
        op.f("ix_dossiers_caleol_vacance_id"), "dossiers_caleol", ["vacance_id"], unique=False
    )
    op.create_table(
        "bulletins",
        sa.Column("dossier_id", sa.Uuid(), nullable=False),
        sa.Column("membre_id", sa.Uuid(), nullable=False),
        sa.Column("choix", sa.String(length=20), nullable=False),
        sa.Column("rangs", sa.JSON(), nullable=False),
        sa.Column("commentaire", sa.String(length=1000), nullable=True),
        sa.Column("vote_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modifie_le", sa.DateTime(timezone=True), nullable=False),
        sa.Column("modifications", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers_caleol.id"],
        ),
        sa.ForeignKeyConstraint(
            ["membre_id"],
            ["membres_caleol.id"],
        ),
        sa.PrimaryKeyConstraint("dossier_id", "membre_id"),
    )
    op.create_table(
        "messages_dossier",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dossier_id", sa.Uuid(), nullable=False),
        sa.Column("membre_id", sa.Uuid(), nullable=False),
        sa.Column("texte", sa.String(length=2000), nullable=False),
        sa.Column("ecrit_le", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers_caleol.id"],
        ),
        sa.ForeignKeyConstraint(
            ["membre_id"],
            ["membres_caleol.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_messages_dossier", "messages_dossier", ["dossier_id", "ecrit_le"], unique=False
    )
    op.create_table(
        "offres",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dossier_id", sa.Uuid(), nullable=False),
        sa.Column("vacance_id", sa.Uuid(), nullable=False),
        sa.Column("demande_id", sa.Uuid(), nullable=False),
        sa.Column("numero_unique", sa.String(length=18), nullable=True),
        sa.Column("rang", sa.Integer(), nullable=False),
        sa.Column("statut", sa.String(length=12), nullable=False),
        sa.Column("date_notification", sa.Date(), nullable=False),
        sa.Column("date_limite", sa.Date(), nullable=False),
        sa.Column("delai_jours", sa.Integer(), nullable=False),
        sa.Column("piece", sa.String(length=200), nullable=True),
        sa.Column("date_limite_piece", sa.Date(), nullable=True),
        sa.Column("piece_produite", sa.Boolean(), nullable=False),
        sa.Column("rappel_envoye", sa.Boolean(), nullable=False),
        sa.Column("date_reponse", sa.Date(), nullable=True),
        sa.Column("motif_refus", sa.String(length=32), nullable=True),
        sa.Column("precision", sa.String(length=500), nullable=True),
        sa.Column("tacite", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers_caleol.id"],
        ),
        sa.ForeignKeyConstraint(
            ["vacance_id"],
            ["vacances.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_offres_demande_id"), "offres", ["demande_id"], unique=False)
    op.create_index("ix_offres_echeances", "offres", ["statut", "date_limite"], unique=False)
    op.create_index(op.f("ix_offres_vacance_id"), "offres", ["vacance_id"], unique=False)
    op.create_table(
        "attributions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("offre_id", sa.Uuid(), nullable=False),
        sa.Column("vacance_id", sa.Uuid(), nullable=False),
        sa.Column("bailleur_id", sa.String(length=64), nullable=False),
        sa.Column("demande_id", sa.Uuid(), nullable=False),
        sa.Column("date_signature", sa.Date(), nullable=False),
        sa.Column("donnees", sa.JSON(), nullable=False),
        sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["offre_id"],
            ["offres.id"],
        ),
        sa.ForeignKeyConstraint(
            ["vacance_id"],
            ["vacances.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("offre_id"),
        sa.UniqueConstraint("vacance_id"),
    )
    op.create_index(
        op.f("ix_attributions_bailleur_id"), "attributions", ["bailleur_id"], unique=False
    )


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
