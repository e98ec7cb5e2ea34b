"""Organisations: create, list, read."""

from __future__ import annotations

from uuid import UUID, uuid4

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from servicekit import http_toolkit
from servicekit.auth import Principal, require
from servicekit.exceptions import Invalide
from toit_contracts.enums import TypeOrganisation
from toit_contracts.types import CodeGuichet, Departement, Siren
from toit_identite import service_layer as uc
from toit_identite.domain.model import Organisation
from toit_identite.entrypoints.http.commun import PREFIX, UoW

router = APIRouter(prefix=PREFIX)


class OrganisationIn(BaseModel):
    nom: str = Field(min_length=2, max_length=200)
    type: TypeOrganisation
    siren: Siren | None = None
    departements: list[Departement] = Field(min_length=1, max_length=20)
    guichet_enregistreur: bool = False
    reservataire: bool = False
    bailleur: bool = False
    code_guichet: CodeGuichet | None = None


class OrganisationOut(OrganisationIn):
    id: str


def _organisation_out(o: Organisation) -> OrganisationOut:
    return OrganisationOut(
        id=o.id,
        nom=o.nom,
        type=o.type,
        siren=o.siren,
        departements=o.departements,
        guichet_enregistreur=o.guichet_enregistreur,
        reservataire=o.reservataire,
        bailleur=o.bailleur,
        code_guichet=o.code_guichet,
    )


@router.post(
    "/organisations",
    status_code=201,
    response_model=OrganisationOut,
    summary="Créer une organisation partenaire",
)
async def creer_organisation(
    body: OrganisationIn, uow: UoW, principal: Principal = Depends(require("organisation.gerer"))
) -> OrganisationOut:
    if body.guichet_enregistreur and not body.code_guichet:
        raise Invalide([("code_guichet", "obligatoire pour un guichet enregistreur")])
    organisation = Organisation(id=str(uuid4()), **body.model_dump())
    return _organisation_out(
        await uc.organisations.creer_organisation(uow, principal, organisation)
    )


class OrganisationModification(BaseModel):
    """JSON merge patch of an organisation: only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    nom: str | None = Field(default=None, min_length=2, max_length=200)
    departements: list[Departement] | None = Field(default=None, min_length=1, max_length=20)
    guichet_enregistreur: bool | None = None
    reservataire: bool | None = None
    bailleur: bool | None = None


@router.patch(
    "/organisations/{organisation_id}",
    response_model=OrganisationOut,
    responses=http_toolkit.REPONSES_IF_MATCH,
    summary="Modifier une organisation (If-Match) ; publie organisation.modifiee",
)
async def modifier_organisation(
    organisation_id: UUID,
    body: OrganisationModification,
    uow: UoW,
    if_match: http_toolkit.IfMatch = None,
    principal: Principal = Depends(require("organisation.gerer")),
) -> JSONResponse:
    version = http_toolkit.required_version(if_match)
    organisation = await uc.organisations.modifier_organisation(
        uow, principal, str(organisation_id), version, body.model_dump(exclude_none=True)
    )
    return JSONResponse(
        _organisation_out(organisation).model_dump(mode="json"),
        headers={"ETag": http_toolkit.etag(organisation.version)},
    )


@router.get(
    "/organisations", response_model=list[OrganisationOut], summary="Organisations de mon périmètre"
)
async def organisations(
    uow: UoW, principal: Principal = Depends(require("organisation.lire"))
) -> list[OrganisationOut]:
    return [
        _organisation_out(o) for o in await uc.organisations.organisations_visibles(uow, principal)
    ]


@router.get(
    "/organisations/{organisation_id}", response_model=OrganisationOut, summary="Une organisation"
)
async def organisation(
    organisation_id: UUID, uow: UoW, principal: Principal = Depends(require("organisation.lire"))
) -> JSONResponse:
    o = await uc.organisations.lire_organisation(uow, principal, str(organisation_id))
    return JSONResponse(
        _organisation_out(o).model_dump(mode="json"),
        headers={"ETag": http_toolkit.etag(o.version)},
    )
