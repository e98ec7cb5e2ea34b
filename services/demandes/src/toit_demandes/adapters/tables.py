"""Tables of the demandes service: each demande is one JSON document (what was typed in)
plus indexed columns for search, duplicates and the daily jobs."""

from __future__ import annotations

import sqlalchemy as sa

from servicekit.horodatage import HorodatageUtc

metadata = sa.MetaData()

# Columns the name indexes carry besides their keys: what a search filters and sorts on.
INCLUS_RECHERCHE = ["departement", "statut", "date_depot_initial", "numero_unique"]

demandes = sa.Table(
    "demandes",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("statut", sa.String(20), nullable=False),
    sa.Column("departement", sa.String(3), nullable=False),
    sa.Column("numero_unique", sa.String(18), unique=True),
    # Normalised names (A-Z, 0-9, spaces), compared as bytes: one btree index serves the
    # prefix search and the sort by name (PostgreSQL; SQLite compares bytes already).
    sa.Column("nom_naissance", sa.String(100, collation="C"), nullable=False),
    sa.Column("nom_usage", sa.String(100, collation="C")),
    sa.Column("prenom", sa.String(100), nullable=False),  # first given name, normalised
    sa.Column("date_naissance", sa.Date, nullable=False),
    sa.Column("nir_empreinte", sa.String(64)),
    sa.Column("proprietaire", sa.String(64)),
    sa.Column("guichet", sa.String(5)),
    sa.Column("date_depot_initial", sa.Date, nullable=False),
    sa.Column("date_enregistrement", sa.Date),
    sa.Column("date_dernier_renouvellement", sa.Date),
    sa.Column("date_expiration", sa.Date),
    sa.Column("date_radiation", sa.Date),
    sa.Column("motif_radiation", sa.String(30)),
    sa.Column("sous_motif_radiation", sa.String(30)),
    sa.Column("preavis_radiation", sa.JSON),
    sa.Column("preavis_radiation_effet", sa.Date),
    sa.Column("preavis_renouvellement_pour", sa.Date),
    sa.Column("delai_anormalement_long_signale", sa.Boolean, nullable=False),
    sa.Column("doublons_ecartes", sa.JSON, nullable=False),
    sa.Column("fusionnee_dans", sa.Uuid),
    sa.Column("document", sa.JSON, nullable=False),
    sa.Column("cree_le", HorodatageUtc(), nullable=False),
    sa.Column("modifie_le", HorodatageUtc(), nullable=False),
    sa.Index("ix_demandes_departement_statut", "departement", "statut"),
    # Search by name (migration 0003): a search reads these indexes alone until it fetches
    # the rows of its page.
    sa.Index(
        "ix_demandes_nom_naissance",
        "nom_naissance",
        "prenom",
        "id",
        postgresql_include=INCLUS_RECHERCHE,
        postgresql_where=sa.text("fusionnee_dans IS NULL"),
    ),
    sa.Index(
        "ix_demandes_nom_usage",
        "nom_usage",
        postgresql_include=["id", "nom_naissance", "prenom", *INCLUS_RECHERCHE],
        postgresql_where=sa.text("fusionnee_dans IS NULL AND nom_usage IS NOT NULL"),
    ),
    sa.Index("ix_demandes_date_naissance", "date_naissance"),
    sa.Index("ix_demandes_nir_empreinte", "nir_empreinte"),
    sa.Index("ix_demandes_proprietaire", "proprietaire"),
    sa.Index("ix_demandes_date_expiration", "statut", "date_expiration"),
    sa.Index("ix_demandes_date_radiation", "statut", "date_radiation"),
    sa.Index("ix_demandes_preavis_radiation_effet", "preavis_radiation_effet"),
    sa.Index("ix_demandes_depot", "date_depot_initial", "id"),
    # Free space on each page for HOT updates: a modification changes no indexed column
    # (migration 0004).
    postgresql_with={"fillfactor": 75},
)

# Wished communes and typologies, one row each, for search.
demande_communes = sa.Table(
    "demande_communes",
    metadata,
    sa.Column(
        "demande_id", sa.Uuid, sa.ForeignKey("demandes.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("rang", sa.Integer, primary_key=True),
    sa.Column("commune", sa.String(5), nullable=False),
    sa.Index("ix_demande_communes_commune", "commune", "demande_id"),
)

demande_typologies = sa.Table(
    "demande_typologies",
    metadata,
    sa.Column(
        "demande_id", sa.Uuid, sa.ForeignKey("demandes.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("typologie", sa.String(10), primary_key=True),
    sa.Index("ix_demande_typologies_typologie", "typologie", "demande_id"),
)

historique = sa.Table(
    "demande_historique",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "demande_id", sa.Uuid, sa.ForeignKey("demandes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("date", HorodatageUtc(), nullable=False),
    sa.Column("intervenant_type", sa.String(30), nullable=False),
    sa.Column("utilisateur", sa.String(64)),
    sa.Column("organisation", sa.String(64)),
    sa.Column("type", sa.String(30), nullable=False),
    sa.Column("description", sa.String(500), nullable=False),
    sa.Column("changements", sa.JSON, nullable=False),
    sa.Index("ix_demande_historique_demande", "demande_id", "id"),
)

pieces = sa.Table(
    "demande_pieces",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column(
        "demande_id", sa.Uuid, sa.ForeignKey("demandes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("personne", sa.String(20)),  # None: the whole household
    sa.Column("nom_fichier", sa.String(200), nullable=False),
    sa.Column("media_type", sa.String(50), nullable=False),
    sa.Column("taille", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("cle_stockage", sa.String(200), nullable=False),
    sa.Column("statut", sa.String(20), nullable=False),
    sa.Column("motif_refus", sa.String(500)),
    sa.Column("depose_le", HorodatageUtc(), nullable=False),
    sa.Column("depose_par", sa.String(64)),
    sa.Column("statue_le", HorodatageUtc()),
    sa.Column("statue_par", sa.String(64)),
    sa.Index("ix_demande_pieces_demande", "demande_id"),
)

# The SNE data of the attribution that radiated a demande (R441-2-9 CCH), from matching's
# `attribution.prononcee`, written in the radiation's transaction (migration 0006); purged
# with the demande.
attributions_sne = sa.Table(
    "demande_attributions",
    metadata,
    sa.Column(
        "demande_id", sa.Uuid, sa.ForeignKey("demandes.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("attribution_id", sa.Uuid, nullable=False, unique=True),
    sa.Column("date_signature_bail", sa.Date, nullable=False),
    sa.Column("donnees", sa.JSON, nullable=False),
    sa.Column("recu_le", HorodatageUtc(), nullable=False),
)

# Last sequence number of the numéro unique per département and year of first dépôt;
# incremented in the registering transaction (row lock), so numbers never repeat.
sequences_numero = sa.Table(
    "sequences_numero_unique",
    metadata,
    sa.Column("departement", sa.String(3), primary_key=True),
    sa.Column("annee", sa.Integer, primary_key=True),
    sa.Column("valeur", sa.Integer, nullable=False),
)
