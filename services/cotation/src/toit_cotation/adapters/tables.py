"""Tables of the cotation service (SQLAlchemy Core; migrations 0002 and 0003 create them)."""

from __future__ import annotations

import sqlalchemy as sa

from servicekit.horodatage import HorodatageUtc

metadata = sa.MetaData()

_tz = HorodatageUtc()

grilles = sa.Table(
    "grilles",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("epci", sa.String(9), nullable=False),
    sa.Column("population", sa.String(32), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("etat", sa.String(16), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("libelle", sa.String(200), nullable=False),
    sa.Column("date_effet", sa.Date, nullable=False),
    sa.Column("exemple", sa.Boolean, nullable=False),
    sa.Column("definition", sa.JSON, nullable=False),
    sa.Column("creee_le", _tz, nullable=False),
    sa.Column("publiee_le", _tz, nullable=True),
    sa.Column("archivee_le", _tz, nullable=True),
    sa.UniqueConstraint("epci", "population", "version", name="uq_grilles_version"),
    # At most one published version per EPCI and population.
    sa.Index(
        "uq_grilles_publiee",
        "epci",
        "population",
        unique=True,
        postgresql_where=sa.text("etat = 'PUBLIEE'"),
        sqlite_where=sa.text("etat = 'PUBLIEE'"),
    ),
)

# What cotation keeps of each demande to re-score it without the demandes service:
# the snapshot without the contact, emptied at radiation and purge. The row itself
# stays (no personal data then) to keep the demande's cotation event version growing.
demandes = sa.Table(
    "demandes",
    metadata,
    sa.Column("demande_id", sa.Uuid, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("departement", sa.String(3), nullable=False),
    sa.Column("statut", sa.String(16), nullable=False),
    sa.Column("typologie", sa.String(16), nullable=True),
    sa.Column("snapshot", sa.JSON, nullable=True),
    sa.Column("epcis", sa.JSON, nullable=False),
    sa.Column("version_cotation", sa.Integer, nullable=False),
    sa.Column("modifiee_le", _tz, nullable=False),
    # The applicant's portal account (token `sub`), None for a demande filed at a guichet:
    # lets the demandeur read their own cotation (migration 0003).
    sa.Column("compte_demandeur", sa.String(64), nullable=True),
)

# The same EPCIs as `demandes.epcis`, indexed for the bulk re-scoring of one EPCI.
demande_epcis = sa.Table(
    "demande_epcis",
    metadata,
    sa.Column("demande_id", sa.Uuid, primary_key=True),
    sa.Column("epci", sa.String(9), primary_key=True),
    sa.Index("ix_demande_epcis_epci", "epci", "demande_id"),
)

scores = sa.Table(
    "scores",
    metadata,
    sa.Column("demande_id", sa.Uuid, primary_key=True),
    sa.Column("epci", sa.String(9), primary_key=True),
    sa.Column("grille_id", sa.Uuid, nullable=False),
    sa.Column("grille_version", sa.Integer, nullable=False),
    sa.Column("points", sa.Numeric(10, 2), nullable=False),
    sa.Column("criteres", sa.JSON, nullable=False),
    sa.Column("entrees", sa.JSON, nullable=False),
    sa.Column("empreinte", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("demande_version", sa.Integer, nullable=False),
    sa.Column("typologie", sa.String(16), nullable=True),
    sa.Column("actif", sa.Boolean, nullable=False),
    sa.Column("calculee_le", _tz, nullable=False),
    sa.Index("ix_scores_position", "epci", "typologie", "actif", "points"),
)

# Bulk re-scoring jobs: the cursor commits with each batch, so a crash resumes after
# the last committed batch and no demande is scored twice for the same run.
recalculs = sa.Table(
    "recalculs",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("cle", sa.String(120), nullable=False, unique=True),
    sa.Column("motif", sa.String(32), nullable=False),
    sa.Column("epci", sa.String(9), nullable=True),
    sa.Column("grille_id", sa.Uuid, nullable=True),
    sa.Column("etat", sa.String(16), nullable=False),
    sa.Column("curseur", sa.Uuid, nullable=True),
    sa.Column("total", sa.Integer, nullable=False),
    sa.Column("traitees", sa.Integer, nullable=False),
    sa.Column("modifiees", sa.Integer, nullable=False),
    sa.Column("cree_le", _tz, nullable=False),
    sa.Column("demarre_le", _tz, nullable=True),
    sa.Column("mis_a_jour_le", _tz, nullable=True),
    sa.Column("termine_le", _tz, nullable=True),
    sa.Index("ix_recalculs_etat", "etat", "cree_le"),
)

# Attributions from matching (`attribution.prononcee`, issue 17): anonymous, only what the
# average waiting time needs (no demande id: nothing personal to purge). Migration 0004.
attributions = sa.Table(
    "attributions",
    metadata,
    sa.Column("attribution_id", sa.Uuid, primary_key=True),
    sa.Column("epci", sa.String(9), nullable=False),
    sa.Column("typologie", sa.String(16), nullable=False),
    sa.Column("date_signature", sa.Date, nullable=False),
    sa.Column("delai_jours", sa.Integer, nullable=False),
    sa.Index("ix_attributions_delai", "epci", "typologie", "date_signature"),
)
