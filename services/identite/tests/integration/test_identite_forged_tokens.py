"""Forged, expired or foreign tokens are refused (401), by identite and by any
other service of the process verifying through servicekit."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import generate_private_key
from fastapi import APIRouter, Depends

from servicekit import ServiceDefinition
from servicekit.auth import Principal, require
from servicekit.testing_auth import make_token

MOI = "/api/identite/moi"


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _parts(token: str) -> tuple[dict, dict, str]:
    header, payload, signature = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return (
        json.loads(base64.urlsafe_b64decode(pad(header))),
        json.loads(base64.urlsafe_b64decode(pad(payload))),
        signature,
    )


async def _status(identite, token: str) -> int:
    response = await identite.client.get(MOI, headers={"Authorization": f"Bearer {token}"})
    if response.status_code == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert set(response.json()) == {"detail"}
    return response.status_code


async def test_identite_genuine_token_accepted(identite):
    assert await _status(identite, await identite.token("demo-agent-44")) == 200


async def test_identite_alg_none_refused(identite):
    header, payload, _ = _parts(await identite.token("demo-agent-44"))
    payload["roles"] = ["GESTIONNAIRE_FICHIER"]
    forged = f"{_b64({**header, 'alg': 'none'})}.{_b64(payload)}."
    assert await _status(identite, forged) == 401
    forged = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(payload)}."
    assert await _status(identite, forged) == 401


async def test_identite_tampered_claims_refused(identite):
    header, payload, signature = _parts(await identite.token("demo-agent-44"))
    for change in (
        {"roles": ["GESTIONNAIRE_FICHIER"]},
        {"departements": ["35", "44"]},
        {"sub": "00000000-0000-4000-8000-000000000001"},
        {"charte": True, "exp": 4102444800},
    ):
        forged = f"{_b64(header)}.{_b64({**payload, **change})}.{signature}"
        assert await _status(identite, forged) == 401, change


async def test_identite_wrong_key_refused(identite):
    header, payload, _ = _parts(await identite.token("demo-agent-44"))
    kid = header["kid"]
    assert await _status(identite, make_token(key=Ed25519PrivateKey.generate(), kid=kid)) == 401
    assert (
        await _status(identite, make_token(key=Ed25519PrivateKey.generate(), kid="inconnue")) == 401
    )
    rsa = generate_private_key(public_exponent=65537, key_size=2048)
    assert (
        await _status(identite, jwt.encode(payload, rsa, algorithm="RS256", headers={"kid": kid}))
        == 401
    )


async def test_identite_hmac_with_public_key_refused(identite):
    # Algorithm confusion: HS256 "signed" with the published public key.
    header, payload, _ = _parts(await identite.token("demo-agent-44"))
    jwks = (await identite.client.get("/api/identite/jwks")).json()
    import hashlib
    import hmac

    secret = jwks["keys"][0]["x"].encode()
    signing_input = f"{_b64({**header, 'alg': 'HS256'})}.{_b64(payload)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    forged = f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    assert await _status(identite, forged) == 401


@pytest.mark.parametrize(
    "kwargs",
    [
        {"expires_in": -3600},
        {"audience": "autre-application"},
        {"issuer": "https://faux-fournisseur.example"},
        {"extra_claims": {"nbf": 4102444800}},
        {"extra_claims": {"kind": "administrateur"}},
    ],
)
async def test_identite_expired_or_foreign_token_refused(identite, kwargs):
    assert await _status(identite, make_token(**kwargs)) == 401


async def test_identite_missing_or_malformed_header_refused(identite):
    for headers in (
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic YWRtaW46YWRtaW4="},
        {"Authorization": "Bearer a.b.c"},
    ):
        response = await identite.client.get(MOI, headers=headers)
        assert response.status_code == 401, headers
        assert "bearer" in response.headers["www-authenticate"].lower()


_demo_router = APIRouter(prefix="/api/voisin")


@_demo_router.get("/qui")
async def _qui(principal: Principal = Depends(require("demande.lire"))) -> dict[str, object]:
    return {"sub": principal.sub, "roles": sorted(principal.roles)}


async def test_identite_tokens_verified_by_other_service_and_rotation(identite, runtime_factory):
    """Another service of the process verifies identite's tokens through the
    in-process JWKS, across a key rotation, and refuses a forged one."""
    neighbour = await runtime_factory(
        ServiceDefinition(
            name="voisin",
            routers=[_demo_router],
            migrations=Path(__file__).parents[2] / "src/toit_identite/migrations",
        ),
        jwks_cache_seconds=1,
    )
    transport = httpx.ASGITransport(app=neighbour.app(manage_lifespan=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://voisin") as client:
        before = await identite.token("demo-agent-44")
        response = await client.get(
            "/api/voisin/qui", headers={"Authorization": f"Bearer {before}"}
        )
        assert response.status_code == 200, response.text
        assert response.json()["roles"] == ["AGENT_ENREGISTREUR"]

        from toit_identite import service_layer as uc
        from toit_identite.bootstrap import dependances

        ctx = dependances(identite.runtime).contexte
        old_kid = _parts(before)[0]["kid"]
        # Rotation: prepare a key (published), then promote it once published long enough.
        from datetime import timedelta

        later = uc.contexte.maintenant_utc() + timedelta(days=ctx.settings.key_rotation_days + 1)
        async with identite.runtime.unit_of_work() as uow:
            assert await uc.jetons.renouveler_cles(uow, ctx, later) == "prepared"
        # The neighbour's cache expires while the next key is published ahead...
        await asyncio.sleep(1.2)
        response = await client.get(
            "/api/voisin/qui", headers={"Authorization": f"Bearer {before}"}
        )
        assert response.status_code == 200
        async with identite.runtime.unit_of_work() as uow:
            assert (
                await uc.jetons.renouveler_cles(uow, ctx, later + timedelta(hours=1)) == "promoted"
            )
        after = await identite.token("demo-agent-44")
        assert _parts(after)[0]["kid"] != old_kid
        kids = {k["kid"] for k in (await identite.client.get("/api/identite/jwks")).json()["keys"]}
        assert old_kid in kids  # still published while its tokens live
        for token in (before, after):
            response = await client.get(
                "/api/voisin/qui", headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 200, response.text
        header, payload, signature = _parts(after)
        forged = f"{_b64(header)}.{_b64({**payload, 'departements': ['35']})}.{signature}"
        response = await client.get(
            "/api/voisin/qui", headers={"Authorization": f"Bearer {forged}"}
        )
        assert response.status_code == 401
