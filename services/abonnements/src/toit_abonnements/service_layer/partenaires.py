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
    verifier_droits,
    verifier_perimetre_partenaire,
)
from toit_abonnements.domain.exceptions import Conflit, HorsHabilitation, Introuvable, Invalide


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


async def declarer(
    uow: UnitOfWork, p: Partenaire, departements_du_gestionnaire: Iterable[str]
) -> Partenaire:
    _verifier(p, frozenset(departements_du_gestionnaire))
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
        raise Conflit("Le partenaire a été modifié entre-temps : rechargez-le", 412)
    _verifier(p, frozenset(departements_du_gestionnaire))
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


async def obtenir(uow: UnitOfWork, organisation_id: str) -> Partenaire:
    row = await repository.partenaire_par_id(uow.session, organisation_id)
    if row is None:
        raise Introuvable("Partenaire introuvable")
    return repository.partenaire_de(row)


async def lister(uow: UnitOfWork) -> list[Partenaire]:
    return [repository.partenaire_de(r) for r in await repository.partenaires(uow.session)]
