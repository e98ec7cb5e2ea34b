"""Consumer of matching's attribution chain (queue toit.demandes.attributions).

- `attribution.prononcee` (the lease is signed): the demande is radiated with motif
  attribution, at the lease date (R441-2-8 CCH); the SNE data travel in that event.
- `offre.emise` and `caleol.decision_prise`: the notices to the household go out from here,
  where its contact is (`demande.offre_notifiee`, `demande.decision_caleol_notifiee`, which
  notifications turns into letters and emails); matching keeps no contact.
- `caleol.decision_prise`: each irrecevabilité the CALEOL pronounced opens the radiation
  notice (registered letter, one month; R441-2-8 CCH) on the CALEOL's decision and its legal
  ground, as the gestionnaire's own path does.

A demande already radiated, purged or under another notice is left as it is (logged): the
event is then a business no-op, not a failure. One event per transaction (batch of 1): every
effect of an event (each decision's radiation notice, each letter, the SNE data) commits
with its inbox row in the consumer's one transaction, or none does and the event is
delivered again (a failure halfway never leaves the inbox row without the notices)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from uuid import UUID

import structlog

from servicekit.exceptions import Conflit, Introuvable
from servicekit.messaging.consumer import EventConsumer, HandlerContext
from toit_contracts.enums import MotifIrrecevabilite, MotifRadiation, OrigineDecision
from toit_contracts.events.attributions import (
    AttributionPrononcee,
    CaleolDecisionPrise,
    DemandeDecisionCaleolNotifiee,
    DemandeOffreNotifiee,
    OffreEmise,
    OffreRappelee,
    SensDecision,
)
from toit_demandes.adapters.referentiel import referentiel
from toit_demandes.adapters.repository import DemandeRepository
from toit_demandes.domain.demande import (
    DecisionIrrecevabilite,
    Demande,
    Intervenant,
    TypeIntervenant,
)
from toit_demandes.domain.snapshot import contact
from toit_demandes.service_layer.commun import Contexte, etat
from toit_demandes.service_layer.cycle_de_vie import appliquer_radiation

log = structlog.get_logger(__name__)

consumer = EventConsumer("attributions", batch_size=1)


def _sans_controle(_demande: Demande) -> None:
    """The bailleur's CALEOL acts on the demandes designated to it: no agent scope here."""


def _bailleur(bailleur_id: str) -> Intervenant:
    return Intervenant(TypeIntervenant.AGENT, utilisateur="CALEOL", organisation=bailleur_id)


@consumer.on(AttributionPrononcee)
async def radier_pour_attribution(ctx: HandlerContext, event: AttributionPrononcee) -> None:
    quand = datetime.combine(event.date_signature_bail, time(12), tzinfo=UTC)
    try:
        await appliquer_radiation(
            ctx.uow,
            event.demande_id,
            MotifRadiation.ATTRIBUTION,
            None,
            Contexte(intervenant=_bailleur(event.bailleur_id), maintenant=quand),
            _sans_controle,
        )
    except (Conflit, Introuvable) as exc:
        log.info("demandes.attribution_ignoree", raison=str(exc))
        return
    # The SNE data of the attribution stay with the demande, in the same transaction.
    await ctx.uow.repository(DemandeRepository).enregistrer_attribution(
        {
            "demande_id": event.demande_id,
            "attribution_id": event.attribution_id,
            "date_signature_bail": event.date_signature_bail,
            "donnees": donnees_sne(event),
            "recu_le": datetime.now(UTC),
        }
    )


def donnees_sne(event: AttributionPrononcee) -> dict[str, Any]:
    """What the SNE records of an attribution (R441-2-9 CCH, primer §11.3): the unit and
    its financing, rent and QPV, the contingent and réservataire, the dates, the household's
    category and size, the first-quartile flag; the ids of matching's records."""
    return event.model_dump(
        mode="json", exclude={"version", "numero_unique", "departement", "demande_id"}
    )


async def _demande(ctx: HandlerContext, demande_id: UUID) -> Demande | None:
    return await ctx.uow.repository(DemandeRepository).get(demande_id, pour_modifier=False)


@consumer.on(OffreEmise, OffreRappelee)
async def notifier_offre(ctx: HandlerContext, event: OffreEmise) -> None:
    """The offer, or its reminder before the deadline, to the household."""
    demande = await _demande(ctx, event.demande_id)
    if demande is None:
        return
    ctx.uow.publish(
        DemandeOffreNotifiee(
            **etat(demande),
            offre_id=event.offre_id,
            adresse=event.adresse,
            commune=event.commune,
            typologie=event.typologie,
            loyer=event.loyer,
            charges=event.charges,
            date_notification=event.date_notification,
            date_limite_reponse=event.date_limite_reponse,
            condition=event.condition,
            rappel=isinstance(event, OffreRappelee),
            contact=contact(demande.saisie, referentiel.nom_commune),
        )
    )


@consumer.on(CaleolDecisionPrise)
async def decision_caleol(ctx: HandlerContext, event: CaleolDecisionPrise) -> None:
    maintenant = datetime.now(UTC)
    for decision in event.decisions:
        if decision.sens is not SensDecision.IRRECEVABILITE:
            # The irrecevabilité's letter is the radiation notice below (registered).
            demande = await _demande(ctx, decision.demande_id)
            if demande is not None:
                ctx.uow.publish(
                    DemandeDecisionCaleolNotifiee(
                        **etat(demande),
                        dossier_id=event.dossier_id,
                        reference_seance=event.reference_seance,
                        date_decision=event.date_decision,
                        commune=event.commune,
                        typologie=event.typologie,
                        decision=decision,
                        contact=contact(demande.saisie, referentiel.nom_commune),
                    )
                )
            continue
        assert decision.motifs is not None and decision.sous_motif_irrecevabilite is not None
        try:
            await appliquer_radiation(
                ctx.uow,
                decision.demande_id,
                MotifRadiation.IRRECEVABILITE,
                MotifIrrecevabilite(decision.sous_motif_irrecevabilite),
                Contexte(intervenant=_bailleur(event.bailleur_id), maintenant=maintenant),
                _sans_controle,
                decision=DecisionIrrecevabilite(
                    origine=OrigineDecision.CALEOL,
                    fondement=decision.motifs,
                    date_decision=event.date_decision,
                    reference=event.reference_seance,
                ),
            )
        except (Conflit, Introuvable) as exc:
            log.info("demandes.irrecevabilite_ignoree", raison=str(exc))
