"""First-quartile thresholds per EPCI and provisional ceilings (issue 11, items 8 and 6)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import toit_referentiel as ref

NANTES = "244400404"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    ref.reset_cache()
    yield
    ref.reset_cache()


def test_the_threshold_of_an_epci_is_configured_and_marked_as_a_placeholder() -> None:
    seuil = ref.seuil_premier_quartile(NANTES, 2025)
    assert (seuil.epci, seuil.annee, seuil.euros_par_uc, seuil.provisoire) == (
        NANTES,
        2025,
        10200,
        True,
    )


def test_the_latest_arrete_applies_until_the_next_one_and_nothing_is_guessed() -> None:
    assert ref.seuil_premier_quartile(NANTES, 2026).annee == 2025
    with pytest.raises(ref.DonneeIndisponible):
        ref.seuil_premier_quartile(NANTES, 2024)
    with pytest.raises(ref.DonneeIndisponible, match="200000438"):
        ref.seuil_premier_quartile("200000438", 2026)


def test_income_per_unit_of_consumption_is_monthly_resources_times_twelve_over_uc() -> None:
    # A couple with two children under 14: 1 + 0.5 + 0.3 + 0.3 = 2.1 UC.
    assert ref.ressources_annuelles_par_uc(Decimal("1750"), Decimal("2.1")) == Decimal("10000.00")
    seuil = ref.seuil_premier_quartile(NANTES, 2026)  # 10 200 €/UC
    assert ref.au_premier_quartile(Decimal("1750"), Decimal("2.1"), seuil)
    assert ref.au_premier_quartile(Decimal("850"), Decimal("1"), seuil)  # exactly 10 200
    assert not ref.au_premier_quartile(Decimal("850.01"), Decimal("1"), seuil)
    with pytest.raises(ValueError):
        ref.ressources_annuelles_par_uc(Decimal("850"), Decimal("0"))


def test_production_refuses_placeholder_thresholds_naming_file_and_key() -> None:
    problemes = ref.donnees_provisoires(2026)
    assert any(
        f"premier_quartile.yaml: annees.2025.epci.{NANTES}.provisoire" in p for p in problemes
    )


def test_an_override_with_the_arretes_figures_is_definitive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "premier_quartile.yaml").write_text(
        f'annees:\n  2026:\n    epci:\n      "{NANTES}": {{seuil: 10412}}\n', encoding="utf-8"
    )
    monkeypatch.setenv(ref.OVERRIDE_ENV, str(tmp_path))
    ref.reset_cache()
    seuil = ref.seuil_premier_quartile(NANTES, 2026)
    assert (seuil.euros_par_uc, seuil.provisoire) == (10412, False)
    assert not any("premier_quartile" in p for p in ref.donnees_provisoires(2026))


def test_a_malformed_threshold_names_the_file_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "premier_quartile.yaml").write_text(
        f'annees:\n  2026:\n    epci:\n      "{NANTES}": {{seuil: "dix mille"}}\n',
        encoding="utf-8",
    )
    monkeypatch.setenv(ref.OVERRIDE_ENV, str(tmp_path))
    ref.reset_cache()
    with pytest.raises(ref.ReferentielInvalide, match=rf"annees\.2026\.epci\.{NANTES}\.seuil"):
        ref.seuil_premier_quartile(NANTES, 2026)


@pytest.mark.parametrize(
    ("annee", "financement", "provisoire"),
    [
        (2025, "PLUS", False),
        (2026, "PLUS", False),
        (2025, "PLAI", True),
        (2026, "PLAI", True),
        (2025, "PLS", True),
        (2026, "PLS", True),
    ],
)
def test_plai_and_pls_ceilings_are_provisional_plus_is_read_in_the_arrete(
    annee: int, financement: str, provisoire: bool
) -> None:
    assert ref.plafond_provisoire(annee, financement) is provisoire


def test_provisional_flag_of_an_unconfigured_year_is_never_guessed() -> None:
    with pytest.raises(ref.DonneeIndisponible):
        ref.plafond_provisoire(2031, "PLAI")
