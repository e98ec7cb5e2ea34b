"""Partner organisations and their habilitation, declared by the gestionnaire du fichier."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from servicekit import authz
from servicekit.uow import UnitOfWork
from toit_abonnements.adapters import repository
from toit_abonnements.domain.abonnements import Partenaire, verifier_perimetre_partenaire
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
    """Change the habilitation. Existing subscriptions keep their perimeter until changed;
    a narrower habilitation is enforced at their next change (documented limit)."""
    row = await repository.partenaire_par_id(uow.session, p.organisation_id)
    if row is None:
        raise Introuvable("Partenaire introuvable")
    if row.version != version_attendue:
        raise Conflit("Le partenaire a été modifié entre-temps : rechargez-le", 412)
    _verifier(p, frozenset(departements_du_gestionnaire))
    nouveau = Partenaire(**{**p.__dict__, "version": row.version + 1})
    await repository.enregistrer_partenaire(uow.session, nouveau, datetime.now(UTC), nouveau=False)
    await uow.commit()
    return nouveau


async def obtenir(uow: UnitOfWork, organisation_id: str) -> Partenaire:
    row = await repository.partenaire_par_id(uow.session, organisation_id)
    if row is None:
        raise Introuvable("Partenaire introuvable")
    return repository.partenaire_de(row)


async def lister(uow: UnitOfWork) -> list[Partenaire]:
    return [repository.partenaire_de(r) for r in await repository.partenaires(uow.session)]
