"""The generated scoring function gives exactly what the per-criterion closures give,
for every kind of criterion and operator, and no grid value becomes source code."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest
from toit_cotation.domain.champs import Contexte
from toit_cotation.domain.grille import Grille
from toit_cotation.domain.scoring import compiler
from toit_cotation.seed import grilles_exemple

from toit_contracts.enums import (
    MotifDemande,
    PublicPrioritaire,
    StatutJustification,
    TypeLogementActuel,
)

from .cotation_fixtures import critere, grille, snapshot

REF = Contexte(date_reference=date(2026, 11, 1), delai_anormalement_long_mois=24)

TOUS_LES_OPERATEURS = grille(
    critere(
        "EGAL",
        type="condition",
        points=7,
        conditions=[{"champ": "parent_isole", "operateur": "egal", "valeur": True}],
    ),
    critere(
        "DIFFERENT_ET_HORS",
        type="condition",
        points=3,
        conditions=[
            {"champ": "logement_actuel.type", "operateur": "different", "valeur": "SANS_ABRI"},
            {"champ": "motif_principal", "operateur": "hors", "valeur": ["DIVORCE_SEPARATION"]},
        ],
    ),
    critere(
        "PARMI_OU_SEUILS",
        type="condition",
        points=-4,
        mode="une_parmi",
        conditions=[
            {"champ": "logement_actuel.type", "operateur": "parmi", "valeur": ["HOTEL", "SQUAT"]},
            {"champ": "taux_effort", "operateur": "superieur", "valeur": 35},
            {"champ": "age_demandeur", "operateur": "inferieur_ou_egal", "valeur": 25},
        ],
    ),
    critere(
        "RENSEIGNES",
        type="condition",
        points=2,
        conditions=[
            {"champ": "motifs", "operateur": "renseigne"},
            {"champ": "dalo", "operateur": "non_renseigne"},
            {"champ": "nombre_enfants", "operateur": "inferieur", "valeur": 3},
            {"champ": "ressources_mensuelles", "operateur": "superieur_ou_egal", "valeur": 500},
        ],
    ),
    critere(
        "LISTES",
        type="condition",
        points=11,
        mode="une_parmi",
        conditions=[
            {"champ": "priorites", "operateur": "contient", "valeur": "I"},
            {"champ": "motifs", "operateur": "contient_un_parmi", "valeur": ["HANDICAP"]},
        ],
    ),
    critere(
        "ANCIENNETE",
        type="points_par_mois",
        points=2,
        plafond=30,
        bonus_delai_anormalement_long=15,
    ),
    critere("DECOTE", type="points_par_mois", points=-1, plafond=-6),
    critere(
        "DELAI_DE_GRILLE",
        type="points_par_mois",
        points="0.5",
        bonus_delai_anormalement_long=4,
        delai_anormalement_long_mois=12,
    ),
    critere(
        "EFFORT",
        type="tranches",
        champ="taux_effort",
        tranches=[
            {"a": 20, "points": 1},
            {"de": 20, "a": 40, "points": 5},
            {"de": 40, "points": 9},
        ],
    ),
    critere(
        "TABLE",
        type="table",
        champ="logement_actuel.type",
        valeurs={"SANS_ABRI": 50, "HOTEL": "12.5", "LOCATAIRE_HLM": -3},
    ),
    critere(
        "MEILLEURE_PRIORITE",
        type="table",
        champ="priorites",
        valeurs={"A": 10, "I": 25, "J": -5},
    ),
    critere(
        "PRIORITES_CUMULEES",
        type="table",
        champ="priorites",
        cumul=True,
        valeurs={"A": 10, "I": 25, "J": -5},
    ),
)


def _snapshots(nombre: int) -> list[dict[str, Any]]:
    """Varied demandes around the example one (deterministic)."""
    alea = random.Random(20261101)
    types = [t.value for t in TypeLogementActuel]
    motifs = [m.value for m in MotifDemande]
    priorites = [p.value for p in PublicPrioritaire]
    statuts = [s.value for s in StatutJustification]
    resultat = []
    for _ in range(nombre):
        choisis = alea.sample(motifs, alea.randint(0, 3))
        resultat.append(
            snapshot(
                logement_actuel__type=alea.choice(types),
                logement_actuel__loyer_mensuel=alea.choice([None, "350.00", "780.50"]),
                logement_actuel__nombre_pieces=alea.choice([None, 1, 2, 4]),
                logement_actuel__surface_m2=alea.choice([None, "18.0", "64.5"]),
                ressources_mensuelles_totales=alea.choice([None, "0", "640.00", "2400.00"]),
                motifs=[
                    {"motif": m, "principal": i == 0 and alea.random() < 0.7}
                    for i, m in enumerate(choisis)
                ],
                priorites=[
                    {"categorie": c, "statut": alea.choice(statuts)}
                    for c in alea.sample(priorites, alea.randint(0, 3))
                ],
                dalo=alea.choice([None, {"type": "LOGEMENT", "date_decision": "2025-02-03"}]),
                date_depot_initial=alea.choice(["2019-05-31", "2025-03-12", "2026-10-31"]),
                enfants_a_naitre=alea.choice([0, 0, 1]),
            )
        )
    return resultat


GRILLES = {
    "tous_les_operateurs": TOUS_LES_OPERATEURS,
    **{g.epci: Grille(definition=g, version=1) for g in grilles_exemple()},
}


@pytest.mark.parametrize("nom", sorted(GRILLES))
def test_generated_function_matches_the_closures(nom: str) -> None:
    compilee = compiler(GRILLES[nom])
    contextes = [REF, Contexte(date(2026, 11, 1), None)]
    for index, snap in enumerate(_snapshots(300)):
        faits = compilee.faits(snap, contextes[index % 2])
        assert compilee.noter(faits) == compilee.noter_par_regles(faits), (nom, index)


def test_generated_function_exercises_every_criterion() -> None:
    compilee = compiler(TOUS_LES_OPERATEURS)
    obtenus: set[str] = set()
    for snap in _snapshots(300):
        _total, criteres = compilee.noter(compilee.faits(snap, REF))
        obtenus.update(c.code for c in criteres)
    assert obtenus == {c.code for c in TOUS_LES_OPERATEURS.definition.criteres}


def test_grid_values_never_become_code() -> None:
    piege = "x'), __import__('os').system('false'), ('"
    compilee = compiler(
        grille(
            critere(
                "PIEGE",
                type="condition",
                points=1,
                conditions=[
                    {"champ": "communes_souhaitees", "operateur": "contient", "valeur": piege}
                ],
            )
        )
    )
    # The value is a default argument of the function, not a constant of its code.
    assert piege not in compilee.noter.__code__.co_consts
    assert piege in compilee.noter.__kwdefaults__.values()
    assert compilee.noter.__globals__["__builtins__"] == {}
    snap = snapshot(logement_recherche__communes=[piege])
    assert compilee.coter(snap, REF).points == 1
