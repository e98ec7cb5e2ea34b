"""Where the tests' PostgreSQL and RabbitMQ come from, chosen once per test session.

- "local": the servers named by TOIT_TEST_DATABASE_URL, TOIT_AMQP_URL and TOIT_RABBITMQ_API,
  i.e. the local processes `deploy/local/infra.sh` starts (what `make test` does, and the only
  path on a machine without Docker, this CI's included);
- "testcontainers": a Docker engine answers and those variables are not set: PostgreSQL and
  RabbitMQ run in containers (testcontainers), started before the first test that is not a
  unit test, removed at the end of the session; the variables are then exported for the
  tests and the processes they start.

TOIT_TEST_INFRA=local or TOIT_TEST_INFRA=testcontainers forces one path. Unit tests
(`tests/unit`) never start anything.
"""

from __future__ import annotations

import atexit
import os
import time
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any, Literal

Infrastructure = Literal["local", "testcontainers"]

POSTGRES_IMAGE = "postgres:16-alpine"
RABBITMQ_IMAGE = "rabbitmq:3.13-management-alpine"
_VARIABLES = ("TOIT_TEST_DATABASE_URL", "TOIT_AMQP_URL")


def choose(env: Mapping[str, str], docker_answers: Callable[[], bool]) -> Infrastructure:
    """The infrastructure of this session. Servers the environment names win (they were
    started on purpose); otherwise containers when a Docker engine answers; otherwise the
    local processes (whose variables the fixtures then require, with a clear message)."""
    forced = env.get("TOIT_TEST_INFRA", "").strip().lower()
    if forced in ("local", "testcontainers"):
        return forced  # type: ignore[return-value]
    if forced:
        raise ValueError(f"TOIT_TEST_INFRA={forced!r}: expected 'local' or 'testcontainers'")
    if all(env.get(name) for name in _VARIABLES):
        return "local"
    return "testcontainers" if docker_answers() else "local"


def docker_answers(timeout: float = 2.0) -> bool:
    """Does a Docker engine answer a ping (DOCKER_HOST, or the default socket)?"""
    try:
        import docker

        client = docker.from_env(timeout=int(max(1, timeout)))
    except Exception:
        return False
    try:
        return bool(client.ping())
    except Exception:
        return False
    finally:
        client.close()


class _Containers:
    """PostgreSQL and RabbitMQ in containers, for the whole session."""

    def __init__(self) -> None:
        self._started: list[Any] = []

    def start(self, env: MutableMapping[str, str]) -> None:
        from testcontainers.core.container import DockerContainer
        from testcontainers.core.waiting_utils import wait_for_logs
        from testcontainers.postgres import PostgresContainer

        atexit.register(self.stop)
        postgres = PostgresContainer(POSTGRES_IMAGE, driver=None)
        postgres.start()
        self._started.append(postgres)
        # guest may log in from loopback only: the broker sees the Docker bridge.
        rabbitmq = (
            DockerContainer(RABBITMQ_IMAGE)
            .with_exposed_ports(5672, 15672)
            .with_env("RABBITMQ_DEFAULT_USER", "toit")
            .with_env("RABBITMQ_DEFAULT_PASS", "toit")
        )
        rabbitmq.start()
        self._started.append(rabbitmq)
        wait_for_logs(rabbitmq, "Server startup complete", timeout=120)
        host = rabbitmq.get_container_host_ip()
        api = f"http://{host}:{rabbitmq.get_exposed_port(15672)}/api"
        _wait_for_management(api)
        env["TOIT_TEST_DATABASE_URL"] = postgres.get_connection_url()
        env["TOIT_AMQP_URL"] = f"amqp://toit:toit@{host}:{rabbitmq.get_exposed_port(5672)}/"
        env["TOIT_RABBITMQ_API"] = api

    def stop(self) -> None:
        while self._started:
            self._started.pop().stop()


def _wait_for_management(api: str, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{api}/overview", auth=("toit", "toit"), timeout=2).is_success:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"RabbitMQ's management API did not answer at {api}")
        time.sleep(0.5)


_chosen: Infrastructure | None = None
_containers = _Containers()


def prepare(
    env: MutableMapping[str, str] | None = None,
    docker_answers: Callable[[], bool] = docker_answers,
) -> Infrastructure:
    """Chooses the infrastructure once and, for containers, starts them and exports their
    URLs; later calls return the first choice."""
    global _chosen
    if _chosen is None:
        target = os.environ if env is None else env
        choice = choose(target, docker_answers)
        if choice == "testcontainers":
            _containers.start(target)
        _chosen = choice
    return _chosen
