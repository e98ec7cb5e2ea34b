"""Fixtures of the notifications integration tests: a local SMTP server (aiosmtpd) on a free
port, and the service's runtime on PostgreSQL and RabbitMQ."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest
from toit_notifications.adapters.boite_dev import BoiteDev
from toit_notifications.service import service

from servicekit.runtime import ServiceRuntime
from servicekit.testing import RuntimeFactory

REFUSED_ADDRESS = "inconnu@refuse.example.org"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_port(monkeypatch: pytest.MonkeyPatch) -> int:
    port = free_port()
    for name, value in {
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "SECURITY": "none",
        "RETRY_INITIAL": "0.2",
        "RETRY_MAX": "1",
        "POLL_INTERVAL": "0.1",
    }.items():
        monkeypatch.setenv(f"TOIT_SMTP_{name}", value)
    return port


@pytest.fixture
async def boite(smtp_port: int) -> AsyncIterator[BoiteDev]:
    """The SMTP server, not started: each test decides when it is up."""
    server = BoiteDev(port=smtp_port, refuses=frozenset({REFUSED_ADDRESS}))
    yield server
    await server.arreter()


@pytest.fixture
async def runtime(runtime_factory: RuntimeFactory, smtp_port: int) -> ServiceRuntime:
    return await runtime_factory(service)
