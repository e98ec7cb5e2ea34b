"""Tables of the portail (SQLAlchemy Core): its own read model of the applicants' demandes
and cotations, fed by events (the portail never reads another service's database)."""

from __future__ import annotations

import sqlalchemy as sa

from servicekit.horodatage import HorodatageUtc

metadata = sa.MetaData()

demandes = sa.Table(
    "demandes",
    metadata,
    sa.Column("demande_id", sa.Uuid, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("departement", sa.String(3), nullable=False),
    sa.Column("statut", sa.String(20), nullable=False),
    # identite's account id of the applicant, as demandes' events carry it.
    sa.Column("compte_demandeur", sa.String(64), index=True),
    sa.Column("numero_unique", sa.String(32)),
    sa.Column("date_depot_initial", sa.Date),
    sa.Column("date_enregistrement", sa.Date),
    sa.Column("date_dernier_renouvellement", sa.Date),
    sa.Column("date_expiration", sa.Date),
    sa.Column("date_radiation", sa.Date),
    sa.Column("motif_radiation", sa.String(40)),
    # First typologie wished (position among similar demandes).
    sa.Column("typologie", sa.String(12)),
)

cotations = sa.Table(
    "cotations",
    metadata,
    sa.Column("demande_id", sa.Uuid, primary_key=True),
    sa.Column("epci", sa.String(9), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("points", sa.Numeric(10, 2), nullable=False),
    sa.Column("criteres", sa.JSON, nullable=False),
    sa.Column("grille_version", sa.Integer, nullable=False),
    sa.Column("calculee_le", sa.DateTime(timezone=True)),
    # Copied from the demande (kept in step by the consumer, whatever the order of the
    # events) so that the position is one index-only count: the demande's first
    # typologie, and whether it is compared (active or in its grace period).
    sa.Column("typologie", sa.String(12)),
    sa.Column("comparable", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_cotations_position", "epci", "comparable", "typologie", "points"),
)

# The attributions of the last twelve months, anonymous (EPCI, typologie, lease date,
# days from the first dépôt), from matching's `attribution.prononcee`: the average
# waiting time of similar demandes shown on the suivi page. Older rows are deleted.
attributions = sa.Table(
    "attributions",
    metadata,
    sa.Column("attribution_id", sa.Uuid, primary_key=True),
    sa.Column("epci", sa.String(9), nullable=False),
    sa.Column("typologie", sa.String(12), nullable=False),
    sa.Column("date_signature", sa.Date, nullable=False),
    sa.Column("delai_jours", sa.Integer, nullable=False),
    sa.Index("ix_attributions_similaires", "epci", "typologie", "date_signature"),
)

# The latest key figures published by the observatoire per département (public,
# nothing personal): `observatoire.chiffres_cles_publies`.
chiffres_cles = sa.Table(
    "chiffres_cles",
    metadata,
    sa.Column("departement", sa.String(3), primary_key=True),
    sa.Column("publication_id", sa.Uuid, nullable=False),
    sa.Column("publie_le", HorodatageUtc(), nullable=False),
    sa.Column("date_reference", sa.Date, nullable=False),
    sa.Column("annee_attributions", sa.Integer, nullable=False),
    sa.Column("seuil_secret", sa.Integer, nullable=False),
    sa.Column("chiffres", sa.JSON, nullable=False),
)

# Attempts to attach a guichet demande to an account (domain/rattachement.py): the
# code and the numéro are kept only as fingerprints; `demande_id` is set when demandes
# has checked numéro and date of birth. Rows older than a day are deleted.
rattachements = sa.Table(
    "rattachements",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("compte_id", sa.String(64), nullable=False),
    sa.Column("numero_empreinte", sa.String(64), nullable=False),
    sa.Column("sel", sa.LargeBinary(16), nullable=False),
    sa.Column("code_empreinte", sa.String(64), nullable=False),
    sa.Column("cree_le", HorodatageUtc(), nullable=False),
    sa.Column("expire_le", HorodatageUtc(), nullable=False),
    sa.Column("essais", sa.Integer, nullable=False),
    sa.Column("demande_id", sa.Uuid),
    sa.Column("confirmee_le", HorodatageUtc()),
    sa.Index("ix_rattachements_compte", "compte_id", "cree_le"),
    sa.Index("ix_rattachements_numero", "numero_empreinte", "cree_le"),
)

# What the household sees of its demande's life (domain/suivi.py): one line per event
# and demande (key: event id and demande), deleted on demande.purgee.
historique = sa.Table(
    "historique",
    metadata,
    sa.Column("cle", sa.String(120), primary_key=True),
    sa.Column("demande_id", sa.Uuid, nullable=False, index=True),
    sa.Column("date", HorodatageUtc(), nullable=False),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("libelle", sa.String(500), nullable=False),
    sa.Column("detail", sa.Text),
)

# The pièces deposited (demande.piece_deposee): type and date, never the file.
pieces = sa.Table(
    "pieces",
    metadata,
    sa.Column("piece_id", sa.Uuid, primary_key=True),
    sa.Column("demande_id", sa.Uuid, nullable=False, index=True),
    sa.Column("type_piece", sa.String(64), nullable=False),
    sa.Column("depot_en_ligne", sa.Boolean, nullable=False),
    sa.Column("deposee_le", HorodatageUtc(), nullable=False),
    # DEPOSEE (to be checked), VALIDEE or REFUSEE (demande.piece_statuee, with the motive).
    sa.Column("statut", sa.String(12), nullable=False, server_default="DEPOSEE"),
    sa.Column("motif_refus", sa.String(500)),
)
