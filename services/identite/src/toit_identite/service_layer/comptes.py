"""Use cases of the professional accounts and their habilitations."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from servicekit.auth import Principal, check_access
from servicekit.exceptions import AccesRefuse, Conflit, Introuvable, Invalide, VersionObsolete
from servicekit.uow import UnitOfWork
from toit_contracts.enums import MotifDesactivation, Role
from toit_contracts.events.identite import (
    CompteActivationDemandee,
    CompteDesactive,
    ComptesARevoir,
)
from toit_identite.adapters import repository as repo
from toit_identite.domain.model import (
    Compte,
    Grantor,
    Habilitation,
    StatutCompte,
    TypeCompte,
    habilitation_errors,
)
from toit_identite.domain.passwords import password_problems
from toit_identite.service_layer.contexte import ACTIVATION, Identite, depot, maintenant_utc
from toit_identite.service_layer.jetons import revoquer_jetons_acces
from toit_identite.service_layer.organisations import autoriser_organisation

# --- Professional accounts -------------------------------------------------------------------


def autoriser_compte(principal: Principal, action: str, compte: Compte) -> None:
    departements: list[str | None] = [*compte.departements] or [None]
    for departement in departements:
        try:
            check_access(
                principal,
                action,
                departement=departement,
                organisation=compte.organisation_id,
                owner=compte.id,
            )
            return
        except Introuvable:
            continue
    raise Introuvable()


def habilitant_de(principal: Principal) -> Grantor:
    return Grantor(
        gestionnaire=Role.GESTIONNAIRE_FICHIER in principal.roles,
        organisation=principal.organisation,
        departements=principal.departements,
    )


async def nouveau_lien(
    uow: UnitOfWork, compte: Compte, purpose: str, lifetime: timedelta, now: datetime
) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires = now + lifetime
    await depot(uow).add_link(token=token, compte_id=compte.id, purpose=purpose, expires_at=expires)
    return token, expires


async def _journal_roles(
    uow: UnitOfWork,
    auteur: str | None,
    compte_id: str,
    before: Iterable[str],
    after: Iterable[str],
    now: datetime,
) -> None:
    before, after = set(before), set(after)
    for role in sorted(after - before):
        await depot(uow).journal(
            at=now,
            auteur_id=auteur,
            compte_id=compte_id,
            operation="ROLE_ACCORDE",
            details={"role": role},
        )
    for role in sorted(before - after):
        await depot(uow).journal(
            at=now,
            auteur_id=auteur,
            compte_id=compte_id,
            operation="ROLE_RETIRE",
            details={"role": role},
        )


@dataclass(frozen=True)
class NouveauCompte:
    identifiant: str
    email: str
    nom: str
    prenom: str
    organisation_id: str
    habilitation: Habilitation
    valide_du: date | None = None
    valide_jusqu_au: date | None = None


async def creer_agent(
    uow: UnitOfWork,
    ctx: Identite,
    grantor: Principal | None,
    nouveau: NouveauCompte,
    *,
    password: str | None = None,
    demo: bool = False,
    compte_id: str | None = None,
    weak_ok: bool = False,
    now: datetime | None = None,
) -> Compte:
    """A professional account. Without a password it waits for activation by the
    emailed link; `grantor` None means the system (CLI, demo data); `weak_ok`
    lets the demo accounts have the documented demo password."""
    now = now or maintenant_utc()
    organisation = await depot(uow).get_organisation(nouveau.organisation_id)
    if organisation is None:
        raise Invalide([("organisation_id", "organisation inconnue")])
    if grantor is not None:
        autoriser_organisation(grantor, "compte.gerer", organisation)
        errors = habilitation_errors(nouveau.habilitation, organisation, habilitant_de(grantor))
    else:
        errors = habilitation_errors(
            nouveau.habilitation,
            organisation,
            Grantor(
                gestionnaire=True,
                organisation=None,
                departements=frozenset(organisation.departements),
            ),
        )
    if await depot(uow).identifiant_taken(nouveau.identifiant):
        errors.append(("identifiant", "cet identifiant est déjà utilisé"))
    if password is not None and not weak_ok:
        errors += [
            ("mot_de_passe", p)
            for p in password_problems(
                password, identifiant=nouveau.identifiant, email=nouveau.email
            )
        ]
    _check_validity(nouveau.valide_du, nouveau.valide_jusqu_au, errors)
    if errors:
        raise Invalide(errors)
    h = nouveau.habilitation
    compte = Compte(
        id=compte_id or str(uuid.uuid4()),
        kind=TypeCompte.AGENT,
        identifiant=nouveau.identifiant.lower(),
        email=nouveau.email,
        nom=nouveau.nom,
        prenom=nouveau.prenom,
        organisation_id=organisation.id,
        roles=sorted(h.roles),
        departements=sorted(h.departements),
        epcis=sorted(h.epcis),
        communes=sorted(h.communes),
        valide_du=nouveau.valide_du,
        valide_jusqu_au=nouveau.valide_jusqu_au
        or repo.today_utc(now) + timedelta(days=ctx.settings.default_validity_days),
        statut=StatutCompte.ACTIF if password else StatutCompte.A_ACTIVER,
        password_hash=ctx.hasher.hash(password) if password else None,
        cree_le=now,
        actif_depuis=now,
        demo=demo,
    )
    await depot(uow).add_compte(compte)
    auteur = grantor.sub if grantor else None
    await depot(uow).journal(
        at=now,
        auteur_id=auteur,
        compte_id=compte.id,
        operation="COMPTE_CREE",
        details={
            "organisation": organisation.id,
            "departements": compte.departements,
            "epcis": compte.epcis,
            "communes": compte.communes,
            "valide_jusqu_au": str(compte.valide_jusqu_au),
        },
    )
    await _journal_roles(uow, auteur, compte.id, (), compte.roles, now)
    if compte.statut == StatutCompte.A_ACTIVER:
        await envoyer_activation(uow, ctx, compte, now)
    await uow.commit()
    return compte


async def envoyer_activation(uow: UnitOfWork, ctx: Identite, compte: Compte, now: datetime) -> None:
    token, expires = await nouveau_lien(
        uow, compte, ACTIVATION, timedelta(hours=ctx.settings.activation_link_hours), now
    )
    uow.publish(
        CompteActivationDemandee(
            compte_id=uuid.UUID(compte.id),
            email=compte.email,
            version=compte.version,
            url_activation=ctx.link("/activation", token),
            expire_le=expires,
        )
    )


def _check_validity(du: date | None, au: date | None, errors: list[tuple[str, str]]) -> None:
    if du and au and au < du:
        errors.append(("valide_jusqu_au", "la fin de validité précède son début"))


async def lire_compte(uow: UnitOfWork, principal: Principal, compte_id: str) -> Compte:
    compte = await depot(uow).get_compte(compte_id)
    if compte is None or compte.kind != TypeCompte.AGENT:
        raise Introuvable()
    autoriser_compte(principal, "compte.lire", compte)
    return compte


async def comptes_visibles(
    uow: UnitOfWork, principal: Principal, *, organisation_id: str | None, statut: str | None
) -> list[Compte]:
    result = []
    for compte in await depot(uow).list_comptes(organisation_id=organisation_id, statut=statut):
        try:
            autoriser_compte(principal, "compte.lire", compte)
        except (AccesRefuse, Introuvable):
            continue
        result.append(compte)
    return result


@dataclass(frozen=True)
class ModificationHabilitation:
    habilitation: Habilitation
    valide_du: date | None
    valide_jusqu_au: date | None


async def modifier_habilitation(
    uow: UnitOfWork,
    principal: Principal,
    compte_id: str,
    expected_version: int,
    change: ModificationHabilitation,
    now: datetime | None = None,
) -> Compte:
    now = now or maintenant_utc()
    compte = await compte_gere(uow, principal, compte_id, expected_version)
    organisation = await depot(uow).get_organisation(compte.organisation_id or "")
    assert organisation is not None
    errors = habilitation_errors(change.habilitation, organisation, habilitant_de(principal))
    _check_validity(change.valide_du, change.valide_jusqu_au, errors)
    if errors:
        raise Invalide(errors)
    h = change.habilitation
    updated = replace(
        compte,
        roles=sorted(h.roles),
        departements=sorted(h.departements),
        epcis=sorted(h.epcis),
        communes=sorted(h.communes),
        valide_du=change.valide_du,
        valide_jusqu_au=change.valide_jusqu_au,
        version=compte.version + 1,
    )
    await _journal_roles(uow, principal.sub, compte.id, compte.roles, updated.roles, now)
    perimeter = ("departements", "epcis", "communes", "valide_du", "valide_jusqu_au")
    if any(getattr(compte, f) != getattr(updated, f) for f in perimeter):
        await depot(uow).journal(
            at=now,
            auteur_id=principal.sub,
            compte_id=compte.id,
            operation="PERIMETRE_MODIFIE",
            details={
                f: str(getattr(updated, f)) if "valide" in f else getattr(updated, f)
                for f in perimeter
            },
        )
    await sauver_compte_verifie(uow, updated, compte.version)
    await uow.commit()
    return updated


async def compte_gere(
    uow: UnitOfWork, principal: Principal, compte_id: str, expected_version: int | None
) -> Compte:
    compte = await depot(uow).get_compte(compte_id)
    if compte is None or compte.kind != TypeCompte.AGENT:
        raise Introuvable()
    autoriser_compte(principal, "compte.gerer", compte)
    if expected_version is not None and compte.version != expected_version:
        raise VersionObsolete()
    if (
        Role.GESTIONNAIRE_FICHIER in compte.roles
        and Role.GESTIONNAIRE_FICHIER not in principal.roles
    ):
        raise AccesRefuse("Seul un gestionnaire du fichier gère ce compte")
    return compte


async def sauver_compte_verifie(uow: UnitOfWork, compte: Compte, expected_version: int) -> None:
    if not await depot(uow).save_compte(compte, expected_version=expected_version):
        raise VersionObsolete()


async def desactiver_compte(
    uow: UnitOfWork,
    principal: Principal | None,
    compte: Compte,
    motif: MotifDesactivation,
    now: datetime | None = None,
) -> Compte:
    now = now or maintenant_utc()
    if compte.statut == StatutCompte.DESACTIVE:
        raise Conflit("le compte est déjà désactivé")
    updated = replace(
        compte,
        statut=StatutCompte.DESACTIVE,
        motif_desactivation=motif.value,
        version=compte.version + 1,
    )
    await sauver_compte_verifie(uow, updated, compte.version)
    await depot(uow).revoke_all_refresh(compte.id, now)
    revoquer_jetons_acces(uow, compte.id, now)
    await depot(uow).journal(
        at=now,
        auteur_id=principal.sub if principal else None,
        compte_id=compte.id,
        operation="COMPTE_DESACTIVE",
        details={"motif": motif.value, "roles": compte.roles},
    )
    uow.publish(
        CompteDesactive(
            compte_id=uuid.UUID(compte.id), email=compte.email, version=updated.version, motif=motif
        )
    )
    return updated


async def desactiver_par_gestionnaire(
    uow: UnitOfWork, principal: Principal, compte_id: str, motif: MotifDesactivation
) -> Compte:
    compte = await compte_gere(uow, principal, compte_id, None)
    updated = await desactiver_compte(uow, principal, compte, motif)
    await uow.commit()
    return updated


async def reactiver_par_gestionnaire(
    uow: UnitOfWork, principal: Principal, compte_id: str, now: datetime | None = None
) -> Compte:
    now = now or maintenant_utc()
    compte = await compte_gere(uow, principal, compte_id, None)
    if compte.statut != StatutCompte.DESACTIVE:
        raise Conflit("le compte n'est pas désactivé")
    updated = replace(
        compte,
        statut=StatutCompte.ACTIF if compte.password_hash else StatutCompte.A_ACTIVER,
        motif_desactivation=None,
        actif_depuis=now,
        version=compte.version + 1,
    )
    await sauver_compte_verifie(uow, updated, compte.version)
    await depot(uow).journal(
        at=now,
        auteur_id=principal.sub,
        compte_id=compte.id,
        operation="COMPTE_REACTIVE",
        details={"roles": compte.roles},
    )
    await uow.commit()
    return updated


async def journal_habilitations(
    uow: UnitOfWork, principal: Principal, compte_id: str
) -> Sequence[Any]:
    await lire_compte(uow, principal, compte_id)
    return await depot(uow).read_journal(compte_id)


async def desactiver_inactifs(uow: UnitOfWork, ctx: Identite, day: date) -> int:
    """Daily job: disable accounts unused for `inactivity_days`."""
    now = maintenant_utc()
    limit = datetime.combine(day, datetime.min.time(), UTC) - timedelta(
        days=ctx.settings.inactivity_days
    )
    comptes = await depot(uow).inactive_comptes(limit)
    for compte in comptes:
        await desactiver_compte(uow, None, compte, MotifDesactivation.INACTIVITE, now)
    await depot(uow).purge_expired(now, now - timedelta(days=2))
    await uow.commit()
    return len(comptes)


async def rappeler_revues(uow: UnitOfWork, ctx: Identite, day: date) -> int:
    """Monthly, on the 1st: each organisation's administrators (or, failing them,
    the gestionnaires of its départements) get the number of accounts to review:
    those expiring soon and those unused for a while. Returns the reminders sent."""
    if day.day != 1:
        return 0
    now = maintenant_utc()
    notice = day + timedelta(days=ctx.settings.review_notice_days)
    unused = now - timedelta(days=ctx.settings.review_unused_days)
    comptes = [c for c in await depot(uow).list_comptes() if c.statut != StatutCompte.DESACTIVE]
    sent = 0
    for organisation in await depot(uow).list_organisations():
        members = [c for c in comptes if c.organisation_id == organisation.id]
        to_review = [
            c
            for c in members
            if (c.valide_jusqu_au is not None and c.valide_jusqu_au <= notice)
            or (c.derniere_connexion or c.actif_depuis or now) < unused
        ]
        if not to_review:
            continue
        admins = [
            c.email
            for c in members
            if Role.ADMINISTRATEUR_ORGANISATION in c.roles and c.statut == StatutCompte.ACTIF
        ]
        if not admins:
            admins = [
                c.email
                for c in comptes
                if Role.GESTIONNAIRE_FICHIER in c.roles
                and c.statut == StatutCompte.ACTIF
                and set(c.departements) & set(organisation.departements)
            ]
        if not await depot(uow).claim_review_reminder(organisation.id, f"{day:%Y-%m}", now):
            continue
        expiring = [c.valide_jusqu_au for c in to_review if c.valide_jusqu_au is not None]
        uow.publish(
            ComptesARevoir(
                organisation_id=uuid.UUID(organisation.id),
                nombre_comptes=len(to_review),
                date_limite=min(expiring) if expiring else None,
                destinataires=sorted(set(admins)),
            )
        )
        sent += 1
    await uow.commit()
    return sent
