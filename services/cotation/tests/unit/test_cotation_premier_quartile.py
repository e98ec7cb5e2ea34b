"""The first-quartile criterion (L441-1 CCH) against the EPCI's yearly threshold (issue 11,
item 8): annual resources per unit of consumption, distinct from RESSOURCES_MODESTES."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from toit_cotation.domain.champs import CHAMPS, Contexte
from toit_cotation.domain.grille import Grille
from toit_cotation.domain.scoring import compiler
from toit_cotation.seed import grilles_exemple
from toit_cotation.service_layer.commun import seuil_quartile_de

from .cotation_fixtures import critere, grille, snapshot

REFERENCE = date(2026, 11, 1)
NANTES, BREST = "244400404", "242900314"


def _grille_exemple(epci: str) -> Grille:
    return Grille(definition=next(d for d in grilles_exemple() if d.epci == epci), version=1)


def _codes(epci: str, mensuelles: str, uc: str = "1.80") -> set[str]:
    snap = snapshot(ressources_mensuelles_totales=mensuelles, unites_consommation=uc)
    contexte = Contexte(REFERENCE, 24, seuil_quartile_de(epci, REFERENCE.year))
    return {c.code for c in compiler(_grille_exemple(epci)).coter(snap, contexte).criteres}


def test_the_threshold_is_the_grids_epci_one_for_the_year() -> None:
    assert seuil_quartile_de(NANTES, 2026) == 10200  # the 2025 arrêté until the 2026 one
    assert seuil_quartile_de(BREST, 2026) == 9300
    assert seuil_quartile_de("200000438", 2026) is None  # not configured: never guessed


@pytest.mark.parametrize(
    ("epci", "mensuelles", "uc", "quartile", "modestes"),
    [
        # 1 500 € × 12 ÷ 1.8 UC = 10 000 €/UC: first quartile in Nantes (10 200), not in
        # Brest (9 300); above the local 900 € monthly marker in both.
        (NANTES, "1500.00", "1.80", True, False),
        (BREST, "1500.00", "1.80", False, False),
        # The example household: 1 660.50 € for 1.8 UC = 11 070 €/UC.
        (NANTES, "1660.50", "1.80", False, False),
        # 850 € for one person: 10 200 €/UC, the bound itself is in the quartile; and
        # under the 900 € local marker as well.
        (NANTES, "850.00", "1.00", True, True),
        # 880 € for 1 UC = 10 560 €/UC: modest by the local marker, not first quartile.
        (NANTES, "880.00", "1.00", False, True),
    ],
)
def test_premier_quartile_uses_income_per_uc_not_monthly_resources(
    epci: str, mensuelles: str, uc: str, quartile: bool, modestes: bool
) -> None:
    codes = _codes(epci, mensuelles, uc)
    assert ("PREMIER_QUARTILE" in codes) is quartile
    assert ("RESSOURCES_MODESTES" in codes) is modestes


def test_no_threshold_no_first_quartile_fact() -> None:
    g = grille(
        critere(
            type="condition",
            points=10,
            conditions=[{"champ": "premier_quartile", "operateur": "egal", "valeur": True}],
        )
    )
    snap = snapshot(ressources_mensuelles_totales="100.00")
    sans = compiler(g).coter(snap, Contexte(REFERENCE, 24, None))
    assert sans.points == Decimal("0")
    assert sans.entrees == {"premier_quartile": None}
    avec = compiler(g).coter(snap, Contexte(REFERENCE, 24, 9300))
    assert avec.points == Decimal("10")


def test_the_facts_used_are_kept_with_the_score() -> None:
    g = grille(
        critere(
            type="tranches",
            champ="ressources_annuelles_par_uc",
            tranches=[{"a": 9300, "points": 5}],
        ),
        critere(
            "S",
            type="condition",
            points=1,
            conditions=[{"champ": "seuil_premier_quartile", "operateur": "superieur", "valeur": 0}],
        ),
    )
    snap = snapshot(ressources_mensuelles_totales="600.00", unites_consommation="1.00")
    cotation = compiler(g).coter(snap, Contexte(REFERENCE, 24, 9300))
    assert cotation.entrees["ressources_annuelles_par_uc"] == 7200.0
    assert cotation.entrees["seuil_premier_quartile"] == 9300
    assert cotation.points == Decimal("6")
    assert {"premier_quartile", "ressources_annuelles_par_uc"} <= set(CHAMPS)
