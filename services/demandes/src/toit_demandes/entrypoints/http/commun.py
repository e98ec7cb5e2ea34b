"""What the routes of /api/demandes share: the caller's context and access checks, the
answer carrying a demande. Refusals and storage failures are answered by servicekit
(`servicekit.exceptions`: ChampsInterdits is an AccesRefuse, the storage's failures are
`Defaillance`s)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import structlog
from fastapi import (
    Depends,
)
from fastapi.responses import JSONResponse

import toit_demandes.service_layer as uc
from servicekit import authz_fields, http_toolkit
from servicekit.auth import Principal, authorize, may
from servicekit.http import unit_of_work
from servicekit.runtime import ServiceRuntime
from servicekit.uow import UnitOfWork
from toit_demandes.adapters.referentiel import referentiel
from toit_demandes.adapters.stockage import (
    Stockage,
)
from toit_demandes.bootstrap import dependances
from toit_demandes.domain.autorite import Autorite
from toit_demandes.domain.demande import (
    Demande,
    Intervenant,
    TypeIntervenant,
)
from toit_demandes.entrypoints import schemas as s

log = structlog.get_logger(__name__)

TAILLE_MAX_PIECE = 10 * 1024 * 1024
MERGE_PATCH = "application/merge-patch+json"


# --- helpers ----------------------------------------------------------------------------------


def contexte(principal: Principal) -> uc.commun.Contexte:
    if principal.kind == "demandeur":
        qui = Intervenant(TypeIntervenant.PORTAIL, principal.sub)
    else:
        qui = Intervenant(TypeIntervenant.AGENT, principal.sub, principal.organisation)
    return uc.commun.Contexte(qui, datetime.now(UTC))


def acces(principal: Principal, action: str) -> uc.commun.VerifierAcces:
    def verifier(demande: Demande) -> None:
        authorize(
            principal,
            action,
            departement=demande.departement,
            communes=demande.saisie.logement_recherche.communes,
            owner=demande.proprietaire,
        )

    return verifier


def autorite(principal: Principal) -> Autorite:
    """The fields the principal may write (servicekit.authz_fields)."""
    roles = principal.roles
    return Autorite(
        droit=lambda champ: authz_fields.droit(roles, champ),
        proprietaires=authz_fields.proprietaires,
        anteriorite_depot_jours=referentiel.anteriorite_depot_jours(),
    )


def voit_handicap(principal: Principal, demande: Demande) -> bool:
    return may(
        principal,
        "demande.handicap.lire",
        departement=demande.departement,
        communes=demande.saisie.logement_recherche.communes,
        owner=demande.proprietaire,
    )


def etag(demande: Demande) -> str:
    return http_toolkit.etag(demande.version)


def reponse(
    demande: Demande,
    principal: Principal,
    ctx: uc.commun.Contexte,
    *,
    status: int = 200,
    doublons: list[uc.doublons.Doublon] | None = None,
) -> JSONResponse:
    corps = s.demande_out(
        demande,
        uc.commun.derives(demande, ctx),
        voit_handicap=voit_handicap(principal, demande),
        doublons=doublons,
    )
    return JSONResponse(
        status_code=status,
        content=corps.model_dump(mode="json"),
        headers={"ETag": etag(demande), "Location": f"/api/demandes/{demande.id}"},
    )


def stockage(runtime: ServiceRuntime) -> Stockage:
    """The store of the pièces' files, as configured (TOIT_DEMANDES_STOCKAGE...)."""
    return dependances(runtime).stockage


Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
REPONSES: dict[int | str, dict[str, Any]] = {
    403: {
        "description": "Action non permise à votre rôle, ou champ qu'il n'écrit pas "
        "(chaque champ refusé est nommé ; rien n'est enregistré)"
    },
    404: {"description": "Demande introuvable (ou hors de votre périmètre)"},
    409: {"description": "Action impossible dans l'état de la demande"},
    422: {"description": "Données invalides : chaque erreur nomme son champ"},
}
