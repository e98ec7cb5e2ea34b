"""One demande: create, read (traced), who read it, edit (merge patch, If-Match), correct
the date de dépôt, historique."""

from __future__ import annotations

import json
from typing import Annotated
from uuid import UUID

from fastapi import (
    APIRouter,
    Depends,
    Query,
    Request,
)
from fastapi.responses import JSONResponse

import toit_demandes.service_layer as uc
from servicekit import http_toolkit
from servicekit.audit import (
    ConsultationDemandeur,
    ConsultationFilter,
    consultations_pour_le_demandeur,
    query_consultations,
    record_consultation,
)
from servicekit.auth import Principal, require
from toit_contracts.enums import CanalDepot
from toit_demandes.adapters.repository import (
    DemandeRepository,
    PieceRepository,
)
from toit_demandes.domain.saisie import DemandeSaisie
from toit_demandes.domain.verifications import DonneesInvalides, Erreur
from toit_demandes.entrypoints import schemas as s
from toit_demandes.entrypoints.http.commun import (
    MERGE_PATCH,
    REPONSES,
    Uow,
    acces,
    autorite,
    contexte,
    reponse,
    voit_handicap,
)

router = APIRouter(prefix="/api/demandes", tags=["demandes"])


@router.post(
    "",
    status_code=201,
    response_model=s.DemandeOut,
    responses=REPONSES,
    summary="Créer une demande (brouillon)",
)
async def creer(
    saisie: DemandeSaisie,
    uow: Uow,
    principal: Principal = Depends(require("demande.creer")),
) -> JSONResponse:
    proprietaire = principal.sub if principal.kind == "demandeur" else None
    if proprietaire is not None:
        saisie = saisie.model_copy(update={"canal_depot": CanalDepot.EN_LIGNE})
    ctx = contexte(principal)
    demande, doublons = await uc.saisie.creer(
        uow, saisie, ctx, proprietaire, acces(principal, "demande.creer"), autorite(principal)
    )
    return reponse(demande, principal, ctx, status=201, doublons=doublons)


@router.get(
    "/{demande_id}",
    response_model=s.DemandeOut,
    responses=REPONSES,
    summary="Consulter une demande (consultation tracée)",
)
async def consulter(
    demande_id: UUID,
    uow: Uow,
    motif: Annotated[
        str | None, Query(max_length=500, description="Motif de la consultation")
    ] = None,
    principal: Principal = Depends(require("demande.lire")),
) -> JSONResponse:
    demande = await uc.saisie.lire(uow, demande_id, acces(principal, "demande.lire"))
    await record_consultation(
        uow.session, principal, "demande", str(demande.id), motif, departement=demande.departement
    )
    await uow.commit()
    return reponse(demande, principal, contexte(principal))


@router.get(
    "/{demande_id}/consultations",
    response_model=list[ConsultationDemandeur],
    responses=REPONSES,
    summary="Qui a consulté la demande, quand et pourquoi (le demandeur pour la sienne)",
)
async def consultations_de_la_demande(
    demande_id: UUID,
    uow: Uow,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    par_page: Annotated[int, Query(ge=1, le=200)] = 50,
    principal: Principal = Depends(require("demande.lire")),
) -> list[ConsultationDemandeur]:
    """The applicant reads the trace of their own demande; an agent needs trace.consulter
    on the demande's département (the gestionnaire)."""
    action = "demande.lire" if principal.kind == "demandeur" else "trace.consulter"
    demande = await uc.saisie.lire(uow, demande_id, acces(principal, action))
    # The demande, its historique and its pièces' downloads.
    pieces = await PieceRepository(uow.session).de_la_demande(demande.id)
    lignes, _total = await query_consultations(
        uow.session,
        ConsultationFilter(record_ids=(str(demande.id), *(str(p["id"]) for p in pieces))),
        page=page,
        per_page=par_page,
    )
    return consultations_pour_le_demandeur(lignes)


@router.patch(
    "/{demande_id}",
    response_model=s.DemandeOut,
    responses={
        **REPONSES,
        **http_toolkit.REPONSES_IF_MATCH,
        415: {"description": "Type de contenu non pris en charge"},
    },
    summary="Modifier une demande (JSON merge patch, RFC 7396)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                MERGE_PATCH: {"schema": {"type": "object"}},
                "application/json": {"schema": {"type": "object"}},
            },
        }
    },
)
async def modifier(
    demande_id: UUID,
    request: Request,
    uow: Uow,
    if_match: http_toolkit.IfMatch = None,
    principal: Principal = Depends(require("demande.modifier")),
) -> JSONResponse:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in (MERGE_PATCH, "application/json"):
        return JSONResponse(
            status_code=415,
            content={"detail": f"Type de contenu attendu : {MERGE_PATCH} ou application/json"},
        )
    version = http_toolkit.required_version(if_match)
    try:
        patch = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise DonneesInvalides([Erreur("requête", "JSON invalide", "json_invalid")]) from None
    if not isinstance(patch, dict):
        raise DonneesInvalides([Erreur("requête", "un objet JSON est attendu", "dict_type")])
    ctx = contexte(principal)
    demande = await uc.saisie.modifier(
        uow,
        demande_id,
        patch,
        version,
        ctx,
        acces(principal, "demande.modifier"),
        autorite(principal),
        voit_handicap=lambda d: voit_handicap(principal, d),
    )
    return reponse(demande, principal, ctx)


@router.post(
    "/{demande_id}/date-depot",
    response_model=s.DemandeOut,
    responses={
        **REPONSES,
        412: {"description": "Version périmée"},
        428: {"description": "If-Match manquant"},
    },
    summary="Corriger la date de premier dépôt (gestionnaire du fichier, motif gardé)",
)
async def corriger_date_depot(
    demande_id: UUID,
    corps: s.CorrectionDateDepot,
    uow: Uow,
    if_match: http_toolkit.IfMatch = None,
    principal: Principal = Depends(require("demande.date_depot.corriger")),
) -> JSONResponse:
    version = http_toolkit.required_version(if_match)
    ctx = contexte(principal)
    demande = await uc.saisie.corriger_date_depot(
        uow,
        demande_id,
        corps.date_depot,
        corps.motif,
        version,
        ctx,
        acces(principal, "demande.date_depot.corriger"),
    )
    return reponse(demande, principal, ctx)


@router.get(
    "/{demande_id}/historique",
    response_model=list[s.EvenementOut],
    responses=REPONSES,
    summary="Historique des changements de la demande (consultation tracée)",
)
async def historique(
    demande_id: UUID,
    uow: Uow,
    principal: Principal = Depends(require("demande.historique")),
) -> list[s.EvenementOut]:
    demande = await uc.saisie.lire(uow, demande_id, acces(principal, "demande.historique"))
    evenements = await DemandeRepository(uow.session).historique(demande_id)
    await record_consultation(
        uow.session,
        principal,
        "demande.historique",
        str(demande.id),
        departement=demande.departement,
    )
    await uow.commit()
    handicap = voit_handicap(principal, demande)
    return [s.evenement_out(e, voit_handicap=handicap) for e in evenements]
