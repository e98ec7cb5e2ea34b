"""Routes with no gestionnaire behind them: a partner's pull feed, the public
documentation of the profiles, and the demo sandbox receiver."""

from __future__ import annotations

import json
from collections import deque
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from servicekit.auth import Principal, public, require
from toit_abonnements.bootstrap import Dependances
from toit_abonnements.domain.exceptions import (
    Introuvable,
)
from toit_abonnements.entrypoints.commun import _NO_STORE, Deps, UoW
from toit_abonnements.service_layer import flux as uc_flux
from toit_contracts.profils import COMPLEMENTS, PROFILS, schema_enveloppe

router = APIRouter()

# --- Pull feed --------------------------------------------------------------------------------


@router.get(
    "/flux",
    summary="Flux d'un abonnement : CloudEvents dans l'ordre, depuis un curseur",
    responses={410: {"description": "Curseur hors de la durée de conservation"}},
)
async def flux(
    uow: UoW,
    deps: Deps,
    principal: Principal = Depends(require("abonnement.flux")),
    abonnement: UUID | None = None,
    apres: Annotated[str | None, Query(max_length=512, pattern=r"^[A-Za-z0-9_-]+$")] = None,
    limite: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    page = await uc_flux.lire(
        uow,
        organisation_id=principal.organisation,
        abonnement_id=str(abonnement) if abonnement else None,
        apres=apres,
        limite=limite,
        cle=deps.cle_curseurs,
        retention_jours=deps.settings.abonnements_retention_jours,
    )
    # The logged CloudEvents are inserted as they are (no re-serialisation).
    body = (
        '{"abonnement":'
        + json.dumps(page.abonnement_id)
        + ',"evenements":['
        + ",".join(page.enveloppes)
        + "]"
        + ',"curseur_suivant":'
        + json.dumps(page.curseur_suivant)
        + ',"encore":'
        + ("true" if page.encore else "false")
        + "}"
    )
    return Response(body.encode(), media_type="application/json", headers=_NO_STORE)


# --- Public documentation ---------------------------------------------------------------------


@router.get("/profils", summary="Profils de données proposés aux partenaires")
async def profils(_: None = Depends(public("documentation des profils"))) -> list[dict[str, Any]]:
    return [
        {
            "code": p.code,
            "version": p.version,
            "libelle": p.libelle,
            "description": p.description,
            "dataschema": p.dataschema,
            "evenements": list(p.evenements),
            "complements": [{"code": c, "libelle": COMPLEMENTS[c].libelle} for c in p.complements],
        }
        for p in PROFILS.values()
    ]


@router.get(
    "/profils/{code}/schemas/{event_type}",
    summary="Schéma JSON d'un événement livré avec ce profil",
)
async def schema(
    code: Annotated[str, Path(max_length=32)],
    event_type: Annotated[str, Path(max_length=64)],
    complements: Annotated[list[str] | None, Query(max_length=5)] = None,
    _: None = Depends(public("documentation des profils")),
) -> dict[str, Any]:
    p = PROFILS.get(code)
    if p is None or event_type not in p.evenements:
        raise Introuvable("Profil ou type d'événement inconnu")
    return schema_enveloppe(event_type, p, complements or ())


# --- Demo sandbox -----------------------------------------------------------------------------

_BAC_A_SABLE: dict[str, deque[dict[str, Any]]] = {}


def _demo(deps: Dependances) -> None:
    if deps.settings.mode != "demo":
        raise Introuvable("Bac à sable disponible en mode démo seulement")


@router.post(
    "/bac-a-sable/{cle}",
    status_code=204,
    summary="Démo : point de réception de test pour un webhook",
)
async def bac_a_sable_recevoir(
    cle: Annotated[str, Path(max_length=64)],
    request: Request,
    deps: Deps,
    _: None = Depends(public("bac à sable de démonstration")),
) -> Response:
    _demo(deps)
    corps = await request.body()
    recus = _BAC_A_SABLE.setdefault(cle, deque(maxlen=50))
    recus.appendleft(
        {
            "webhook-id": request.headers.get("webhook-id"),
            "webhook-timestamp": request.headers.get("webhook-timestamp"),
            "webhook-signature": request.headers.get("webhook-signature"),
            "corps": corps[:65536].decode(errors="replace"),
        }
    )
    return Response(status_code=204)


@router.get("/bac-a-sable/{cle}", summary="Démo : ce que le point de réception a reçu")
async def bac_a_sable_lire(
    cle: Annotated[str, Path(max_length=64)],
    deps: Deps,
    _: None = Depends(public("bac à sable de démonstration")),
) -> list[dict[str, Any]]:
    _demo(deps)
    return list(_BAC_A_SABLE.get(cle, ()))
