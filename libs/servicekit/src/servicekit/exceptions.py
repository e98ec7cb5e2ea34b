"""The refusals a use case raises, free of any web framework.

A service layer raises these (or its own subclasses); `servicekit.errors` answers them
over HTTP in one place (`create_app` registers the handler), with the usual French body:

    Introuvable      404  {"detail": "Ressource introuvable"}
    AccesRefuse      403  {"detail": <message>}
    Conflit          409  {"detail": <message>}
    VersionObsolete  412  {"detail": "La ressource a été modifiée entre-temps : …"}
    Invalide         422  {"detail": "Données invalides", "erreurs": [{champ, message, code}]}
"""

from __future__ import annotations

from collections.abc import Sequence


class RefusMetier(Exception):
    """Base of the refusals of a use case."""


class Introuvable(RefusMetier):
    """The record does not exist, or lies outside the caller's scope (so nothing leaks)."""

    def __init__(self, message: str = "Ressource introuvable") -> None:
        super().__init__(message)
        self.message = message


class AccesRefuse(RefusMetier):
    """The caller's roles do not allow this action."""

    def __init__(self, message: str = "Accès refusé") -> None:
        super().__init__(message)
        self.message = message


class Conflit(RefusMetier):
    """The request contradicts the record's current state."""


class VersionObsolete(RefusMetier):
    """The record changed since the caller read it (If-Match does not match)."""


class Invalide(RefusMetier):
    """Bad input: (field path, French message) pairs, or (field, message, code) triples."""

    def __init__(self, erreurs: Sequence[tuple[str, str] | tuple[str, str, str]]) -> None:
        super().__init__("; ".join(e[1] for e in erreurs))
        self.erreurs: list[tuple[str, str, str]] = [_triple(*e) for e in erreurs]


def _triple(champ: str, message: str, code: str = "value_error") -> tuple[str, str, str]:
    return champ, message, code
