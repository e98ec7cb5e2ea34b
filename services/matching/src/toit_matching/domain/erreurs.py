"""Refusals of the matching use cases, in French; entrypoints map them to HTTP answers."""

from __future__ import annotations

from dataclasses import dataclass, field


class RefusMatching(Exception):
    """Base of the domain refusals: `message` is shown to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Introuvable(RefusMatching):
    """The record does not exist, or is outside what the caller may see (no leak)."""


class AccesRefuse(RefusMatching):
    """The caller may not perform this action on this record."""


class Conflit(RefusMatching):
    """The record's state forbids the action (409)."""


class VersionPerimee(RefusMatching):
    """If-Match did not match the record's version (412)."""


@dataclass(frozen=True, slots=True)
class ErreurChamp:
    champ: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"champ": self.champ, "message": self.message, "code": "value_error"}


@dataclass
class DonneesInvalides(RefusMatching):
    """422 with the faulty fields."""

    erreurs: list[ErreurChamp] = field(default_factory=list)

    def __post_init__(self) -> None:
        RefusMatching.__init__(self, "; ".join(f"{e.champ} : {e.message}" for e in self.erreurs))


class ConfigurationManquante(RefusMatching):
    """A figure the rule needs is not configured (a year of ceilings, a financing)."""
