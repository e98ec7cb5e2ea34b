"""Fakes for the unit tests of use cases: a unit of work without a database, and a base
for in-memory repositories. Integration tests keep the real PostgreSQL and RabbitMQ.

    uow = FakeUnitOfWork({DemandeRepository: InMemoryDemandes(), ...})
    demande, _ = await saisie.creer(uow, ...)
    assert [type(e) for e in uow.published] == [DemandeCreee]

A use case reaches its storage through ``uow.repository(Factory)``; the fake answers the
in-memory repository registered for that factory, and refuses ``uow.session`` so that a
use case still writing SQL by hand is found at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Hashable, Iterator, Mapping
from types import TracebackType
from typing import Any, Generic, TypeVar

from servicekit.uow import UnitOfWork
from toit_contracts import IntegrationEvent

R = TypeVar("R")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class FakeUnitOfWork(UnitOfWork):
    """A unit of work whose repositories are in memory and whose events are kept in
    `published` (once committed; `staged` before). `commits` counts the commits."""

    def __init__(self, repositories: Mapping[Callable[[Any], Any], Any] | None = None) -> None:
        # No database: UnitOfWork.__init__ is not called.
        self._fakes: dict[Callable[[Any], Any], Any] = dict(repositories or {})
        self._before_commit: list[Callable[[], Awaitable[None]]] = []
        self.staged: list[IntegrationEvent] = []
        self.published: list[IntegrationEvent] = []
        self.commits = 0
        self.committed = False

    @property
    def session(self) -> Any:
        raise RuntimeError(
            "FakeUnitOfWork n'a pas de base : le cas d'usage doit passer par uow.repository(...)"
        )

    def repository(self, factory: Callable[[Any], R]) -> R:
        try:
            return self._fakes[factory]  # type: ignore[no-any-return]
        except KeyError:
            raise RuntimeError(f"aucun dépôt en mémoire enregistré pour {factory!r}") from None

    def __call__(self) -> FakeUnitOfWork:
        """A factory of units of work that always answers this one (daily jobs)."""
        return self

    async def __aenter__(self) -> FakeUnitOfWork:
        self.committed = False
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self.committed:
            await self.rollback()

    def publish(self, event: IntegrationEvent) -> str:
        self.staged.append(event)
        return str(uuid.uuid4())

    def collect(self, apply: Callable[[UnitOfWork, list[Any]], Awaitable[None]], item: Any) -> None:
        async def step() -> None:
            await apply(self, [item])

        self.before_commit(step)

    async def commit(self) -> None:
        while self._before_commit:
            await self._before_commit.pop(0)()
        self.published.extend(self.staged)
        self.staged = []
        self.commits += 1
        self.committed = True

    async def rollback(self) -> None:
        self.staged = []
        self._before_commit = []

    def events_of(self, kind: type[IntegrationEvent]) -> list[Any]:
        return [e for e in self.published if isinstance(e, kind)]


class InMemoryStore(Generic[K, V]):
    """Records by key, for the in-memory repositories of the services' unit tests."""

    def __init__(self) -> None:
        self.rows: dict[K, V] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[V]:
        return iter(list(self.rows.values()))

    def get(self, key: K) -> V | None:
        return self.rows.get(key)

    def add(self, key: K, value: V) -> None:
        if key in self.rows:
            raise KeyError(f"déjà présent : {key!r}")
        self.rows[key] = value

    def put(self, key: K, value: V) -> None:
        self.rows[key] = value

    def remove(self, key: K) -> None:
        self.rows.pop(key, None)
