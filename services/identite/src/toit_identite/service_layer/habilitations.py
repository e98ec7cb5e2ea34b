"""Changing the habilitations (roles, perimeter, validity) of an existing account.

Who may grant what is the rule of `domain.model.habilitation_errors` (organisation's
capacities, GESTIONNAIRE_FICHIER granted by a gestionnaire only, perimeter within the
grantor's and the organisation's) and of `comptes.compte_gere` (scope of compte.gerer,
a gestionnaire's account managed by a gestionnaire only). Here, besides: nobody changes
their own habilitations (no self-escalation); another administrator must do it. Every
change is written to the account's journal with its author (comptes.modifier_habilitation).
"""

from __future__ import annotations

from servicekit.auth import Principal
from servicekit.exceptions import AccesRefuse
from servicekit.uow import UnitOfWork
from toit_identite.domain.model import Compte
from toit_identite.service_layer import comptes

AUTO_HABILITATION = (
    "Vous ne pouvez pas modifier vos propres habilitations : demandez-le à un autre administrateur"
)


async def modifier(
    uow: UnitOfWork,
    principal: Principal,
    compte_id: str,
    version_attendue: int,
    modification: comptes.ModificationHabilitation,
) -> Compte:
    if compte_id == principal.sub:
        raise AccesRefuse(AUTO_HABILITATION)
    return await comptes.modifier_habilitation(
        uow, principal, compte_id, version_attendue, modification
    )
