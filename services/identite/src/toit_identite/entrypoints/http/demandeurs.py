"""Applicants and emailed links: registration, activation, forgotten password, reset."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from servicekit.auth import public
from toit_contracts.types import Email
from toit_identite import service_layer as uc
from toit_identite.entrypoints.http.commun import PREFIX, Ctx, UoW

router = APIRouter(prefix=PREFIX)


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
    await uc.demandeurs.inscrire_demandeur(
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
    await uc.demandeurs.activer(uow, ctx, body.jeton, body.mot_de_passe)
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
    await uc.demandeurs.mot_de_passe_oublie(uow, ctx, body.identifiant)
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
    await uc.demandeurs.reinitialiser_mot_de_passe(uow, ctx, body.jeton, body.mot_de_passe)
    return Response(status_code=204)
