"""HTTP API of identite, under /api/identite."""

from __future__ import annotations

import base64
from datetime import date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import unquote
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Form, Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from servicekit import http_toolkit
from servicekit.auth import InvalidToken, Principal, public, require, verifier_of
from servicekit.errors import answering_route
from servicekit.exceptions import Introuvable, Invalide
from servicekit.http import runtime_of
from servicekit.uow import UnitOfWork
from toit_contracts.enums import MotifDesactivation, TypeOrganisation
from toit_contracts.types import CodeGuichet, CodeInsee, Departement, Email, Siren, SirenEpci
from toit_identite import service_layer as uc
from toit_identite.adapters import repository as repo
from toit_identite.domain.erreurs import GrantRefuse, Verrouille
from toit_identite.domain.model import Compte, Habilitation, Organisation

PREFIX = "/api/identite"


def _grant_refuse(_request: Request, exc: GrantRefuse) -> Response:
    return JSONResponse(
        status_code=400,
        content={"error": "invalid_grant", "error_description": str(exc), "detail": str(exc)},
        headers={"Cache-Control": "no-store"},
    )


def _verrouille(_request: Request, exc: Verrouille) -> Response:
    minutes = max(1, round(exc.retry_after / 60))
    message = (
        "Trop de tentatives de connexion : connexion bloquée temporairement, "
        f"réessayez dans {minutes} minute(s)"
    )
    return JSONResponse(
        status_code=429,
        content={
            "error": "temporarily_unavailable",
            "error_description": message,
            "detail": message,
        },
        headers={"Retry-After": str(exc.retry_after)},
    )


# Logging-in refusals, in the OAuth2 format; servicekit answers the others.
_Route = answering_route(
    {
        GrantRefuse: _grant_refuse,
        Verrouille: _verrouille,
    }
)


router = APIRouter(prefix=PREFIX, route_class=_Route)


def identite_of(request: Request) -> uc.contexte.Identite:
    ctx = runtime_of(request).state[uc.contexte.STATE_KEY]
    assert isinstance(ctx, uc.contexte.Identite)
    return ctx


async def unit_of_work(request: Request) -> Any:
    async with runtime_of(request).unit_of_work() as uow:
        yield uow


UoW = Annotated[UnitOfWork, Depends(unit_of_work)]
Ctx = Annotated[uc.contexte.Identite, Depends(identite_of)]


# --- Tokens ----------------------------------------------------------------------------------


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int = Field(description="Durée de validité du jeton d'accès, en secondes")
    refresh_token: str
    refresh_expires_in: int
    charte_a_accepter: bool = Field(
        description="Vrai tant que la charte déontologique en vigueur n'est pas acceptée : "
        "seules la charte et /moi sont servies"
    )


def _tokens(pair: uc.jetons.TokenPair) -> JSONResponse:
    body = TokenOut(
        access_token=pair.access_token,
        expires_in=pair.expires_in,
        refresh_token=pair.refresh_token,
        refresh_expires_in=pair.refresh_expires_in,
        charte_a_accepter=pair.charte_a_accepter,
    )
    return JSONResponse(
        body.model_dump(), headers={"Cache-Control": "no-store", "Pragma": "no-cache"}
    )


@router.post(
    "/token",
    response_model=TokenOut,
    summary="Obtenir un jeton (OAuth2)",
    dependencies=[Depends(public("connexion OAuth2"))],
)
async def token(
    request: Request,
    uow: UoW,
    ctx: Ctx,
    grant_type: Annotated[Literal["password", "refresh_token", "client_credentials"], Form()],
    username: Annotated[str | None, Form(max_length=254)] = None,
    password: Annotated[str | None, Form(max_length=256)] = None,
    refresh_token: Annotated[str | None, Form(max_length=128)] = None,
    client_id: Annotated[str | None, Form(max_length=64)] = None,
    client_secret: Annotated[str | None, Form(max_length=128)] = None,
) -> JSONResponse:
    """OAuth2: `grant_type=password` (identifiant or email, and password),
    `grant_type=refresh_token` (each refresh token is single-use: the answer carries the
    next one), or `grant_type=client_credentials` for a partner's API client
    (`client_id`/`client_secret` in the form or in HTTP Basic; no refresh token)."""
    if grant_type == "client_credentials":
        client_id, client_secret = _identifiants_client(request, client_id, client_secret)
        jeton = await uc.clients_api.client_credentials_grant(uow, ctx, client_id, client_secret)
        return JSONResponse(
            {
                "access_token": jeton.access_token,
                "token_type": "Bearer",
                "expires_in": jeton.expires_in,
            },
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )
    if grant_type == "password":
        if not username or not password:
            raise GrantRefuse("identifiant et mot de passe obligatoires")
        source = request.client.host if request.client else None
        return _tokens(await uc.jetons.password_grant(uow, ctx, username, password, source))
    if not refresh_token:
        raise GrantRefuse("refresh_token obligatoire")
    return _tokens(await uc.jetons.refresh_grant(uow, ctx, refresh_token))


def _identifiants_client(
    request: Request, client_id: str | None, client_secret: str | None
) -> tuple[str, str]:
    """client_id and client_secret from the form, or from HTTP Basic (RFC 6749 §2.3.1)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic ") and not (client_id or client_secret):
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
            identifiant, _, secret = decoded.partition(":")
            client_id, client_secret = unquote(identifiant)[:64], unquote(secret)[:128]
        except ValueError:
            raise GrantRefuse("en-tête Authorization Basic illisible") from None
    if not client_id or not client_secret:
        raise GrantRefuse("client_id et client_secret obligatoires")
    return client_id, client_secret


class DeconnexionIn(BaseModel):
    refresh_token: str = Field(max_length=128)


@router.post(
    "/deconnexion",
    status_code=204,
    summary="Se déconnecter (révoque la session)",
    dependencies=[Depends(public("révocation par le jeton de rafraîchissement"))],
)
async def deconnexion(
    body: DeconnexionIn,
    uow: UoW,
    request: Request,
    authorization: Annotated[str | None, Header(max_length=4096)] = None,
) -> Response:
    """The access token, when sent (`Authorization: Bearer`), is revoked with the
    session; without it, every access token of the account issued until now is."""
    access = None
    if authorization and authorization.lower().startswith("bearer "):
        try:
            access = await verifier_of(runtime_of(request)).verify(authorization[7:].strip())
        except InvalidToken:
            access = None
    await uc.jetons.logout(uow, body.refresh_token, access)
    return Response(status_code=204)


@router.get(
    "/jwks",
    summary="Clés publiques de signature des jetons (JWKS)",
    dependencies=[Depends(public("clés publiques"))],
)
async def jwks(uow: UoW, ctx: Ctx) -> JSONResponse:
    return JSONResponse(await uc.jetons.jwks(uow, ctx), headers={"Cache-Control": "max-age=60"})


# --- Current account -------------------------------------------------------------------------


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
    current = await uc.jetons.principal_of(uow, compte)
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
    await uc.demandeurs.change_password(
        uow, ctx, principal, body.mot_de_passe_actuel, body.nouveau_mot_de_passe
    )
    return Response(status_code=204)


# --- Charte ----------------------------------------------------------------------------------


class CharteOut(BaseModel):
    version: int
    texte: str
    publiee_le: datetime
    acceptee: bool


@router.get("/charte", response_model=CharteOut, summary="Charte déontologique en vigueur")
async def charte(uow: UoW, principal: Principal = Depends(require("charte.lire"))) -> CharteOut:
    current = await repo.current_charte(uow.session)
    if current is None:
        raise Introuvable()
    compte = await repo.get_compte(uow.session, principal.sub)
    return CharteOut(
        version=current["version"],
        texte=current["texte"],
        publiee_le=current["publiee_le"],
        acceptee=compte is not None and compte.charte_version == current["version"],
    )


class AcceptationIn(BaseModel):
    version: int = Field(ge=1)


@router.post("/charte/acceptation", summary="Accepter la charte déontologique")
async def accepter_charte(
    body: AcceptationIn, uow: UoW, principal: Principal = Depends(require("charte.accepter"))
) -> dict[str, Any]:
    await uc.charte.accept_charte(uow, principal, body.version)
    return {
        "version": body.version,
        "detail": "Charte acceptée : renouvelez votre jeton (grant_type=refresh_token)",
    }


class NouvelleCharteIn(BaseModel):
    texte: str = Field(min_length=20, max_length=50_000)


@router.post(
    "/chartes",
    status_code=201,
    summary="Publier une nouvelle version de la charte (à accepter par tous)",
)
async def publier_charte(
    body: NouvelleCharteIn, uow: UoW, principal: Principal = Depends(require("charte.gerer"))
) -> dict[str, int]:
    return {"version": await uc.charte.publish_charte(uow, principal, body.texte)}


# --- Organisations ---------------------------------------------------------------------------


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
        await uc.organisations.create_organisation(uow, principal, organisation)
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
        _organisation_out(o) for o in await uc.organisations.visible_organisations(uow, principal)
    ]


@router.get(
    "/organisations/{organisation_id}", response_model=OrganisationOut, summary="Une organisation"
)
async def organisation(
    organisation_id: UUID, uow: UoW, principal: Principal = Depends(require("organisation.lire"))
) -> JSONResponse:
    o = await uc.organisations.read_organisation(uow, principal, str(organisation_id))
    return JSONResponse(
        _organisation_out(o).model_dump(mode="json"),
        headers={"ETag": http_toolkit.etag(o.version)},
    )


# --- Professional accounts -------------------------------------------------------------------


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
    return _with_etag(await uc.comptes.create_agent(uow, ctx, principal, nouveau), 201)


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
    found = await uc.comptes.visible_comptes(
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
    return _with_etag(await uc.comptes.read_compte(uow, principal, str(compte_id)))


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
    return _with_etag(await uc.comptes.disable_by_admin(uow, principal, str(compte_id), body.motif))


@router.post(
    "/comptes/{compte_id}/reactivation",
    response_model=CompteOut,
    summary="Réactiver un compte désactivé",
)
async def reactiver(
    compte_id: UUID, uow: UoW, principal: Principal = Depends(require("compte.gerer"))
) -> JSONResponse:
    return _with_etag(await uc.comptes.reactivate_by_admin(uow, principal, str(compte_id)))


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
    rows = await uc.comptes.habilitation_journal(uow, principal, str(compte_id))
    return [
        JournalOut(
            date=repo.utc(r["at"]) or r["at"],
            auteur=r["auteur_id"],
            operation=r["operation"],
            details=r["details"],
        )
        for r in rows
    ]


# --- Applicants and emailed links ------------------------------------------------------------

_SENT = {"detail": "Si l'adresse est valide, un courriel vient d'être envoyé"}


class InscriptionIn(BaseModel):
    email: Email
    mot_de_passe: str = Field(max_length=256)
    nom: str | None = Field(default=None, max_length=100)
    prenom: str | None = Field(default=None, max_length=100)


@router.post(
    "/demandeurs",
    status_code=202,
    summary="Créer un compte demandeur (un lien d'activation est envoyé)",
    dependencies=[Depends(public("inscription d'un demandeur"))],
)
async def inscription(body: InscriptionIn, uow: UoW, ctx: Ctx) -> dict[str, str]:
    await uc.demandeurs.register_demandeur(
        uow, ctx, body.email, body.mot_de_passe, body.nom, body.prenom
    )
    return _SENT


class ActivationIn(BaseModel):
    jeton: str = Field(min_length=10, max_length=128)
    mot_de_passe: str | None = Field(
        default=None,
        max_length=256,
        description="Obligatoire pour un compte professionnel (il choisit son mot de passe)",
    )


@router.post(
    "/activation",
    status_code=204,
    summary="Activer un compte par le lien reçu",
    dependencies=[Depends(public("lien d'activation à usage unique"))],
)
async def activation(body: ActivationIn, uow: UoW, ctx: Ctx) -> Response:
    await uc.demandeurs.activate(uow, ctx, body.jeton, body.mot_de_passe)
    return Response(status_code=204)


class OubliIn(BaseModel):
    identifiant: str = Field(min_length=3, max_length=254, description="Identifiant ou courriel")


@router.post(
    "/mot-de-passe/oubli",
    status_code=202,
    summary="Mot de passe oublié : recevoir un lien de réinitialisation",
    dependencies=[Depends(public("mot de passe oublié"))],
)
async def oubli(body: OubliIn, uow: UoW, ctx: Ctx) -> dict[str, str]:
    await uc.demandeurs.forgotten_password(uow, ctx, body.identifiant)
    return _SENT


class ReinitialisationIn(BaseModel):
    jeton: str = Field(min_length=10, max_length=128)
    mot_de_passe: str = Field(max_length=256)


@router.post(
    "/mot-de-passe/reinitialisation",
    status_code=204,
    summary="Choisir un nouveau mot de passe avec le lien reçu",
    dependencies=[Depends(public("lien de réinitialisation à usage unique"))],
)
async def reinitialisation(body: ReinitialisationIn, uow: UoW, ctx: Ctx) -> Response:
    await uc.demandeurs.reset_password(uow, ctx, body.jeton, body.mot_de_passe)
    return Response(status_code=204)
