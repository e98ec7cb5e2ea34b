"""Life cycle of a demande: registration, online submission and rejection, renewal,
radiation, reactivation."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import (
    APIRouter,
    Body,
    Depends,
)
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError

import toit_demandes.service_layer as uc
from servicekit.audit import record_consultation
from servicekit.auth import Principal, require
from servicekit.exceptions import Introuvable
from toit_contracts.enums import OrigineDecision
from toit_contracts.types import CodeGuichet
from toit_demandes.adapters.repository import DemandeRepository
from toit_demandes.domain.demande import (
    DecisionIrrecevabilite,
    Demande,
)
from toit_demandes.domain.verifications import DonneesInvalides, Erreur
from toit_demandes.entrypoints import schemas as s
from toit_demandes.entrypoints.http.commun import (
    REPONSES,
    Uow,
    acces,
    contexte,
    reponse,
)

router = APIRouter(prefix="/api/demandes", tags=["demandes"])


@router.post(
    "/{demande_id}/enregistrement",
    response_model=s.DemandeOut,
    responses=REPONSES,
    summary="Enregistrer la demande : attribue le numéro unique",
)
async def enregistrer(
    demande_id: UUID,
    uow: Uow,
    corps: Annotated[s.Enregistrement | None, Body()] = None,
    principal: Principal = Depends(require("demande.enregistrer")),
) -> JSONResponse:
    guichet = (corps.guichet if corps else None) or principal.guichet
    if guichet is None:
        raise DonneesInvalides(
            [
                Erreur(
                    "guichet",
                    "votre compte n'a pas de code guichet : indiquez le guichet enregistreur",
                )
            ]
        )
    try:
        TypeAdapter(CodeGuichet).validate_python(guichet)
    except ValidationError:
        raise DonneesInvalides(
            [Erreur("guichet", "code guichet invalide (5 lettres ou chiffres)")]
        ) from None
    ctx = contexte(principal)
    demande, doublons = await uc.cycle_de_vie.enregistrer(
        uow, demande_id, guichet.upper(), ctx, acces(principal, "demande.enregistrer")
    )
    return reponse(demande, principal, ctx, doublons=doublons)


@router.post(
    "/{demande_id}/soumission",
    response_model=s.DemandeOut,
    responses=REPONSES,
    summary="Soumettre un brouillon déposé en ligne (pièce d'identité à vérifier)",
)
async def soumettre(
    demande_id: UUID, uow: Uow, principal: Principal = Depends(require("demande.modifier"))
) -> JSONResponse:
    ctx = contexte(principal)
    demande = await uc.cycle_de_vie.soumettre(
        uow, demande_id, ctx, acces(principal, "demande.modifier")
    )
    return reponse(demande, principal, ctx)


@router.post(
    "/{demande_id}/rejet",
    response_model=s.DemandeOut,
    responses=REPONSES,
    summary="Rejeter une demande déposée en ligne (retour en brouillon, avis motivé)",
)
async def rejeter(
    demande_id: UUID,
    corps: s.Rejet,
    uow: Uow,
    principal: Principal = Depends(require("demande.enregistrer")),
) -> JSONResponse:
    ctx = contexte(principal)
    demande = await uc.cycle_de_vie.rejeter(
        uow, demande_id, corps.motif, ctx, acces(principal, "demande.enregistrer")
    )
    return reponse(demande, principal, ctx)


@router.post(
    "/{demande_id}/renouvellement",
    response_model=s.DemandeOut,
    responses=REPONSES,
    summary="Renouveler la demande pour un an",
)
async def renouveler(
    demande_id: UUID,
    uow: Uow,
    principal: Principal = Depends(require("demande.renouveler")),
) -> JSONResponse:
    ctx = contexte(principal)
    demande = await uc.cycle_de_vie.renouveler(
        uow, demande_id, ctx, acces(principal, "demande.renouveler")
    )
    return reponse(demande, principal, ctx)


@router.post(
    "/{demande_id}/reponse-au-preavis",
    response_model=s.DemandeOut,
    responses=REPONSES,
    summary="Enregistrer la réponse du ménage à un préavis de radiation (le lève avant la date "
    "limite : absence de réponse)",
)
async def repondre_au_preavis(
    demande_id: UUID,
    corps: s.ReponseAuPreavis,
    uow: Uow,
    principal: Principal = Depends(require("demande.modifier")),
) -> JSONResponse:
    ctx = contexte(principal)
    demande = await uc.cycle_de_vie.repondre_au_preavis(
        uow, demande_id, corps.reponse, ctx, acces(principal, "demande.modifier")
    )
    return reponse(demande, principal, ctx)


@router.post(
    "/{demande_id}/radiation",
    response_model=s.DemandeOut,
    responses=REPONSES,
    summary="Radier la demande (ou notifier le préavis de radiation)",
)
async def radier(
    demande_id: UUID,
    corps: s.Radiation,
    uow: Uow,
    principal: Principal = Depends(require("demande.radier")),
) -> JSONResponse:
    ctx = contexte(principal)
    decision = corps.decision
    verifier = acces(principal, "demande.radier")
    if decision is not None:
        # Irrecevabilité: the gestionnaire's decision, or a CALEOL decision recorded by
        # someone who records CALEOL decisions; never any agent's click.
        if decision.origine is OrigineDecision.CALEOL and not decision.reference:
            raise DonneesInvalides(
                [Erreur("decision.reference", "la référence de la séance CALEOL est obligatoire")]
            )
        autorite = acces(
            principal,
            "caleol.gerer"
            if decision.origine is OrigineDecision.CALEOL
            else "demande.declarer_irrecevable",
        )
        radier_acces = verifier

        def verifier(demande: Demande) -> None:
            radier_acces(demande)
            autorite(demande)

    demande = await uc.cycle_de_vie.radier(
        uow,
        demande_id,
        corps.motif,
        corps.sous_motif,
        ctx,
        verifier,
        None
        if decision is None
        else DecisionIrrecevabilite(
            origine=decision.origine,
            fondement=decision.fondement,
            date_decision=decision.date_decision,
            reference=decision.reference,
        ),
    )
    return reponse(demande, principal, ctx)


@router.post(
    "/{demande_id}/reactivation",
    response_model=s.DemandeOut,
    responses=REPONSES,
    summary="Réactiver une demande radiée dans le délai de tolérance",
)
async def reactiver(
    demande_id: UUID,
    uow: Uow,
    principal: Principal = Depends(require("demande.reactiver")),
) -> JSONResponse:
    ctx = contexte(principal)
    demande = await uc.cycle_de_vie.reactiver(
        uow, demande_id, ctx, acces(principal, "demande.reactiver")
    )
    return reponse(demande, principal, ctx)


@router.get(
    "/{demande_id}/attribution",
    response_model=s.AttributionSneOut,
    responses=REPONSES,
    summary="Données SNE de l'attribution qui a radié la demande (consultation tracée)",
)
async def attribution(
    demande_id: UUID, uow: Uow, principal: Principal = Depends(require("demande.lire"))
) -> s.AttributionSneOut:
    demande = await uc.saisie.lire(uow, demande_id, acces(principal, "demande.lire"))
    ligne = await DemandeRepository(uow.session).attribution(demande.id)
    if ligne is None:
        raise Introuvable("Aucune attribution n'a radié cette demande")
    await record_consultation(
        uow.session,
        principal,
        "demande.attribution",
        str(demande.id),
        departement=demande.departement,
    )
    await uow.commit()
    return s.AttributionSneOut(
        attribution_id=ligne["attribution_id"],
        date_signature_bail=ligne["date_signature_bail"],
        donnees=ligne["donnees"],
        recu_le=ligne["recu_le"],
    )
