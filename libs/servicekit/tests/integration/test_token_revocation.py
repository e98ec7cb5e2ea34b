"""Access tokens revoked (jeton.revoque) are refused by every instance within a second,
on both transports: each runtime subscribes to the revocations on a queue of its own."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
import pytest
from fastapi import APIRouter, Depends

from servicekit import ServiceDefinition
from servicekit.auth import Principal, require
from servicekit.testing import RuntimeFactory
from servicekit.testing_auth import make_token
from toit_contracts.events import JetonRevoque

MIGRATIONS = Path(__file__).parents[1] / "auth_service" / "migrations"
router = APIRouter(prefix="/api/essai")


@router.get("/moi")
async def moi(principal: Principal = Depends(require("compte.moi"))) -> dict[str, str]:
    return {"sub": principal.sub}


definition = ServiceDefinition(name="essai", migrations=MIGRATIONS, routers=[router])


@pytest.fixture(params=["memory", "amqp"])
def factory(request: pytest.FixtureRequest) -> RuntimeFactory:
    name = "memory_runtime_factory" if request.param == "memory" else "runtime_factory"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


async def test_revoked_tokens_are_refused_by_every_replica(factory: RuntimeFactory) -> None:
    replicas = [await factory(definition), await factory(definition)]
    clients = [
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=r.app(manage_lifespan=False)),
            base_url="http://essai",
        )
        for r in replicas
    ]
    sub = str(uuid.uuid4())
    now = datetime.now(UTC)
    logged_out = make_token(roles={"DEMANDEUR"}, sub=sub)
    other_session = make_token(roles={"DEMANDEUR"}, sub=sub)
    issued_earlier = make_token(
        roles={"DEMANDEUR"}, sub=sub, extra_claims={"iat": now - timedelta(seconds=20)}
    )
    issued_later = make_token(
        roles={"DEMANDEUR"}, sub=sub, extra_claims={"iat": now + timedelta(seconds=2)}
    )

    async def statuses(token: str) -> list[int]:
        headers = {"Authorization": f"Bearer {token}"}
        return [(await c.get("/api/essai/moi", headers=headers)).status_code for c in clients]

    async def refused_within(token: str) -> float:
        started = time.monotonic()
        while await statuses(token) != [401, 401]:
            assert time.monotonic() - started < 5, "still accepted after 5 s"
            await asyncio.sleep(0.02)
        return time.monotonic() - started

    async def publish(event: JetonRevoque) -> None:
        async with replicas[0].unit_of_work() as uow:
            uow.publish(event)
            await uow.commit()

    for token in (logged_out, other_session, issued_earlier, issued_later):
        assert await statuses(token) == [200, 200]

    # Logout: that token only.
    jti = jwt.decode(logged_out, options={"verify_signature": False})["jti"]
    expire = now + timedelta(minutes=10)
    await publish(JetonRevoque(compte_id=uuid.UUID(sub), jti=jti, expire_le=expire))
    assert await refused_within(logged_out) < 1.0
    assert await statuses(other_session) == [200, 200]

    # Password changed: every token issued before.
    await publish(
        JetonRevoque(
            compte_id=uuid.UUID(sub), emis_avant=now + timedelta(seconds=1), expire_le=expire
        )
    )
    assert await refused_within(issued_earlier) < 1.0
    assert await statuses(other_session) == [401, 401]
    assert await statuses(issued_later) == [200, 200]
    for client in clients:
        await client.aclose()
