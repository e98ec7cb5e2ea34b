"""Tokens for tests, without running identite, and the role × endpoint matrix.

Loaded for the whole repository by the root conftest.py. A session-scoped
Ed25519 test key signs the tokens of `make_token`; the autouse fixture
`trusted_test_key` publishes its public half in TOIT_JWKS_JSON, so every
runtime built by `runtime_factory` or `memory_runtime_factory` (their
Settings read the environment) verifies these tokens with no further setup.

    from servicekit.testing_auth import auth_headers, assert_access_matrix

    r = await client.get("/api/demandes/...", headers=auth_headers(
        roles={"AGENT_ENREGISTREUR"}, departements={"44"}))

    async def test_demandes_access_matrix(memory_runtime_factory):
        runtime = await memory_runtime_factory(service)
        await assert_access_matrix(runtime.app(manage_lifespan=False))
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.routing import APIRoute
from jwt.algorithms import OKPAlgorithm

from servicekit import authz
from servicekit.settings import Settings

TEST_KID = "toit-test-key"
EXCLUDED_SUFFIXES = (
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.json",
    "/docs",
    "/docs/oauth2-redirect",
)


@cache
def test_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def test_jwks() -> dict[str, Any]:
    jwk = json.loads(OKPAlgorithm.to_jwk(test_private_key().public_key()))
    return {"keys": [{**jwk, "kid": TEST_KID, "alg": "EdDSA", "use": "sig"}]}


@pytest.fixture(scope="session", autouse=True)
def trusted_test_key() -> Iterator[Ed25519PrivateKey]:
    """Make every runtime of the test session trust the test key (TOIT_JWKS_JSON)."""
    previous = os.environ.get("TOIT_JWKS_JSON")
    os.environ["TOIT_JWKS_JSON"] = json.dumps(test_jwks())
    yield test_private_key()
    if previous is None:
        os.environ.pop("TOIT_JWKS_JSON", None)
    else:
        os.environ["TOIT_JWKS_JSON"] = previous


def make_token(
    roles: Iterable[str] = ("AGENT_ENREGISTREUR",),
    departements: Iterable[str] = ("44",),
    *,
    kind: str | None = None,
    sub: str | None = None,
    organisation: str | None = "00000000-0000-4000-8000-000000000044",
    organisation_type: str | None = "BAILLEUR",
    epcis: Iterable[str] = (),
    communes: Iterable[str] = (),
    guichet: str | None = None,
    charte: bool = True,
    # Long enough for tokens made at import time (module constants) to outlive a slow
    # full suite; tests of expiry pass their own value.
    expires_in: float = 4 * 3600,
    issuer: str | None = None,
    audience: str | None = None,
    key: Ed25519PrivateKey | None = None,
    kid: str = TEST_KID,
    extra_claims: Mapping[str, Any] | None = None,
) -> str:
    """A signed access token as identite would issue it (test key by default).

    `kind` defaults to "demandeur" when the only role is DEMANDEUR; a demandeur
    has no organisation nor perimeter unless given."""
    roles = frozenset(roles)
    if kind is None:
        kind = "demandeur" if roles == {"DEMANDEUR"} else "agent"
    if kind == "demandeur":
        organisation = organisation_type = None
    defaults = Settings.model_fields
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": issuer or defaults["jwt_issuer"].default,
        "aud": audience or defaults["jwt_audience"].default,
        "sub": sub or str(uuid.uuid4()),
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(seconds=expires_in),
        "jti": uuid.uuid4().hex,
        "kind": kind,
        "organisation": organisation,
        "organisation_type": organisation_type,
        "roles": sorted(roles),
        "departements": sorted(departements) if kind == "agent" else [],
        "epcis": sorted(epcis),
        "communes": sorted(communes),
        "guichet": guichet,
        "charte": charte,
        **(extra_claims or {}),
    }
    return jwt.encode(claims, key or test_private_key(), algorithm="EdDSA", headers={"kid": kid})


def auth_headers(**token_kwargs: Any) -> dict[str, str]:
    """{"Authorization": "Bearer <make_token(**token_kwargs)>"}."""
    return {"Authorization": f"Bearer {make_token(**token_kwargs)}"}


# --- Role × endpoint matrix ------------------------------------------------------------------


@dataclass(frozen=True)
class RouteAccess:
    method: str
    path: str
    action: str | None  # None: public
    public_reason: str | None


def _markers(calls: Iterable[Any]) -> tuple[list[str], list[str]]:
    actions = [c.__toit_action__ for c in calls if hasattr(c, "__toit_action__")]
    publics = [c.__toit_public__ for c in calls if hasattr(c, "__toit_public__")]
    return actions, publics


def _dependency_calls(route: APIRoute) -> list[Any]:
    calls: list[Any] = []
    stack = list(route.dependant.dependencies)
    while stack:
        dependant = stack.pop()
        calls.append(dependant.call)
        stack.extend(dependant.dependencies)
    return calls


def _api_routes(
    routes: Iterable[Any], prefix: str = "", inherited: tuple[Any, ...] = ()
) -> Iterator[tuple[str, APIRoute, list[Any]]]:
    """(full path, route, include-time dependency calls), through included
    routers (recent FastAPI versions keep them as lazy `_IncludedRouter` nodes)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route, list(inherited)
        elif hasattr(route, "original_router"):
            context = getattr(route, "include_context", None)
            extra = tuple(
                getattr(d, "dependency", None) for d in getattr(context, "dependencies", ()) or ()
            )
            yield from _api_routes(
                route.original_router.routes,
                prefix + (getattr(context, "prefix", "") or ""),
                inherited + extra,
            )


def route_access(app: FastAPI) -> list[RouteAccess]:
    """Every API route of the app with the action it declares.

    Fails on a route that declares neither `require(action)` nor `public(reason)`
    (health, metrics and OpenAPI routes are left out)."""
    found: list[RouteAccess] = []
    undeclared: list[str] = []
    for path, route, inherited in _api_routes(app.routes):
        if path.endswith(EXCLUDED_SUFFIXES):
            continue
        actions, publics = _markers([*inherited, *_dependency_calls(route)])
        for method in sorted(set(route.methods or ()) - {"HEAD", "OPTIONS"}):
            if len(set(actions)) > 1:
                pytest.fail(f"{method} {path} declares several actions: {actions}")
            if actions:
                found.append(RouteAccess(method, path, actions[0], None))
            elif publics:
                found.append(RouteAccess(method, path, None, publics[0]))
            else:
                undeclared.append(f"{method} {path}")
    if undeclared:
        pytest.fail(
            "routes without a declared action (require(...) or public(...)): "
            + ", ".join(undeclared)
        )
    return found


_PARAM = re.compile(r"\{([^}:]+)(:[^}]*)?\}")
PLACEHOLDER_ID = "00000000-0000-4000-8000-000000000000"


def _concrete(path: str, path_params: Mapping[str, str]) -> str:
    return _PARAM.sub(lambda m: path_params.get(m.group(1), PLACEHOLDER_ID), path)


def _token_for_role(role: str) -> str:
    if role == authz.DEMANDEUR:
        return make_token(roles={role}, kind="demandeur")
    return make_token(roles={role}, departements={"44"})


async def assert_access_matrix(
    app: FastAPI,
    *,
    path_params: Mapping[str, str] | None = None,
    roles: Iterable[str] = authz.ROLES,
    token_for_role: Callable[[str], str] = _token_for_role,
    skip: Iterable[str] = (),
    expect_routes: bool = True,
) -> list[RouteAccess]:
    """Call every declared route of the app: without a token and with a bad one
    (401, WWW-Authenticate: Bearer), then once per role (403 exactly when the
    role does not grant the action in servicekit.authz, anything but 401/403
    otherwise, and never a 5xx). Path parameters default to a placeholder UUID; requests carry
    an empty JSON object, so allowed calls usually end in 404 or 422.
    `skip` lists "METHOD /path" entries not to call (still must be declared);
    `expect_routes=False` accepts an app without API routes (yet)."""
    accesses = route_access(app)
    if expect_routes and not accesses:
        pytest.fail("no API route found in the app")
    skipped = set(skip)
    failures: list[str] = []
    bad_tokens = {
        "malformé": "pas-un-jeton",
        "mauvaise clé": make_token(roles=authz.ROLES, key=Ed25519PrivateKey.generate()),
        "expiré": make_token(roles=authz.ROLES, expires_in=-3600),
    }
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://toit.test") as client:
        for access in accesses:
            label = f"{access.method} {access.path}"
            if access.action is None or label in skipped:
                continue
            url = _concrete(access.path, path_params or {})

            async def call(
                headers: dict[str, str], url: str = url, method: str = access.method
            ) -> httpx.Response:
                kwargs: dict[str, Any] = {"headers": headers}
                if method in ("POST", "PUT", "PATCH"):
                    kwargs["json"] = {}
                return await client.request(method, url, **kwargs)

            response = await call({})
            if (
                response.status_code != 401
                or "bearer" not in response.headers.get("www-authenticate", "").lower()
            ):
                failures.append(f"{label} sans jeton: {response.status_code}")
            for name, token in bad_tokens.items():
                response = await call({"Authorization": f"Bearer {token}"})
                if response.status_code != 401:
                    failures.append(f"{label} jeton {name}: {response.status_code}")
            allowed_roles = authz.roles_granting(access.action)
            for role in roles:
                response = await call({"Authorization": f"Bearer {token_for_role(role)}"})
                if response.status_code >= 500:
                    failures.append(f"{label} {role}: {response.status_code}")
                elif role in allowed_roles and response.status_code in (401, 403):
                    failures.append(f"{label} {role} (autorisé): {response.status_code}")
                elif role not in allowed_roles and response.status_code != 403:
                    failures.append(f"{label} {role} (interdit): {response.status_code}")
    if failures:
        pytest.fail("access matrix:\n  " + "\n  ".join(failures))
    return accesses
