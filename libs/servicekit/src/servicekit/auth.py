"""Who is calling, and may they? Bearer tokens verified locally, for every service.

Endpoints declare the action they need; the table in `servicekit.authz` says
which roles grant it:

    @router.get("/api/demandes/{id}")
    async def lire(id: UUID, principal: Principal = Depends(require("demande.lire"))):
        demande = ...
        authorize(principal, "demande.lire", departement=demande.departement,
                  communes=demande.communes, owner=demande.compte_demandeur)

`require` answers 401 without a valid token and 403 when no role grants the
action; `authorize` answers 404 when the record is outside the principal's
scope, so that nothing about it leaks.

Tokens are JWTs signed by identite (EdDSA, or RS256), verified here against a
cached JWKS; where the keys come from is decided by `TokenVerifier.from_settings`:
1. TOIT_JWKS_JSON: a static JWKS (tests, air-gapped installs);
2. the JWKS provider identite registers when it runs in the same process
   (`uv run toit-embedded`): no HTTP at all;
3. TOIT_JWKS_URL (default: the gateway, http://127.0.0.1:8000/api/identite/jwks),
   fetched once then cached TOIT_JWKS_CACHE_SECONDS, refetched on an unknown kid.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import httpx
import jwt
import structlog
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from servicekit import authz
from servicekit.exceptions import AccesRefuse, Introuvable

if TYPE_CHECKING:
    from servicekit.runtime import ServiceRuntime
    from servicekit.settings import Settings

log = structlog.get_logger(__name__)

ROLE_REFUSE = "Accès refusé : votre rôle ne permet pas cette action"
ALGORITHMS: tuple[str, ...] = ("EdDSA", "RS256")
VERIFIER_STATE_KEY = "auth.verifier"

JwksProvider = Callable[[], Awaitable[Mapping[str, Any]]]


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, as the access token describes them."""

    sub: str
    kind: Literal["agent", "demandeur", "client"]
    organisation: str | None = None
    organisation_type: str | None = None
    roles: frozenset[str] = frozenset()
    departements: frozenset[str] = frozenset()
    # Empty: the whole départements; otherwise the account sees these only.
    epcis: frozenset[str] = frozenset()
    communes: frozenset[str] = frozenset()
    guichet: str | None = None
    # Agents must accept the current charte déontologique before anything else.
    charte_acceptee: bool = True
    token_id: str | None = field(default=None, compare=False)

    def claims(self) -> dict[str, Any]:
        """The token claims describing this principal (identite signs them)."""
        return {
            "sub": self.sub,
            "kind": self.kind,
            "organisation": self.organisation,
            "organisation_type": self.organisation_type,
            "roles": sorted(self.roles),
            "departements": sorted(self.departements),
            "epcis": sorted(self.epcis),
            "communes": sorted(self.communes),
            "guichet": self.guichet,
            "charte": self.charte_acceptee,
        }

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Principal:
        kind = claims.get("kind")
        if kind not in ("agent", "demandeur", "client"):
            raise InvalidToken("unknown principal kind")

        def strings(name: str) -> frozenset[str]:
            value = claims.get(name) or []
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InvalidToken(f"claim {name} is not a list of strings")
            return frozenset(value)

        def optional(name: str) -> str | None:
            value = claims.get(name)
            if value is not None and not isinstance(value, str):
                raise InvalidToken(f"claim {name} is not a string")
            return value

        return cls(
            sub=str(claims["sub"]),
            kind=kind,
            organisation=optional("organisation"),
            organisation_type=optional("organisation_type"),
            roles=strings("roles"),
            departements=strings("departements"),
            epcis=strings("epcis"),
            communes=strings("communes"),
            guichet=optional("guichet"),
            charte_acceptee=claims.get("charte", True) is True,
            token_id=optional("jti"),
        )


class InvalidToken(Exception):
    """The token is malformed, forged, expired or not meant for Toit."""


def _key_algorithm(jwk: Mapping[str, Any]) -> str | None:
    if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
        return "EdDSA"
    if jwk.get("kty") == "RSA":
        return "RS256"
    return None


def _parse_jwks(jwks: Mapping[str, Any] | None) -> dict[str, tuple[str, Any]]:
    """kid -> (algorithm, public key); keys of other kinds are ignored."""
    keys: dict[str, tuple[str, Any]] = {}
    for jwk in (jwks or {}).get("keys", []):
        algorithm = _key_algorithm(jwk)
        kid = jwk.get("kid")
        if algorithm is None or not kid or jwk.get("use", "sig") != "sig":
            continue
        if jwk.get("alg", algorithm) != algorithm:
            continue
        try:
            keys[kid] = (algorithm, jwt.PyJWK(dict(jwk), algorithm=algorithm).key)
        except jwt.PyJWTError:
            log.warning("auth.jwks_key_unusable", kid=kid)
    return keys


class TokenVerifier:
    """Verifies access tokens locally against a cached JWKS."""

    VERIFIED_CACHE_SIZE = 10_000

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        static_jwks: Mapping[str, Any] | None = None,
        provider: JwksProvider | None = None,
        cache_seconds: float = 300,
        leeway: float = 30,
        min_refresh_interval: float = 2.0,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self._static = _parse_jwks(static_jwks)
        self._provider = provider
        self._cache_seconds = cache_seconds
        self._leeway = leeway
        self._min_refresh_interval = min_refresh_interval
        self._fetched: dict[str, tuple[str, Any]] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()
        self._verified: dict[str, tuple[float, float, Principal]] = {}
        # Deny-list fed by the jeton.revoque events (see `revoke`): jti -> forget at,
        # sub -> (tokens issued before this instant are refused, forget at).
        self._revoked_jti: dict[str, float] = {}
        self._revoked_sub: dict[str, tuple[float, float]] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenVerifier:
        static = json.loads(settings.jwks_json) if settings.jwks_json else None
        url = settings.jwks_url

        async def provider() -> Mapping[str, Any]:
            if _local_provider is not None:
                return await _local_provider()
            if not url:
                return {"keys": []}
            return await fetch_jwks(url)

        return cls(
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            static_jwks=static,
            provider=provider,
            cache_seconds=settings.jwks_cache_seconds,
        )

    async def verify(self, token: str) -> Principal:
        # A client sends the same token for its whole life: remember the tokens
        # already verified (the key is the whole signed token) until they expire.
        cached = self._verified.get(token)
        if cached is not None and time.time() <= cached[0] + self._leeway:
            _, issued_at, principal = cached
        else:
            claims = await self.claims(token)
            principal = Principal.from_claims(claims)
            issued_at = float(claims["iat"])
            if len(self._verified) >= self.VERIFIED_CACHE_SIZE:
                self._verified.pop(next(iter(self._verified)))
            self._verified[token] = (float(claims["exp"]), issued_at, principal)
        if self._is_revoked(principal, issued_at):
            raise InvalidToken("revoked")
        return principal

    def revoke(
        self,
        *,
        sub: str,
        jti: str | None = None,
        issued_before: float | None = None,
        forget_at: float,
    ) -> None:
        """Refuse one token (its jti), or every token of `sub` issued before an instant,
        until `forget_at` (when they expire anyway)."""
        now = time.time()
        self._revoked_jti = {k: v for k, v in self._revoked_jti.items() if v > now}
        self._revoked_sub = {k: v for k, v in self._revoked_sub.items() if v[1] > now}
        forget_at += self._leeway
        if jti is not None:
            self._revoked_jti[jti] = forget_at
        elif issued_before is not None:
            before, _ = self._revoked_sub.get(sub, (float("-inf"), 0.0))
            self._revoked_sub[sub] = (max(before, issued_before), forget_at)

    def _is_revoked(self, principal: Principal, issued_at: float) -> bool:
        if principal.token_id is not None and principal.token_id in self._revoked_jti:
            return True
        # iat has a resolution of one second: the tokens of the very second of the
        # revocation are spared, so that logging in again right after works.
        revoked = self._revoked_sub.get(principal.sub)
        return revoked is not None and issued_at < int(revoked[0])

    async def claims(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken("malformed token") from exc
        algorithm = header.get("alg")
        kid = header.get("kid")
        if algorithm not in ALGORITHMS or not isinstance(kid, str):
            raise InvalidToken("algorithm not allowed or kid missing")
        key = await self._key(kid)
        if key is None:
            raise InvalidToken("unknown signing key")
        key_algorithm, public_key = key
        if key_algorithm != algorithm:
            raise InvalidToken("algorithm does not match the key")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                public_key,
                algorithms=[key_algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(type(exc).__name__) from exc
        return claims

    async def _key(self, kid: str) -> tuple[str, Any] | None:
        if kid in self._static:
            return self._static[kid]
        if self._provider is None:
            return None
        now = time.monotonic()
        expired = now - self._fetched_at > self._cache_seconds
        if kid not in self._fetched or expired:
            async with self._lock:
                now = time.monotonic()
                expired = now - self._fetched_at > self._cache_seconds
                # An unknown kid refreshes the cache (key rotation), at most
                # once per interval so that forged kids cannot flood identite.
                stale = kid not in self._fetched and (
                    now - self._fetched_at > self._min_refresh_interval
                )
                if expired or stale:
                    await self._refresh()
        return self._fetched.get(kid)

    async def _refresh(self) -> None:
        assert self._provider is not None
        try:
            self._fetched = _parse_jwks(await self._provider())
        except Exception as exc:
            # Keep the keys we had: identite being briefly away must not log everyone out.
            log.warning("auth.jwks_unavailable", error=type(exc).__name__)
        self._fetched_at = time.monotonic()


REVOCATION_EVENT = "jeton.revoque"


async def apply_revocation(runtime: ServiceRuntime, body: bytes) -> None:
    """Handler of the jeton.revoque broadcast every runtime subscribes to."""
    data = json.loads(body).get("data") or {}
    sub, forget_at = data.get("compte_id"), data.get("expire_le")
    if not isinstance(sub, str) or not isinstance(forget_at, str):
        log.warning("auth.revocation_ignored")
        return
    from datetime import datetime

    issued_before = data.get("emis_avant")
    verifier_of(runtime).revoke(
        sub=sub,
        jti=data.get("jti"),
        issued_before=datetime.fromisoformat(issued_before).timestamp() if issued_before else None,
        forget_at=datetime.fromisoformat(forget_at).timestamp(),
    )
    log.info("auth.token_revoked", scope="jeton" if data.get("jti") else "compte")


async def fetch_jwks(url: str) -> Mapping[str, Any]:
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.get(url)
        response.raise_for_status()
        body: Mapping[str, Any] = response.json()
        return body


_local_provider: JwksProvider | None = None


def register_local_jwks(provider: JwksProvider) -> None:
    """identite registers its key store here when it runs in this process, so the
    other services of the process verify tokens without any HTTP call."""
    global _local_provider
    _local_provider = provider


def unregister_local_jwks(provider: JwksProvider) -> None:
    global _local_provider
    if _local_provider is provider:
        _local_provider = None


def set_verifier(runtime: ServiceRuntime, verifier: TokenVerifier) -> None:
    runtime.state[VERIFIER_STATE_KEY] = verifier


def verifier_of(runtime: ServiceRuntime) -> TokenVerifier:
    verifier = runtime.state.get(VERIFIER_STATE_KEY)
    if not isinstance(verifier, TokenVerifier):
        verifier = TokenVerifier.from_settings(runtime.settings)
        set_verifier(runtime, verifier)
    return verifier


_bearer = HTTPBearer(auto_error=False, description="Jeton d'accès délivré par identite")


def _unauthenticated(invalid: bool) -> HTTPException:
    challenge = 'Bearer error="invalid_token"' if invalid else "Bearer"
    detail = (
        "Jeton d'accès invalide ou expiré : reconnectez-vous"
        if invalid
        else "Authentification requise"
    )
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": challenge})


async def authenticate(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Principal:
    """FastAPI dependency: the principal of a valid bearer token, else 401."""
    if credentials is None:
        raise _unauthenticated(invalid=False)
    from servicekit.http import runtime_of

    try:
        principal = await verifier_of(runtime_of(request)).verify(credentials.credentials)
    except InvalidToken as exc:
        log.info("auth.token_refused", reason=str(exc))
        raise _unauthenticated(invalid=True) from None
    request.state.principal = principal
    return principal


def require(action: str) -> Callable[..., Awaitable[Principal]]:
    """FastAPI dependency declaring the action an endpoint performs.

    401 without a valid token; 403 when no role of the principal grants the
    action, or when an agent has not accepted the current charte déontologique."""
    if action not in authz.ACTIONS:
        raise ValueError(f"unknown action {action!r}: declare it in servicekit.authz")

    async def dependency(principal: Principal = Depends(authenticate)) -> Principal:
        if not authz.scopes_for(principal.roles, action):
            raise HTTPException(
                status_code=403, detail="Accès refusé : votre rôle ne permet pas cette action"
            )
        if not principal.charte_acceptee and action not in authz.SELF_ACTIONS:
            raise HTTPException(
                status_code=403,
                detail="Vous devez d'abord accepter la charte déontologique",
                headers={"X-Toit-Charte": "a-accepter"},
            )
        return principal

    dependency.__toit_action__ = action  # type: ignore[attr-defined]
    dependency.__name__ = f"require_{action.replace('.', '_')}"
    return dependency


def public(reason: str) -> Callable[[], Awaitable[None]]:
    """FastAPI dependency marking an endpoint as reachable without a token
    (login, JWKS, activation links...); the access matrix test requires every
    route to declare either `require(action)` or `public(reason)`."""

    async def dependency() -> None:
        return None

    dependency.__toit_public__ = reason  # type: ignore[attr-defined]
    return dependency


def departement_of_commune(code_insee: str) -> str:
    """Département of a commune from its INSEE code (97x for the overseas ones)."""
    return code_insee[:3] if code_insee.startswith("97") else code_insee[:2]


def _not_found() -> HTTPException:
    return HTTPException(status_code=404, detail="Ressource introuvable")


def in_perimetre(
    principal: Principal,
    *,
    departement: str | None = None,
    communes: Iterable[str] = (),
    epci: str | None = None,
) -> bool:
    """Is a record located there inside the principal's territory?"""
    communes = set(communes)
    if departement is not None:
        departements = {departement}
    else:
        departements = {departement_of_commune(c) for c in communes}
    if not departements or not departements <= principal.departements:
        return False
    if not principal.epcis and not principal.communes:
        return True
    return (epci is not None and epci in principal.epcis) or bool(communes & principal.communes)


def check_access(
    principal: Principal,
    action: str,
    *,
    departement: str | None = None,
    communes: Iterable[str] = (),
    epci: str | None = None,
    owner: str | None = None,
    organisation: str | None = None,
) -> None:
    """Check that the principal may perform the action on this record, for use cases.

    Pass what is known of the record: its territory (département, communes,
    EPCI), its owner account (a demandeur's own demande) and its organisation.
    Raises `AccesRefuse` when the action is not granted at all; `Introuvable` when
    the record is outside every scope granted, so that its existence does not leak."""
    scopes = authz.scopes_for(principal.roles, action)
    if not scopes:
        raise AccesRefuse(ROLE_REFUSE)
    communes = tuple(communes)
    for scope in scopes:
        if scope == "tout":
            return
        if scope == "perimetre" and in_perimetre(
            principal, departement=departement, communes=communes, epci=epci
        ):
            return
        if (
            scope == "organisation"
            and organisation is not None
            and organisation == principal.organisation
        ):
            return
        if scope == "propre" and owner is not None and owner == principal.sub:
            return
    raise Introuvable()


def authorize(
    principal: Principal,
    action: str,
    *,
    departement: str | None = None,
    communes: Iterable[str] = (),
    epci: str | None = None,
    owner: str | None = None,
    organisation: str | None = None,
) -> None:
    """`check_access` for entrypoints: 403 when the action is not granted at all; 404
    when the record is outside every scope granted, so that its existence does not leak."""
    try:
        check_access(
            principal,
            action,
            departement=departement,
            communes=communes,
            epci=epci,
            owner=owner,
            organisation=organisation,
        )
    except AccesRefuse as exc:
        raise HTTPException(status_code=403, detail=exc.message) from None
    except Introuvable:
        raise _not_found() from None


def may(principal: Principal, action: str, **record: Any) -> bool:
    """`check_access` as a boolean, e.g. to leave out a sensitive complement."""
    try:
        check_access(principal, action, **record)
    except (AccesRefuse, Introuvable):
        return False
    return True


def demo_id(name: str) -> str:
    """Stable id of a demo record (account, organisation), so that every service's
    demo data can refer to the demo accounts: demo_id("demo-demandeur@example.org")
    is the `sub` of the demo applicant."""
    import uuid

    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://toit.example/demo/{name}"))
