"""Tables of the observatoire (SQLAlchemy Core, PostgreSQL and SQLite).

Three families:
- the event archive of the embedded mode (`archive_evenement`; with RabbitMQ the
  archive is a stream queue) and the position of each projection in it;
- read models (`rm_*`), written only by the projections from events, rebuilt from
  the archive when their definition changes. No name, address or contact: the
  only identifying column is `numero_unique`, a nominative field of the
  "demandes" domains that the observateur role can neither show nor group on;
- what users make: saved lists, their results, the record of exports and the
  published key figures.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

_TZ = sa.DateTime(timezone=True)
_MONEY = sa.Numeric(12, 2)

# --- Archive and projections ------------------------------------------------------------------

archive_evenement = sa.Table(
    "archive_evenement",
    metadata,
    # Position in the archive, from 0, like a stream offset.
    sa.Column(
        "position",
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    sa.Column("event_id", sa.String(64), nullable=False, unique=True),
    sa.Column("type", sa.String(128), nullable=False),
    sa.Column("archive_le", _TZ, nullable=False),
    sa.Column("corps", sa.LargeBinary, nullable=False),
)

projection_etat = sa.Table(
    "projection_etat",
    metadata,
    sa.Column("nom", sa.String(64), primary_key=True),
    # Next archive position to apply.
    sa.Column("position", sa.BigInteger, nullable=False),
    # Version of the read models' definition that built the tables.
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("statut", sa.String(16), nullable=False),
    sa.Column("evenements", sa.BigInteger, nullable=False),
    sa.Column("maj_le", _TZ, nullable=False),
)

# --- Read models ------------------------------------------------------------------------------

rm_demande = sa.Table(
    "rm_demande",
    metadata,
    sa.Column("demande_id", sa.Uuid, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("numero_unique", sa.String(18), nullable=True),
    sa.Column("departement", sa.String(3), nullable=False),
    sa.Column("statut", sa.String(16), nullable=False),
    sa.Column("commune", sa.String(5), nullable=True),
    sa.Column("epci", sa.String(9), nullable=True),
    sa.Column("typologie", sa.String(8), nullable=True),
    sa.Column("typologies", sa.String(64), nullable=True),
    sa.Column("taille_menage", sa.Integer, nullable=True),
    sa.Column("categorie_menage", sa.Integer, nullable=True),
    sa.Column("unites_consommation", sa.Numeric(5, 2), nullable=True),
    sa.Column("ressources_mensuelles", _MONEY, nullable=True),
    sa.Column("revenu_annuel_uc", _MONEY, nullable=True),
    sa.Column("age_demandeur", sa.Integer, nullable=True),
    sa.Column("situation_familiale", sa.String(32), nullable=True),
    sa.Column("type_logement_actuel", sa.String(32), nullable=True),
    sa.Column("motif_principal", sa.String(32), nullable=True),
    sa.Column("canal_depot", sa.String(16), nullable=True),
    sa.Column("guichet", sa.String(5), nullable=True),
    sa.Column("mutation", sa.Boolean, nullable=False),
    sa.Column("dalo", sa.Boolean, nullable=False),
    sa.Column("prioritaire", sa.Boolean, nullable=False),
    sa.Column("date_depot", sa.Date, nullable=True),
    sa.Column("mois_depot", sa.String(7), nullable=True),
    sa.Column("date_enregistrement", sa.Date, nullable=True),
    sa.Column("date_expiration", sa.Date, nullable=True),
    sa.Column("date_radiation", sa.Date, nullable=True),
    sa.Column("mois_radiation", sa.String(7), nullable=True),
    sa.Column("motif_radiation", sa.String(32), nullable=True),
    sa.Column("anciennete_mois", sa.Integer, nullable=True),
    sa.Column("maj_le", _TZ, nullable=False),
    sa.Index("ix_rm_demande_territoire", "departement", "epci", "commune"),
    sa.Index("ix_rm_demande_statut", "statut", "epci"),
    # The lists grouped by commune (and typologie) of a département — « Demandes de T2 sur
    # ma commune » — read this index alone, already in group order: no sort of the
    # département's rows (docs/performance.md, bench-observatoire).
    sa.Index(
        "ix_rm_demande_commune_typologie",
        "departement",
        "commune",
        "typologie",
        postgresql_include=["statut", "revenu_annuel_uc"],
    ),
)

rm_cotation = sa.Table(
    "rm_cotation",
    metadata,
    sa.Column("demande_id", sa.Uuid, primary_key=True),
    sa.Column("epci", sa.String(9), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("departement", sa.String(3), nullable=True),
    sa.Column("points", sa.Numeric(10, 2), nullable=False),
    sa.Column("grille_id", sa.Uuid, nullable=False),
    sa.Column("grille_version", sa.Integer, nullable=False),
    sa.Column("calculee_le", _TZ, nullable=False),
)

# Attributions: a lease signed. From matching's attribution.prononcee (source "matching":
# the unit's commune, QPV, bailleur, réservataire, attributed typologie), else from
# demande.radiee with motif ATTRIBUTION (source "radiation": commune is then the first
# wished commune, the unit unknown). A radiation row is dropped once the matching row of
# the same demande is known (repository.appliquer), so an attribution counts once.
rm_attribution = sa.Table(
    "rm_attribution",
    metadata,
    sa.Column("attribution_id", sa.String(64), primary_key=True),
    sa.Column("demande_id", sa.Uuid, nullable=True),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("departement", sa.String(3), nullable=False),
    sa.Column("commune", sa.String(5), nullable=True),
    sa.Column("epci", sa.String(9), nullable=True),
    sa.Column("date_attribution", sa.Date, nullable=False),
    sa.Column("mois", sa.String(7), nullable=False),
    sa.Column("annee", sa.Integer, nullable=False),
    sa.Column("typologie_demandee", sa.String(8), nullable=True),
    sa.Column("typologie_attribuee", sa.String(8), nullable=True),
    sa.Column("bailleur", sa.String(64), nullable=True),
    sa.Column("reservataire", sa.String(64), nullable=True),
    sa.Column("qpv", sa.Boolean, nullable=True),
    sa.Column("premier_quartile", sa.Boolean, nullable=True),
    sa.Column("relogement_anru", sa.Boolean, nullable=False, default=False),
    sa.Column("revenu_annuel_uc", _MONEY, nullable=True),
    sa.Column("dalo", sa.Boolean, nullable=False),
    sa.Column("prioritaire", sa.Boolean, nullable=False),
    sa.Column("mutation", sa.Boolean, nullable=False),
    sa.Column("date_depot", sa.Date, nullable=True),
    sa.Column("delai_jours", sa.Integer, nullable=True),
    sa.Index("ix_rm_attribution_territoire", "epci", "annee"),
)

# Propositions and refusals: one row per candidate examined by a CALEOL (caleol.decision_prise,
# key dossier:demande), then the offer's outcome (offre.emise/acceptee/refusee).
# `decision`: SANS_OFFRE (decisions d, e), A_PROPOSER (attributed, no offer yet), PROPOSEE,
# ACCEPTEE, REFUSEE (with its motif).
rm_proposition = sa.Table(
    "rm_proposition",
    metadata,
    sa.Column("proposition_id", sa.String(80), primary_key=True),
    sa.Column("demande_id", sa.Uuid, nullable=True),
    sa.Column("logement_id", sa.String(64), nullable=True),
    sa.Column("departement", sa.String(3), nullable=False),
    sa.Column("commune", sa.String(5), nullable=True),
    sa.Column("epci", sa.String(9), nullable=True),
    sa.Column("bailleur", sa.String(64), nullable=True),
    sa.Column("date_proposition", sa.Date, nullable=False),
    sa.Column("mois", sa.String(7), nullable=False),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("motif_refus", sa.String(32), nullable=True),
    sa.Column("decision_caleol", sa.String(32), nullable=True),
    sa.Column("rang", sa.Integer, nullable=True),
    sa.Column("typologie", sa.String(8), nullable=True),
)

# Vacancies (vacance.declaree, then orientee, designation, attribution or retrait): one row
# per vacancy (`logement_id` holds the vacance_id); `statut` DECLAREE, ORIENTEE, DESIGNEE,
# ATTRIBUEE or RETIREE.
rm_logement_vacant = sa.Table(
    "rm_logement_vacant",
    metadata,
    sa.Column("logement_id", sa.String(64), primary_key=True),
    sa.Column("departement", sa.String(3), nullable=False),
    sa.Column("commune", sa.String(5), nullable=True),
    sa.Column("epci", sa.String(9), nullable=True),
    sa.Column("bailleur", sa.String(64), nullable=True),
    sa.Column("reservataire", sa.String(64), nullable=True),
    sa.Column("typologie", sa.String(8), nullable=True),
    sa.Column("qpv", sa.Boolean, nullable=True),
    sa.Column("loyer", _MONEY, nullable=True),
    sa.Column("date_vacance", sa.Date, nullable=False),
    sa.Column("mois", sa.String(7), nullable=False),
    sa.Column("statut", sa.String(16), nullable=False),
    sa.Column("financement", sa.String(8), nullable=True),
)

READ_MODELS = (rm_demande, rm_cotation, rm_attribution, rm_proposition, rm_logement_vacant)

# --- Lists, results, exports, key figures ---------------------------------------------------

liste = sa.Table(
    "liste",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("domaine", sa.String(32), nullable=False),
    sa.Column("titre", sa.String(200), nullable=False),
    sa.Column("reference", sa.String(32), nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("definition", sa.JSON, nullable=False),
    sa.Column("proprietaire", sa.String(64), nullable=False),
    sa.Column("organisation", sa.String(64), nullable=True),
    sa.Column("destinataires", sa.JSON, nullable=False),
    sa.Column("modification_destinataires", sa.Boolean, nullable=False),
    sa.Column("dossier", sa.String(100), nullable=True),
    sa.Column("actif", sa.Boolean, nullable=False),
    sa.Column("conservation_jours", sa.Integer, nullable=False),
    sa.Column("planification", sa.String(16), nullable=True),
    sa.Column("accueil", sa.Boolean, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("cree_le", _TZ, nullable=False),
    sa.Column("modifie_le", _TZ, nullable=False),
    # The owner's territory and rights when saved: what a scheduled run may show.
    sa.Column("perimetre_proprietaire", sa.JSON, nullable=True),
    sa.Index("ix_liste_proprietaire", "proprietaire"),
)

resultat_liste = sa.Table(
    "resultat_liste",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("liste_id", sa.Uuid, nullable=False, index=True),
    sa.Column("execute_le", _TZ, nullable=False),
    sa.Column("execute_par", sa.String(64), nullable=False),
    sa.Column("contenu", sa.JSON, nullable=False),
    sa.Column("expire_le", _TZ, nullable=False),
)

# One row per scheduled list and period sent to its addresses: the job may run again
# (a restart, a second instance) without sending twice.
diffusion = sa.Table(
    "diffusion",
    metadata,
    sa.Column("liste_id", sa.Uuid, primary_key=True),
    sa.Column("periode", sa.String(10), primary_key=True),
    sa.Column("diffusion_id", sa.Uuid, nullable=False, unique=True),
    sa.Column("diffusee_le", _TZ, nullable=False),
    sa.Column("destinataires", sa.Integer, nullable=False),
)

# Fiches territoriales produced by the daily job: one per territory and month covered
# (the year to the end of that month). The key makes the job idempotent.
fiche_publiee = sa.Table(
    "fiche_publiee",
    metadata,
    sa.Column("niveau", sa.String(16), primary_key=True),
    sa.Column("code", sa.String(9), primary_key=True),
    sa.Column("periode", sa.String(7), primary_key=True),
    sa.Column("annee", sa.Integer, nullable=False),
    sa.Column("libelle", sa.String(200), nullable=False),
    sa.Column("departements", sa.String(64), nullable=False),
    sa.Column("genere_le", _TZ, nullable=False),
    sa.Column("contenu", sa.LargeBinary, nullable=False),
)

export = sa.Table(
    "export",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("qui", sa.String(64), nullable=False),
    sa.Column("organisation", sa.String(64), nullable=True),
    sa.Column("roles", sa.String(200), nullable=False),
    sa.Column("quoi", sa.String(200), nullable=False),
    sa.Column("format", sa.String(8), nullable=False),
    sa.Column("lignes", sa.Integer, nullable=False),
    sa.Column("nominatif", sa.Boolean, nullable=False),
    sa.Column("quand", _TZ, nullable=False, index=True),
)

chiffres_cles = sa.Table(
    "chiffres_cles",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("publie_le", _TZ, nullable=False, index=True),
    sa.Column("annee_reference", sa.Integer, nullable=False),
    sa.Column("contenu", sa.JSON, nullable=False),
)
