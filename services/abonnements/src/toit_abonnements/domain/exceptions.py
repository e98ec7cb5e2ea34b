"""Refusals of the abonnements use cases (answered over HTTP in entrypoints/http.py)."""

from __future__ import annotations


class RefusAbonnement(Exception):
    """Base: a refusal with a French message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Introuvable(RefusAbonnement):
    """The record does not exist or is outside the caller's scope (404: nothing leaks)."""

    def __init__(self, quoi: str = "Ressource introuvable") -> None:
        super().__init__(quoi)


class HorsHabilitation(RefusAbonnement):
    """The subscription asks for more than the organisation's habilitation (403)."""

    def __init__(self, partie: str, message: str) -> None:
        super().__init__(message)
        self.partie = partie


class Invalide(RefusAbonnement):
    """Input consistent in type but not acceptable (422, with the field path)."""

    def __init__(self, champ: str, message: str) -> None:
        super().__init__(message)
        self.champ = champ


class UrlRefusee(Invalide):
    """A webhook URL refused (not HTTPS, private address, redirect…)."""

    def __init__(self, message: str) -> None:
        super().__init__("url", message)


class CurseurInvalide(Invalide):
    """A cursor that cannot be read, or that belongs to another subscription (422)."""

    def __init__(self, message: str) -> None:
        super().__init__("apres", message)


class CurseurExpire(RefusAbonnement):
    """A cursor older than the retention of the log (410)."""


class Conflit(RefusAbonnement):
    """The record changed meanwhile (412) or the state forbids the change (409)."""

    def __init__(self, message: str, statut: int = 409) -> None:
        super().__init__(message)
        self.statut = statut
