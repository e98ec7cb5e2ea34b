"""Use cases of the applicants' accounts: registration, activation, passwords."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta

from servicekit.auth import Principal
from servicekit.exceptions import AccesRefuse, Introuvable, Invalide
from servicekit.uow import UnitOfWork
from toit_contracts.enums import Role
from toit_contracts.events.identite import (
    CompteReinitialisationDemandee,
    CompteSupprime,
)
from toit_identite.adapters import suppression
from toit_identite.domain.model import (
    Compte,
    StatutCompte,
    TypeCompte,
)
from toit_identite.domain.passwords import password_problems
from toit_identite.service_layer.comptes import (
    envoyer_activation,
    nouveau_lien,
    sauver_compte_verifie,
)
from toit_identite.service_layer.contexte import (
    ACTIVATION,
    REINITIALISATION,
    Identite,
    depot,
    maintenant_utc,
)
from toit_identite.service_layer.jetons import revoquer_jetons_acces

# --- Applicants ------------------------------------------------------------------------------


async def inscrire_demandeur(
    uow: UnitOfWork,
    ctx: Identite,
    email: str,
    password: str,
    nom: str | None,
    prenom: str | None,
    now: datetime | None = None,
) -> None:
    """Create an applicant account waiting for activation. An address already
    registered gets no new account, and the answer is the same (no enumeration)."""
    now = now or maintenant_utc()
    problems = password_problems(password, email=email)
    if problems:
        raise Invalide([("mot_de_passe", p) for p in problems])
    existing = await depot(uow).find_compte(email)
    if existing is not None:
        if existing.statut == StatutCompte.A_ACTIVER and existing.kind == TypeCompte.DEMANDEUR:
            await envoyer_activation(uow, ctx, existing, now)
            await uow.commit()
        return
    compte = Compte(
        id=str(uuid.uuid4()),
        kind=TypeCompte.DEMANDEUR,
        identifiant=email.lower(),
        email=email,
        nom=nom,
        prenom=prenom,
        roles=[Role.DEMANDEUR.value],
        statut=StatutCompte.A_ACTIVER,
        password_hash=ctx.hasher.hash(password),
        cree_le=now,
        actif_depuis=now,
    )
    await depot(uow).add_compte(compte)
    await envoyer_activation(uow, ctx, compte, now)
    await uow.commit()


async def activer(
    uow: UnitOfWork, ctx: Identite, token: str, password: str | None, now: datetime | None = None
) -> None:
    now = now or maintenant_utc()
    compte_id = await depot(uow).consume_link(token, ACTIVATION, now)
    compte = await depot(uow).get_compte(compte_id) if compte_id else None
    if compte is None or compte.statut != StatutCompte.A_ACTIVER:
        raise Invalide([("jeton", "lien d'activation invalide, expiré ou déjà utilisé")])
    password_hash = compte.password_hash
    if password_hash is None or password:
        if not password:
            raise Invalide([("mot_de_passe", "choisissez votre mot de passe")])
        problems = password_problems(password, identifiant=compte.identifiant, email=compte.email)
        if problems:
            raise Invalide([("mot_de_passe", p) for p in problems])
        password_hash = ctx.hasher.hash(password)
    updated = replace(
        compte,
        statut=StatutCompte.ACTIF,
        password_hash=password_hash,
        actif_depuis=now,
        version=compte.version + 1,
    )
    await sauver_compte_verifie(uow, updated, compte.version)
    await uow.commit()


async def mot_de_passe_oublie(
    uow: UnitOfWork, ctx: Identite, identifiant: str, now: datetime | None = None
) -> None:
    """Send a reset link if the account exists and is active; same answer otherwise."""
    now = now or maintenant_utc()
    compte = await depot(uow).find_compte(identifiant)
    if compte is None or compte.statut != StatutCompte.ACTIF:
        return
    token, expires = await nouveau_lien(
        uow, compte, REINITIALISATION, timedelta(minutes=ctx.settings.reset_link_minutes), now
    )
    uow.publish(
        CompteReinitialisationDemandee(
            compte_id=uuid.UUID(compte.id),
            email=compte.email,
            version=compte.version,
            url_reinitialisation=ctx.link("/mot-de-passe/reinitialisation", token),
            expire_le=expires,
        )
    )
    await uow.commit()


async def reinitialiser_mot_de_passe(
    uow: UnitOfWork, ctx: Identite, token: str, password: str, now: datetime | None = None
) -> None:
    now = now or maintenant_utc()
    compte_id = await depot(uow).consume_link(token, REINITIALISATION, now)
    compte = await depot(uow).get_compte(compte_id) if compte_id else None
    if compte is None or compte.statut != StatutCompte.ACTIF:
        raise Invalide([("jeton", "lien de réinitialisation invalide, expiré ou déjà utilisé")])
    await _definir_mot_de_passe(uow, ctx, compte, password, now)
    # The owner of a locked account gets back in by email, whatever the attacker does.
    await depot(uow).clear_account_throttles(compte.id)
    await uow.commit()


async def changer_mot_de_passe(
    uow: UnitOfWork,
    ctx: Identite,
    principal: Principal,
    current: str,
    new: str,
    now: datetime | None = None,
) -> None:
    now = now or maintenant_utc()
    compte = await depot(uow).get_compte(principal.sub)
    if compte is None:
        raise Introuvable()
    if not ctx.hasher.verify(compte.password_hash, current):
        raise Invalide([("mot_de_passe_actuel", "mot de passe actuel incorrect")])
    await _definir_mot_de_passe(uow, ctx, compte, new, now)
    await uow.commit()


async def _definir_mot_de_passe(
    uow: UnitOfWork, ctx: Identite, compte: Compte, password: str, now: datetime
) -> None:
    problems = password_problems(password, identifiant=compte.identifiant, email=compte.email)
    if problems:
        raise Invalide([("mot_de_passe", p) for p in problems])
    updated = replace(compte, password_hash=ctx.hasher.hash(password), version=compte.version + 1)
    await sauver_compte_verifie(uow, updated, compte.version)
    # Every session of the account ends: whoever knew the old password is out.
    await depot(uow).revoke_all_refresh(compte.id, now)
    revoquer_jetons_acces(uow, compte.id, now)


async def supprimer_compte(
    uow: UnitOfWork,
    ctx: Identite,
    principal: Principal,
    mot_de_passe: str,
    now: datetime | None = None,
) -> None:
    """An applicant deletes their own account (not their demande), confirming with the
    password: nothing of the account stays in identite, every session ends at once, and
    `compte.supprime` tells demandes (detach the demandes) and the portail (forget the
    drafts and attempts). A professional account is closed by its administrator."""
    now = now or maintenant_utc()
    compte = await depot(uow).get_compte(principal.sub)
    if compte is None:
        raise Introuvable()
    if compte.kind != TypeCompte.DEMANDEUR:
        raise AccesRefuse(
            "Un compte professionnel est fermé par l'administrateur de son organisation"
        )
    if not ctx.hasher.verify(compte.password_hash, mot_de_passe):
        raise Invalide([("mot_de_passe", "mot de passe incorrect")])
    await depot(uow).clear_account_throttles(compte.id)
    await suppression.supprimer_compte(uow.session, compte.id)
    revoquer_jetons_acces(uow, compte.id, now)
    uow.publish(CompteSupprime(compte_id=uuid.UUID(compte.id), version=compte.version + 1))
    await uow.commit()
