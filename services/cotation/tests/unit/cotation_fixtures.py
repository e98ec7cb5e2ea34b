"""Snapshots and grids for the unit tests."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from toit_cotation.domain.grille import Grille, lire_definition

from toit_contracts.examples import example_snapshot

BASE = example_snapshot().model_dump(mode="json", exclude={"contact"})


def snapshot(**changes: Any) -> dict[str, Any]:
    """The example snapshot with changes; dotted keys reach nested fields."""
    data = copy.deepcopy(BASE)
    for chemin, valeur in changes.items():
        cible = data
        *parents, feuille = chemin.split("__")
        for parent in parents:
            cible = cible[parent]
        cible[feuille] = valeur
    return data


def grille(*criteres: dict[str, Any], version: int = 1) -> Grille:
    definition = lire_definition(
        {
            "epci": "243500139",
            "libelle": "Grille de test",
            "date_effet": date(2026, 1, 1),
            "criteres": list(criteres),
        }
    )
    return Grille(definition=definition, version=version)


def critere(code: str = "C", **fields: Any) -> dict[str, Any]:
    return {"code": code, "famille": "LOCAL", "libelle": f"Critère {code}", **fields}
