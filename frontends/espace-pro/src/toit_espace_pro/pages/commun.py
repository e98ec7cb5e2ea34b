"""What every page module shares: answering the API's refusals as French pages."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import Request
from fastapi.responses import HTMLResponse
from toit_ui import WebUI, session_of

REFUS = {
    403: (
        "Accès refusé",
        "Votre habilitation ne permet pas cette action ou la consultation de ce dossier.",
    ),
    404: (
        "Dossier introuvable ou hors de votre périmètre",
        "Ce dossier n'existe pas, ou il n'est pas dans votre périmètre (département, "
        "communes ou EPCI de votre habilitation) : aucune donnée n'est affichée.",
    ),
    409: ("Action impossible", "Cette action n'est pas possible dans l'état actuel du dossier."),
    429: ("Trop de requêtes", "Réessayez dans une minute."),
}


def detail(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    value = body.get("detail") if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


def refus(ui: WebUI, request: Request, response: httpx.Response) -> HTMLResponse:
    """An error page for an API answer that is not a success (no data of the record)."""
    status = response.status_code
    titre, message = REFUS.get(
        status,
        (
            "Service momentanément indisponible",
            "Le service ne répond pas correctement : réessayez dans quelques instants.",
        ),
    )
    precision = detail(response) if status in (403, 409) else None
    return ui.render(
        request,
        "ui/erreur.html",
        {"titre": titre, "message": message + (f" ({precision})" if precision else "")},
        status_code=status if status < 500 else 503,
    )


def roles(request: Request) -> set[str]:
    user: dict[str, Any] = session_of(request).get("user") or {}
    return set(user.get("roles", []))
