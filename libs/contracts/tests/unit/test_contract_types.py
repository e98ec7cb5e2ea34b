from __future__ import annotations

import inspect
import re
from datetime import date
from enum import Enum
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from toit_contracts import enums
from toit_contracts.types import (
    DEPARTEMENTS,
    CodeGuichet,
    CodeInsee,
    DateNaissance,
    DatePassee,
    DatePlausible,
    Departement,
    Email,
    NumeroUnique,
    NumeroUniqueStr,
    Siren,
    SirenEpci,
    departement_de_commune,
    is_luhn_valid,
)


def _validate(type_: Any, value: object) -> Any:
    return TypeAdapter(type_).validate_python(value)


def _message(type_: Any, value: object) -> str:
    with pytest.raises(ValidationError) as caught:
        _validate(type_, value)
    return str(caught.value.errors()[0]["msg"])


@pytest.mark.parametrize(
    ("raw", "expected", "departement"),
    [
        ("35238", "35238", "35"),
        (" 44109 ", "44109", "44"),
        ("01001", "01001", "01"),
        ("2A004", "2A004", "2A"),
        ("2b033", "2B033", "2B"),
        ("97411", "97411", "974"),
        ("97608", "97608", "976"),
    ],
)
def test_code_insee_valid(raw: str, expected: str, departement: str) -> None:
    assert _validate(CodeInsee, raw) == expected
    assert departement_de_commune(expected) == departement


@pytest.mark.parametrize(
    "raw", ["", "3523", "352380", "20004", "00001", "96001", "97711", "2C001", "3A001", "ABCDE"]
)
def test_code_insee_invalid(raw: str) -> None:
    assert "code INSEE de commune invalide" in _message(CodeInsee, raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("35", "35"), ("01", "01"), ("95", "95"), ("2a", "2A"), ("2B", "2B"), ("971", "971")],
)
def test_departement_valid(raw: str, expected: str) -> None:
    assert _validate(Departement, raw) == expected


@pytest.mark.parametrize("raw", ["", "1", "00", "20", "96", "035", "970", "977", "2C"])
def test_departement_invalid(raw: str) -> None:
    assert "département inconnu" in _message(Departement, raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("732829320", "732829320"), ("243500139", "243500139"), ("552 100 554", "552100554")],
)
def test_siren_valid(raw: str, expected: str) -> None:
    assert _validate(Siren, raw) == expected
    assert _validate(SirenEpci, raw) == expected


@pytest.mark.parametrize(
    "raw", ["732829321", "24350013", "2435001390", "ABCDEFGHI", "", "²43500139"]
)
def test_siren_invalid(raw: str) -> None:
    assert "numéro SIREN invalide" in _message(SirenEpci, raw)


@pytest.mark.parametrize(
    ("digits", "valid"), [("0", True), ("18", True), ("79927398713", True), ("79927398710", False)]
)
def test_luhn(digits: str, valid: bool) -> None:
    assert is_luhn_valid(digits) is valid


@pytest.mark.parametrize(
    ("type_", "raw", "expected"),
    [
        (Email, " demandeur@example.org ", "demandeur@example.org"),
        (CodeGuichet, "rm035", "RM035"),
    ],
)
def test_other_types_valid(type_: Any, raw: str, expected: str) -> None:
    assert _validate(type_, raw) == expected


@pytest.mark.parametrize(
    ("type_", "raw", "message"),
    [
        (Email, "sans-arobase.example.org", "adresse électronique invalide"),
        (Email, "a@b", "adresse électronique invalide"),
        (CodeGuichet, "RM03", "code de guichet enregistreur invalide"),
        (CodeGuichet, "RM_35", "code de guichet enregistreur invalide"),
    ],
)
def test_other_types_invalid(type_: Any, raw: str, message: str) -> None:
    assert message in _message(type_, raw)


# --- Numéro unique ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("0351023517879GDPUB", ("35", 10, 2023, 517879, "GDPUB")),
        ("0440126000001RM035", ("44", 1, 2026, 1, "RM035")),
        ("02A1299999999AB12C", ("2A", 12, 2099, 999999, "AB12C")),
        ("9710700000042Z9Z9Z", ("971", 7, 2000, 42, "Z9Z9Z")),
    ],
)
def test_numero_unique_round_trip(text: str, parts: tuple[str, int, int, int, str]) -> None:
    numero = NumeroUnique.parse(text)
    assert (numero.departement, numero.mois, numero.annee, numero.sequence, numero.guichet) == parts
    assert numero.format() == str(numero) == text
    assert len(text) == 18
    assert NumeroUnique(*parts) == numero
    assert numero.territoire == text[:3]


@pytest.mark.parametrize(
    "typed", ["035 10 23 517879 gdpub", "035-10-23-517879-GDPUB", " 035.1023.517879.GDPUB "]
)
def test_numero_unique_accepts_separators_and_lower_case(typed: str) -> None:
    assert NumeroUnique.parse(typed).format() == "0351023517879GDPUB"
    assert _validate(NumeroUniqueStr, typed) == "0351023517879GDPUB"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "numéro unique invalide"),
        ("035102351787GDPUB", "numéro unique invalide"),
        ("0351023517879GDPUBX", "numéro unique invalide"),
        ("0351023517879GDP_B", "numéro unique invalide"),
        ("03510AB517879GDPUB", "numéro unique invalide"),
        ("0351323517879GDPUB", "mois du numéro unique invalide"),
        ("0350023517879GDPUB", "mois du numéro unique invalide"),
        ("0351023000000GDPUB", "séquence du numéro unique invalide"),
        ("0201023517879GDPUB", "département inconnu"),
        ("0961023517879GDPUB", "département inconnu"),
        ("1111023517879GDPUB", "territoire du numéro unique inconnu"),
    ],
)
def test_numero_unique_malformed(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        NumeroUnique.parse(text)
    assert message in _message(NumeroUniqueStr, text)


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("35", 1, 1999, 1, "RM035"), "année"),
        (("35", 1, 2026, 1_000_000, "RM035"), "séquence"),
        (("35", 1, 2026, 1, "rm035"), "guichet"),
        (("035", 1, 2026, 1, "RM035"), "département"),
    ],
)
def test_numero_unique_rejects_bad_parts(
    parts: tuple[str, int, int, int, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        NumeroUnique(*parts)


# --- Enumerations -----------------------------------------------------------------------------

LABELLED = [
    obj
    for _, obj in inspect.getmembers(enums, inspect.isclass)
    if issubclass(obj, Enum)
    and obj not in (enums.LabelledEnum, enums.LabelledIntEnum)
    and obj.__module__ == enums.__name__
]


@pytest.mark.parametrize("enum_cls", LABELLED, ids=lambda cls: cls.__name__)
def test_enum_codes_and_labels(enum_cls: Any) -> None:
    assert issubclass(enum_cls, enums.LabelledEnum | enums.LabelledIntEnum)
    assert enum_cls.__doc__
    for member in enum_cls:
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", member.name)
        if isinstance(member, enums.LabelledEnum):
            assert member.value == member.name
        assert member.label.strip()
        assert enum_cls(member.value) is member
    assert list(enum_cls.labels()) == [str(member.value) for member in enum_cls]


def test_enum_labels_in_json_schema() -> None:
    schema = TypeAdapter(enums.Civilite).json_schema()
    assert schema["enum"] == ["M", "MME"]
    assert schema["x-enum-labels"] == {"M": "Monsieur", "MME": "Madame"}


def test_required_codes_present() -> None:
    assert {"BROUILLON", "ACTIVE", "RADIEE", "PURGEE"} <= set(enums.StatutDemande)
    assert {"T1", "T6", "CHAMBRE"} <= set(enums.Typologie)
    assert [c.value for c in enums.CategorieMenage] == [1, 2, 3, 4, 5, 6]
    assert {
        "SANS_LOGEMENT",
        "LOGEMENT_NON_DECENT",
        "LOGEMENT_TROP_PETIT",
        "LOGEMENT_TROP_CHER",
        "HANDICAP",
        "VIOLENCES_FAMILIALES",
        "DIVORCE_SEPARATION",
        "RAPPROCHEMENT_TRAVAIL",
        "PROCEDURE_EXPULSION",
    } <= set(enums.MotifDemande)
    assert enums.ENUMS_VERSION


def _pattern(type_: Any) -> str:
    return str(TypeAdapter(type_).json_schema()["pattern"])


def test_departement_pattern_matches_validator() -> None:
    candidates = [f"{n:02d}" for n in range(100)] + [str(n) for n in range(970, 980)]
    candidates += ["2A", "2B", "2C", "1A"]
    for code in candidates:
        assert bool(re.fullmatch(_pattern(Departement), code)) == (code in DEPARTEMENTS), code


@pytest.mark.parametrize(
    ("type_", "valid"),
    [
        (CodeInsee, "2A004"),
        (Siren, "243500139"),
        (CodeGuichet, "RM035"),
        (NumeroUniqueStr, "02A0124000001ABCDE"),
        (NumeroUniqueStr, "9710700000042Z9Z9Z"),
    ],
)
def test_published_pattern_accepts_valid_values(type_: Any, valid: str) -> None:
    assert re.fullmatch(_pattern(type_), _validate(type_, valid))


@pytest.mark.parametrize(
    ("type_", "valeur", "message"),
    [
        (DatePlausible, "0001-01-01", "antérieure au 01/01/1900"),
        (DatePlausible, "9999-12-31", "postérieure au 31/12/2100"),
        (DatePassee, "0001-01-01", "antérieure au 01/01/1900"),
        (DatePassee, "2099-01-01", "dans le futur"),
        (DateNaissance, "1900-06-01", "antérieure de plus de 125 ans"),
        (DateNaissance, "0001-01-01", "antérieure au 01/01/1900"),
    ],
)
def test_contract_dates_outside_plausible_bounds_are_refused(
    type_: Any, valeur: str, message: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        TypeAdapter(type_).validate_python(valeur)
    assert message in exc.value.errors()[0]["msg"]


def test_contract_plausible_dates_pass() -> None:
    assert TypeAdapter(DateNaissance).validate_python("1985-06-02") == date(1985, 6, 2)
    assert TypeAdapter(DatePlausible).validate_python("2040-01-01") == date(2040, 1, 1)
