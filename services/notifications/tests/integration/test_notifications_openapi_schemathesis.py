"""No input the OpenAPI document allows gives a 500 (schemathesis, PostgreSQL, RabbitMQ)."""

from __future__ import annotations

import httpx
import pytest
from toit_notifications.service import service

from servicekit.testing import RuntimeFactory
from servicekit.testing_auth import auth_headers
from servicekit.testing_openapi import server_errors

pytestmark = pytest.mark.integration

EXAMPLES = 20


async def test_no_request_gives_a_server_error(runtime_factory: RuntimeFactory) -> None:
    runtime = await runtime_factory(service)
    app = runtime.app(manage_lifespan=False)
    headers = auth_headers(roles={"GESTIONNAIRE_FICHIER"}, departements={"44"})
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://toit.test"
    ) as client:
        calls, errors = await server_errors(app, client, headers, examples=EXAMPLES)
    assert calls >= EXAMPLES * 2
    assert errors == []
