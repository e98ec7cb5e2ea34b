"""Activation and reset links: single use, short-lived, and only the latest one works."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

STRONG = "une phrase de passe assez longue"


def _jeton(url: str) -> str:
    return parse_qs(urlsplit(url).query)["jeton"][0]


async def test_identite_a_newer_reset_link_invalidates_the_older_one(identite, events):
    for _ in range(2):
        asked = await identite.client.post(
            "/api/identite/mot-de-passe/oubli", json={"identifiant": "demo-agent-44"}
        )
        assert asked.status_code == 202
    older = _jeton((await events.next("compte.reinitialisation_demandee"))["url_reinitialisation"])
    newer = _jeton((await events.next("compte.reinitialisation_demandee"))["url_reinitialisation"])

    async def reset(jeton: str, password: str) -> int:
        response = await identite.client.post(
            "/api/identite/mot-de-passe/reinitialisation",
            json={"jeton": jeton, "mot_de_passe": password},
        )
        return response.status_code

    assert await reset(older, STRONG) == 422
    assert await reset(newer, STRONG) == 204
    assert await reset(newer, STRONG + " bis") == 422  # single use
    assert (await identite.login("demo-agent-44", STRONG)).status_code == 200


async def test_identite_a_resent_activation_link_invalidates_the_older_one(identite, events):
    for _ in range(2):
        registered = await identite.client.post(
            "/api/identite/demandeurs", json={"email": "bob@example.org", "mot_de_passe": STRONG}
        )
        assert registered.status_code == 202
    older = _jeton((await events.next("compte.activation_demandee"))["url_activation"])
    newer = _jeton((await events.next("compte.activation_demandee"))["url_activation"])
    refused = await identite.client.post("/api/identite/activation", json={"jeton": older})
    assert refused.status_code == 422
    accepted = await identite.client.post("/api/identite/activation", json={"jeton": newer})
    assert accepted.status_code == 204


def test_identite_links_are_short_lived_by_default():
    from toit_identite.config import IdentiteSettings

    settings = IdentiteSettings()
    assert settings.reset_link_minutes <= 60
    assert settings.activation_link_hours <= 72
