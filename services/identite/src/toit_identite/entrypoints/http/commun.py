"""What the routes of /api/identite share: logging-in refusals in the OAuth2 format, the
unit of work and the service's context."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.responses import JSONResponse

from servicekit.errors import answering_route
from servicekit.http import runtime_of
from servicekit.uow import UnitOfWork
from toit_identite import service_layer as uc
from toit_identite.bootstrap import dependances
from toit_identite.domain.erreurs import GrantRefuse, Verrouille

PREFIX = "/api/identite"


def _grant_refuse(_request: Request, exc: GrantRefuse) -> Response:
    return JSONResponse(
        status_code=400,
        content={"error": "invalid_grant", "error_description": str(exc), "detail": str(exc)},
        headers={"Cache-Control": "no-store"},
    )


def _verrouille(_request: Request, exc: Verrouille) -> Response:
    minutes = max(1, round(exc.retry_after / 60))
    message = (
        "Trop de tentatives de connexion : connexion bloquée temporairement, "
        f"réessayez dans {minutes} minute(s)"
    )
    return JSONResponse(
        status_code=429,
        content={
            "error": "temporarily_unavailable",
            "error_description": message,
            "detail": message,
        },
        headers={"Retry-After": str(exc.retry_after)},
    )


# Logging-in refusals, in the OAuth2 format; servicekit answers the others.
RouteIdentite = answering_route(
    {
        GrantRefuse: _grant_refuse,
        Verrouille: _verrouille,
    }
)


def identite_of(request: Request) -> uc.contexte.Identite:
    return dependances(runtime_of(request)).contexte


async def unit_of_work(request: Request) -> Any:
    async with runtime_of(request).unit_of_work() as uow:
        yield uow


UoW = Annotated[UnitOfWork, Depends(unit_of_work)]
Ctx = Annotated[uc.contexte.Identite, Depends(identite_of)]
