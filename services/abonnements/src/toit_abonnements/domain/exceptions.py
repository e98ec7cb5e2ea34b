"""Refusals of the abonnements use cases, answered over HTTP by servicekit: each derives
from the `servicekit.exceptions` kind that gives its answer."""

from __future__ import annotations

from typing import Any

from servicekit import exceptions as refus


class RefusAbonnement(refus.RefusMetier):
    """Base: a refusal with a French message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Introuvable(RefusAbonnement, refus.Introuvable):
    """The record does not exist or is outside the caller's scope (404: nothing leaks)."""

    def __init__(self, quoi: str = "Ressource introuvable") -> None:
        super().__init__(quoi)


class HorsHabilitation(RefusAbonnement, refus.AccesRefuse):
    """The subscription asks for more than the organisation's habilitation (403)."""

    def __init__(self, partie: str, message: str) -> None:
        super().__init__(message)
        self.partie = partie

    def complements(self) -> dict[str, Any]:
        return {"partie": self.partie}


class Invalide(RefusAbonnement, refus.Invalide):
    """Input consistent in type but not acceptable (422, with the field path)."""

    def __init__(self, champ: str, message: str) -> None:
        refus.Invalide.__init__(self, [refus.Erreur(champ, message)])
        self.args = (message,)
        self.message = message
        self.champ = champ


class UrlRefusee(Invalide):
    """A webhook URL refused (not HTTPS, private address, redirect…)."""

    def __init__(self, message: str) -> None:
        super().__init__("url", message)


class CurseurInvalide(Invalide):
    """A cursor that cannot be read, or that belongs to another subscription (422)."""

    def __init__(self, message: str) -> None:
        super().__init__("apres", message)


class CurseurExpire(RefusAbonnement, refus.Expire):
    """A cursor older than the retention of the log (410)."""


class Conflit(RefusAbonnement, refus.Conflit):
    """The state forbids the change (409)."""


class VersionPerimee(RefusAbonnement, refus.VersionObsolete):
    """The record changed meanwhile: If-Match does not match (412)."""
