"""Repeated failures lock the identifiant (and the source address) for a while."""

from __future__ import annotations

import asyncio

import httpx

from .conftest import DEMO_PASSWORD, start_identite


async def test_identite_twenty_wrong_passwords_lock_then_unlock(identite, events):
    statuses = [
        (await identite.login("demo-agent-44", "mauvais-mot-de-passe")).status_code
        for _ in range(20)
    ]
    assert statuses[:4] == [400] * 4  # invalid_grant
    assert set(statuses[5:]) == {429}  # locked from the 5th failure (default policy)
    locked = await identite.login("demo-agent-44", DEMO_PASSWORD)
    assert locked.status_code == 429, "the right password during the lock is refused"
    assert int(locked.headers["retry-after"]) >= 1
    assert "bloquée temporairement" in locked.json()["detail"]
    event = await events.next("compte.verrouille")
    assert event["email"] == "demo-agent-44@example.org"
    await asyncio.sleep(2.2)  # lockout_seconds=2 in the tests
    assert (await identite.login("demo-agent-44", DEMO_PASSWORD)).status_code == 200
    # Another identifiant was never locked.
    assert (await identite.login("demo-agent-35", DEMO_PASSWORD)).status_code == 200


async def test_identite_unknown_identifiant_answers_like_a_wrong_password(identite):
    unknown = await identite.login("personne-inconnue", "un-mot-de-passe-quelconque")
    wrong = await identite.login("demo-agent-44", "un-mot-de-passe-quelconque")
    assert unknown.status_code == wrong.status_code == 400
    assert unknown.json() == wrong.json()


async def test_identite_source_address_locked_across_identifiants(runtime_factory):
    service = await start_identite(runtime_factory, source_max_failures=6)
    app = service.runtime.app(manage_lifespan=False)
    attacker = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.9", 1)),
        base_url="http://toit.test",
    )
    other = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("198.51.100.7", 1)),
        base_url="http://toit.test",
    )

    async def login(client: httpx.AsyncClient, username: str, password: str) -> int:
        response = await client.post(
            "/api/identite/token",
            data={"grant_type": "password", "username": username, "password": password},
        )
        return response.status_code

    async with attacker, other:
        # Spraying: one try per identifiant, never 5 on the same one.
        for i in range(6):
            assert await login(attacker, f"victime-{i}", "azerty-azerty-1") == 400
        assert await login(attacker, "demo-agent-44", DEMO_PASSWORD) == 429
        assert await login(other, "demo-agent-44", DEMO_PASSWORD) == 200
    await service.client.aclose()
