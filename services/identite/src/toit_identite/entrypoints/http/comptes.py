"""The current account (/moi, its password) and the professional accounts: creation,
habilitations, deactivation, journal."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from servicekit import http_toolkit
from servicekit.auth import Principal, require
from servicekit.exceptions import Introuvable
from toit_contracts.enums import MotifDesactivation
from toit_contracts.types import CodeInsee, Departement, Email, SirenEpci
from toit_identite import service_layer as uc
from toit_identite.adapters import repository as repo
from toit_identite.domain.model import Compte, Habilitation
from toit_identite.entrypoints.http.commun import PREFIX, Ctx, UoW

router = APIRouter(prefix=PREFIX)


class OrganisationResume(BaseModel):
    id: str
    nom: str
    type: str


class MoiOut(BaseModel):
    id: str
    type_compte: str
    identifiant: str
    email: str
    nom: str | None
    prenom: str | None
    organisation: OrganisationResume | None
    roles: list[str]
    departements: list[str]
    epcis: list[str]
    communes: list[str]
    guichet: str | None
    valide_jusqu_au: date | None
    derniere_connexion: datetime | None
    charte_a_accepter: bool


@router.get("/moi", response_model=MoiOut, summary="Mon compte")
async def moi(uow: UoW, principal: Principal = Depends(require("compte.moi"))) -> MoiOut:
    compte = await repo.get_compte(uow.session, principal.sub)
    if compte is None:
        raise Introuvable()
    organisation = (
        await repo.get_organisation(uow.session, compte.organisation_id)
        if compte.organisation_id
        else None
    )
    current = await uc.jetons.principal_de(uow, compte)
    return MoiOut(
        id=compte.id,
        type_compte=compte.kind.value,
        identifiant=compte.identifiant,
        email=compte.email,
        nom=compte.nom,
        prenom=compte.prenom,
        organisation=OrganisationResume(
            id=organisation.id, nom=organisation.nom, type=organisation.type.value
        )
        if organisation
        else None,
        roles=compte.roles,
        departements=compte.departements,
        epcis=compte.epcis,
        communes=compte.communes,
        guichet=current.guichet,
        valide_jusqu_au=compte.valide_jusqu_au,
        derniere_connexion=compte.derniere_connexion,
        charte_a_accepter=not current.charte_acceptee,
    )


class ChangementMotDePasseIn(BaseModel):
    mot_de_passe_actuel: str = Field(max_length=256)
    nouveau_mot_de_passe: str = Field(max_length=256)


@router.post("/moi/mot-de-passe", status_code=204, summary="Changer mon mot de passe")
async def changer_mot_de_passe(
    body: ChangementMotDePasseIn,
    uow: UoW,
    ctx: Ctx,
    principal: Principal = Depends(require("compte.moi")),
) -> Response:
    await uc.demandeurs.changer_mot_de_passe(
        uow, ctx, principal, body.mot_de_passe_actuel, body.nouveau_mot_de_passe
    )
    return Response(status_code=204)


class SuppressionIn(BaseModel):
    mot_de_passe: str = Field(max_length=256, description="Confirmation par le mot de passe")


@router.post(
    "/moi/suppression",
    status_code=204,
    summary="Supprimer mon compte demandeur (la demande de logement n'est pas supprimée)",
)
async def supprimer_mon_compte(
    body: SuppressionIn,
    uow: UoW,
    ctx: Ctx,
    principal: Principal = Depends(require("compte.moi")),
) -> Response:
    await uc.demandeurs.supprimer_compte(uow, ctx, principal, body.mot_de_passe)
    return Response(status_code=204)


class HabilitationIn(BaseModel):
    roles: list[str] = Field(min_length=1, max_length=10)
    departements: list[Departement] = Field(min_length=1, max_length=20)
    epcis: list[SirenEpci] = Field(default_factory=list, max_length=50)
    communes: list[CodeInsee] = Field(default_factory=list, max_length=500)
    valide_du: date | None = None
    valide_jusqu_au: date | None = None

    def habilitation(self) -> Habilitation:
        return Habilitation(
            frozenset(self.roles),
            frozenset(self.departements),
            frozenset(self.epcis),
            frozenset(self.communes),
        )


class CompteIn(HabilitationIn):
    identifiant: str = Field(min_length=3, max_length=100, pattern=r"^[A-Za-z0-9._@-]+$")
    email: Email
    nom: str = Field(min_length=1, max_length=100)
    prenom: str = Field(min_length=1, max_length=100)
    organisation_id: UUID


class CompteOut(BaseModel):
    id: str
    identifiant: str
    email: str
    nom: str | None
    prenom: str | None
    organisation_id: str | None
    roles: list[str]
    departements: list[str]
    epcis: list[str]
    communes: list[str]
    valide_du: date | None
    valide_jusqu_au: date | None
    statut: str
    motif_desactivation: str | None
    derniere_connexion: datetime | None
    cree_le: datetime | None
    version: int


def _compte_out(c: Compte) -> CompteOut:
    return CompteOut(
        id=c.id,
        identifiant=c.identifiant,
        email=c.email,
        nom=c.nom,
        prenom=c.prenom,
        organisation_id=c.organisation_id,
        roles=c.roles,
        departements=c.departements,
        epcis=c.epcis,
        communes=c.communes,
        valide_du=c.valide_du,
        valide_jusqu_au=c.valide_jusqu_au,
        statut=c.statut.value,
        motif_desactivation=c.motif_desactivation,
        derniere_connexion=c.derniere_connexion,
        cree_le=c.cree_le,
        version=c.version,
    )


def _with_etag(compte: Compte, status: int = 200) -> JSONResponse:
    return JSONResponse(
        _compte_out(compte).model_dump(mode="json"),
        status_code=status,
        headers={"ETag": http_toolkit.etag(compte.version)},
    )


@router.post(
    "/comptes",
    status_code=201,
    response_model=CompteOut,
    summary="Créer un compte professionnel (un lien d'activation est envoyé)",
)
async def creer_compte(
    body: CompteIn, uow: UoW, ctx: Ctx, principal: Principal = Depends(require("compte.gerer"))
) -> JSONResponse:
    nouveau = uc.comptes.NouveauCompte(
        identifiant=body.identifiant,
        email=body.email,
        nom=body.nom,
        prenom=body.prenom,
        organisation_id=str(body.organisation_id),
        habilitation=body.habilitation(),
        valide_du=body.valide_du,
        valide_jusqu_au=body.valide_jusqu_au,
    )
    return _with_etag(await uc.comptes.creer_agent(uow, ctx, principal, nouveau), 201)


@router.get(
    "/comptes",
    response_model=list[CompteOut],
    summary="Comptes de mon périmètre, avec leur dernière connexion (revue)",
)
async def comptes(
    uow: UoW,
    organisation_id: UUID | None = None,
    statut: Literal["A_ACTIVER", "ACTIF", "DESACTIVE"] | None = None,
    principal: Principal = Depends(require("compte.lire")),
) -> list[CompteOut]:
    found = await uc.comptes.comptes_visibles(
        uow,
        principal,
        organisation_id=str(organisation_id) if organisation_id else None,
        statut=statut,
    )
    return [_compte_out(c) for c in found]


@router.get("/comptes/{compte_id}", response_model=CompteOut, summary="Un compte")
async def compte(
    compte_id: UUID, uow: UoW, principal: Principal = Depends(require("compte.lire"))
) -> JSONResponse:
    return _with_etag(await uc.comptes.lire_compte(uow, principal, str(compte_id)))


@router.put(
    "/comptes/{compte_id}/habilitation",
    response_model=CompteOut,
    responses=http_toolkit.REPONSES_IF_MATCH,
    summary="Changer les rôles, le périmètre et la validité d'un compte (If-Match)",
)
async def modifier_habilitation(
    compte_id: UUID,
    body: HabilitationIn,
    uow: UoW,
    if_match: http_toolkit.IfMatch = None,
    principal: Principal = Depends(require("compte.gerer")),
) -> JSONResponse:
    version = http_toolkit.required_version(if_match)
    change = uc.comptes.ModificationHabilitation(
        body.habilitation(), body.valide_du, body.valide_jusqu_au
    )
    updated = await uc.habilitations.modifier(uow, principal, str(compte_id), version, change)
    return _with_etag(updated)


class DesactivationIn(BaseModel):
    motif: MotifDesactivation = MotifDesactivation.DEMANDE_ADMINISTRATEUR


@router.post(
    "/comptes/{compte_id}/desactivation",
    response_model=CompteOut,
    summary="Désactiver un compte (ses sessions sont révoquées)",
)
async def desactiver(
    compte_id: UUID,
    body: DesactivationIn,
    uow: UoW,
    principal: Principal = Depends(require("compte.gerer")),
) -> JSONResponse:
    return _with_etag(
        await uc.comptes.desactiver_par_gestionnaire(uow, principal, str(compte_id), body.motif)
    )


@router.post(
    "/comptes/{compte_id}/reactivation",
    response_model=CompteOut,
    summary="Réactiver un compte désactivé",
)
async def reactiver(
    compte_id: UUID, uow: UoW, principal: Principal = Depends(require("compte.gerer"))
) -> JSONResponse:
    return _with_etag(await uc.comptes.reactiver_par_gestionnaire(uow, principal, str(compte_id)))


class JournalOut(BaseModel):
    date: datetime
    auteur: str | None = Field(description="Compte qui a agi ; absent : le système")
    operation: str
    details: dict[str, Any]


@router.get(
    "/comptes/{compte_id}/journal",
    response_model=list[JournalOut],
    summary="Attributions et retraits de droits du compte, avec leur auteur",
)
async def journal(
    compte_id: UUID, uow: UoW, principal: Principal = Depends(require("compte.lire"))
) -> list[JournalOut]:
    rows = await uc.comptes.journal_habilitations(uow, principal, str(compte_id))
    return [
        JournalOut(
            date=repo.utc(r["at"]) or r["at"],
            auteur=r["auteur_id"],
            operation=r["operation"],
            details=r["details"],
        )
        for r in rows
    ]
