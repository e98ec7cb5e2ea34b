"""What the HTTP modules of abonnements share: the answers to the domain's refusals, the
route class that gives them, the request dependencies."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.responses import JSONResponse

from servicekit.errors import answering_route, invalid
from servicekit.http import unit_of_work
from servicekit.uow import UnitOfWork
from toit_abonnements.bootstrap import Dependances, dependances_de
from toit_abonnements.domain.exceptions import (
    Conflit,
    CurseurExpire,
    HorsHabilitation,
    Introuvable,
    Invalide,
)

_NO_STORE = {"Cache-Control": "no-store"}


def _detail(status: int) -> Any:
    def answer(_request: Request, exc: Any) -> Response:
        return JSONResponse(status_code=status, content={"detail": exc.message})

    return answer


def _hors_habilitation(_request: Request, exc: HorsHabilitation) -> Response:
    return JSONResponse(status_code=403, content={"detail": exc.message, "partie": exc.partie})


def _invalide(_request: Request, exc: Invalide) -> Response:
    return invalid([{"champ": exc.champ, "message": exc.message, "code": "value_error"}])


def _conflit(_request: Request, exc: Conflit) -> Response:
    return JSONResponse(status_code=exc.statut, content={"detail": exc.message})


ROUTE = answering_route(
    {
        Introuvable: _detail(404),
        HorsHabilitation: _hors_habilitation,
        Invalide: _invalide,
        CurseurExpire: _detail(410),
        Conflit: _conflit,
    }
)

UoW = Annotated[UnitOfWork, Depends(unit_of_work)]
Deps = Annotated[Dependances, Depends(dependances_de)]
