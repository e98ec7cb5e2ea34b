"""Tables of the online application and of the household's actions (issue 15, items 3 and
5): drafts, the commands sent to demandes and their answers, and the part of the demande
the household may change online (from demandes' snapshots). Same metadata as the read
model (adapters/tables.py)."""

from __future__ import annotations

import sqlalchemy as sa

from servicekit.horodatage import HorodatageUtc
from toit_portail.adapters.tables import metadata

# One draft per account and département until it is submitted; its id becomes the
# demande's id (the portail chooses it, demandes creates the demande under it).
candidatures = sa.Table(
    "candidatures",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("compte", sa.String(64), nullable=False, index=True),
    sa.Column("departement", sa.String(3), nullable=False),
    # Each step's part of the demande, as typed (valid or not): {"menage": {...}, ...}.
    sa.Column("parties", sa.JSON, nullable=False),
    # The identity document: its description, and its content until demandes has it.
    sa.Column("piece", sa.JSON),
    sa.Column("piece_contenu", sa.LargeBinary),
    # BROUILLON, SOUMISE (command sent), ACCEPTEE, REFUSEE (back to the household).
    sa.Column("statut", sa.String(12), nullable=False),
    sa.Column("commande_id", sa.Uuid),
    sa.Column("erreurs", sa.JSON),
    sa.Column("cree_le", HorodatageUtc(), nullable=False),
    sa.Column("modifie_le", HorodatageUtc(), nullable=False),
    sa.Column("soumise_le", HorodatageUtc()),
)

# The household's commands (submission, modification, renewal, renunciation) and
# demandes' answers (`demande.commande_traitee`).
commandes = sa.Table(
    "commandes",
    metadata,
    sa.Column("commande_id", sa.Uuid, primary_key=True),
    sa.Column("compte", sa.String(64), nullable=False),
    sa.Column("demande_id", sa.Uuid, nullable=False, index=True),
    sa.Column("type", sa.String(64), nullable=False),
    # EN_COURS, ACCEPTEE, REFUSEE
    sa.Column("statut", sa.String(12), nullable=False),
    sa.Column("erreurs", sa.JSON),
    sa.Column("envoyee_le", HorodatageUtc(), nullable=False),
    sa.Column("traitee_le", HorodatageUtc()),
)

# What the household may change online, as demandes' latest snapshot says.
demandes_modifiables = sa.Table(
    "demandes_modifiables",
    metadata,
    sa.Column("demande_id", sa.Uuid, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("logement_recherche", sa.JSON, nullable=False),
    sa.Column("enfants_a_naitre", sa.Integer, nullable=False),
)
