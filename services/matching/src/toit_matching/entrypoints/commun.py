"""What the matching HTTP modules share: the dependencies (unit of work, typed
dependencies) and the If-Match reading. The domain's refusals (domain/erreurs.py) are
answered by servicekit."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from servicekit.http import runtime_of, unit_of_work
from servicekit.uow import UnitOfWork
from toit_matching.bootstrap import Dependances, dependances
from toit_matching.domain.erreurs import (
    DonneesInvalides,
    ErreurChamp,
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
