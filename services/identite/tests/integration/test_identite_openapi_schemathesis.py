"""No input the OpenAPI document allows gives a 500 (schemathesis, PostgreSQL, RabbitMQ)."""

from __future__ import annotations

from servicekit.testing_openapi import server_errors

from .conftest import Identite

EXAMPLES = 15


async def test_no_request_gives_a_server_error(identite: Identite) -> None:
    headers = await identite.headers("demo-gestionnaire-44")
    moi = (await identite.client.get("/api/identite/moi", headers=headers)).json()
    calls, errors = await server_errors(
        identite.runtime.app(manage_lifespan=False),
        identite.client,
        headers,
        examples=EXAMPLES,
        path_values={"organisation_id": moi["organisation"]["id"]},
    )
    assert calls >= EXAMPLES * 10
    assert errors == []
