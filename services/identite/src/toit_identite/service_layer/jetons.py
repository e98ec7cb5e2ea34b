"""Use cases of logging in: tokens, refresh, logout, signing keys."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from servicekit.auth import Principal
from servicekit.uow import UnitOfWork
from toit_contracts.events.identite import (
    CompteVerrouille,
    JetonRevoque,
)
from toit_identite.adapters import keys
from toit_identite.adapters import repository as repo
from toit_identite.config import MAX_ACCESS_TOKEN_SECONDS
from toit_identite.domain.erreurs import GrantRefuse, Verrouille
from toit_identite.domain.model import (
    Compte,
    TypeCompte,
)
from toit_identite.service_layer.contexte import Identite, depot, maintenant_utc

# --- Tokens ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    charte_a_accepter: bool


async def principal_de(uow: UnitOfWork, compte: Compte) -> Principal:
    organisation = (
        await depot(uow).get_organisation(compte.organisation_id)
        if compte.organisation_id
        else None
    )
    charte = await depot(uow).current_charte()
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


async def _emettre(
    uow: UnitOfWork, ctx: Identite, compte: Compte, now: datetime, family_id: str | None = None
) -> TokenPair:
    key = await keys.active_key(uow.session, ctx.settings.key_passphrase, ctx.loaded_keys)
    if key is None:
        raise RuntimeError("no active signing key")
    principal = await principal_de(uow, compte)
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
    await depot(uow).add_refresh_token(
        token=refresh,
        compte_id=compte.id,
        family_id=family_id or str(uuid.uuid4()),
        now=now,
        expires_at=now + timedelta(seconds=refresh_lifetime),
    )
    return TokenPair(access, lifetime, refresh, refresh_lifetime, not principal.charte_acceptee)


def cles_de_limitation(source: str | None, account: str) -> tuple[str, str, str]:
    """(address + account, account, address) keys of the login throttle."""
    address = source or "inconnue"
    return f"ip-compte:{address}|{account}", f"compte:{account}", f"ip:{address}"


async def octroi_mot_de_passe(
    uow: UnitOfWork,
    ctx: Identite,
    identifiant: str,
    password: str,
    source: str | None,
    now: datetime | None = None,
) -> TokenPair:
    now = now or maintenant_utc()
    # One account, one counter, whichever identifier (login or email) was typed.
    compte = await depot(uow).find_compte(identifiant)
    account = compte.id if compte else f"id:{identifiant.strip().lower()[:250]}"
    counters = cles_de_limitation(source, account)
    policies = (ctx.pair_policy, ctx.account_policy, ctx.source_policy)
    states = [await depot(uow).get_throttle(key) for key in counters]
    locks = [s.locked_until for s in states if s.locked_until is not None and s.is_locked(now)]
    if locks:
        raise Verrouille(max(1, int((max(locks) - now).total_seconds()) + 1))
    if not ctx.hasher.verify(compte.password_hash if compte else None, password):
        after = [s.after_failure(now, p) for s, p in zip(states, policies, strict=True)]
        for key, state in zip(counters, after, strict=True):
            await depot(uow).save_throttle(key, state)
        # The owner is told when the account gets locked (not for the address alone).
        locked = [a for a, s in zip(after[:2], states[:2], strict=True) if a.just_locked(s, now)]
        if compte is not None and locked:
            compte.version += 1
            await depot(uow).save_compte(compte, expected_version=compte.version - 1)
            uow.publish(
                CompteVerrouille(
                    compte_id=uuid.UUID(compte.id),
                    email=compte.email,
                    version=compte.version,
                    verrouille_jusqu_a=max(a.locked_until for a in locked if a.locked_until),
                )
            )
        await uow.commit()
        raise GrantRefuse("identifiant ou mot de passe incorrect")
    assert compte is not None
    refus = compte.refus_connexion(repo.today_utc(now))
    if refus:
        raise GrantRefuse(refus)
    await depot(uow).clear_throttle(counters[0])
    assert compte.password_hash is not None
    rehashed = ctx.hasher.hash(password) if ctx.hasher.needs_rehash(compte.password_hash) else None
    await depot(uow).record_login(compte.id, now, rehashed)
    pair = await _emettre(uow, ctx, compte, now)
    await uow.commit()
    return pair


async def octroi_rafraichissement(
    uow: UnitOfWork, ctx: Identite, refresh_token: str, now: datetime | None = None
) -> TokenPair:
    now = now or maintenant_utc()
    row = await depot(uow).get_refresh_token(refresh_token)
    if row is None or row["revoked_at"] is not None:
        raise GrantRefuse("jeton de rafraîchissement invalide ou révoqué : reconnectez-vous")
    if row["used_at"] is not None:
        # A used refresh token presented again: stolen copy or replay. The whole
        # login is revoked, the legitimate user logs in again.
        await depot(uow).revoke_family(row["family_id"], now)
        await uow.commit()
        raise GrantRefuse("jeton de rafraîchissement déjà utilisé : reconnectez-vous")
    if repo.utc(row["expires_at"]) <= now:  # type: ignore[operator]
        raise GrantRefuse("session expirée : reconnectez-vous")
    compte = await depot(uow).get_compte(row["compte_id"])
    refus = compte.refus_connexion(repo.today_utc(now)) if compte else "compte inconnu"
    if compte is None or refus:
        await depot(uow).revoke_family(row["family_id"], now)
        await uow.commit()
        raise GrantRefuse(refus or "compte inconnu")
    if not await depot(uow).mark_refresh_used(refresh_token, now):
        raise GrantRefuse("jeton de rafraîchissement déjà utilisé : reconnectez-vous")
    pair = await _emettre(uow, ctx, compte, now, family_id=row["family_id"])
    await uow.commit()
    return pair


def revoquer_jetons_acces(
    uow: UnitOfWork, compte_id: str, now: datetime, *, jti: str | None = None
) -> None:
    """Tell every service to refuse the account's access token `jti`, or all its access
    tokens issued until now (jeton.revoque, applied by servicekit's token verifier)."""
    uow.publish(
        JetonRevoque(
            compte_id=uuid.UUID(compte_id),
            jti=jti,
            emis_avant=None if jti else now,
            expire_le=now + timedelta(seconds=MAX_ACCESS_TOKEN_SECONDS),
        )
    )


async def deconnecter(
    uow: UnitOfWork,
    refresh_token: str,
    access: Principal | None = None,
    now: datetime | None = None,
) -> None:
    """Revoke the login the refresh token belongs to (unknown tokens: nothing to do),
    and its access tokens: the one presented with the logout if it is the account's,
    otherwise every access token of the account issued until now (the other sessions
    get a 401, refresh, and go on)."""
    now = now or maintenant_utc()
    row = await depot(uow).get_refresh_token(refresh_token)
    if row is not None:
        await depot(uow).revoke_family(row["family_id"], now)
        own = access is not None and access.sub == row["compte_id"] and access.token_id
        revoquer_jetons_acces(
            uow, str(row["compte_id"]), now, jti=access.token_id if own and access else None
        )
        await uow.commit()


# --- Signing keys ----------------------------------------------------------------------------


async def renouveler_cles(
    uow: UnitOfWork, ctx: Identite, now: datetime | None = None
) -> str | None:
    done = await keys.rotate(
        uow.session,
        now=now or maintenant_utc(),
        passphrase=ctx.settings.key_passphrase,
        mode=ctx.mode,
        rotation=timedelta(days=ctx.settings.key_rotation_days),
        publication=timedelta(seconds=ctx.settings.key_publication_seconds),
    )
    await uow.commit()
    return done


async def jwks(uow: UnitOfWork, ctx: Identite) -> dict[str, Any]:
    return await keys.published_jwks(uow.session, maintenant_utc(), ctx.retired_key_grace)
