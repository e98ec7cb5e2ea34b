"""OAuth2 client credentials for partners' API clients: secret shown once, rotation without
downtime, revocation; the token carries PARTENAIRE_API only."""

from __future__ import annotations

import base64

import jwt
import pytest

from servicekit.auth import demo_id

from .conftest import Identite

pytestmark = pytest.mark.integration

BAILLEUR_44 = demo_id("org-bailleur-44")
EPCI_35 = demo_id("org-epci-35")


async def _jeton(identite: Identite, client_id: str, secret: str, basic: bool = False) -> int:
    if basic:
        auth = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        r = await identite.client.post(
            "/api/identite/token",
            data={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {auth}"},
        )
    else:
        r = await identite.client.post(
            "/api/identite/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret,
            },
        )
    if r.status_code == 200:
        body = r.json()
        assert set(body) == {"access_token", "token_type", "expires_in"}  # no refresh token
        assert r.headers["cache-control"] == "no-store"
        claims = jwt.decode(body["access_token"], options={"verify_signature": False})
        assert claims["kind"] == "client" and claims["sub"] == client_id
        assert claims["roles"] == ["PARTENAIRE_API"]
        assert claims["organisation"] == BAILLEUR_44
    else:
        assert r.json()["error"] == "invalid_grant"
    return r.status_code


async def test_identite_client_credentials_rotation_et_revocation(identite: Identite) -> None:
    gestionnaire = await identite.headers("demo-gestionnaire-44")
    r = await identite.client.post(
        "/api/identite/clients",
        json={"organisation_id": BAILLEUR_44, "nom": "SI locatif"},
        headers=gestionnaire,
    )
    assert r.status_code == 201, r.text
    assert r.headers["cache-control"].startswith("no-store")
    client_id, secret = r.json()["client"]["client_id"], r.json()["client_secret"]
    assert await _jeton(identite, client_id, secret) == 200
    assert await _jeton(identite, client_id, secret, basic=True) == 200
    assert await _jeton(identite, client_id, secret + "x") == 400
    # The secret is never shown again.
    listed = await identite.client.get(
        "/api/identite/clients", params={"organisation_id": BAILLEUR_44}, headers=gestionnaire
    )
    assert [c["client_id"] for c in listed.json()] == [client_id]
    assert "client_secret" not in listed.text and secret not in listed.text

    # Rotation: the new secret works at once, the old one still works (grace period).
    r = await identite.client.post(
        f"/api/identite/clients/{client_id}/secret", headers=gestionnaire
    )
    nouveau = r.json()["client_secret"]
    assert nouveau != secret and r.json()["client"]["secret_precedent_jusqu_a"]
    assert await _jeton(identite, client_id, nouveau) == 200
    assert await _jeton(identite, client_id, secret) == 200

    # The organisation's administrator manages its own clients; another's is hidden.
    admin = await identite.headers("demo-admin-44")
    r = await identite.client.post(
        "/api/identite/clients",
        json={"organisation_id": EPCI_35, "nom": "Intrus"},
        headers=admin,
    )
    assert r.status_code == 404

    r = await identite.client.post(
        f"/api/identite/clients/{client_id}/revocation", headers=gestionnaire
    )
    assert r.status_code == 200 and r.json()["revoque_le"]
    assert await _jeton(identite, client_id, nouveau) == 400
    assert await _jeton(identite, client_id, secret) == 400
