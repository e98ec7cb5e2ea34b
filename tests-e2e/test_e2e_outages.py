"""Honest health: a service's /readyz follows its broker and its database within a
second, and requests that need the database answer 503 with Retry-After while it is
down, then work again once it is back.

The test runs its OWN PostgreSQL and RabbitMQ (deploy/local/infra.sh with a private
state directory and free ports), kills them and starts them again; the shared ones
are never touched. The service is identite, on its real endpoints (login, JWKS).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from toit_identite.config import IdentiteSettings
from toit_identite.service import build_service

from servicekit.runtime import ServiceRuntime
from servicekit.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
INFRA = ROOT / "deploy/local/infra.sh"
PASSWORD = "toit-demo-2026"

pytestmark = pytest.mark.e2e


def _free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


class PrivateInfra:
    def __init__(self, state: Path) -> None:
        pg, amqp, dist, epmd = _free_ports(4)
        self.state = state
        self.pg_port, self.amqp_port = pg, amqp
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("TOIT_")},
            "TOIT_STATE_DIR": str(state),
            "TOIT_PG_PORT": str(pg),
            "TOIT_AMQP_PORT": str(amqp),
            "TOIT_RABBITMQ_DIST_PORT": str(dist),
            "TOIT_EPMD_PORT": str(epmd),
            "TOIT_RABBITMQ_MANAGEMENT": "0",
        }

    def run(self, command: str) -> None:
        done = subprocess.run(
            [INFRA, command], env=self.env, capture_output=True, text=True, timeout=180
        )
        assert done.returncode == 0, done.stdout + done.stderr

    @property
    def pg_base(self) -> Path:
        return Path((self.state / "postgres.path").read_text().strip())

    def kill_rabbitmq(self) -> None:
        pid = int((self.state / "rabbitmq/rabbitmq.pid").read_text().split()[0])
        os.kill(pid, signal.SIGKILL)

    def kill_postgres(self) -> None:
        pid = int((self.pg_base / "data/postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGQUIT)  # immediate shutdown: every connection is cut
        deadline = time.monotonic() + 30
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)


@pytest.fixture(scope="module")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateInfra]:
    private = PrivateInfra(tmp_path_factory.mktemp("infra"))
    try:
        private.run("start")
        yield private
    finally:
        # Killed rather than stopped (a clean RabbitMQ stop takes ~20 s): nothing to keep.
        for kill in (private.kill_rabbitmq, private.kill_postgres):
            try:
                kill()
            except (OSError, ValueError):
                pass
        subprocess.run([INFRA, "stop"], env=private.env, timeout=180, check=False)
        if (private.state / "postgres.path").exists():
            shutil.rmtree(private.pg_base.parent, ignore_errors=True)


@pytest.fixture
async def identite(infra: PrivateInfra) -> AsyncIterator[httpx.AsyncClient]:
    admin = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{infra.pg_port}/postgres")
    await admin.execute("DROP DATABASE IF EXISTS toit_pannes")
    await admin.execute("CREATE DATABASE toit_pannes")
    await admin.close()
    settings = Settings(
        mode="demo",
        bus="amqp",
        amqp_url=f"amqp://guest:guest@127.0.0.1:{infra.amqp_port}/",
        jwks_json=None,
    )
    runtime = ServiceRuntime(
        build_service(IdentiteSettings(argon2_time_cost=1, argon2_memory_kib=1024)),
        settings,
        database_url=f"postgresql+asyncpg://postgres@127.0.0.1:{infra.pg_port}/toit_pannes",
    )
    await runtime.start()
    transport = httpx.ASGITransport(app=runtime.app(manage_lifespan=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://toit.test") as client:
        yield client
    await runtime.stop()


async def _ready(client: httpx.AsyncClient) -> httpx.Response:
    return await client.get("/api/identite/readyz")


async def _until(client: httpx.AsyncClient, status: int, timeout: float) -> float:
    """Seconds until /readyz answers `status`."""
    started = time.monotonic()
    while (await _ready(client)).status_code != status:
        assert time.monotonic() - started < timeout, f"/readyz not {status} after {timeout} s"
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def _login(client: httpx.AsyncClient) -> httpx.Response:
    return await client.post(
        "/api/identite/token",
        data={"grant_type": "password", "username": "demo-agent-44", "password": PASSWORD},
    )


async def test_readiness_and_answers_follow_the_broker_and_the_database(
    infra: PrivateInfra, identite: httpx.AsyncClient
) -> None:
    ready = await _ready(identite)
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"statut": "prêt", "base": "ok", "bus": "ok"}

    # The broker dies: readiness says so within a second; the database still serves.
    infra.kill_rabbitmq()
    bus_seen = await _until(identite, 503, timeout=5)
    print(f"readyz 503 {bus_seen:.3f} s after the broker was killed")
    assert bus_seen <= 1.0
    assert (await _ready(identite)).json()["bus"] == "indisponible"
    assert (await _login(identite)).status_code == 200  # the outbox keeps the events
    infra.run("start")
    await _until(identite, 200, timeout=60)

    # The database dies: readiness within a second, requests 503 + Retry-After in French.
    infra.kill_postgres()
    base_seen = await _until(identite, 503, timeout=5)
    print(f"readyz 503 {base_seen:.3f} s after PostgreSQL was killed")
    assert base_seen <= 1.0
    assert (await _ready(identite)).json()["base"] == "indisponible"
    for response in (await _login(identite), await identite.get("/api/identite/jwks")):
        assert response.status_code == 503, response.text
        assert int(response.headers["retry-after"]) > 0
        assert "base de données" in response.json()["detail"]
    infra.run("start")
    await _until(identite, 200, timeout=60)
    assert (await _login(identite)).status_code == 200
