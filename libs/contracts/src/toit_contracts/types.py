"""Shared value types: annotated pydantic types with French error messages.

Use them as field types (`commune: CodeInsee`) or validate a bare value with
`pydantic.TypeAdapter(CodeInsee).validate_python(...)`. Each type normalises
its input (trimmed, upper case) and rejects anything else with a
`PydanticCustomError` whose message is in French.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from toit_contracts.enums import LabelledEnum, LabelledIntEnum, Typologie

__all__ = [
    "DEPARTEMENTS",
    "CodeGuichet",
    "CodeInsee",
    "DateNaissance",
    "DatePassee",
    "DatePlausible",
    "Departement",
    "Email",
    "LabelledEnum",
    "LabelledIntEnum",
    "Montant",
    "NumeroUnique",
    "NumeroUniqueStr",
    "Siren",
    "SirenEpci",
    "Typologie",
    "departement_de_commune",
    "is_luhn_valid",
]

DEPARTEMENTS: frozenset[str] = frozenset(
    [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"] + [str(n) for n in range(971, 977)]
)
"""Codes of the départements: "01".."95" (without "20"), "2A", "2B", "971".."976"."""


def _error(kind: str, message: str, value: object) -> PydanticCustomError:
    return PydanticCustomError(kind, message, {"valeur": value})


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _normalise(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _departement(value: str) -> str:
    if value not in DEPARTEMENTS:
        raise _error("departement", "département inconnu : « {valeur} »", value)
    return value


def departement_de_commune(code_insee: str) -> str:
    """Département of a commune code: 3 characters for the DOM (97x), else 2."""
    return code_insee[:3] if code_insee.startswith("97") else code_insee[:2]


_INSEE = re.compile(r"[0-9][0-9AB][0-9]{3}")


def _code_insee(value: str) -> str:
    if not _INSEE.fullmatch(value) or departement_de_commune(value) not in DEPARTEMENTS:
        raise _error(
            "code_insee",
            "code INSEE de commune invalide : « {valeur} » (5 caractères, "
            "département 01 à 95, 2A, 2B ou 971 à 976)",
            value,
        )
    return value


def is_luhn_valid(digits: str) -> bool:
    """Luhn checksum, as used by SIREN and SIRET numbers."""
    if not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char) * (2 if position % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def _siren(value: str) -> str:
    compact = value.replace(" ", "")
    if len(compact) != 9 or not is_luhn_valid(compact):
        raise _error(
            "siren", "numéro SIREN invalide : « {valeur} » (9 chiffres, clé de Luhn)", value
        )
    return compact


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _email(value: str) -> str:
    if len(value) > 254 or not _EMAIL.fullmatch(value):
        raise _error("email", "adresse électronique invalide : « {valeur} »", value)
    return value


_GUICHET = re.compile(r"[A-Z0-9]{5}")


def _code_guichet(value: str) -> str:
    if not _GUICHET.fullmatch(value):
        raise _error(
            "code_guichet",
            "code de guichet enregistreur invalide : « {valeur} » (5 lettres ou chiffres)",
            value,
        )
    return value


Departement = Annotated[
    str,
    BeforeValidator(_normalise),
    AfterValidator(_departement),
    Field(
        description="Code du département : 01 à 95, 2A, 2B, 971 à 976",
        examples=["35"],
        json_schema_extra={"pattern": r"^(0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5]|97[1-6])$"},
    ),
]
CodeInsee = Annotated[
    str,
    BeforeValidator(_normalise),
    AfterValidator(_code_insee),
    Field(
        description="Code officiel géographique (INSEE) de la commune, 5 caractères",
        examples=["35238"],
        json_schema_extra={"pattern": r"^[0-9][0-9AB][0-9]{3}$"},
    ),
]
Siren = Annotated[
    str,
    BeforeValidator(_normalise),
    AfterValidator(_siren),
    Field(
        description="Numéro SIREN, 9 chiffres avec clé de Luhn",
        examples=["732829320"],
        json_schema_extra={"pattern": r"^[0-9]{9}$"},
    ),
]
SirenEpci = Annotated[
    Siren,
    Field(
        description="Numéro SIREN de l'EPCI (9 chiffres avec clé de Luhn)", examples=["243500139"]
    ),
]
Email = Annotated[
    str,
    BeforeValidator(_strip),
    AfterValidator(_email),
    Field(description="Adresse électronique", examples=["demandeur@example.org"]),
]
CodeGuichet = Annotated[
    str,
    BeforeValidator(_normalise),
    AfterValidator(_code_guichet),
    Field(
        description="Code du guichet enregistreur (5 lettres ou chiffres, fin du numéro unique)",
        examples=["GDPUB"],
        json_schema_extra={"pattern": r"^[A-Z0-9]{5}$"},
    ),
]
Montant = Annotated[
    Decimal,
    Field(ge=0, max_digits=12, decimal_places=2, description="Montant en euros"),
]
"""A non-negative amount in euros with cents; travels as a JSON string ("1234.50")."""


# --- Dates: plausible bounds, declared once (a typed-in 0001-01-01 is a mistake) ----------------

DATE_MIN = date(1900, 1, 1)
"""Nothing a demande or a grid records predates it (birth dates: AGE_MAXIMUM)."""
DATE_MAX = date(2100, 12, 31)
"""Nothing a demande or a grid records is later (a residence permit's end, a grid's effect)."""
AGE_MAXIMUM = 125


def _plausible(value: date) -> date:
    if value < DATE_MIN:
        raise _error(
            "date_invraisemblable", "date invraisemblable : antérieure au 01/01/1900", value
        )
    if value > DATE_MAX:
        raise _error(
            "date_invraisemblable", "date invraisemblable : postérieure au 31/12/2100", value
        )
    return value


def _passee(value: date) -> date:
    if value > date.today():
        raise _error("date_dans_le_futur", "la date est dans le futur", value)
    return value


def _naissance(value: date) -> date:
    if value.year < date.today().year - AGE_MAXIMUM:
        raise _error(
            "date_invraisemblable",
            f"date invraisemblable : antérieure de plus de {AGE_MAXIMUM} ans",
            value,
        )
    return value


DatePlausible = Annotated[
    date,
    AfterValidator(_plausible),
    Field(description="Date (AAAA-MM-JJ) entre le 01/01/1900 et le 31/12/2100"),
]
DatePassee = Annotated[
    date,
    AfterValidator(_passee),
    AfterValidator(_plausible),
    Field(description="Date passée (AAAA-MM-JJ), au plus tôt le 01/01/1900"),
]
DateNaissance = Annotated[
    DatePassee,
    AfterValidator(_naissance),
    Field(description=f"Date de naissance (AAAA-MM-JJ), au plus {AGE_MAXIMUM} ans"),
]


# --- Numéro unique (primer §4.3) ---------------------------------------------------------------

_NUMERO = re.compile(
    r"(?P<territoire>[0-9]{2}[0-9AB])(?P<mois>[0-9]{2})(?P<annee>[0-9]{2})"
    r"(?P<sequence>[0-9]{6})(?P<guichet>[A-Z0-9]{5})"
)
_SEPARATORS = re.compile(r"[\s.\-/]")


@dataclass(frozen=True, slots=True)
class NumeroUnique:
    """Numéro unique départemental, 18 characters without separators:

        TTT MM YY SSSSSS GGGGG  ->  "035" "10" "23" "517879" "GDPUB" = "0351023517879GDPUB"

    - TTT: département on 3 characters, left-padded with "0" ("035", "02A", "971");
      the Île-de-France regional code "111" is not supported;
    - MM, YY: month and year (2000-2099) of the first dépôt, kept across renewals;
    - SSSSSS: sequence number, 000001-999999;
    - GGGGG: code of the registering guichet (5 upper-case letters or digits).

    `format()` gives the canonical compact form; `parse()` accepts lower case and
    the separators a person may type (spaces, dots, dashes, slashes).
    The structure is the one observed on SNE attestations (unverified).
    """

    departement: str
    mois: int
    annee: int
    sequence: int
    guichet: str

    def __post_init__(self) -> None:
        _departement(self.departement)
        _code_guichet(self.guichet)
        if not 1 <= self.mois <= 12:
            raise _error("numero_unique", "mois du numéro unique invalide : {valeur}", self.mois)
        if not 2000 <= self.annee <= 2099:
            raise _error("numero_unique", "année du numéro unique invalide : {valeur}", self.annee)
        if not 1 <= self.sequence <= 999_999:
            raise _error(
                "numero_unique", "séquence du numéro unique invalide : {valeur}", self.sequence
            )

    @property
    def territoire(self) -> str:
        return self.departement.rjust(3, "0")

    def format(self) -> str:
        return (
            f"{self.territoire}{self.mois:02d}{self.annee % 100:02d}"
            f"{self.sequence:06d}{self.guichet}"
        )

    def __str__(self) -> str:
        return self.format()

    @classmethod
    def parse(cls, value: str) -> Self:
        match = _NUMERO.fullmatch(_SEPARATORS.sub("", value).upper())
        if match is None:
            raise _error(
                "numero_unique",
                "numéro unique invalide : « {valeur} » (18 caractères : département sur 3, "
                "mois et année du premier dépôt, séquence sur 6 chiffres, code guichet sur 5)",
                value,
            )
        territoire = match["territoire"]
        departement = territoire if territoire.startswith("97") else territoire[1:]
        if territoire[0] != "0" and not territoire.startswith("97"):
            raise _error("numero_unique", "territoire du numéro unique inconnu : {valeur}", value)
        return cls(
            departement=departement,
            mois=int(match["mois"]),
            annee=2000 + int(match["annee"]),
            sequence=int(match["sequence"]),
            guichet=match["guichet"],
        )


def _numero_unique(value: Any) -> Any:
    return NumeroUnique.parse(value).format() if isinstance(value, str) else value


NumeroUniqueStr = Annotated[
    str,
    BeforeValidator(_numero_unique),
    Field(
        description="Numéro unique départemental, forme canonique de 18 caractères",
        examples=["0351023517879GDPUB"],
        json_schema_extra={"pattern": r"^[0-9]{2}[0-9AB][0-9]{10}[A-Z0-9]{5}$"},
    ),
]
"""A numéro unique as a string, validated and normalised by `NumeroUnique.parse`."""
