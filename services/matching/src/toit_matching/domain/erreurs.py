"""Refusals of the matching use cases, in French; servicekit answers them over HTTP
(`servicekit.exceptions`: each refusal derives from the kind that gives its answer)."""

from __future__ import annotations

from servicekit import exceptions as refus
from servicekit.exceptions import Erreur as ErreurChamp


class RefusMatching(refus.RefusMetier):
    """Base of the domain refusals: `message` is shown to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Introuvable(RefusMatching, refus.Introuvable):
    """The record does not exist, or is outside what the caller may see (no leak) (404)."""


class AccesRefuse(RefusMatching, refus.AccesRefuse):
    """The caller may not perform this action on this record (403)."""


class Conflit(RefusMatching, refus.Conflit):
    """The record's state forbids the action (409)."""


class VersionPerimee(RefusMatching, refus.VersionObsolete):
    """If-Match did not match the record's version (412)."""


class DonneesInvalides(RefusMatching, refus.Invalide):
    """422 with the faulty fields."""

    def __init__(self, erreurs: list[ErreurChamp]) -> None:
        refus.Invalide.__init__(self, erreurs)
        self.message = str(self)


class ConfigurationManquante(RefusMatching, refus.Irrecevable):
    """A figure the rule needs is not configured (a year of ceilings, a financing) (422)."""


__all__ = [
    "AccesRefuse",
    "ConfigurationManquante",
    "Conflit",
    "DonneesInvalides",
    "ErreurChamp",
    "Introuvable",
    "RefusMatching",
    "VersionPerimee",
]
