"""Repeated failures lock the account (whatever identifier was typed) for one address
with exponential backoff, the account for every address past a higher limit, and the
address alone; the owner of a locked account gets back in by email."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import httpx

from .conftest import DEMO_PASSWORD, EventTap, start_identite


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


def _client(app, address: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(address, 1)), base_url="http://toit.test"
    )


async def _login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(
        "/api/identite/token",
        data={"grant_type": "password", "username": username, "password": password},
    )


async def test_identite_the_lock_is_per_account_whatever_the_identifier(identite):
    for _ in range(5):
        assert (await identite.login("demo-agent-44", "mauvais-mot-de-passe")).status_code == 400
    # The same account through its email: still locked, even with the right password.
    alias = await identite.login("demo-agent-44@example.org", DEMO_PASSWORD)
    assert alias.status_code == 429
    assert (await identite.login("DEMO-AGENT-44", DEMO_PASSWORD)).status_code == 429


async def test_identite_an_attacker_cannot_lock_the_owner_out(runtime_factory):
    service = await start_identite(runtime_factory, account_all_sources_max_failures=12)
    app = service.runtime.app(manage_lifespan=False)
    async with _client(app, "203.0.113.9") as attacker, _client(app, "198.51.100.7") as owner:
        for _ in range(5):
            assert (await _login(attacker, "demo-agent-44", "azerty-azerty-1")).status_code == 400
        first = await _login(attacker, "demo-agent-44", DEMO_PASSWORD)
        assert first.status_code == 429 and int(first.headers["retry-after"]) <= 3
        # The owner, elsewhere, is not locked out by the attacker's failures.
        assert (await _login(owner, "demo-agent-44", DEMO_PASSWORD)).status_code == 200
        # Exponential backoff per address + account: each failure after a lock doubles it.
        await asyncio.sleep(2.1)
        assert (await _login(attacker, "demo-agent-44", "azerty-azerty-2")).status_code == 400
        second = await _login(attacker, "demo-agent-44", DEMO_PASSWORD)
        assert second.status_code == 429 and 3 <= int(second.headers["retry-after"]) <= 5
    await service.client.aclose()


async def test_identite_a_locked_owner_resets_the_password_by_email(runtime_factory):
    service = await start_identite(runtime_factory, account_all_sources_max_failures=6)
    app = service.runtime.app(manage_lifespan=False)
    tap = EventTap(service.runtime.settings.amqp_url)
    await tap.open()
    # A distributed attack: a few tries from each of several addresses lock the account.
    for i in range(3):
        async with _client(app, f"203.0.113.{i + 1}") as attacker:
            for _ in range(2):
                await _login(attacker, "demo-agent-44", "azerty-azerty-1")
    async with _client(app, "198.51.100.7") as owner:
        assert (await _login(owner, "demo-agent-44", DEMO_PASSWORD)).status_code == 429
        asked = await owner.post(
            "/api/identite/mot-de-passe/oubli", json={"identifiant": "demo-agent-44@example.org"}
        )
        assert asked.status_code == 202
        event = await tap.next("compte.reinitialisation_demandee")
        jeton = parse_qs(urlsplit(event["url_reinitialisation"]).query)["jeton"][0]
        new_password = "une toute nouvelle phrase de passe"
        reset = await owner.post(
            "/api/identite/mot-de-passe/reinitialisation",
            json={"jeton": jeton, "mot_de_passe": new_password},
        )
        assert reset.status_code == 204, reset.text
        assert (await _login(owner, "demo-agent-44", new_password)).status_code == 200
    await tap.close()
    await service.client.aclose()
