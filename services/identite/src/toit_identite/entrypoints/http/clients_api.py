"""HTTP routes of the API clients (OAuth2 client credentials) under /api/identite/clients.

The token itself is asked at POST /api/identite/token with grant_type=client_credentials
(entrypoints/http/jetons.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from servicekit.auth import Principal, require
from toit_identite.entrypoints.http.commun import PREFIX, UoW
from toit_identite.service_layer import clients_api as uc

router = APIRouter(prefix=f"{PREFIX}/clients", tags=["clients API"])

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
# The previous secret stays valid this long after a rotation.
RECOUVREMENT = timedelta(hours=24)


class ClientIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organisation_id: UUID = Field(description="Organisation partenaire du client")
    nom: str = Field(min_length=1, max_length=200, description="Nom du système du partenaire")


class ClientOut(BaseModel):
    client_id: str
    organisation_id: str
    nom: str
    cree_le: datetime
    revoque_le: datetime | None
    derniere_utilisation: datetime | None
    secret_precedent_jusqu_a: datetime | None = Field(
        description="Fin de validité de l'ancien secret après une rotation"
    )


class SecretOut(BaseModel):
    client: ClientOut
    client_secret: str = Field(description="Affiché une seule fois : conservez-le")


def _out(c: uc.ClientApi) -> ClientOut:
    return ClientOut(**c.__dict__)


def _secret(emis: uc.SecretEmis, status: int = 200) -> JSONResponse:
    body = SecretOut(client=_out(emis.client), client_secret=emis.client_secret)
    return JSONResponse(body.model_dump(mode="json"), status, headers=_NO_STORE)


ClientId = Annotated[str, Path(max_length=64, pattern=r"^cli_[0-9a-f]{24}$")]


@router.post("", status_code=201, response_model=SecretOut, summary="Créer un client API")
async def creer(
    body: ClientIn, uow: UoW, principal: Principal = Depends(require("client_api.gerer"))
) -> JSONResponse:
    return _secret(await uc.creer(uow, principal, str(body.organisation_id), body.nom), 201)


@router.get("", response_model=list[ClientOut], summary="Clients API")
async def lister(
    uow: UoW,
    principal: Principal = Depends(require("client_api.gerer")),
    organisation_id: UUID | None = None,
) -> list[ClientOut]:
    clients = await uc.lister(uow, principal, str(organisation_id) if organisation_id else None)
    return [_out(c) for c in clients]


@router.post(
    "/{client_id}/secret",
    response_model=SecretOut,
    summary="Nouveau secret ; l'ancien reste valable 24 h (rotation sans interruption)",
)
async def renouveler(
    client_id: ClientId, uow: UoW, principal: Principal = Depends(require("client_api.gerer"))
) -> JSONResponse:
    return _secret(await uc.renouveler_secret(uow, principal, client_id, RECOUVREMENT))


@router.post("/{client_id}/revocation", response_model=ClientOut, summary="Révoquer un client")
async def revoquer(
    client_id: ClientId, uow: UoW, principal: Principal = Depends(require("client_api.gerer"))
) -> ClientOut:
    return _out(await uc.revoquer(uow, principal, client_id))
