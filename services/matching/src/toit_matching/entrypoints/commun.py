"""What the matching HTTP modules share: the dependencies (unit of work, typed
dependencies). The domain's refusals (domain/erreurs.py) are answered by servicekit,
If-Match is read by servicekit.http_toolkit."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from servicekit.http import runtime_of, unit_of_work
from servicekit.uow import UnitOfWork
from toit_matching.bootstrap import Dependances, dependances

NO_STORE = {"Cache-Control": "no-store"}

Uow = Annotated[UnitOfWork, Depends(unit_of_work)]


def deps_of(request: Request) -> Dependances:
    return dependances(runtime_of(request))


Deps = Annotated[Dependances, Depends(deps_of)]
