"""Partner organisations and their habilitation, declared by the gestionnaire du fichier."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from servicekit import authz
from servicekit.uow import UnitOfWork
from toit_abonnements.adapters import repository
from toit_abonnements.domain.abonnements import (
    Partenaire,
    Statut,
    borner,
    verifier_droits,
    verifier_perimetre_partenaire,
)
from toit_abonnements.domain.exceptions import (
    Conflit,
    HorsHabilitation,
    Introuvable,
    Invalide,
    VersionPerimee,
)


def _verifier(p: Partenaire, departements_du_gestionnaire: frozenset[str]) -> None:
    verifier_perimetre_partenaire(p.habilitation)
    for d in sorted(p.habilitation.departements - departements_du_gestionnaire):
        raise HorsHabilitation(
            f"département {d}", f"Le département {d} est hors de votre périmètre"
        )
    inconnus = sorted(set(p.roles) - set(authz.ROLES))
    if inconnus or not p.roles:
        raise Invalide("roles", f"rôles inconnus : {', '.join(inconnus) or 'aucun rôle'}")
    for role in (authz.GESTIONNAIRE_FICHIER, authz.DEMANDEUR, authz.PARTENAIRE_API):
        if role in p.roles:
            raise Invalide("roles", f"rôle impossible pour un partenaire abonné : {role}")


async def _verifier_organisation(uow: UnitOfWork, p: Partenaire) -> None:
    """The habilitation stays within the départements identite gives the organisation
    (when identite's event has arrived; it may lag behind the organisation's creation)."""
    org = await repository.organisation_identite_de(uow.session, p.organisation_id)
    if org is None:
        return
    for d in sorted(p.habilitation.departements - set(org.departements)):
        raise HorsHabilitation(
            f"département {d}",
            f"Le département {d} n'est pas un département de l'organisation dans identite",
        )


async def declarer(
    uow: UnitOfWork, p: Partenaire, departements_du_gestionnaire: Iterable[str]
) -> Partenaire:
    _verifier(p, frozenset(departements_du_gestionnaire))
    await _verifier_organisation(uow, p)
    if await repository.partenaire_par_id(uow.session, p.organisation_id) is not None:
        raise Conflit("Cette organisation est déjà déclarée comme partenaire")
    await repository.enregistrer_partenaire(uow.session, p, datetime.now(UTC), nouveau=True)
    await uow.commit()
    return p


async def modifier(
    uow: UnitOfWork,
    p: Partenaire,
    version_attendue: int,
    departements_du_gestionnaire: Iterable[str],
) -> Partenaire:
    """Change the habilitation. A narrower one takes effect for the next event: the fan-out
    logs only events inside the partner's current territory, for subscriptions whose
    profile its current roles grant; the active subscriptions whose profile or complements
    are no longer granted are suspended with the reason."""
    row = await repository.partenaire_par_id(uow.session, p.organisation_id)
    if row is None:
        raise Introuvable("Partenaire introuvable")
    if row.version != version_attendue:
        raise VersionPerimee("Le partenaire a été modifié entre-temps : rechargez-le")
    _verifier(p, frozenset(departements_du_gestionnaire))
    await _verifier_organisation(uow, p)
    nouveau = Partenaire(**{**p.__dict__, "version": row.version + 1})
    maintenant = datetime.now(UTC)
    await repository.enregistrer_partenaire(uow.session, nouveau, maintenant, nouveau=False)
    await suspendre_hors_habilitation(uow, nouveau, maintenant)
    await uow.commit()
    return nouveau


async def suspendre_hors_habilitation(
    uow: UnitOfWork, partenaire: Partenaire, maintenant: datetime
) -> list[str]:
    """Suspend the partner's active subscriptions whose profile or complements its roles no
    longer grant; returns them."""
    suspendus = []
    for row in await repository.abonnements(uow.session, partenaire.organisation_id):
        if row.statut != Statut.ACTIF.value:
            continue
        try:
            verifier_droits(repository.abonnement_de(row), partenaire)
        except (HorsHabilitation, Invalide) as refus:
            await repository.modifier_abonnement(
                uow.session,
                row.id,
                maintenant,
                statut=Statut.SUSPENDU.value,
                motif_suspension=f"Hors de l'habilitation de l'organisation : {refus}"[:500],
            )
            suspendus.append(row.id)
    return suspendus


async def suivre_organisation(
    uow: UnitOfWork, organisation_id: str, nom: str, departements: list[str], version: int
) -> None:
    """identite published the organisation (created or changed): keep its départements,
    which bound the partner's effective habilitation from the next event on (`borner`;
    identite never widens what the gestionnaire declared). A partner left with no
    département has its active subscriptions suspended, with the reason."""
    maintenant = datetime.now(UTC)
    await repository.noter_organisation_identite(
        uow.session, organisation_id, nom, departements, version, maintenant
    )
    row = await repository.partenaire_par_id(uow.session, organisation_id)
    org = await repository.organisation_identite_de(uow.session, organisation_id)
    if row is None or org is None:
        return
    effectif = borner(repository.partenaire_de(row), org.departements)
    if effectif.habilitation.departements:
        return
    for a in await repository.abonnements(uow.session, organisation_id):
        if a.statut == Statut.ACTIF.value:
            await repository.modifier_abonnement(
                uow.session,
                a.id,
                maintenant,
                statut=Statut.SUSPENDU.value,
                motif_suspension="Aucun département de l'habilitation n'est plus un "
                "département de l'organisation dans identite",
            )


async def obtenir(uow: UnitOfWork, organisation_id: str) -> Partenaire:
    row = await repository.partenaire_par_id(uow.session, organisation_id)
    if row is None:
        raise Introuvable("Partenaire introuvable")
    return repository.partenaire_de(row)


async def lister(uow: UnitOfWork) -> list[Partenaire]:
    return [repository.partenaire_de(r) for r in await repository.partenaires(uow.session)]


async def departements_identite(uow: UnitOfWork, organisation_id: str) -> list[str] | None:
    """The organisation's départements in identite (None until its event has arrived)."""
    org = await repository.organisation_identite_de(uow.session, organisation_id)
    return sorted(org.departements) if org else None
