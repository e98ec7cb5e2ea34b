"""Properties of the one calendar and the one DAL rule (issue 11 item 4), and the
production refusal of placeholder reference data (item 5)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import toit_referentiel as ref
from hypothesis import given, settings
from hypothesis import strategies as st

DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
MOIS = st.integers(min_value=0, max_value=240)
TYPOLOGIES = ("T1", "T2", "T3", "T4", "T5", "T6")
DEPARTEMENTS = ("22", "29", "35", "44", "49", "53", "56", "72", "85")


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    ref.reset_cache()
    yield
    ref.reset_cache()


@given(DATES, MOIS)
def test_adding_months_keeps_the_day_or_the_months_last_day(start: date, mois: int) -> None:
    end = ref.add_months(start, mois)
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == mois
    assert end.day == start.day or (end.day < start.day and (end + timedelta(days=1)).day == 1)
    assert ref.add_months(end, -mois) <= start  # clamping only ever shortens


@given(DATES, MOIS)
def test_anciennete_reaches_n_months_exactly_on_the_nth_monthly_date(
    start: date, mois: int
) -> None:
    """Expiry and ancienneté agree: validity of n months ends the day n months have elapsed."""
    end = ref.date_expiration(start, mois)
    assert ref.anciennete_mois(start, end) == mois
    if mois > 0:
        assert ref.anciennete_mois(start, end - timedelta(days=1)) == mois - 1


@given(DATES, DATES, DATES)
def test_anciennete_never_decreases_and_is_never_negative(start: date, a: date, b: date) -> None:
    early, late = sorted((a, b))
    assert 0 <= ref.anciennete_mois(start, early) <= ref.anciennete_mois(start, late)


@given(DATES, DATES)
def test_anciennete_is_the_largest_n_whose_monthly_date_has_passed(start: date, end: date) -> None:
    n = ref.anciennete_mois(start, end)
    assert n == 0 or ref.add_months(start, n) <= end
    assert end <= start or ref.add_months(start, n + 1) > end


@given(DATES, st.integers(min_value=1, max_value=120))
def test_the_dalo_date_is_the_day_the_dal_is_reached(depot: date, dal: int) -> None:
    saisine = ref.date_saisine_dalo(depot, dal)
    assert (
        ref.anciennete_mois(depot, saisine)
        >= dal
        > ref.anciennete_mois(depot, saisine - timedelta(days=1))
    )


def test_end_of_month_deposits_agree_with_the_last_day_of_a_shorter_month() -> None:
    # The dates where demandes and cotation disagreed (31 January to 29 February).
    assert ref.anciennete_mois(date(2024, 1, 31), date(2024, 2, 29)) == 1
    assert ref.anciennete_mois(date(2025, 1, 31), date(2025, 2, 28)) == 1
    assert ref.anciennete_mois(date(2024, 1, 30), date(2024, 2, 28)) == 0


@settings(max_examples=300)
@given(
    st.sampled_from(DEPARTEMENTS),
    st.lists(st.sampled_from(TYPOLOGIES), min_size=1, max_size=6),
)
def test_dal_of_a_set_is_the_shortest_whatever_the_order(
    departement: str, typologies: list[str]
) -> None:
    dal = ref.delai_des_typologies(departement, typologies)
    assert dal.mois == min(ref.delai_anormalement_long(departement, t) for t in typologies)
    assert ref.delai_des_typologies(departement, list(reversed(typologies))) == dal
    # Asking for one more typology never makes the DALO recourse later.
    for extra in TYPOLOGIES:
        assert ref.delai_des_typologies(departement, [*typologies, extra]).mois <= dal.mois


def test_dal_of_rennes_t2_or_t4_is_the_t4_one_and_is_a_placeholder() -> None:
    dal = ref.delai_des_typologies("35", ["T2", "T4"])
    assert (dal.mois, dal.provisoire) == (24, True)
    assert ref.delai_des_typologies("35", []).mois == 30
    with pytest.raises(ref.DonneeIndisponible):
        ref.delai_des_typologies("75", ["T2"])


def test_production_lists_each_placeholder_with_its_file_and_key() -> None:
    problemes = [p for p in ref.donnees_provisoires(2026) if "premier_quartile" not in p]
    assert len(problemes) == len(DEPARTEMENTS)
    assert all("delais_anormalement_longs.yaml: departements." in p for p in problemes)
    assert any("departements.35.provisoire" in p for p in problemes)
    with pytest.raises(ref.ReferentielProvisoire, match=r"delais_anormalement_longs\.yaml"):
        ref.exiger_donnees_definitives(2026)


def test_production_accepts_definitive_values_but_not_a_year_without_ceilings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "delais_anormalement_longs.yaml").write_text(
        'departements:\n  "44": {mois: 18, arrete: "arrêté test"}\n', encoding="utf-8"
    )
    (tmp_path / "premier_quartile.yaml").write_text(
        'annees:\n  2026:\n    epci:\n      "244400404": {seuil: 10412}\n', encoding="utf-8"
    )
    monkeypatch.setenv(ref.OVERRIDE_ENV, str(tmp_path))
    ref.reset_cache()
    assert ref.donnees_provisoires(2026) == ()
    ref.exiger_donnees_definitives(2026)
    with pytest.raises(ref.ReferentielProvisoire, match=r"plafonds\.yaml: annees\.2031 absent"):
        ref.exiger_donnees_definitives(2031)


def test_provisoire_must_be_a_boolean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "delais_anormalement_longs.yaml").write_text(
        'departements:\n  "44": {mois: 18, provisoire: "oui"}\n', encoding="utf-8"
    )
    monkeypatch.setenv(ref.OVERRIDE_ENV, str(tmp_path))
    ref.reset_cache()
    with pytest.raises(ref.ReferentielInvalide, match=r"departements\.44\.provisoire"):
        ref.delai_des_typologies("44")
