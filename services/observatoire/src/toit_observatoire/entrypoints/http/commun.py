"""What the routes of /api/observatoire share: the router with its answers to domain
exceptions, the caller as a list user (territory, nominative rights), the connection,
SVG and PDF answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncConnection

from servicekit import authz
from servicekit.auth import Principal
from servicekit.errors import answering_route, invalid
from servicekit.http import runtime_of, unit_of_work
from servicekit.uow import UnitOfWork
from toit_observatoire.adapters import graphiques
from toit_observatoire.bootstrap import Dependances, dependances
from toit_observatoire.domain.listes import (
    ListeIntrouvable,
    ModificationRefusee,
    Utilisateur,
    VersionPerimee,
)
from toit_observatoire.domain.perimetre import Perimetre
from toit_observatoire.domain.requetes import RequeteInvalide
from toit_observatoire.service_layer import (
    indicateurs,
)

STATS = "statistiques.lire"


def _requete_invalide(_request: Request, exc: RequeteInvalide) -> Response:
    return invalid(
        [{"champ": f"definition.{exc.champ}", "message": exc.message, "code": "requete_invalide"}],
        detail="Définition de liste invalide",
    )


def _status(status: int, detail: str) -> Any:
    return lambda _request, _exc: JSONResponse(status_code=status, content={"detail": detail})


def _territoire_invalide(_request: Request, exc: indicateurs.TerritoireInconnu) -> Response:
    return invalid([{"champ": "code", "message": exc.message, "code": "territoire_inconnu"}])


def nouveau_router() -> APIRouter:
    """A router of /api/observatoire answering the domain exceptions in French."""
    return APIRouter(
        prefix="/api/observatoire",
        tags=["observatoire"],
        route_class=answering_route(
            {
                RequeteInvalide: _requete_invalide,
                indicateurs.TerritoireInconnu: _territoire_invalide,
                ListeIntrouvable: _status(404, "Liste introuvable"),
                ModificationRefusee: _status(
                    403, "Accès refusé : seul le propriétaire (ou un destinataire autorisé) modifie"
                ),
                VersionPerimee: _status(
                    412, "La liste a été modifiée entre-temps : rechargez-la avant de la modifier"
                ),
            }
        ),
    )


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
