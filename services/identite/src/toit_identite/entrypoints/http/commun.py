"""What the routes of /api/identite share: the unit of work and the service's context.
Logging-in refusals (domain/erreurs.py) are answered by servicekit, in the OAuth2 format."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from servicekit.http import runtime_of
from servicekit.uow import UnitOfWork
from toit_identite import service_layer as uc
from toit_identite.bootstrap import dependances

PREFIX = "/api/identite"


def identite_of(request: Request) -> uc.contexte.Identite:
    return dependances(runtime_of(request)).contexte


async def unit_of_work(request: Request) -> Any:
    async with runtime_of(request).unit_of_work() as uow:
        yield uow


UoW = Annotated[UnitOfWork, Depends(unit_of_work)]
Ctx = Annotated[uc.contexte.Identite, Depends(identite_of)]
