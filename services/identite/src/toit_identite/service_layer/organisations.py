"""Use cases of the partner organisations. Each creation or change is published
(organisation.enregistree / organisation.modifiee): the habilitations that depend on an
organisation in other services (partner subscriptions) follow it."""

from __future__ import annotations

import dataclasses
from uuid import UUID

from servicekit.auth import Principal, check_access
from servicekit.exceptions import AccesRefuse, Introuvable, Invalide, VersionObsolete
from servicekit.uow import UnitOfWork
from toit_contracts.events import OrganisationEnregistree, OrganisationModifiee
from toit_identite.domain.model import (
    Organisation,
)
from toit_identite.service_layer.contexte import depot, maintenant_utc

# --- Organisations ---------------------------------------------------------------------------


def autoriser_organisation(principal: Principal, action: str, organisation: Organisation) -> None:
    """Inside the scope if one of the organisation's départements is, or it is theirs."""
    departements: list[str | None] = [*organisation.departements] or [None]
    for departement in departements:
        try:
            check_access(principal, action, departement=departement, organisation=organisation.id)
            return
        except Introuvable:
            continue
    raise Introuvable()


async def creer_organisation(
    uow: UnitOfWork, principal: Principal, organisation: Organisation
) -> Organisation:
    autoriser_organisation(principal, "organisation.gerer", organisation)
    if organisation.code_guichet and await depot(uow).code_guichet_taken(organisation.code_guichet):
        raise Invalide([("code_guichet", "ce code de guichet est déjà attribué")])
    await depot(uow).add_organisation(organisation, maintenant_utc())
    uow.publish(OrganisationEnregistree(**_evenement(organisation)))
    await uow.commit()
    return organisation


def _evenement(o: Organisation) -> dict[str, object]:
    return {
        "organisation_id": UUID(o.id),
        "version": o.version,
        "nom": o.nom,
        "type": o.type,
        "departements": list(o.departements),
        "guichet_enregistreur": o.guichet_enregistreur,
        "reservataire": o.reservataire,
        "bailleur": o.bailleur,
    }


CHAMPS_MODIFIABLES = ("nom", "departements", "guichet_enregistreur", "reservataire", "bailleur")


async def modifier_organisation(
    uow: UnitOfWork,
    principal: Principal,
    organisation_id: str,
    version_attendue: int,
    changements: dict[str, object],
) -> Organisation:
    """Change the name, départements or roles in the fichier (If-Match). The gestionnaire
    may only give départements of their own perimeter."""
    actuelle = await depot(uow).get_organisation(organisation_id)
    if actuelle is None:
        raise Introuvable()
    autoriser_organisation(principal, "organisation.gerer", actuelle)
    if actuelle.version != version_attendue:
        raise VersionObsolete("L'organisation a été modifiée entre-temps : rechargez-la")
    inconnus = sorted(set(changements) - set(CHAMPS_MODIFIABLES))
    if inconnus:
        raise Invalide([(c, "champ non modifiable") for c in inconnus])
    nouvelle = dataclasses.replace(actuelle, **changements, version=actuelle.version + 1)  # type: ignore[arg-type]
    for departement in sorted(set(nouvelle.departements) - set(actuelle.departements)):
        try:
            check_access(principal, "organisation.gerer", departement=departement)
        except (AccesRefuse, Introuvable):
            raise AccesRefuse(f"Le département {departement} est hors de votre périmètre") from None
    if nouvelle.guichet_enregistreur and not nouvelle.code_guichet:
        raise Invalide([("guichet_enregistreur", "un guichet enregistreur a un code guichet")])
    await depot(uow).update_organisation(nouvelle)
    uow.publish(OrganisationModifiee(**_evenement(nouvelle)))
    await uow.commit()
    return nouvelle


async def lire_organisation(
    uow: UnitOfWork, principal: Principal, organisation_id: str
) -> Organisation:
    organisation = await depot(uow).get_organisation(organisation_id)
    if organisation is None:
        raise Introuvable()
    autoriser_organisation(principal, "organisation.lire", organisation)
    return organisation


async def organisations_visibles(uow: UnitOfWork, principal: Principal) -> list[Organisation]:
    result = []
    for organisation in await depot(uow).list_organisations():
        try:
            autoriser_organisation(principal, "organisation.lire", organisation)
        except (AccesRefuse, Introuvable):
            continue
        result.append(organisation)
    return result
