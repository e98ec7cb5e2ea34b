"""Tables of the matching service (SQLAlchemy Core), one group per sub-domain.

Identifiers of organisations (bailleurs, réservataires) are identite's organisation ids,
as the access tokens carry them; matching never reads identite's database."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from servicekit.horodatage import HorodatageUtc

metadata = sa.MetaData()

# --- Patrimoine -------------------------------------------------------------------------------

logements = sa.Table(
    "logements",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("rpls", sa.String(30), nullable=False, unique=True),
    sa.Column("bailleur_id", sa.String(64), nullable=False, index=True),
    sa.Column("programme", sa.String(120)),
    sa.Column("residence", sa.String(120)),
    sa.Column("adresse", sa.String(200), nullable=False),
    sa.Column("code_postal", sa.String(5)),
    sa.Column("commune", sa.String(5), nullable=False, index=True),
    sa.Column("epci", sa.String(9)),
    sa.Column("departement", sa.String(3), nullable=False),
    sa.Column("qpv", sa.Boolean, nullable=False),
    sa.Column("typologie", sa.String(10), nullable=False),
    sa.Column("surface_m2", sa.Numeric(7, 2), nullable=False),
    sa.Column("etage", sa.Integer, nullable=False),
    sa.Column("ascenseur", sa.Boolean, nullable=False),
    sa.Column("accessibilite", sa.String(16), nullable=False),
    sa.Column("financement", sa.String(8), nullable=False),
    sa.Column("loyer", sa.Numeric(10, 2), nullable=False),
    sa.Column("charges", sa.Numeric(10, 2), nullable=False),
    sa.Column("chauffage", sa.String(12), nullable=False),
    sa.Column("eau", sa.String(12), nullable=False),
    sa.Column("contingent", sa.String(32)),
    sa.Column("latitude", sa.Float),
    sa.Column("longitude", sa.Float),
    sa.Column("empreinte", sa.String(32), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
    sa.Column("modifie_le", sa.DateTime(timezone=True), nullable=False),
)

imports_stock = sa.Table(
    "imports_stock",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("bailleur_id", sa.String(64), nullable=False, index=True),
    sa.Column("compte_id", sa.String(64), nullable=False),
    sa.Column("nom_fichier", sa.String(200)),
    sa.Column("format", sa.String(8), nullable=False),
    sa.Column("empreinte_fichier", sa.String(64), nullable=False),
    sa.Column("recu_le", sa.DateTime(timezone=True), nullable=False),
    sa.Column("statut", sa.String(10), nullable=False),  # ACCEPTE, REFUSE
    sa.Column("lignes", sa.Integer, nullable=False),
    sa.Column("crees", sa.Integer, nullable=False),
    sa.Column("modifies", sa.Integer, nullable=False),
    sa.Column("inchanges", sa.Integer, nullable=False),
    sa.Column("erreurs", sa.JSON, nullable=False),
    sa.Column("erreurs_total", sa.Integer, nullable=False),
)

# --- Vacances et gestion en flux --------------------------------------------------------------

conventions = sa.Table(
    "conventions",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("bailleur_id", sa.String(64), nullable=False),
    sa.Column("reservataire_id", sa.String(64), nullable=False),
    sa.Column("reservataire_nom", sa.String(200), nullable=False),
    sa.Column("departement", sa.String(3), nullable=False),
    sa.Column("commune", sa.String(5)),
    sa.Column("annee", sa.Integer, nullable=False),
    sa.Column("parts", sa.JSON, nullable=False),  # {contingent: "percent"}
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint(
        "bailleur_id", "reservataire_id", "departement", "commune", "annee", name="uq_convention"
    ),
)

vacances = sa.Table(
    "vacances",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("logement_id", sa.Uuid, sa.ForeignKey("logements.id"), nullable=False, index=True),
    sa.Column("bailleur_id", sa.String(64), nullable=False, index=True),
    sa.Column("departement", sa.String(3), nullable=False),
    sa.Column("type", sa.String(16), nullable=False),  # PREAVIS, MISE_EN_SERVICE
    sa.Column("date_disponibilite", sa.Date, nullable=False),
    sa.Column("annee_flux", sa.Integer, nullable=False),
    sa.Column("declaree_le", sa.DateTime(timezone=True), nullable=False),
    # DECLAREE, ORIENTEE, DESIGNEE, RETIREE (part 2 adds its own)
    sa.Column("statut", sa.String(16), nullable=False),
    sa.Column("hors_flux", sa.Boolean, nullable=False),
    sa.Column("motif_hors_flux", sa.String(300)),
    sa.Column("reservataire_id", sa.String(64), index=True),
    sa.Column("reservataire_nom", sa.String(200)),
    sa.Column("contingent", sa.String(32)),
    sa.Column("convention_id", sa.Uuid),
    sa.Column("orientee_le", sa.DateTime(timezone=True)),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("motif_retrait", sa.String(16)),
    sa.Column("precision_retrait", sa.String(300)),
    sa.Column("retiree_le", sa.DateTime(timezone=True)),
)

designations = sa.Table(
    "designations",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("vacance_id", sa.Uuid, sa.ForeignKey("vacances.id"), nullable=False, unique=True),
    sa.Column("organisation_id", sa.String(64), nullable=False),
    sa.Column("compte_id", sa.String(64), nullable=False),
    sa.Column("designee_le", sa.DateTime(timezone=True), nullable=False),
    sa.Column("exception", sa.String(32)),
    sa.Column("candidats", sa.JSON, nullable=False),  # [{demande_id, rang, numero_unique}]
    sa.Column("ecarts", sa.JSON, nullable=False),  # [{demande_id, rang_classement, motif}]
    sa.Column("eligibles", sa.Integer, nullable=False),
)

# --- Read models fed by events (demandes, cotation) -------------------------------------------

demandes = sa.Table(
    "demandes",
    metadata,
    sa.Column("demande_id", sa.Uuid, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("departement", sa.String(3), nullable=False),
    sa.Column("statut", sa.String(16), nullable=False),
    sa.Column("numero_unique", sa.String(18)),
    # Search pre-filters (migration 0003; NULL until the row is written again: the search
    # then leaves the demande to the domain's filters).
    sa.Column("typologies", sa.String(64)),  # "|T2|T3|"
    sa.Column("taille", sa.Integer),
    sa.Column("categorie", sa.Integer),
    sa.Column("revenu_fiscal", sa.Numeric(12, 2)),
    sa.Column("vue", sa.JSON, nullable=False),  # the projected DemandeVue (no contact)
    sa.Column("source", sa.JSON, nullable=False),  # snapshot without contact: rebuilds
    sa.Column("recue_le", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_demandes_actives", "departement", "statut"),
)

# What a search reads of each wished commune besides its key (recherche_sql's pool).
SOUHAITS_INCLUS = [
    "version",
    "typologies",
    "taille",
    "categorie",
    "revenu_fiscal",
    "besoins",
    "etage_max",
    "ressources",
    "couple",
    "a_charge",
    "personnes",
    "a_naitre",
    "autres_naissances",
    "dalo",
    "priorites_validees",
    "priorites_retenues",
    "date_depot",
]

souhaits = sa.Table(
    "souhaits",
    metadata,
    sa.Column("demande_id", sa.Uuid, primary_key=True),
    sa.Column("commune", sa.String(5), primary_key=True),
    sa.Column("epci", sa.String(9)),
    sa.Column("actif", sa.Boolean, nullable=False),
    # The demande's version, département and pre-filter fields, copied on each wished
    # commune (migration 0006): a search reads this narrow table only.
    sa.Column("version", sa.Integer),
    sa.Column("departement", sa.String(3)),
    sa.Column("typologies", sa.String(64)),
    sa.Column("taille", sa.Integer),
    sa.Column("categorie", sa.Integer),
    sa.Column("revenu_fiscal", sa.Numeric(12, 2)),
    # What the rest of the search needs (migration 0007), so that on PostgreSQL the hard
    # and soft filters, the counts per reason and the ranking run in one statement and
    # only the page shown is evaluated by the domain.
    sa.Column("besoins", sa.String(200)),  # "|ASCENSEUR|REZ_DE_CHAUSSEE|"
    sa.Column("etage_max", sa.Integer),
    sa.Column("ressources", sa.Numeric(12, 2)),  # monthly resources
    sa.Column("couple", sa.Boolean),
    sa.Column("a_charge", sa.Integer),
    sa.Column("personnes", sa.Integer),
    sa.Column("a_naitre", sa.Integer),
    # Birth years of the persons after the first (UC scale of the search's year).
    sa.Column("autres_naissances", sa.JSON().with_variant(ARRAY(sa.Integer), "postgresql")),
    sa.Column("dalo", sa.Boolean),
    sa.Column("priorites_validees", sa.Integer),
    sa.Column("priorites_retenues", sa.Integer),
    sa.Column("date_depot", sa.Date),
    # Covering (migration 0008): a search reads its pool from the index alone on
    # PostgreSQL (index-only scan), not from the table's pages.
    sa.Index(
        "ix_souhaits_commune",
        "commune",
        "actif",
        "departement",
        "demande_id",
        postgresql_include=SOUHAITS_INCLUS,
    ),
    sa.Index(
        "ix_souhaits_epci",
        "epci",
        "actif",
        "departement",
        "demande_id",
        postgresql_include=SOUHAITS_INCLUS,
    ),
)

scores = sa.Table(
    "scores",
    metadata,
    sa.Column("demande_id", sa.Uuid, primary_key=True),
    sa.Column("epci", sa.String(9), primary_key=True),
    sa.Column("points", sa.Numeric(10, 2), nullable=False),
    sa.Column("criteres", sa.JSON, nullable=False),
    sa.Column("grille_version", sa.Integer, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)

# --- CALEOL, remote vote, decisions, offers, attributions (issue 17; migration 0005) ---------
# Timestamps are HorodatageUtc: aware UTC on SQLite too (deadlines are compared with now).

commissions = sa.Table(
    "commissions",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("bailleur_id", sa.String(64), nullable=False, index=True),
    sa.Column("nom", sa.String(200), nullable=False),
    sa.Column("departement", sa.String(3), nullable=False),
    sa.Column("territoire", sa.String(200)),  # free wording of the territory it covers
    # The EPCI president holds the casting vote (CIL and PPGDID adopted) instead of the maire.
    sa.Column("epci_preponderant", sa.Boolean, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("cree_le", HorodatageUtc, nullable=False),
)

membres_caleol = sa.Table(
    "membres_caleol",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("commission_id", sa.Uuid, sa.ForeignKey("commissions.id"), nullable=False),
    sa.Column("compte_id", sa.String(64), nullable=False, index=True),
    sa.Column("nom", sa.String(200), nullable=False),
    sa.Column("qualite", sa.String(32), nullable=False),
    sa.Column("president", sa.Boolean, nullable=False),
    sa.Column("commune", sa.String(5)),
    sa.Column("epci", sa.String(9)),
    sa.Column("reservataire_id", sa.String(64)),
    sa.UniqueConstraint("commission_id", "compte_id", name="uq_membre_compte"),
)

seances = sa.Table(
    "seances",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("commission_id", sa.Uuid, sa.ForeignKey("commissions.id"), nullable=False),
    sa.Column("reference", sa.String(64), nullable=False, unique=True),
    sa.Column("date_seance", HorodatageUtc, nullable=False),
    sa.Column("mode", sa.String(16), nullable=False),  # PRESENTIELLE, NUMERIQUE
    sa.Column("pv_signe_le", HorodatageUtc),
    sa.Column("pv_signe_par", sa.String(200)),
    sa.Column("version", sa.Integer, nullable=False),
)

dossiers_caleol = sa.Table(
    "dossiers_caleol",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("seance_id", sa.Uuid, sa.ForeignKey("seances.id"), nullable=False, index=True),
    sa.Column("vacance_id", sa.Uuid, sa.ForeignKey("vacances.id"), nullable=False, index=True),
    sa.Column("ordre", sa.Integer, nullable=False),
    sa.Column("candidats", sa.JSON, nullable=False),  # [{demande_id, rang, numero_unique}]
    # INSCRIT, VOTE_OUVERT, VOTE_CLOS, DECIDE, REPORTE
    sa.Column("statut", sa.String(16), nullable=False),
    sa.Column("vote_ouvert_le", HorodatageUtc),
    sa.Column("vote_limite", HorodatageUtc),
    sa.Column("resultat", sa.JSON),  # the remote vote's result, with who voted what
    sa.Column("decisions", sa.JSON),  # one per candidate (R441-3 a–e)
    sa.Column("date_decision", sa.Date),
    sa.Column("version", sa.Integer, nullable=False),
    sa.UniqueConstraint("seance_id", "vacance_id", name="uq_dossier_seance_vacance"),
)

bulletins = sa.Table(
    "bulletins",
    metadata,
    sa.Column("dossier_id", sa.Uuid, sa.ForeignKey("dossiers_caleol.id"), primary_key=True),
    sa.Column("membre_id", sa.Uuid, sa.ForeignKey("membres_caleol.id"), primary_key=True),
    sa.Column("choix", sa.String(20), nullable=False),
    sa.Column("rangs", sa.JSON, nullable=False),
    sa.Column("commentaire", sa.String(1000)),
    sa.Column("vote_le", HorodatageUtc, nullable=False),
    sa.Column("modifie_le", HorodatageUtc, nullable=False),
    sa.Column("modifications", sa.Integer, nullable=False),
)

messages_dossier = sa.Table(
    "messages_dossier",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("dossier_id", sa.Uuid, sa.ForeignKey("dossiers_caleol.id"), nullable=False),
    sa.Column("membre_id", sa.Uuid, sa.ForeignKey("membres_caleol.id"), nullable=False),
    sa.Column("texte", sa.String(2000), nullable=False),
    sa.Column("ecrit_le", HorodatageUtc, nullable=False),
    sa.Index("ix_messages_dossier", "dossier_id", "ecrit_le"),
)

offres = sa.Table(
    "offres",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("dossier_id", sa.Uuid, sa.ForeignKey("dossiers_caleol.id"), nullable=False),
    sa.Column("vacance_id", sa.Uuid, sa.ForeignKey("vacances.id"), nullable=False, index=True),
    sa.Column("demande_id", sa.Uuid, nullable=False, index=True),
    sa.Column("numero_unique", sa.String(18)),
    sa.Column("rang", sa.Integer, nullable=False),
    sa.Column("statut", sa.String(12), nullable=False),  # EMISE, ACCEPTEE, REFUSEE, BAIL_SIGNE
    sa.Column("date_notification", sa.Date, nullable=False),
    sa.Column("date_limite", sa.Date, nullable=False),
    sa.Column("delai_jours", sa.Integer, nullable=False),
    sa.Column("piece", sa.String(200)),
    sa.Column("date_limite_piece", sa.Date),
    sa.Column("piece_produite", sa.Boolean, nullable=False),
    sa.Column("rappel_envoye", sa.Boolean, nullable=False),
    sa.Column("date_reponse", sa.Date),
    sa.Column("motif_refus", sa.String(32)),
    sa.Column("precision", sa.String(500)),
    sa.Column("tacite", sa.Boolean, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Index("ix_offres_echeances", "statut", "date_limite"),
)

attributions = sa.Table(
    "attributions",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("offre_id", sa.Uuid, sa.ForeignKey("offres.id"), nullable=False, unique=True),
    sa.Column("vacance_id", sa.Uuid, sa.ForeignKey("vacances.id"), nullable=False, unique=True),
    sa.Column("bailleur_id", sa.String(64), nullable=False, index=True),
    sa.Column("demande_id", sa.Uuid, nullable=False),
    sa.Column("date_signature", sa.Date, nullable=False),
    sa.Column("donnees", sa.JSON, nullable=False),  # the attribution.prononcee payload
    sa.Column("cree_le", HorodatageUtc, nullable=False),
)
