"""Use cases of attaching a guichet demande to a portal account (issue 15).

The portail asks (`portail.rattachement_demande`); demandes, which holds the date of
birth and the email, checks the numéro unique and the demandeur's date of birth and,
if they match and an email is on file, publishes `demande.code_rattachement` so that
notifications emails the code (and the portail learns which demande the attempt is
about). A mismatch publishes nothing: the portail answers its user the same way.
Once the household typed the code, `portail.demande_rattachee` makes the account the
demande's owner (`compte_demandeur` in every later event); identite's
`compte.supprime` detaches the account's demandes again (the demandes stay)."""

from __future__ import annotations

from servicekit.uow import UnitOfWork
from toit_contracts.events import (
    CompteSupprime,
    DemandeCodeRattachement,
    DemandeModifiee,
    DemandeRattachee,
    RattachementDemande,
)
from toit_demandes.adapters.repository import DemandeRepository
from toit_demandes.domain.snapshot import contact
from toit_demandes.service_layer.commun import Contexte, avec_snapshot, etat


async def verifier_rattachement(uow: UnitOfWork, event: RattachementDemande, ctx: Contexte) -> bool:
    """True when numéro and date of birth match a demande with an email (code sent)."""
    repo = uow.repository(DemandeRepository)
    demande_id = await repo.id_par_numero(event.numero_unique)
    demande = await repo.get(demande_id) if demande_id is not None else None
    if (
        demande is None
        or demande.fusionnee_dans is not None
        or demande.saisie.demandeur.date_naissance != event.date_naissance
    ):
        return False
    coordonnees = contact(demande.saisie, ctx.referentiel.nom_commune)
    if coordonnees.email is None:
        return False
    uow.publish(
        DemandeCodeRattachement(
            **etat(demande),
            rattachement_id=event.rattachement_id,
            code=event.code,
            expire_le=event.expire_le,
            contact=coordonnees,
        )
    )
    return True


async def rattacher(uow: UnitOfWork, event: DemandeRattachee, ctx: Contexte) -> bool:
    """The household typed the code: the demande now belongs to its portal account."""
    repo = uow.repository(DemandeRepository)
    demande = await repo.get(event.demande_id, pour_modifier=True)
    if demande is None:
        return False
    version_lue = demande.version
    if not demande.rattacher_au_compte(event.compte_id, ctx.maintenant, ctx.intervenant):
        return False
    uow.publish(
        DemandeModifiee(**avec_snapshot(demande, ctx), rubriques_modifiees=["compte_demandeur"])
    )
    await repo.sauver(demande, version_lue)
    return True


async def detacher(uow: UnitOfWork, event: CompteSupprime, ctx: Contexte) -> int:
    """The applicant deleted their portal account: each of its demandes is detached (a
    `demande.modifiee` without `compte_demandeur`); how many were."""
    repo = uow.repository(DemandeRepository)
    detachees = 0
    for demande_id in await repo.ids_du_proprietaire(str(event.compte_id)):
        demande = await repo.get(demande_id, pour_modifier=True)
        if demande is None:
            continue
        version_lue = demande.version
        if demande.detacher_du_compte(str(event.compte_id), ctx.maintenant, ctx.intervenant):
            uow.publish(
                DemandeModifiee(
                    **avec_snapshot(demande, ctx), rubriques_modifiees=["compte_demandeur"]
                )
            )
            await repo.sauver(demande, version_lue)
            detachees += 1
    return detachees
