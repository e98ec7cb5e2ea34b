"""What the routes of /api/observatoire share: the router, the caller as a list user
(territory, nominative rights), the connection, SVG and PDF answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncConnection

from servicekit import authz
from servicekit.auth import Principal
from servicekit.http import runtime_of, unit_of_work
from servicekit.uow import UnitOfWork
from toit_observatoire.adapters import graphiques
from toit_observatoire.bootstrap import Dependances, dependances
from toit_observatoire.domain.listes import (
    Utilisateur,
)
from toit_observatoire.domain.perimetre import Perimetre

STATS = "statistiques.lire"


def nouveau_router() -> APIRouter:
    """A router of /api/observatoire; servicekit answers the domain's refusals in French
    (ListeIntrouvable, ModificationRefusee, VersionPerimee, RequeteInvalide,
    TerritoireInconnu derive from `servicekit.exceptions`)."""
    return APIRouter(prefix="/api/observatoire", tags=["observatoire"])


def deps_of(request: Request) -> Dependances:
    return dependances(runtime_of(request))


def utilisateur(principal: Principal) -> Utilisateur:
    scopes = authz.scopes_for(principal.roles, STATS)
    perimetre = Perimetre(
        principal.departements, principal.epcis, principal.communes, tout="tout" in scopes
    )
    return Utilisateur(
        sub=principal.sub,
        organisation=principal.organisation,
        perimetre=perimetre,
        nominatif_permis=bool(authz.scopes_for(principal.roles, "demande.lire")),
        roles=principal.roles,
    )


async def connexion(uow: UnitOfWork = Depends(unit_of_work)) -> AsyncIterator[AsyncConnection]:
    conn = await uow.session.connection()
    yield conn
    await uow.commit()


def svg(spec: dict[str, Any]) -> Response:
    return Response(
        graphiques.svg(spec), media_type="image/svg+xml", headers={"Cache-Control": "no-store"}
    )


def pdf(contenu: bytes, nom: str) -> Response:
    return Response(
        contenu,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{nom}"',
            "Cache-Control": "no-store",
        },
    )
