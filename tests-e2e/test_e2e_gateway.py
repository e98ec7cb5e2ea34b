"""The nginx gateway of `make up` (deploy/local/gateway.sh, deploy/nginx/) in front of a
servicekit app, without the rest of the topology: connection reuse after a 500, the
client address the services see, the gateway's own errors in French JSON, and the
routes it refuses (metrics; the dev mailbox outside demo mode).

The upstream (gateway_upstream.py, its own process) is a servicekit app named "demandes"
(so the gateway routes /api/demandes to it) with three test routes; the other upstreams
have nothing listening (502).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
GATEWAY_SH = ROOT / "deploy/local/gateway.sh"
UPSTREAM = Path(__file__).with_name("gateway_upstream.py")

pytestmark = pytest.mark.e2e


def _free_port_base() -> int:
    """A base B such that B+1..B+7 and B are free (the gateway's port layout)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1] // 10 * 10
        if base + 8 > 65535:
            continue
        try:
            for port in range(base, base + 8):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free port range")


@pytest.fixture(scope="module")
def ports() -> dict[str, int]:
    base = _free_port_base()
    return {"base": base, "gateway": base, "demandes": base + 2}


@pytest.fixture(scope="module")
def upstream(ports: dict[str, int], tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    data = tmp_path_factory.mktemp("upstream")
    log = (data / "upstream.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, str(UPSTREAM), str(ports["demandes"]), str(data)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, (data / "upstream.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", ports["demandes"]), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "upstream did not start"
                time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def gateway(
    ports: dict[str, int], upstream: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    env = {
        **os.environ,
        "TOIT_STATE_DIR": str(tmp_path_factory.mktemp("gateway")),
        "TOIT_SERVICE_PORT_BASE": str(ports["base"]),
        "TOIT_GATEWAY_PORT": str(ports["gateway"]),
        "TOIT_MODE": "production",
    }
    started = subprocess.run(
        [GATEWAY_SH, "start"], env=env, capture_output=True, text=True, timeout=60
    )
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        yield f"http://127.0.0.1:{ports['gateway']}"
    finally:
        subprocess.run([GATEWAY_SH, "stop"], env=env, timeout=60, check=False)


async def test_a_500_does_not_break_the_next_request_on_the_same_connection(
    gateway: str,
) -> None:
    # One client connection; nginx keeps its upstream connections alive (keepalive 16),
    # so the POST follows the 500 on the connection the 500 came back on.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=gateway, limits=limits, timeout=10) as client:
        statuses = []
        for _ in range(15):
            failing = await client.get("/api/demandes/boom")
            assert failing.status_code == 500
            assert failing.json() == {"detail": "Erreur interne : l'équipe est prévenue"}
            statuses.append((await client.post("/api/demandes/ok")).status_code)
    assert statuses == [200] * 15


async def test_the_service_sees_the_client_address_not_a_forged_header(gateway: str) -> None:
    async with httpx.AsyncClient(base_url=gateway, timeout=10) as client:
        seen = (
            await client.get("/api/demandes/client", headers={"X-Forwarded-For": "203.0.113.9"})
        ).json()
    assert seen == {"client": "127.0.0.1", "x_forwarded_for": "127.0.0.1"}


async def test_the_gateway_answers_its_own_errors_in_french_json(gateway: str) -> None:
    async with httpx.AsyncClient(base_url=gateway, timeout=10) as client:
        unknown = await client.get("/api/inconnu")
        too_big = await client.post("/api/demandes/ok", content=b"x" * (13 * 1024 * 1024))
        down = await client.get("/api/matching/healthz")  # nothing listens
    for response, status in ((unknown, 404), (too_big, 413), (down, 502)):
        assert response.status_code == status
        assert response.headers["content-type"].startswith("application/json")
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.json()["detail"][0].isupper(), response.text
    assert unknown.json() == {"detail": "Ressource introuvable"}
    assert "volumineuse" in too_big.json()["detail"]
    assert "injoignable" in down.json()["detail"]


async def test_metrics_and_the_dev_mailbox_are_not_routed(gateway: str) -> None:
    async with httpx.AsyncClient(base_url=gateway, timeout=10) as client:
        metrics = await client.get("/api/demandes/metrics")
        mailbox = await client.get("/api/notifications/dev/boite")  # TOIT_MODE=production
    assert metrics.status_code == 404
    assert metrics.json() == {"detail": "Ressource introuvable"}
    assert mailbox.status_code == 404
    assert mailbox.json() == {"detail": "Ressource introuvable"}
