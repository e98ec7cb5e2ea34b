"""A search on a PLAI or PLS unit warns that its ceilings are provisional (issue 11, item 6):
the answer's `avertissements`, shown on the candidates' screen."""

from __future__ import annotations

from datetime import date

import pytest
from toit_matching.service_layer.candidats import avertissements


@pytest.mark.parametrize(
    ("financement", "provisoire"), [("PLAI", True), ("PLS", True), ("PLUS", False)]
)
def test_provisional_ceilings_are_announced(financement: str, provisoire: bool) -> None:
    textes = avertissements({"date_disponibilite": date(2026, 3, 1), "financement": financement})
    assert any("plafond provisoire, à vérifier" in t for t in textes) is provisoire


def test_a_year_without_ceilings_says_which_year_applies_and_that_it_is_provisional() -> None:
    textes = avertissements({"date_disponibilite": date(2031, 3, 1), "financement": "PLAI"})
    assert any("Plafonds de ressources 2031 non encore configurés" in t for t in textes)
    assert any(t.startswith("Plafonds PLAI 2026 : plafond provisoire") for t in textes)
