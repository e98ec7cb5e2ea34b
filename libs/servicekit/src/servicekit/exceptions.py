"""The refusals a use case raises, free of any web framework.

A service layer raises these (or its own subclasses); `servicekit.errors` answers them
over HTTP in one place (`create_app` registers the handler), with the usual French body:

    Introuvable      404  {"detail": "Ressource introuvable"}
    AccesRefuse      403  {"detail": <message>}
    Conflit          409  {"detail": <message>}
    VersionObsolete  412  {"detail": "La ressource a été modifiée entre-temps : …"}
    Invalide         422  {"detail": "Données invalides", "erreurs": [{champ, message, code}]}
    Expire           410  {"detail": <message>}
    Irrecevable      422  {"detail": <message>}    (no faulty field to name: a missing setting)
    TropDeTentatives 429  {"detail": <message>}    + Retry-After
    RefusMetier      400  {"detail": <message>}

and the failures of a part (`Defaillance`, not refusals, logged as errors):

    Indisponible     503  {"detail": <message>}    + Retry-After
    Incident         500  {"detail": <message>}
    Perdu            404  {"detail": <message>}

A subclass keeps its parent's answer with its own message (``DemandeIntrouvable(Introuvable)``
answers "Demande introuvable"). A refusal may add fields to the body (`complements`), a
Retry-After header (`retry_after`), the headline of its list of faulty fields (`detail`,
for `Invalide` and for an `AccesRefuse` naming fields) and an event name under which the
answer is logged as an error (`journal`). There is no other mapping: services raise these
(or subclasses of them) and never build an HTTP error answer themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class RefusMetier(Exception):
    """Base of the refusals of a use case."""

    retry_after: int | None = None
    journal: str | None = None

    def complements(self) -> dict[str, Any]:
        """Fields added to the answer's body (after "detail")."""
        return {}


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
    translates a request's validation errors. `detail`: the headline of the answer."""

    detail = "Données invalides"

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


class Expire(RefusMetier):
    """What the caller refers to is gone for good (a cursor older than the retention)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Irrecevable(RefusMetier):
    """The request is well formed but cannot be processed, with no field to blame (a figure
    the rule needs is not configured)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TropDeTentatives(RefusMetier):
    """Too many attempts: refused for `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class Defaillance(Exception):
    """Base of the failures of a part (a store): not a refusal, so never caught as one (a
    command that meets one fails and is retried, it is not refused); answered in French
    and logged as an error under `journal`. `message`: the answer's detail."""

    message = "Erreur interne"
    journal = "servicekit.defaillance"
    retry_after: int | None = None

    def complements(self) -> dict[str, Any]:
        return {}


class Indisponible(Defaillance):
    """A part the request needs does not answer: the caller retries later (503)."""

    message = "Service momentanément indisponible : réessayez dans quelques instants"
    retry_after = 30


class Incident(Defaillance):
    """A stored record contradicts itself (a file whose fingerprint changed): nothing is
    served (500), the team is warned through the error log."""


class Perdu(Defaillance):
    """What a record points to is missing from its store (404, logged: it should exist)."""

    message = "Ressource introuvable"
