"""Several codemandeurs and colocataires (issue 11): stored demandes move from one
`codemandeur` object to the `codemandeurs` list.

Each document holding `codemandeur` (or its professional situation in
`situation_professionnelle.codemandeur` / `commune_travail_codemandeur`) is rewritten in
today's shape (`codemandeurs[0]`, references "codemandeurs[0]"); the pièces filed for
"codemandeur" follow. Nothing else changes: no version, no event, no notification (the
same household, written differently). The conversion is a copy of
`toit_demandes.domain.saisie.ancien_format` as it was when this migration was written.

Revision ID: 0005
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"

_REFERENCES = ("ressources", "revenu_fiscal_reference", "complement_handicap")
_LOT = 1000


def _nouveau_format(data: dict[str, Any]) -> dict[str, Any] | None:
    """The document in today's shape, or None when it is already in it."""
    sp = data.get("situation_professionnelle")
    anciens_sp = isinstance(sp, dict) and any(
        k in sp for k in ("codemandeur", "commune_travail_codemandeur")
    )
    if "codemandeur" not in data and not anciens_sp:
        return None
    data = dict(data)
    codemandeur = data.pop("codemandeur", None)
    if isinstance(sp, dict):
        sp = dict(sp)
        situation = sp.pop("codemandeur", None)
        commune = sp.pop("commune_travail_codemandeur", None)
        data["situation_professionnelle"] = sp
        if isinstance(codemandeur, dict):
            codemandeur = dict(codemandeur)
            if situation is not None:
                codemandeur.setdefault("situation_professionnelle", situation)
            if commune is not None:
                codemandeur.setdefault("commune_travail", commune)
    data.setdefault("codemandeurs", [] if codemandeur is None else [codemandeur])
    data.setdefault("colocataires", [])
    for champ in _REFERENCES:
        lignes = data.get(champ)
        if isinstance(lignes, list):
            data[champ] = [
                {**ligne, "personne": "codemandeurs[0]"}
                if isinstance(ligne, dict) and ligne.get("personne") == "codemandeur"
                else ligne
                for ligne in lignes
            ]
    return data


def upgrade() -> None:
    bind = op.get_bind()
    demandes = sa.table("demandes", sa.column("id", sa.Uuid), sa.column("document", sa.JSON))
    dernier = None
    while True:
        requete = sa.select(demandes.c.id, demandes.c.document).order_by(demandes.c.id)
        if dernier is not None:
            requete = requete.where(demandes.c.id > dernier)
        lignes = bind.execute(requete.limit(_LOT)).all()
        if not lignes:
            break
        for identifiant, document in lignes:
            if isinstance(document, str):
                document = json.loads(document)
            nouveau = _nouveau_format(document)
            if nouveau is not None:
                bind.execute(
                    demandes.update().where(demandes.c.id == identifiant).values(document=nouveau)
                )
        dernier = lignes[-1][0]
    op.execute(
        "UPDATE demande_pieces SET personne = 'codemandeurs[0]' WHERE personne = 'codemandeur'"
    )


def downgrade() -> None:
    # The old shape holds one codemandeur and no colocataire: a demande with more cannot
    # go back without losing people. Refuse rather than drop them.
    raise NotImplementedError("pas de retour au format à un seul codemandeur")
