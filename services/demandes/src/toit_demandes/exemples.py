"""Example demandes: the payload of the API documentation, reused by the demo seed and tests."""

from __future__ import annotations

import copy
from typing import Any

DEMANDE_EXEMPLE: dict[str, Any] = {
    "departement": "44",
    "demandeur": {
        "civilite": "MME",
        "nom_naissance": "DURAND",
        "prenoms": "Anne",
        "date_naissance": "1985-06-02",
        "nationalite": "FRANCAISE",
        "situation_familiale": "CELIBATAIRE",
        "email": "anne.durand@example.org",
        "adresse": {"ligne1": "3 rue des Lilas", "code_postal": "44000", "commune_insee": "44109"},
    },
    "codemandeurs": [],
    "colocataires": [],
    "occupants": [
        {
            "prenoms": "Léo",
            "nom": "DURAND",
            "date_naissance": "2015-09-01",
            "lien": "ENFANT",
            "a_charge": True,
        },
    ],
    "situation_professionnelle": {"demandeur": "SALARIE_CDI"},
    "ressources": [{"personne": "demandeur", "type": "SALAIRE", "montant_mensuel": 1650}],
    "revenu_fiscal_reference": [{"annee": 2024, "montant": 19800}],
    "logement_actuel": {"type": "LOCATAIRE_PARC_PRIVE", "loyer_mensuel": 720},
    "motifs": [{"code": "LOGEMENT_TROP_CHER", "principal": True}],
    "logement_recherche": {
        "typologies": ["T2", "T3"],
        "type": "APPARTEMENT",
        "communes": ["44109", "44162"],
    },
}


def demande_exemple(**rubriques: Any) -> dict[str, Any]:
    """A deep copy of the example, with whole top-level rubriques replaced."""
    demande = copy.deepcopy(DEMANDE_EXEMPLE)
    demande.update(copy.deepcopy(rubriques))
    return demande
