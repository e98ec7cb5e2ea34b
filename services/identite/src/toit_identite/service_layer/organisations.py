"""Use cases of the partner organisations."""

from __future__ import annotations

from servicekit.auth import Principal, check_access
from servicekit.exceptions import AccesRefuse, Introuvable, Invalide
from servicekit.uow import UnitOfWork
from toit_identite.domain.model import (
    Organisation,
)
from toit_identite.service_layer.contexte import depot, now_utc

# --- Organisations ---------------------------------------------------------------------------


def authorize_organisation(principal: Principal, action: str, organisation: Organisation) -> None:
    """Inside the scope if one of the organisation's départements is, or it is theirs."""
    departements: list[str | None] = [*organisation.departements] or [None]
    for departement in departements:
        try:
            check_access(principal, action, departement=departement, organisation=organisation.id)
            return
        except Introuvable:
            continue
    raise Introuvable()


async def create_organisation(
    uow: UnitOfWork, principal: Principal, organisation: Organisation
) -> Organisation:
    authorize_organisation(principal, "organisation.gerer", organisation)
    if organisation.code_guichet and await depot(uow).code_guichet_taken(organisation.code_guichet):
        raise Invalide([("code_guichet", "ce code de guichet est déjà attribué")])
    await depot(uow).add_organisation(organisation, now_utc())
    await uow.commit()
    return organisation


async def read_organisation(
    uow: UnitOfWork, principal: Principal, organisation_id: str
) -> Organisation:
    organisation = await depot(uow).get_organisation(organisation_id)
    if organisation is None:
        raise Introuvable()
    authorize_organisation(principal, "organisation.lire", organisation)
    return organisation


async def visible_organisations(uow: UnitOfWork, principal: Principal) -> list[Organisation]:
    result = []
    for organisation in await depot(uow).list_organisations():
        try:
            authorize_organisation(principal, "organisation.lire", organisation)
        except (AccesRefuse, Introuvable):
            continue
        result.append(organisation)
    return result
