"""Clear 4xx answers in French, with the path of the faulty field.

Every error body has the same shape:

    {"detail": "Données invalides",
     "erreurs": [{"champ": "demandeur.date_naissance",
                  "message": "la date est dans le futur", "code": "value_error"}]}
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, get_args

import structlog
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic_core.core_schema import ErrorType
from starlette.exceptions import HTTPException as StarletteHTTPException

from servicekit.exceptions import (
    AccesRefuse,
    Conflit,
    Defaillance,
    Expire,
    Incident,
    Indisponible,
    Introuvable,
    Invalide,
    Irrecevable,
    Perdu,
    RefusMetier,
    TropDeTentatives,
    VersionObsolete,
)

_log = structlog.get_logger("servicekit.errors")

_MESSAGES: dict[str, str] = {
    "missing": "champ obligatoire",
    "extra_forbidden": "champ inconnu",
    "string_type": "doit être une chaîne de caractères",
    "int_type": "doit être un nombre entier",
    "int_parsing": "doit être un nombre entier",
    "float_type": "doit être un nombre",
    "float_parsing": "doit être un nombre",
    "decimal_parsing": "doit être un nombre",
    "bool_type": "doit valoir true ou false",
    "bool_parsing": "doit valoir true ou false",
    "list_type": "doit être une liste",
    "dict_type": "doit être un objet",
    "model_type": "doit être un objet",
    "date_type": "date invalide (format attendu AAAA-MM-JJ)",
    "date_parsing": "date invalide (format attendu AAAA-MM-JJ)",
    "date_from_datetime_parsing": "date invalide (format attendu AAAA-MM-JJ)",
    "datetime_parsing": "date et heure invalides (format ISO 8601 attendu)",
    "datetime_type": "date et heure invalides (format ISO 8601 attendu)",
    "uuid_parsing": "identifiant invalide",
    "uuid_type": "identifiant invalide",
    "json_invalid": "JSON invalide",
    "value_error": "valeur invalide",
}

_TEMPLATES: dict[str, str] = {
    "string_too_short": "doit contenir au moins {min_length} caractère(s)",
    "string_too_long": "doit contenir au plus {max_length} caractère(s)",
    "too_short": "doit contenir au moins {min_length} élément(s)",
    "too_long": "doit contenir au plus {max_length} élément(s)",
    "greater_than": "doit être supérieur à {gt}",
    "greater_than_equal": "doit être supérieur ou égal à {ge}",
    "less_than": "doit être inférieur à {lt}",
    "less_than_equal": "doit être inférieur ou égal à {le}",
    "string_pattern_mismatch": "format invalide",
    "enum": "valeur inconnue ; valeurs possibles : {expected}",
    "literal_error": "valeur inconnue ; valeurs possibles : {expected}",
}


_PYDANTIC_ERROR_TYPES = frozenset(get_args(ErrorType))


def french_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind in ("value_error", "assertion_error"):
        # Our validators raise ValueError with a French message; pydantic prefixes it.
        message = str(error.get("msg", ""))
        for prefix in ("Value error, ", "Assertion failed, "):
            message = message.removeprefix(prefix)
        return message or _MESSAGES["value_error"]
    if kind not in _PYDANTIC_ERROR_TYPES:
        # A PydanticCustomError of our own value types (toit_contracts.types): French already.
        return str(error.get("msg", "")) or _MESSAGES["value_error"]
    if kind in _TEMPLATES:
        try:
            return _TEMPLATES[kind].format(**(error.get("ctx") or {}))
        except (KeyError, IndexError):
            pass
    return _MESSAGES.get(kind, "valeur invalide")


def field_path(loc: Iterable[Any]) -> str:
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "form"):
        parts = parts[1:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path or "requête"


def error_items(errors: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {
            "champ": field_path(e.get("loc", ())),
            "message": french_message(e),
            "code": e.get("type", ""),
        }
        for e in errors
    ]


def invalid(
    erreurs: list[dict[str, str]], status: int = 422, detail: str = "Données invalides"
) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": detail, "erreurs": erreurs})


async def request_validation_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return invalid(error_items(exc.errors()))


STATUS_FR = {
    400: "Requête invalide",
    401: "Authentification requise",
    403: "Accès refusé",
    404: "Ressource introuvable",
    405: "Méthode non autorisée",
    406: "Format de réponse non disponible",
    409: "Conflit avec l'état actuel",
    412: "La ressource a été modifiée entre-temps : rechargez-la avant de la modifier",
    413: "Requête trop volumineuse",
    415: "Type de contenu non pris en charge",
    428: "En-tête If-Match obligatoire : renvoyez l'ETag de la version que vous avez lue",
    429: "Trop de requêtes : réessayez plus tard",
}


# English details the frameworks raise themselves (FastAPI's body parsing, Starlette's
# multipart parser), answered in French.
_FRAMEWORK_DETAILS = {
    "There was an error parsing the body": "Corps de la requête illisible",
    "Not authenticated": STATUS_FR[401],
}
_MULTIPART_DETAILS = (
    "Field exceeded",
    "Too many fields",
    "Too many files",
    "Part exceeded",
    "The Content-Disposition",
    "Missing boundary",
    "Invalid multipart",
)


async def http_exception_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail
    if not isinstance(detail, str | dict | list) or detail == _english_phrase(exc.status_code):
        detail = STATUS_FR.get(exc.status_code, "Erreur")
    elif isinstance(detail, str) and detail in _FRAMEWORK_DETAILS:
        detail = _FRAMEWORK_DETAILS[detail]
    elif isinstance(detail, str) and detail.startswith(_MULTIPART_DETAILS):
        detail = "Formulaire multipart illisible ou trop grand (champs, fichiers ou taille)"
    return JSONResponse(
        status_code=exc.status_code,
        content={"detail": detail},
        headers=getattr(exc, "headers", None),
    )


# The one mapping of a use case's refusal (`servicekit.exceptions`) to an HTTP status; the
# first kind the refusal is an instance of wins.
_STATUTS: tuple[tuple[type[RefusMetier], int], ...] = (
    (Invalide, 422),
    (Introuvable, 404),
    (AccesRefuse, 403),
    (Conflit, 409),
    (VersionObsolete, 412),
    (Expire, 410),
    (Irrecevable, 422),
    (TropDeTentatives, 429),
)
_STATUTS_DEFAILLANCE: tuple[tuple[type[Defaillance], int], ...] = (
    (Indisponible, 503),
    (Incident, 500),
    (Perdu, 404),
)


def statut_http(exc: RefusMetier | Defaillance) -> int:
    if isinstance(exc, Defaillance):
        return next((s for kind, s in _STATUTS_DEFAILLANCE if isinstance(exc, kind)), 500)
    return next((statut for kind, statut in _STATUTS if isinstance(exc, kind)), 400)


async def refus_metier_handler(request: Request, exc: Exception) -> JSONResponse:
    """The one place where a use case's refusal or a part's failure (`servicekit.exceptions`)
    becomes HTTP; `create_app` registers it once for both."""
    assert isinstance(exc, RefusMetier | Defaillance)
    status = statut_http(exc)
    if exc.journal is not None:
        _log.error(exc.journal, path=request.url.path, erreur=str(exc))
    headers = None if exc.retry_after is None else {"Retry-After": str(exc.retry_after)}
    erreurs = getattr(exc, "erreurs", None)
    if erreurs is not None:
        items = [
            e.as_dict() if hasattr(e, "as_dict") else error_items([dict(e)])[0] for e in erreurs
        ]
        detail = getattr(exc, "detail", None) or "Données invalides"
        return JSONResponse(
            status_code=status,
            content={"detail": detail, "erreurs": items, **exc.complements()},
            headers=headers,
        )
    message = getattr(exc, "message", None)
    if not message and not isinstance(exc, VersionObsolete):
        message = str(exc)
    return JSONResponse(
        status_code=status,
        content={"detail": message or STATUS_FR.get(status, "Erreur"), **exc.complements()},
        headers=headers,
    )


def _english_phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
