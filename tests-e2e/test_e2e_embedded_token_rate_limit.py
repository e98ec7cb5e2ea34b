"""The embedded router throttles the token endpoint per client address, like nginx."""

from __future__ import annotations

import httpx
from toit_embedded.main import EmbeddedRouter, RateLimiter


def test_e2e_embedded_rate_limiter_burst_then_refill():
    limiter = RateLimiter(rate=10 / 60, burst=5)
    assert all(limiter.allow("192.0.2.1", now=0) for _ in range(6))
    assert not limiter.allow("192.0.2.1", now=0)
    assert limiter.allow("192.0.2.2", now=0)  # another address has its own bucket
    assert limiter.allow("192.0.2.1", now=6.1)  # one request every 6 s
    assert not limiter.allow("192.0.2.1", now=6.2)


async def test_e2e_embedded_router_answers_429_on_token_endpoint():
    router = EmbeddedRouter([], token_limiter=RateLimiter(rate=1 / 60, burst=1))
    transport = httpx.ASGITransport(app=router, client=("198.51.100.4", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://toit") as client:
        statuses = [(await client.post("/api/identite/token")).status_code for _ in range(3)]
        other = await client.get("/api/identite/jwks")
    assert statuses[:2] == [404, 404]  # passed the limiter (no identite in this router)
    assert statuses[2] == 429
    assert other.status_code == 404  # other paths are not throttled


async def test_e2e_embedded_router_does_not_serve_metrics(tmp_path):
    from servicekit.runtime import ServiceDefinition, ServiceRuntime
    from servicekit.settings import Settings

    runtime = ServiceRuntime(
        ServiceDefinition(name="demandes", migrations=tmp_path),
        Settings(data_dir=tmp_path),
    )
    router = EmbeddedRouter([runtime], token_limiter=RateLimiter(rate=1, burst=1))
    transport = httpx.ASGITransport(app=router, client=("198.51.100.4", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://toit") as client:
        assert (await client.get("/api/demandes/healthz")).status_code == 200
        assert (await client.get("/api/demandes/metrics")).status_code == 404
        assert (await client.get("/api/demandes/metrics/")).status_code == 404
    await runtime.db.dispose()
