"""Use cases of the saisie: create, read and edit a demande, correct its dépôt date.

Every write checks the field-level authority first (`domain.autorite`, over the table
servicekit.authz_fields): a role writes only the fields it owns, else nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from servicekit.uow import UnitOfWork
from toit_contracts.events.demandes import (
    DemandeCreee,
    DemandeModifiee,
)
from toit_demandes.adapters.repository import (
    DemandeRepository,
    VersionPerimee,
)
from toit_demandes.domain.autorite import (
    Autorite,
    ChampsInterdits,
    decisions_incompletes,
    jamais_ecrits,
    verifier_autorite,
)
from toit_demandes.domain.demande import Demande, TypeIntervenant
from toit_demandes.domain.merge_patch import appliquer
from toit_demandes.domain.saisie import DemandeSaisie
from toit_demandes.domain.verifications import DonneesInvalides, Erreur, exiger_valide
from toit_demandes.service_layer.commun import (
    CHAMPS_FIGES,
    CHAMPS_LECTURE_SEULE,
    Contexte,
    VerifierAcces,
    avec_snapshot,
    charger,
    radiation_levee,
    valider_saisie,
)
from toit_demandes.service_layer.doublons import Doublon, doublons

# --- use cases --------------------------------------------------------------------------------


async def creer(
    uow: UnitOfWork,
    saisie: DemandeSaisie,
    ctx: Contexte,
    proprietaire: str | None,
    verifier: VerifierAcces,
    autorite: Autorite,
    *,
    demande_id: UUID | None = None,
) -> tuple[Demande, list[Doublon]]:
    """Create a draft; `demande_id`: the id the portail chose for an online application."""
    document = saisie.model_dump(mode="json")
    verifier_autorite(autorite, None, document, ctx.maintenant.date())
    if incompletes := decisions_incompletes(None, document):
        raise DonneesInvalides(incompletes)
    exiger_valide(saisie, ctx.referentiel)
    demande = Demande.creer(saisie, ctx.maintenant, ctx.intervenant, proprietaire)
    if demande_id is not None:
        demande.id = demande_id
    verifier(demande)
    repo = uow.repository(DemandeRepository)
    trouves = await doublons(repo, demande)
    uow.publish(DemandeCreee(**avec_snapshot(demande, ctx)))
    await repo.ajouter(demande)
    await uow.commit()
    return demande, trouves


async def lire(uow: UnitOfWork, demande_id: UUID, verifier: VerifierAcces) -> Demande:
    return await charger(
        uow.repository(DemandeRepository), demande_id, verifier, pour_modifier=False
    )


async def modifier(
    uow: UnitOfWork,
    demande_id: UUID,
    patch: dict[str, Any],
    version_lue: int,
    ctx: Contexte,
    verifier: VerifierAcces,
    autorite: Autorite,
    *,
    voit_handicap: Callable[[Demande], bool],
) -> Demande:
    lecture_seule = sorted(CHAMPS_LECTURE_SEULE & set(patch))
    if lecture_seule:
        raise jamais_ecrits(lecture_seule)
    repo = uow.repository(DemandeRepository)
    demande = await charger(repo, demande_id, verifier)
    if "complement_handicap" in patch and not voit_handicap(demande):
        raise ChampsInterdits(
            [
                Erreur(
                    "complement_handicap",
                    "le complément handicap est réservé aux personnes habilitées",
                    "champ_interdit",
                )
            ]
        )
    if demande.version != version_lue:
        raise VersionPerimee()
    document = demande.document()
    saisie = valider_saisie(appliquer(document, patch), ctx)
    apres = saisie.model_dump(mode="json")
    verifier_autorite(autorite, document, apres, ctx.maintenant.date())
    if incompletes := decisions_incompletes(document, apres):
        raise DonneesInvalides(incompletes)
    figes = [c for c in CHAMPS_FIGES if c in patch and patch[c] != document.get(c)]
    if figes:
        raise DonneesInvalides(
            [
                Erreur(
                    c,
                    "ne change pas après la création de la demande"
                    + (
                        " : corrigez-la par POST /api/demandes/{id}/date-depot, avec un motif"
                        if c == "date_depot"
                        else ""
                    ),
                    "lecture_seule",
                )
                for c in figes
            ]
        )
    changements = demande.modifier(saisie, ctx.maintenant, ctx.intervenant)
    if changements:
        # The household updating its own demande online answers a notice of radiation for
        # absence de réponse (an agent records an answer explicitly: reponse-au-preavis).
        leve = None
        if ctx.intervenant.type is TypeIntervenant.PORTAIL:
            leve = demande.repondre_au_preavis(
                "mise à jour de la demande en ligne",
                ctx.maintenant,
                ctx.intervenant,
                si_levable=True,
            )
        rubriques = sorted({c.champ.split(".")[0].split("[")[0] for c in changements})
        if leve is not None:
            rubriques = sorted({*rubriques, "preavis_radiation"})
        uow.publish(DemandeModifiee(**avec_snapshot(demande, ctx), rubriques_modifiees=rubriques))
        if leve is not None:
            uow.publish(
                await radiation_levee(
                    repo, demande, leve, "mise à jour de la demande en ligne", ctx
                )
            )
        await repo.sauver(demande, version_lue)
        await uow.commit()
    return demande


async def corriger_date_depot(
    uow: UnitOfWork,
    demande_id: UUID,
    depot: date,
    motif: str,
    version_lue: int,
    ctx: Contexte,
    verifier: VerifierAcces,
) -> Demande:
    """The gestionnaire du fichier corrects the first dépôt date, with its reason."""
    repo = uow.repository(DemandeRepository)
    demande = await charger(repo, demande_id, verifier)
    if demande.version != version_lue:
        raise VersionPerimee()
    demande.corriger_date_depot(depot, motif, ctx.maintenant, ctx.intervenant)
    uow.publish(DemandeModifiee(**avec_snapshot(demande, ctx), rubriques_modifiees=["date_depot"]))
    await repo.sauver(demande, version_lue)
    await uow.commit()
    return demande
