"""Where the tests' PostgreSQL and RabbitMQ come from (servicekit.testing_infra)."""

from __future__ import annotations

import time

import pytest

from servicekit import testing_infra
from servicekit.testing_infra import choose

LOCAL_SERVERS = {
    "TOIT_TEST_DATABASE_URL": "postgresql://postgres@127.0.0.1:55432/postgres",
    "TOIT_AMQP_URL": "amqp://guest:guest@127.0.0.1:55672/",
}


class docker:
    """A Docker probe that answers as told and counts its calls."""

    def __init__(self, answers: bool) -> None:
        self.answers = answers
        self.calls = 0

    def __call__(self) -> bool:
        self.calls += 1
        return self.answers


def test_servers_named_by_the_environment_win_without_asking_docker() -> None:
    probe = docker(True)
    assert choose(LOCAL_SERVERS, probe) == "local"
    assert probe.calls == 0


def test_containers_when_docker_answers_and_no_server_is_named() -> None:
    assert choose({}, docker(True)) == "testcontainers"
    # One variable alone does not name the servers.
    partial = {"TOIT_TEST_DATABASE_URL": LOCAL_SERVERS["TOIT_TEST_DATABASE_URL"]}
    assert choose(partial, docker(True)) == "testcontainers"


def test_local_processes_when_no_docker_engine_answers() -> None:
    assert choose({}, docker(False)) == "local"


def test_toit_test_infra_forces_either_path() -> None:
    forced_local = {"TOIT_TEST_INFRA": "local"}
    assert choose(forced_local, docker(True)) == "local"
    forced_containers = {**LOCAL_SERVERS, "TOIT_TEST_INFRA": "Testcontainers "}
    assert choose(forced_containers, docker(False)) == "testcontainers"
    with pytest.raises(ValueError, match="TOIT_TEST_INFRA"):
        choose({"TOIT_TEST_INFRA": "docker"}, docker(True))


def test_no_engine_is_seen_quickly_where_none_listens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    started = time.monotonic()
    assert testing_infra.docker_answers(timeout=1) is False
    assert time.monotonic() - started < 5


def test_prepare_chooses_once_and_starts_nothing_on_the_local_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(testing_infra, "_chosen", None)
    started: list[object] = []
    monkeypatch.setattr(testing_infra._containers, "start", started.append)
    env = dict(LOCAL_SERVERS)
    assert testing_infra.prepare(env, docker(True)) == "local"
    assert env == LOCAL_SERVERS and started == []
    # Later calls keep the first choice, whatever the environment says then.
    assert testing_infra.prepare({}, docker(True)) == "local"


def test_prepare_starts_the_containers_when_that_is_the_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(testing_infra, "_chosen", None)
    started: list[object] = []
    monkeypatch.setattr(testing_infra._containers, "start", started.append)
    env: dict[str, str] = {}
    assert testing_infra.prepare(env, docker(True)) == "testcontainers"
    assert started == [env]
