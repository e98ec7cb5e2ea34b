"""Landlord export: attributions and CALEOL decisions, as CSV (`;`, UTF-8 with BOM, like the
stock import) or JSON, and the offers with their deadlines. A bailleur's agent gets its
organisation's; the gestionnaire du fichier its départements'."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from servicekit.uow import UnitOfWork
from toit_matching.adapters import repository_caleol as rc
from toit_matching.service_layer.acces import Acteur

COLONNES_ATTRIBUTIONS = [
    "attribution_id",
    "numero_unique",
    "departement",
    "rpls",
    "commune",
    "typologie",
    "financement",
    "qpv",
    "loyer",
    "charges",
    "contingent",
    "reservataire_id",
    "date_decision",
    "date_offre",
    "date_signature_bail",
    "mutation_interne",
    "accord_collectif",
    "dalo",
    "categorie_menage",
    "taille_menage",
    "delai_attente_jours",
]
COLONNES_DECISIONS = [
    "dossier_id",
    "commission",
    "seance",
    "mode",
    "date_decision",
    "rpls",
    "commune",
    "typologie",
    "numero_unique",
    "decision",
    "rang",
    "motifs",
    "fondement",
    "piece",
    "date_limite_piece",
]


def _portee(acteur: Acteur) -> tuple[str | None, list[str]]:
    if acteur.gestionnaire:
        return None, sorted(acteur.departements)
    return acteur.organisation, []


async def attributions(uow: UnitOfWork, acteur: Acteur, annee: int | None) -> list[dict[str, Any]]:
    bailleur, departements = _portee(acteur)
    lignes = []
    for a in await rc.attributions_de(uow.session, bailleur, departements, annee):
        d = a["donnees"]
        lignes.append(
            {
                **{k: d.get(k) for k in COLONNES_ATTRIBUTIONS},
                **{k: d["logement"].get(k) for k in ("commune", "typologie", "financement")},
                **{k: d["logement"].get(k) for k in ("qpv", "loyer", "charges", "rpls")},
            }
        )
    return lignes


async def decisions(uow: UnitOfWork, acteur: Acteur, depuis: date | None) -> list[dict[str, Any]]:
    bailleur, departements = _portee(acteur)
    lignes = []
    for d in await rc.dossiers_decides(
        uow.session, bailleur, departements, depuis or date(2000, 1, 1)
    ):
        numeros = {str(c["demande_id"]): c.get("numero_unique") for c in d["candidats"]}
        for x in d["decisions"] or []:
            lignes.append(
                {
                    "dossier_id": str(d["id"]),
                    "commission": d["commission"],
                    "seance": d["reference"],
                    "mode": d["mode"],
                    "date_decision": d["date_decision"].isoformat(),
                    "rpls": d["rpls"],
                    "commune": d["commune"],
                    "typologie": d["typologie"],
                    "numero_unique": numeros.get(x["demande_id"]),
                    "decision": x["sens"],
                    "rang": x["rang"],
                    "motifs": x["motifs"],
                    "fondement": x["fondement"],
                    "piece": x["piece"],
                    "date_limite_piece": x["date_limite_piece"],
                }
            )
    return lignes


async def offres_visibles(uow: UnitOfWork, acteur: Acteur) -> list[dict[str, Any]]:
    bailleur, departements = _portee(acteur)
    return await rc.offres_de(uow.session, bailleur, departements)


def en_json(lignes: list[dict[str, Any]]) -> bytes:
    return json.dumps(lignes, ensure_ascii=False, default=str).encode("utf-8")
