"""The refusals a use case raises, free of any web framework.

A service layer raises these (or its own subclasses); `servicekit.errors` answers them
over HTTP in one place (`create_app` registers the handler), with the usual French body:

    Introuvable      404  {"detail": "Ressource introuvable"}
    AccesRefuse      403  {"detail": <message>}
    Conflit          409  {"detail": <message>}
    VersionObsolete  412  {"detail": "La ressource a été modifiée entre-temps : …"}
    Invalide         422  {"detail": "Données invalides", "erreurs": [{champ, message, code}]}

A subclass keeps its parent's answer with its own message (``DemandeIntrouvable(Introuvable)``
answers "Demande introuvable").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


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


@dataclass(frozen=True)
class Erreur:
    """One faulty field: its path (``demandeur.date_naissance``), a French message, a code."""

    champ: str
    message: str
    code: str = "value_error"

    def as_dict(self) -> dict[str, str]:
        return {"champ": self.champ, "message": self.message, "code": self.code}


class Invalide(RefusMetier):
    """Bad input. `erreurs`: `Erreur` items ((field, message) pairs are accepted), or
    pydantic-style error dicts (`loc`, `msg`, `type`), which servicekit translates as it
    translates a request's validation errors."""

    def __init__(
        self, erreurs: Sequence[Erreur | tuple[str, str] | tuple[str, str, str] | Mapping[str, Any]]
    ) -> None:
        self.erreurs: list[Erreur | Mapping[str, Any]] = [
            Erreur(*e) if isinstance(e, tuple) else e for e in erreurs
        ]
        super().__init__(
            "; ".join(
                f"{e.champ} : {e.message}" if isinstance(e, Erreur) else str(e.get("msg", ""))
                for e in self.erreurs
            )
        )
