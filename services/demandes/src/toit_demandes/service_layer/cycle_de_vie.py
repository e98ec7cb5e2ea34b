"""Use cases of the lifecycle: register, submit, renew, radiate, reactivate."""

from __future__ import annotations

from uuid import UUID

from servicekit.uow import UnitOfWork
from toit_contracts.enums import MotifIrrecevabilite, MotifRadiation
from toit_contracts.events.demandes import (
    DecisionRadiation,
    DemandeEnregistree,
    DemandeModifiee,
    DemandeRadiationPreavisee,
    DemandeReactivee,
    DemandeRejetee,
    DemandeRenouvelee,
)
from toit_contracts.types import NumeroUnique
from toit_demandes.adapters.repository import (
    DemandeRepository,
    PieceRepository,
)
from toit_demandes.domain.demande import DecisionIrrecevabilite, Demande
from toit_demandes.domain.snapshot import contact
from toit_demandes.service_layer.commun import (
    Contexte,
    VerifierAcces,
    avec_snapshot,
    charger,
    en_ligne,
    etat,
    publier_radiation,
    radiation_levee,
)
from toit_demandes.service_layer.doublons import Doublon, doublons


async def _identite_deposee(uow: UnitOfWork, demande: Demande, ctx: Contexte) -> bool:
    codes = [t.code for t in ctx.referentiel.types_pieces() if t.identite]
    return await uow.repository(PieceRepository).une_non_refusee(demande.id, codes, "demandeur")


async def enregistrer(
    uow: UnitOfWork, demande_id: UUID, guichet: str, ctx: Contexte, verifier: VerifierAcces
) -> tuple[Demande, list[Doublon]]:
    repo = uow.repository(DemandeRepository)
    demande = await charger(repo, demande_id, verifier)
    version_lue = demande.version
    identite = await _identite_deposee(uow, demande, ctx)
    demande.verifier_enregistrable(identite)
    # Before the number: its sequence row stays locked until commit, and every registration
    # of the département and year waits for it.
    trouves = await doublons(repo, demande)
    depot = demande.date_depot_initial
    sequence = await repo.prochaine_sequence(demande.departement, depot.year)
    numero = NumeroUnique(demande.departement, depot.month, depot.year, sequence, guichet)
    demande.enregistrer(
        numero, ctx.maintenant, ctx.intervenant, ctx.referentiel.regles_cycle_de_vie(), identite
    )
    uow.publish(DemandeEnregistree(**avec_snapshot(demande, ctx)))
    await repo.sauver(demande, version_lue)
    await uow.commit()
    return demande, trouves


async def soumettre(
    uow: UnitOfWork, demande_id: UUID, ctx: Contexte, verifier: VerifierAcces
) -> Demande:
    """The applicant submits the draft online: a guichet checks the identity document."""
    repo = uow.repository(DemandeRepository)
    demande = await charger(repo, demande_id, verifier)
    version_lue = demande.version
    demande.soumettre(ctx.maintenant, ctx.intervenant)
    uow.publish(DemandeModifiee(**avec_snapshot(demande, ctx), rubriques_modifiees=["statut"]))
    await repo.sauver(demande, version_lue)
    await uow.commit()
    return demande


async def renouveler(
    uow: UnitOfWork, demande_id: UUID, ctx: Contexte, verifier: VerifierAcces
) -> Demande:
    """Renewal; it answers a pending notice of radiation for absence de réponse, which is
    lifted (demande.radiation_levee: notifications confirms it to the household)."""
    repo = uow.repository(DemandeRepository)
    demande = await charger(repo, demande_id, verifier)
    version_lue = demande.version
    leve = demande.renouveler(
        ctx.maintenant, ctx.intervenant, ctx.referentiel.regles_cycle_de_vie()
    )
    uow.publish(DemandeRenouvelee(**avec_snapshot(demande, ctx)))
    if leve is not None:
        uow.publish(await radiation_levee(repo, demande, leve, "renouvellement de la demande", ctx))
    await repo.sauver(demande, version_lue)
    await uow.commit()
    return demande


async def repondre_au_preavis(
    uow: UnitOfWork, demande_id: UUID, reponse: str, ctx: Contexte, verifier: VerifierAcces
) -> Demande:
    """The household's answer to a notice of radiation for absence de réponse, given before
    the deadline (online, or received by a guichet that records it): the radiation is
    cancelled, the historique says so and notifications confirms it to the household."""
    repo = uow.repository(DemandeRepository)
    demande = await charger(repo, demande_id, verifier)
    version_lue = demande.version
    leve = demande.repondre_au_preavis(reponse, ctx.maintenant, ctx.intervenant)
    assert leve is not None
    uow.publish(
        DemandeModifiee(**avec_snapshot(demande, ctx), rubriques_modifiees=["preavis_radiation"])
    )
    uow.publish(await radiation_levee(repo, demande, leve, reponse, ctx))
    await repo.sauver(demande, version_lue)
    await uow.commit()
    return demande


async def radier(
    uow: UnitOfWork,
    demande_id: UUID,
    motif: MotifRadiation,
    sous_motif: MotifIrrecevabilite | None,
    ctx: Contexte,
    verifier: VerifierAcces,
    decision: DecisionIrrecevabilite | None = None,
) -> Demande:
    """Radiation, or its notice (irrecevabilité on a CALEOL or gestionnaire decision,
    absence de réponse): the notice event makes notifications send the registered letter."""
    demande = await appliquer_radiation(
        uow, demande_id, motif, sous_motif, ctx, verifier, decision=decision
    )
    await uow.commit()
    return demande


async def appliquer_radiation(
    uow: UnitOfWork,
    demande_id: UUID,
    motif: MotifRadiation,
    sous_motif: MotifIrrecevabilite | None,
    ctx: Contexte,
    verifier: VerifierAcces,
    decision: DecisionIrrecevabilite | None = None,
) -> Demande:
    """`radier` without the commit: for an event consumer, whose transaction holds the
    inbox row and every effect of the event (several decisions of one CALEOL event commit
    together, or none does)."""
    repo = uow.repository(DemandeRepository)
    demande = await charger(repo, demande_id, verifier)
    version_lue = demande.version
    radiee = demande.radier(
        motif,
        ctx.maintenant,
        ctx.intervenant,
        ctx.referentiel.regles_cycle_de_vie(),
        sous_motif,
        decision=decision,
    )
    if radiee:
        publier_radiation(uow, demande, ctx)
    else:
        uow.publish(
            DemandeModifiee(
                **avec_snapshot(demande, ctx), rubriques_modifiees=["preavis_radiation"]
            )
        )
        uow.publish(await _preavis_radiation(repo, demande, ctx))
    await repo.sauver(demande, version_lue)
    return demande


async def _preavis_radiation(
    repo: DemandeRepository, demande: Demande, ctx: Contexte
) -> DemandeRadiationPreavisee:
    preavis = demande.preavis_radiation
    assert preavis is not None
    decision = preavis.decision
    return DemandeRadiationPreavisee(
        **etat(demande),
        motif=preavis.motif,
        sous_motif=preavis.sous_motif,
        decision=None
        if decision is None
        else DecisionRadiation(
            origine=decision.origine,
            fondement=decision.fondement,
            date_decision=decision.date_decision,
            reference=decision.reference,
        ),
        date_preavis=preavis.notifie_le,
        date_limite_reponse=preavis.repondre_avant,
        date_effet=preavis.effet_le,
        en_ligne=await en_ligne(repo, demande),
        contact=contact(demande.saisie, ctx.referentiel.nom_commune),
    )


async def reactiver(
    uow: UnitOfWork, demande_id: UUID, ctx: Contexte, verifier: VerifierAcces
) -> Demande:
    repo = uow.repository(DemandeRepository)
    demande = await charger(repo, demande_id, verifier)
    version_lue = demande.version
    demande.reactiver(ctx.maintenant, ctx.intervenant, ctx.referentiel.regles_cycle_de_vie())
    uow.publish(DemandeReactivee(**avec_snapshot(demande, ctx)))
    await repo.sauver(demande, version_lue)
    await uow.commit()
    return demande


async def rejeter(
    uow: UnitOfWork, demande_id: UUID, motif: str, ctx: Contexte, verifier: VerifierAcces
) -> Demande:
    """A guichet refuses an online submission (identity document missing, unreadable...):
    back to the applicant as a draft; notifications tells them why (demande.rejetee)."""
    repo = DemandeRepository(uow.session)
    demande = await charger(repo, demande_id, verifier)
    version_lue = demande.version
    demande.rejeter(motif, ctx.maintenant, ctx.intervenant)
    uow.publish(DemandeModifiee(**avec_snapshot(demande, ctx), rubriques_modifiees=["statut"]))
    uow.publish(
        DemandeRejetee(
            **etat(demande),
            motif=motif,
            contact=contact(demande.saisie, ctx.referentiel.nom_commune),
        )
    )
    await repo.sauver(demande, version_lue)
    await uow.commit()
    return demande
