"""`make run`: the embedded default answers every service's health endpoint."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

SERVICES = (
    "identite",
    "demandes",
    "cotation",
    "matching",
    "observatoire",
    "portail",
    "notifications",
    "abonnements",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def embedded(tmp_path: Path) -> AsyncIterator[str]:
    port = free_port()
    command = shutil.which("toit-embedded")
    assert command, "toit-embedded is not installed (uv sync --all-packages)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOIT_DATABASE_URL")}
    env.update(TOIT_DATA_DIR=str(tmp_path / "data"), TOIT_MODE="demo", TOIT_BUS="memory")
    process = await asyncio.create_subprocess_exec(
        command,
        "--port",
        str(port),
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    await asyncio.wait_for(process.wait(), 30)


async def test_every_service_answers_within_60_seconds(embedded: str) -> None:
    started = time.monotonic()
    pending = set(SERVICES)
    async with httpx.AsyncClient(base_url=embedded, timeout=5) as client:
        while pending and time.monotonic() - started < 60:
            for service in sorted(pending):
                try:
                    response = await client.get(f"/api/{service}/healthz")
                except httpx.TransportError:
                    break
                if response.status_code == 200:
                    pending.discard(service)
            await asyncio.sleep(0.5)
        assert not pending, f"no answer from {sorted(pending)} within 60 s"
        ready = await client.get("/api/demandes/readyz")
        assert ready.status_code == 200
        headers = (await client.get("/api/identite/healthz")).headers
        assert headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        unknown = await client.get("/api/inconnu/x")
        assert unknown.status_code == 404
        # `/` is the portail's home (département from configuration), linking to /pro/.
        home = await client.get("/")
        assert home.status_code == 200, home.text
        assert "Loire-Atlantique" in home.text and 'href="/pro/"' in home.text
        assert (await client.get("/connexion")).status_code == 200
        assert (await client.get("/pro/connexion")).status_code == 200
