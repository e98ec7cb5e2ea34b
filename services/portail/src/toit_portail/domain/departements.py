"""The portals of one installation: one per département, from configuration (pure rules).

An installation serves several départements (the association runs nine files). Each
has its own portal: name, contacts, guichets and its own questions, from the YAML
configuration (`portails.yaml` in this package, or the file named by
`TOIT_PORTAIL_CONFIGURATION`). Contacts and guichets are configuration, never law:
the packaged values are examples and say so.

URL scheme (docs: services/portail/README.md): `/` is the home of the installation's
default département, or of the département whose host name the request used
(`hotes`); `/<code>/` is the home of département <code> (`/35/`, `/44/`), with
`/<code>/chiffres-cles`, `/<code>/questions`, `/<code>/guichets`. Account pages
(`/connexion`, `/mon-espace`...) are common: one account follows its demandes in
every département.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

_CODE = re.compile(r"^(2[AB]|[0-9]{2}|97[0-9])$")


class ConfigurationInvalide(ValueError):
    """The portals' configuration is malformed (the message names the key)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Guichet(_Strict):
    """A guichet enregistreur where households file or complete a demande."""

    code: str = Field(pattern=r"^[A-Z0-9]{5}$")
    nom: str = Field(min_length=1, max_length=200)
    adresse: str = Field(min_length=1, max_length=300)
    commune: str = Field(pattern=r"^[0-9][0-9AB][0-9]{3}$", description="Code INSEE")
    telephone: str | None = Field(default=None, max_length=40)
    horaires: str | None = Field(default=None, max_length=200)


class Question(_Strict):
    question: str = Field(min_length=1, max_length=300)
    reponse: str = Field(min_length=1, max_length=3000)


class Portail(_Strict):
    """One département's portal."""

    code: str
    nom: str = Field(min_length=1, max_length=100)
    telephone: str = Field(min_length=1, max_length=100)
    courriel: str = Field(min_length=1, max_length=200)
    adresse: str = Field(min_length=1, max_length=300)
    hotes: tuple[str, ...] = Field(default=(), max_length=10)
    guichets: tuple[Guichet, ...] = Field(default=(), max_length=500)
    questions: tuple[Question, ...] = Field(default=(), max_length=100)
    exemple: bool = Field(
        default=False, description="Contacts and guichets are examples, not the real ones"
    )

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not _CODE.fullmatch(value):
            raise ValueError(f"code de département invalide : {value!r}")
        return value

    @field_validator("hotes")
    @classmethod
    def _hotes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(h.strip().lower() for h in value)


class _Fichier(_Strict):
    defaut: str
    questions: tuple[Question, ...] = Field(default=(), max_length=100)
    departements: tuple[Portail, ...] = Field(min_length=1, max_length=120)


@dataclass(frozen=True)
class Portails:
    """Every portal of the installation, and the questions common to all."""

    defaut: str
    questions_communes: tuple[Question, ...]
    par_code: dict[str, Portail]

    def get(self, code: str) -> Portail | None:
        return self.par_code.get(code)

    def pour_hote(self, hote: str | None) -> Portail:
        """The portal of a host name (port ignored), else the installation's default."""
        if hote:
            nom = hote.split(":", 1)[0].strip().lower()
            for portail in self.par_code.values():
                if nom in portail.hotes:
                    return portail
        return self.par_code[self.defaut]

    def liste(self) -> list[Portail]:
        return sorted(self.par_code.values(), key=lambda p: p.code)

    def questions(self, code: str) -> tuple[Question, ...]:
        """The département's own questions first, then the common ones."""
        return self.par_code[code].questions + self.questions_communes


def lire_portails(document: Any) -> Portails:
    """Validate a parsed configuration document; ConfigurationInvalide names the key."""
    try:
        fichier = _Fichier.model_validate(document)
    except ValidationError as exc:
        premiere = exc.errors()[0]
        chemin = ".".join(str(p) for p in premiere["loc"])
        raise ConfigurationInvalide(f"{chemin} : {premiere['msg']}") from None
    par_code: dict[str, Portail] = {}
    for portail in fichier.departements:
        if portail.code in par_code:
            raise ConfigurationInvalide(f"departements : {portail.code} configuré deux fois")
        par_code[portail.code] = portail
    if fichier.defaut not in par_code:
        raise ConfigurationInvalide(f"defaut : {fichier.defaut} n'est pas configuré")
    hotes = [h for p in par_code.values() for h in p.hotes]
    if len(hotes) != len(set(hotes)):
        raise ConfigurationInvalide("hotes : un nom d'hôte sert à deux départements")
    return Portails(fichier.defaut, fichier.questions, par_code)


def guichets_proches(
    portail: Portail, commune: str, epci_de: Callable[[str], str | None]
) -> list[Guichet]:
    """The guichets of the département, nearest first: those of the commune, then those
    of its EPCI, then the others (each group in configuration order)."""
    epci = epci_de(commune)

    def rang(guichet: Guichet) -> int:
        if guichet.commune == commune:
            return 0
        if epci is not None and epci_de(guichet.commune) == epci:
            return 1
        return 2

    return sorted(portail.guichets, key=rang)
