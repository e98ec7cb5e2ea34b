from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import toit_referentiel as ref


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    ref.reset_cache()
    yield
    ref.reset_cache()


@pytest.mark.parametrize(
    ("annee", "financement", "categorie", "montant"),
    [
        (2025, "PLUS", 1, 23201),
        (2025, "PLUS", 6, 59636),
        (2026, "PLUS", 1, 23403),
        (2026, "PLUS", 4, 45374),
        (2026, "PLUS", 7, 60156 + 6710),
        (2026, "PLUS", 8, 60156 + 2 * 6710),
        (2025, "PLAI", 1, 12759),
        (2026, "PLAI", 3, 22551),
        (2025, "PLS", 2, 40279),
        (2026, "PLS", 6, 78203),
    ],
)
def test_plafonds_at_known_values(
    annee: int, financement: str, categorie: int, montant: int
) -> None:
    assert ref.plafonds(annee, financement, categorie) == montant


def test_pls_is_130_percent_of_plus_within_rounding() -> None:
    for annee in ref.annees_plafonds():
        for categorie in range(1, 9):
            plus = ref.plafonds(annee, "PLUS", categorie)
            tolerance = 1 if categorie <= 6 else 2  # the per-person amount is rounded too
            assert abs(ref.plafonds(annee, "PLS", categorie) - plus * 1.3) <= tolerance


def test_plafonds_grow_with_category_and_financing() -> None:
    for annee in ref.annees_plafonds():
        for categorie in range(1, 9):
            plai, plus, pls = (ref.plafonds(annee, f, categorie) for f in ("PLAI", "PLUS", "PLS"))
            assert plai < plus < pls
            assert ref.plafonds(annee, "PLUS", categorie + 1) > plus


def test_unconfigured_ceilings_are_never_guessed() -> None:
    assert ref.annees_plafonds() == (2025, 2026)
    assert ref.financements() == ("PLAI", "PLS", "PLUS")
    with pytest.raises(ref.DonneeIndisponible):
        ref.plafonds(2031, "PLUS", 1)
    with pytest.raises(ref.DonneeIndisponible):
        ref.plafonds(2026, "PLI", 1)
    with pytest.raises(ValueError):
        ref.plafonds(2026, "PLUS", 0)


@pytest.mark.parametrize(
    ("departement", "typologie", "mois"),
    [
        ("35", None, 30),
        ("35", "T2", 30),
        ("35", "T4", 24),
        ("35", "T6", 24),
        ("44", None, 24),
        ("44", "T4", 24),
        ("22", None, 24),
        ("85", "T1", 24),
    ],
)
def test_delai_anormalement_long(departement: str, typologie: str | None, mois: int) -> None:
    assert ref.delai_anormalement_long(departement, typologie) == mois


def test_every_departement_has_a_delai_anormalement_long() -> None:
    for departement in ref.departements():
        assert ref.delai_anormalement_long(departement.code) > 0
    with pytest.raises(ref.DonneeIndisponible):
        ref.delai_anormalement_long("75")


def test_lifecycle_durations() -> None:
    config = ref.lifecycle_config()
    assert config.validite_mois == 12
    assert config.preavis_renouvellement_mois == 1
    assert config.grace_non_renouvellement_mois == 1
    assert config.conservation_apres_radiation_mois == 12
    assert config.regle_radiation("IRRECEVABILITE").preavis_mois == 1
    assert config.regle_radiation("ABSENCE_DE_REPONSE") == ref.RegleRadiation(2, 5)
    assert set(config.radiation) == {
        "ATTRIBUTION",
        "RENONCIATION",
        "IRRECEVABILITE",
        "ABSENCE_DE_REPONSE",
        "NON_RENOUVELLEMENT",
    }
    with pytest.raises(ref.DonneeIndisponible):
        config.regle_radiation("INCONNU")


def test_pieces_catalogue() -> None:
    catalogue = ref.pieces_catalogue()
    enregistrement = {p.code for p in catalogue if p.phase is ref.PhasePiece.ENREGISTREMENT}
    assert enregistrement == {"PIECE_IDENTITE", "TITRE_SEJOUR"}
    avis = ref.piece("AVIS_IMPOSITION")
    assert avis is not None
    assert (avis.phase, avis.portee) == (
        ref.PhasePiece.INSTRUCTION_OBLIGATOIRE,
        ref.PorteePiece.PERSONNE,
    )
    mdph = ref.piece("DECISION_MDPH_CMI")
    assert mdph is not None and mdph.sensible
    assert ref.piece("INCONNUE") is None
    assert all(p.libelle for p in catalogue)


def test_override_directory_replaces_only_the_files_it_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "delais_anormalement_longs.yaml").write_text(
        'departements:\n  "44": {mois: 18, source: "arrêté test"}\n', encoding="utf-8"
    )
    monkeypatch.setenv(ref.OVERRIDE_ENV, str(tmp_path))
    ref.reset_cache()
    assert ref.delai_anormalement_long("44") == 18
    with pytest.raises(ref.DonneeIndisponible):
        ref.delai_anormalement_long("35")
    assert ref.plafonds(2026, "PLUS", 1) == 23403  # packaged file still used


def test_malformed_override_names_the_file_and_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "plafonds.yaml").write_text(
        "annees:\n  2027:\n    PLUS: {categories: [1, 2, 3], par_personne_supplementaire: 5}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv(ref.OVERRIDE_ENV, str(tmp_path))
    ref.reset_cache()
    with pytest.raises(ref.ReferentielInvalide, match=r"plafonds\.yaml.*annees\.2027\.PLUS"):
        ref.plafonds(2027, "PLUS", 1)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 15), 12, date(2027, 1, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 11, 30), 2, date(2027, 1, 30)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert ref.add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2026, 1, 15), date(2026, 2, 14), 0),
        (date(2026, 1, 15), date(2026, 2, 15), 1),
        (date(2024, 1, 31), date(2024, 2, 29), 1),
        (date(2024, 1, 31), date(2024, 2, 28), 0),
        (date(2023, 6, 1), date(2026, 5, 31), 35),
        (date(2026, 6, 1), date(2026, 1, 1), 0),
    ],
)
def test_whole_months_between(start: date, end: date, months: int) -> None:
    assert ref.whole_months_between(start, end) == months
