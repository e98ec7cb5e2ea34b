"""Tables of the demandes service: each demande is one JSON document (what was typed in)
plus indexed columns for search, duplicates and the daily jobs."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

demandes = sa.Table(
    "demandes",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("statut", sa.String(20), nullable=False),
    sa.Column("departement", sa.String(3), nullable=False),
    sa.Column("numero_unique", sa.String(18), unique=True),
    sa.Column("nom_naissance", sa.String(100), nullable=False),  # normalised
    sa.Column("nom_usage", sa.String(100)),  # normalised
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
    sa.Column("cree_le", sa.DateTime(timezone=True), nullable=False),
    sa.Column("modifie_le", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_demandes_departement_statut", "departement", "statut"),
    sa.Index(
        "ix_demandes_nom_naissance",
        "nom_naissance",
        postgresql_ops={"nom_naissance": "text_pattern_ops"},
    ),
    sa.Index(
        "ix_demandes_nom_usage", "nom_usage", postgresql_ops={"nom_usage": "text_pattern_ops"}
    ),
    sa.Index("ix_demandes_date_naissance", "date_naissance"),
    sa.Index("ix_demandes_nir_empreinte", "nir_empreinte"),
    sa.Index("ix_demandes_proprietaire", "proprietaire"),
    sa.Index("ix_demandes_date_expiration", "statut", "date_expiration"),
    sa.Index("ix_demandes_date_radiation", "statut", "date_radiation"),
    sa.Index("ix_demandes_preavis_radiation_effet", "preavis_radiation_effet"),
    sa.Index("ix_demandes_depot", "date_depot_initial", "id"),
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
    sa.Column("date", sa.DateTime(timezone=True), nullable=False),
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
    sa.Column("depose_le", sa.DateTime(timezone=True), nullable=False),
    sa.Column("depose_par", sa.String(64)),
    sa.Column("statue_le", sa.DateTime(timezone=True)),
    sa.Column("statue_par", sa.String(64)),
    sa.Index("ix_demande_pieces_demande", "demande_id"),
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
