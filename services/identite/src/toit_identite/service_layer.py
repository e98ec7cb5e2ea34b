"""Use cases of identite: logging in, tokens, accounts, organisations, charte.

Each takes a unit of work and commits it itself when it changes something.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import jwt
from fastapi import HTTPException

from servicekit.auth import Principal, authorize
from servicekit.uow import UnitOfWork
from toit_contracts.enums import MotifDesactivation, Role
from toit_contracts.events.identite import (
    CompteActivationDemandee,
    CompteDesactive,
    CompteReinitialisationDemandee,
    ComptesARevoir,
    CompteVerrouille,
)
from toit_identite.adapters import keys
from toit_identite.adapters import repository as repo
from toit_identite.adapters.hashing import Hasher
from toit_identite.config import IdentiteSettings
from toit_identite.domain.model import (
    Compte,
    Grantor,
    Habilitation,
    Organisation,
    StatutCompte,
    TypeCompte,
    habilitation_errors,
)
from toit_identite.domain.passwords import password_problems
from toit_identite.domain.throttling import ThrottlePolicy

STATE_KEY = "identite"
ACTIVATION = "activation"
REINITIALISATION = "reinitialisation"


# --- Errors the entrypoints translate ---------------------------------------------------------


class Invalide(Exception):
    """Bad input: (field, French message) pairs, answered 422."""

    def __init__(self, erreurs: Sequence[tuple[str, str]]) -> None:
        super().__init__("; ".join(m for _, m in erreurs))
        self.erreurs = list(erreurs)


class Conflit(Exception):
    """The request contradicts the current state (409)."""


class VersionObsolete(Exception):
    """If-Match does not match the current version (412)."""


class GrantRefuse(Exception):
    """OAuth2 invalid_grant (400): wrong credentials, revoked or expired token..."""


class Verrouille(Exception):
    """Too many failures: locked for `retry_after` seconds (429)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("verrouillé")
        self.retry_after = retry_after


def not_found() -> HTTPException:
    return HTTPException(status_code=404, detail="Ressource introuvable")


# --- Context ---------------------------------------------------------------------------------


@dataclass
class Identite:
    """What the use cases need besides the unit of work."""

    settings: IdentiteSettings
    mode: str
    issuer: str
    audience: str
    hasher: Hasher
    loaded_keys: dict[str, keys.SigningKey] = field(default_factory=dict)

    @property
    def account_policy(self) -> ThrottlePolicy:
        s = self.settings
        return ThrottlePolicy(
            s.account_max_failures,
            timedelta(seconds=s.failure_window_seconds),
            timedelta(seconds=s.lockout_seconds),
        )

    @property
    def source_policy(self) -> ThrottlePolicy:
        s = self.settings
        return ThrottlePolicy(
            s.source_max_failures,
            timedelta(seconds=s.failure_window_seconds),
            timedelta(seconds=s.lockout_seconds),
        )

    @property
    def retired_key_grace(self) -> timedelta:
        return timedelta(seconds=self.settings.access_token_seconds + 120)

    def link(self, path: str, token: str) -> str:
        return f"{self.settings.public_url.rstrip('/')}{path}?jeton={token}"


def now_utc() -> datetime:
    return datetime.now(UTC)


# --- Tokens ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    charte_a_accepter: bool


async def principal_of(uow: UnitOfWork, compte: Compte) -> Principal:
    organisation = (
        await repo.get_organisation(uow.session, compte.organisation_id)
        if compte.organisation_id
        else None
    )
    charte = await repo.current_charte(uow.session)
    accepted = (
        compte.kind == TypeCompte.DEMANDEUR
        or charte is None
        or (compte.charte_version == charte["version"])
    )
    guichet = None
    if organisation is not None and organisation.guichet_enregistreur:
        guichet = organisation.code_guichet
    return Principal(
        sub=compte.id,
        kind="demandeur" if compte.kind == TypeCompte.DEMANDEUR else "agent",
        organisation=organisation.id if organisation else None,
        organisation_type=organisation.type.value if organisation else None,
        roles=frozenset(compte.roles),
        departements=frozenset(compte.departements),
        epcis=frozenset(compte.epcis),
        communes=frozenset(compte.communes),
        guichet=guichet,
        charte_acceptee=accepted,
    )


async def _issue(
    uow: UnitOfWork, ctx: Identite, compte: Compte, now: datetime, family_id: str | None = None
) -> TokenPair:
    key = await keys.active_key(uow.session, ctx.settings.key_passphrase, ctx.loaded_keys)
    if key is None:
        raise RuntimeError("no active signing key")
    principal = await principal_of(uow, compte)
    lifetime = ctx.settings.access_token_seconds
    claims = {
        **principal.claims(),
        "iss": ctx.issuer,
        "aud": ctx.audience,
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(seconds=lifetime),
        "jti": uuid.uuid4().hex,
    }
    access = jwt.encode(claims, key.private_key, algorithm=keys.ALGORITHM, headers={"kid": key.kid})
    refresh = secrets.token_urlsafe(32)
    refresh_lifetime = ctx.settings.refresh_token_seconds
    await repo.add_refresh_token(
        uow.session,
        token=refresh,
        compte_id=compte.id,
        family_id=family_id or str(uuid.uuid4()),
        now=now,
        expires_at=now + timedelta(seconds=refresh_lifetime),
    )
    return TokenPair(access, lifetime, refresh, refresh_lifetime, not principal.charte_acceptee)


async def password_grant(
    uow: UnitOfWork,
    ctx: Identite,
    identifiant: str,
    password: str,
    source: str | None,
    now: datetime | None = None,
) -> TokenPair:
    now = now or now_utc()
    account_key = f"id:{identifiant.strip().lower()[:250]}"
    source_key = f"ip:{source or 'inconnue'}"
    account_state = await repo.get_throttle(uow.session, account_key)
    source_state = await repo.get_throttle(uow.session, source_key)
    locks = [
        s.locked_until
        for s in (account_state, source_state)
        if s.locked_until is not None and s.is_locked(now)
    ]
    if locks:
        raise Verrouille(max(1, int((max(locks) - now).total_seconds()) + 1))
    compte = await repo.find_compte(uow.session, identifiant)
    if not ctx.hasher.verify(compte.password_hash if compte else None, password):
        new_account = account_state.after_failure(now, ctx.account_policy)
        await repo.save_throttle(uow.session, account_key, new_account)
        await repo.save_throttle(
            uow.session, source_key, source_state.after_failure(now, ctx.source_policy)
        )
        if compte is not None and new_account.just_locked(account_state, now):
            compte.version += 1
            await repo.save_compte(uow.session, compte, expected_version=compte.version - 1)
            uow.publish(
                CompteVerrouille(
                    compte_id=uuid.UUID(compte.id),
                    email=compte.email,
                    version=compte.version,
                    verrouille_jusqu_a=new_account.locked_until,
                )
            )
        await uow.commit()
        raise GrantRefuse("identifiant ou mot de passe incorrect")
    assert compte is not None
    refus = compte.refus_connexion(repo.today_utc(now))
    if refus:
        raise GrantRefuse(refus)
    await repo.clear_throttle(uow.session, account_key)
    assert compte.password_hash is not None
    rehashed = ctx.hasher.hash(password) if ctx.hasher.needs_rehash(compte.password_hash) else None
    await repo.record_login(uow.session, compte.id, now, rehashed)
    pair = await _issue(uow, ctx, compte, now)
    await uow.commit()
    return pair


async def refresh_grant(
    uow: UnitOfWork, ctx: Identite, refresh_token: str, now: datetime | None = None
) -> TokenPair:
    now = now or now_utc()
    row = await repo.get_refresh_token(uow.session, refresh_token)
    if row is None or row["revoked_at"] is not None:
        raise GrantRefuse("jeton de rafraîchissement invalide ou révoqué : reconnectez-vous")
    if row["used_at"] is not None:
        # A used refresh token presented again: stolen copy or replay. The whole
        # login is revoked, the legitimate user logs in again.
        await repo.revoke_family(uow.session, row["family_id"], now)
        await uow.commit()
        raise GrantRefuse("jeton de rafraîchissement déjà utilisé : reconnectez-vous")
    if repo.utc(row["expires_at"]) <= now:  # type: ignore[operator]
        raise GrantRefuse("session expirée : reconnectez-vous")
    compte = await repo.get_compte(uow.session, row["compte_id"])
    refus = compte.refus_connexion(repo.today_utc(now)) if compte else "compte inconnu"
    if compte is None or refus:
        await repo.revoke_family(uow.session, row["family_id"], now)
        await uow.commit()
        raise GrantRefuse(refus or "compte inconnu")
    if not await repo.mark_refresh_used(uow.session, refresh_token, now):
        raise GrantRefuse("jeton de rafraîchissement déjà utilisé : reconnectez-vous")
    pair = await _issue(uow, ctx, compte, now, family_id=row["family_id"])
    await uow.commit()
    return pair


async def logout(uow: UnitOfWork, refresh_token: str, now: datetime | None = None) -> None:
    """Revoke the login the refresh token belongs to (unknown tokens: nothing to do)."""
    row = await repo.get_refresh_token(uow.session, refresh_token)
    if row is not None:
        await repo.revoke_family(uow.session, row["family_id"], now or now_utc())
        await uow.commit()


# --- Signing keys ----------------------------------------------------------------------------


async def rotate_keys(uow: UnitOfWork, ctx: Identite, now: datetime | None = None) -> str | None:
    done = await keys.rotate(
        uow.session,
        now=now or now_utc(),
        passphrase=ctx.settings.key_passphrase,
        mode=ctx.mode,
        rotation=timedelta(days=ctx.settings.key_rotation_days),
        publication=timedelta(seconds=ctx.settings.key_publication_seconds),
    )
    await uow.commit()
    return done


async def jwks(uow: UnitOfWork, ctx: Identite) -> dict[str, Any]:
    return await keys.published_jwks(uow.session, now_utc(), ctx.retired_key_grace)


# --- Organisations ---------------------------------------------------------------------------


def authorize_organisation(principal: Principal, action: str, organisation: Organisation) -> None:
    """Inside the scope if one of the organisation's départements is, or it is theirs."""
    departements: list[str | None] = [*organisation.departements] or [None]
    for departement in departements:
        try:
            authorize(principal, action, departement=departement, organisation=organisation.id)
            return
        except HTTPException as exc:
            if exc.status_code != 404:
                raise
    raise not_found()


async def create_organisation(
    uow: UnitOfWork, principal: Principal, organisation: Organisation
) -> Organisation:
    authorize_organisation(principal, "organisation.gerer", organisation)
    if organisation.code_guichet and await repo.code_guichet_taken(
        uow.session, organisation.code_guichet
    ):
        raise Invalide([("code_guichet", "ce code de guichet est déjà attribué")])
    await repo.add_organisation(uow.session, organisation, now_utc())
    await uow.commit()
    return organisation


async def read_organisation(
    uow: UnitOfWork, principal: Principal, organisation_id: str
) -> Organisation:
    organisation = await repo.get_organisation(uow.session, organisation_id)
    if organisation is None:
        raise not_found()
    authorize_organisation(principal, "organisation.lire", organisation)
    return organisation


async def visible_organisations(uow: UnitOfWork, principal: Principal) -> list[Organisation]:
    result = []
    for organisation in await repo.list_organisations(uow.session):
        try:
            authorize_organisation(principal, "organisation.lire", organisation)
        except HTTPException:
            continue
        result.append(organisation)
    return result


# --- Professional accounts -------------------------------------------------------------------


def authorize_compte(principal: Principal, action: str, compte: Compte) -> None:
    departements: list[str | None] = [*compte.departements] or [None]
    for departement in departements:
        try:
            authorize(
                principal,
                action,
                departement=departement,
                organisation=compte.organisation_id,
                owner=compte.id,
            )
            return
        except HTTPException as exc:
            if exc.status_code != 404:
                raise
    raise not_found()


def _grantor(principal: Principal) -> Grantor:
    return Grantor(
        gestionnaire=Role.GESTIONNAIRE_FICHIER in principal.roles,
        organisation=principal.organisation,
        departements=principal.departements,
    )


async def _new_link(
    uow: UnitOfWork, compte: Compte, purpose: str, lifetime: timedelta, now: datetime
) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires = now + lifetime
    await repo.add_link(
        uow.session, token=token, compte_id=compte.id, purpose=purpose, expires_at=expires
    )
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
        await repo.journal(
            uow.session,
            at=now,
            auteur_id=auteur,
            compte_id=compte_id,
            operation="ROLE_ACCORDE",
            details={"role": role},
        )
    for role in sorted(before - after):
        await repo.journal(
            uow.session,
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


async def create_agent(
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
    now = now or now_utc()
    organisation = await repo.get_organisation(uow.session, nouveau.organisation_id)
    if organisation is None:
        raise Invalide([("organisation_id", "organisation inconnue")])
    if grantor is not None:
        authorize_organisation(grantor, "compte.gerer", organisation)
        errors = habilitation_errors(nouveau.habilitation, organisation, _grantor(grantor))
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
    if await repo.identifiant_taken(uow.session, nouveau.identifiant):
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
    await repo.add_compte(uow.session, compte)
    auteur = grantor.sub if grantor else None
    await repo.journal(
        uow.session,
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
        token, expires = await _new_link(
            uow, compte, ACTIVATION, timedelta(hours=ctx.settings.activation_link_hours), now
        )
        uow.publish(
            CompteActivationDemandee(
                compte_id=uuid.UUID(compte.id),
                email=compte.email,
                version=compte.version,
                url_activation=ctx.link("/compte/activation", token),
                expire_le=expires,
            )
        )
    await uow.commit()
    return compte


def _check_validity(du: date | None, au: date | None, errors: list[tuple[str, str]]) -> None:
    if du and au and au < du:
        errors.append(("valide_jusqu_au", "la fin de validité précède son début"))


async def read_compte(uow: UnitOfWork, principal: Principal, compte_id: str) -> Compte:
    compte = await repo.get_compte(uow.session, compte_id)
    if compte is None or compte.kind != TypeCompte.AGENT:
        raise not_found()
    authorize_compte(principal, "compte.lire", compte)
    return compte


async def visible_comptes(
    uow: UnitOfWork, principal: Principal, *, organisation_id: str | None, statut: str | None
) -> list[Compte]:
    result = []
    for compte in await repo.list_comptes(
        uow.session, organisation_id=organisation_id, statut=statut
    ):
        try:
            authorize_compte(principal, "compte.lire", compte)
        except HTTPException:
            continue
        result.append(compte)
    return result


@dataclass(frozen=True)
class ModificationHabilitation:
    habilitation: Habilitation
    valide_du: date | None
    valide_jusqu_au: date | None


async def change_habilitation(
    uow: UnitOfWork,
    principal: Principal,
    compte_id: str,
    expected_version: int,
    change: ModificationHabilitation,
    now: datetime | None = None,
) -> Compte:
    now = now or now_utc()
    compte = await _managed_compte(uow, principal, compte_id, expected_version)
    organisation = await repo.get_organisation(uow.session, compte.organisation_id or "")
    assert organisation is not None
    errors = habilitation_errors(change.habilitation, organisation, _grantor(principal))
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
        await repo.journal(
            uow.session,
            at=now,
            auteur_id=principal.sub,
            compte_id=compte.id,
            operation="PERIMETRE_MODIFIE",
            details={
                f: str(getattr(updated, f)) if "valide" in f else getattr(updated, f)
                for f in perimeter
            },
        )
    await _save(uow, updated, compte.version)
    await uow.commit()
    return updated


async def _managed_compte(
    uow: UnitOfWork, principal: Principal, compte_id: str, expected_version: int | None
) -> Compte:
    compte = await repo.get_compte(uow.session, compte_id)
    if compte is None or compte.kind != TypeCompte.AGENT:
        raise not_found()
    authorize_compte(principal, "compte.gerer", compte)
    if expected_version is not None and compte.version != expected_version:
        raise VersionObsolete()
    if (
        Role.GESTIONNAIRE_FICHIER in compte.roles
        and Role.GESTIONNAIRE_FICHIER not in principal.roles
    ):
        raise HTTPException(
            status_code=403, detail="Seul un gestionnaire du fichier gère ce compte"
        )
    return compte


async def _save(uow: UnitOfWork, compte: Compte, expected_version: int) -> None:
    if not await repo.save_compte(uow.session, compte, expected_version=expected_version):
        raise VersionObsolete()


async def disable_compte(
    uow: UnitOfWork,
    principal: Principal | None,
    compte: Compte,
    motif: MotifDesactivation,
    now: datetime | None = None,
) -> Compte:
    now = now or now_utc()
    if compte.statut == StatutCompte.DESACTIVE:
        raise Conflit("le compte est déjà désactivé")
    updated = replace(
        compte,
        statut=StatutCompte.DESACTIVE,
        motif_desactivation=motif.value,
        version=compte.version + 1,
    )
    await _save(uow, updated, compte.version)
    await repo.revoke_all_refresh(uow.session, compte.id, now)
    await repo.journal(
        uow.session,
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


async def disable_by_admin(
    uow: UnitOfWork, principal: Principal, compte_id: str, motif: MotifDesactivation
) -> Compte:
    compte = await _managed_compte(uow, principal, compte_id, None)
    updated = await disable_compte(uow, principal, compte, motif)
    await uow.commit()
    return updated


async def reactivate_by_admin(
    uow: UnitOfWork, principal: Principal, compte_id: str, now: datetime | None = None
) -> Compte:
    now = now or now_utc()
    compte = await _managed_compte(uow, principal, compte_id, None)
    if compte.statut != StatutCompte.DESACTIVE:
        raise Conflit("le compte n'est pas désactivé")
    updated = replace(
        compte,
        statut=StatutCompte.ACTIF if compte.password_hash else StatutCompte.A_ACTIVER,
        motif_desactivation=None,
        actif_depuis=now,
        version=compte.version + 1,
    )
    await _save(uow, updated, compte.version)
    await repo.journal(
        uow.session,
        at=now,
        auteur_id=principal.sub,
        compte_id=compte.id,
        operation="COMPTE_REACTIVE",
        details={"roles": compte.roles},
    )
    await uow.commit()
    return updated


async def habilitation_journal(
    uow: UnitOfWork, principal: Principal, compte_id: str
) -> Sequence[Any]:
    await read_compte(uow, principal, compte_id)
    return await repo.read_journal(uow.session, compte_id)


async def disable_inactive(uow: UnitOfWork, ctx: Identite, day: date) -> int:
    """Daily job: disable accounts unused for `inactivity_days`."""
    now = now_utc()
    limit = datetime.combine(day, datetime.min.time(), UTC) - timedelta(
        days=ctx.settings.inactivity_days
    )
    comptes = await repo.inactive_comptes(uow.session, limit)
    for compte in comptes:
        await disable_compte(uow, None, compte, MotifDesactivation.INACTIVITE, now)
    await repo.purge_expired(uow.session, now, now - timedelta(days=2))
    await uow.commit()
    return len(comptes)


async def remind_reviews(uow: UnitOfWork, ctx: Identite, day: date) -> int:
    """Monthly, on the 1st: each organisation's administrators (or, failing them,
    the gestionnaires of its départements) get the number of accounts to review:
    those expiring soon and those unused for a while. Returns the reminders sent."""
    if day.day != 1:
        return 0
    now = now_utc()
    notice = day + timedelta(days=ctx.settings.review_notice_days)
    unused = now - timedelta(days=ctx.settings.review_unused_days)
    comptes = [
        c for c in await repo.list_comptes(uow.session) if c.statut != StatutCompte.DESACTIVE
    ]
    sent = 0
    for organisation in await repo.list_organisations(uow.session):
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
        if not await repo.claim_review_reminder(uow.session, organisation.id, f"{day:%Y-%m}", now):
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


# --- Applicants ------------------------------------------------------------------------------


async def register_demandeur(
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
    now = now or now_utc()
    problems = password_problems(password, email=email)
    if problems:
        raise Invalide([("mot_de_passe", p) for p in problems])
    existing = await repo.find_compte(uow.session, email)
    if existing is not None:
        if existing.statut == StatutCompte.A_ACTIVER and existing.kind == TypeCompte.DEMANDEUR:
            await _send_activation(uow, ctx, existing, now)
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
    await repo.add_compte(uow.session, compte)
    await _send_activation(uow, ctx, compte, now)
    await uow.commit()


async def _send_activation(uow: UnitOfWork, ctx: Identite, compte: Compte, now: datetime) -> None:
    token, expires = await _new_link(
        uow, compte, ACTIVATION, timedelta(hours=ctx.settings.activation_link_hours), now
    )
    uow.publish(
        CompteActivationDemandee(
            compte_id=uuid.UUID(compte.id),
            email=compte.email,
            version=compte.version,
            url_activation=ctx.link("/compte/activation", token),
            expire_le=expires,
        )
    )


async def activate(
    uow: UnitOfWork, ctx: Identite, token: str, password: str | None, now: datetime | None = None
) -> None:
    now = now or now_utc()
    compte_id = await repo.consume_link(uow.session, token, ACTIVATION, now)
    compte = await repo.get_compte(uow.session, compte_id) if compte_id else None
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
    await _save(uow, updated, compte.version)
    await uow.commit()


async def forgotten_password(
    uow: UnitOfWork, ctx: Identite, identifiant: str, now: datetime | None = None
) -> None:
    """Send a reset link if the account exists and is active; same answer otherwise."""
    now = now or now_utc()
    compte = await repo.find_compte(uow.session, identifiant)
    if compte is None or compte.statut != StatutCompte.ACTIF:
        return
    token, expires = await _new_link(
        uow, compte, REINITIALISATION, timedelta(minutes=ctx.settings.reset_link_minutes), now
    )
    uow.publish(
        CompteReinitialisationDemandee(
            compte_id=uuid.UUID(compte.id),
            email=compte.email,
            version=compte.version,
            url_reinitialisation=ctx.link("/compte/reinitialisation", token),
            expire_le=expires,
        )
    )
    await uow.commit()


async def reset_password(
    uow: UnitOfWork, ctx: Identite, token: str, password: str, now: datetime | None = None
) -> None:
    now = now or now_utc()
    compte_id = await repo.consume_link(uow.session, token, REINITIALISATION, now)
    compte = await repo.get_compte(uow.session, compte_id) if compte_id else None
    if compte is None or compte.statut != StatutCompte.ACTIF:
        raise Invalide([("jeton", "lien de réinitialisation invalide, expiré ou déjà utilisé")])
    await _set_password(uow, ctx, compte, password, now)
    await repo.clear_throttle(uow.session, f"id:{compte.identifiant}")
    await uow.commit()


async def change_password(
    uow: UnitOfWork,
    ctx: Identite,
    principal: Principal,
    current: str,
    new: str,
    now: datetime | None = None,
) -> None:
    now = now or now_utc()
    compte = await repo.get_compte(uow.session, principal.sub)
    if compte is None:
        raise not_found()
    if not ctx.hasher.verify(compte.password_hash, current):
        raise Invalide([("mot_de_passe_actuel", "mot de passe actuel incorrect")])
    await _set_password(uow, ctx, compte, new, now)
    await uow.commit()


async def _set_password(
    uow: UnitOfWork, ctx: Identite, compte: Compte, password: str, now: datetime
) -> None:
    problems = password_problems(password, identifiant=compte.identifiant, email=compte.email)
    if problems:
        raise Invalide([("mot_de_passe", p) for p in problems])
    updated = replace(compte, password_hash=ctx.hasher.hash(password), version=compte.version + 1)
    await _save(uow, updated, compte.version)
    # Every session of the account ends: whoever knew the old password is out.
    await repo.revoke_all_refresh(uow.session, compte.id, now)


# --- Charte déontologique --------------------------------------------------------------------


async def ensure_charte(uow: UnitOfWork, texte: str) -> None:
    if await repo.current_charte(uow.session) is None:
        await repo.add_charte(uow.session, 1, texte, now_utc(), None)
        await uow.commit()


async def accept_charte(uow: UnitOfWork, principal: Principal, version: int) -> None:
    charte = await repo.current_charte(uow.session)
    if charte is None or charte["version"] != version:
        raise Invalide([("version", "ce n'est pas la version en vigueur de la charte")])
    compte = await repo.get_compte(uow.session, principal.sub)
    if compte is None:
        raise not_found()
    updated = replace(compte, charte_version=version, version=compte.version + 1)
    await _save(uow, updated, compte.version)
    await repo.journal(
        uow.session,
        at=now_utc(),
        auteur_id=compte.id,
        compte_id=compte.id,
        operation="CHARTE_ACCEPTEE",
        details={"version": version},
    )
    await uow.commit()


async def publish_charte(uow: UnitOfWork, principal: Principal, texte: str) -> int:
    charte = await repo.current_charte(uow.session)
    version = (charte["version"] if charte else 0) + 1
    await repo.add_charte(uow.session, version, texte, now_utc(), principal.sub)
    await uow.commit()
    return version
