"""What the HTTP modules of abonnements share: the request dependencies. The domain's
refusals (domain/exceptions.py) are answered by servicekit."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from servicekit.http import unit_of_work
from servicekit.uow import UnitOfWork
from toit_abonnements.bootstrap import Dependances, dependances_de

_NO_STORE = {"Cache-Control": "no-store"}


UoW = Annotated[UnitOfWork, Depends(unit_of_work)]
Deps = Annotated[Dependances, Depends(dependances_de)]
