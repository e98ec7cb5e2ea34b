"""What the matching HTTP modules share: the domain-refusal answers (French), the route
class, the dependencies (unit of work, typed dependencies) and the If-Match reading."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from servicekit.errors import answering_route, invalid
from servicekit.http import runtime_of, unit_of_work
from servicekit.uow import UnitOfWork
from toit_matching.bootstrap import Dependances, dependances
from toit_matching.domain.erreurs import (
    AccesRefuse,
    ConfigurationManquante,
    Conflit,
    DonneesInvalides,
    ErreurChamp,
    Introuvable,
    VersionPerimee,
)

RouteMatching = answering_route(
    {
        DonneesInvalides: lambda _r, exc: invalid([e.as_dict() for e in exc.erreurs]),
        Introuvable: lambda _r, exc: JSONResponse(status_code=404, content={"detail": exc.message}),
        AccesRefuse: lambda _r, exc: JSONResponse(status_code=403, content={"detail": exc.message}),
        Conflit: lambda _r, exc: JSONResponse(status_code=409, content={"detail": exc.message}),
        VersionPerimee: lambda _r, exc: JSONResponse(
            status_code=412, content={"detail": exc.message}
        ),
        ConfigurationManquante: lambda _r, exc: JSONResponse(
            status_code=422, content={"detail": exc.message}
        ),
    }
)

NO_STORE = {"Cache-Control": "no-store"}

Uow = Annotated[UnitOfWork, Depends(unit_of_work)]


def deps_of(request: Request) -> Dependances:
    return dependances(runtime_of(request))


Deps = Annotated[Dependances, Depends(deps_of)]


def version_attendue(if_match: str | None) -> int | None:
    if if_match is None:
        return None
    texte = if_match.strip().removeprefix("W/").strip('"')
    try:
        return int(texte)
    except ValueError:
        raise DonneesInvalides(
            [ErreurChamp("If-Match", 'version attendue entre guillemets, par exemple "3"')]
        ) from None
