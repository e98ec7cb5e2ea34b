"""HTTP API of identite, under /api/identite, one module per sub-domain (the same as the
service layer's): `jetons`, `comptes`, `charte`, `organisations`, `demandeurs`, `clients_api`; what
the routes share is in `commun`."""

from fastapi import APIRouter

from toit_identite.entrypoints.http import (
    charte,
    clients_api,
    comptes,
    demandeurs,
    jetons,
    organisations,
)
from toit_identite.entrypoints.http.commun import PREFIX, Ctx, UoW

router = APIRouter()
for _module in (jetons, comptes, charte, organisations, demandeurs, clients_api):
    router.include_router(_module.router)

__all__ = ["PREFIX", "Ctx", "UoW", "router"]
