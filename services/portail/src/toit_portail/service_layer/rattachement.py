"""Use cases of attaching a guichet demande to the account (domain/rattachement.py).

Each takes its unit of work and returns a verdict; the pages choose the words."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from uuid import UUID, uuid4

from servicekit.uow import UnitOfWork
from toit_contracts.events import DemandeCodeRattachement, DemandeRattachee, RattachementDemande
from toit_portail.adapters import repository
from toit_portail.domain.rattachement import (
    FENETRE,
    VALIDITE,
    Tentative,
    Verdict,
    empreinte,
    empreinte_numero,
    limite_atteinte,
    nouveau_code,
    verifier,
)


async def demander_code(
    uow: UnitOfWork, compte_id: str, numero: str, date_naissance: date, maintenant: datetime
) -> UUID | None:
    """Record an attempt and ask demandes to check it (same work whatever the numéro);
    None when the account or the numéro asked for too many codes within the hour."""
    cle_numero = empreinte_numero(numero)
    par_compte, par_numero = await repository.tentatives_recentes(
        uow.session, compte_id, cle_numero, maintenant - FENETRE
    )
    if limite_atteinte(par_compte, par_numero):
        return None
    code, sel = nouveau_code(), secrets.token_bytes(16)
    tentative = Tentative(
        id=uuid4(),
        compte_id=compte_id,
        sel=sel,
        code_empreinte=empreinte(sel, code),
        cree_le=maintenant,
        expire_le=maintenant + VALIDITE,
    )
    await repository.oublier_tentatives(uow.session, maintenant - 24 * FENETRE)
    await repository.ajouter_tentative(uow.session, tentative, cle_numero)
    uow.publish(
        RattachementDemande(
            rattachement_id=tentative.id,
            numero_unique=numero,
            date_naissance=date_naissance,
            code=code,
            expire_le=tentative.expire_le,
        )
    )
    await uow.commit()
    return tentative.id


async def confirmer(
    uow: UnitOfWork, tentative_id: UUID, compte_id: str, code: str, maintenant: datetime
) -> Verdict | None:
    """Check a typed code; None if the attempt is not this account's."""
    tentative = await repository.tentative(uow.session, tentative_id, compte_id, verrouiller=True)
    if tentative is None:
        return None
    verdict = verifier(tentative, code, maintenant)
    if verdict is Verdict.CONFIRMEE:
        assert tentative.demande_id is not None
        await repository.noter_essai(
            uow.session, Tentative(**{**tentative.__dict__, "confirmee_le": maintenant})
        )
        await repository.rattacher_localement(uow.session, tentative.demande_id, compte_id)
        uow.publish(
            DemandeRattachee(
                rattachement_id=tentative.id, demande_id=tentative.demande_id, compte_id=compte_id
            )
        )
    else:
        await repository.noter_essai(
            uow.session, Tentative(**{**tentative.__dict__, "essais": tentative.essais + 1})
        )
    await uow.commit()
    return verdict


async def code_envoye(uow: UnitOfWork, event: DemandeCodeRattachement) -> None:
    """demandes has matched numéro and date of birth: the attempt is about this demande."""
    await repository.demande_de_tentative(uow.session, event.rattachement_id, event.demande_id)
