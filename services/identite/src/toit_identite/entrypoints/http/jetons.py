"""Logging in (OAuth2 token endpoint), logging out, the public signing keys (JWKS)."""

from __future__ import annotations

import base64
from typing import Annotated, Literal
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Form, Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from servicekit.auth import InvalidToken, public, verifier_of
from servicekit.http import runtime_of
from toit_identite import service_layer as uc
from toit_identite.domain.erreurs import GrantRefuse
from toit_identite.entrypoints.http.commun import PREFIX, Ctx, UoW

router = APIRouter(prefix=PREFIX)


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
        jeton = await uc.clients_api.octroi_identifiants_client(uow, ctx, client_id, client_secret)
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
        return _tokens(await uc.jetons.octroi_mot_de_passe(uow, ctx, username, password, source))
    if not refresh_token:
        raise GrantRefuse("refresh_token obligatoire")
    return _tokens(await uc.jetons.octroi_rafraichissement(uow, ctx, refresh_token))


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
    await uc.jetons.deconnecter(uow, body.refresh_token, access)
    return Response(status_code=204)


@router.get(
    "/jwks",
    summary="Clés publiques de signature des jetons (JWKS)",
    dependencies=[Depends(public("clés publiques"))],
)
async def jwks(uow: UoW, ctx: Ctx) -> JSONResponse:
    return JSONResponse(await uc.jetons.jwks(uow, ctx), headers={"Cache-Control": "max-age=60"})
