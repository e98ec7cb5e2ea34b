"""Typed wiring: each service's `bootstrap.py` builds its dependencies object once per
runtime (settings, storage, clients...), as cosmicpython's bootstrap does, and reaches it
through a `Slot`, never through a string key and a `type: ignore`:

    @dataclass
    class Dependances:
        settings: DemandesSettings
        stockage: Stockage

    DEPENDANCES = Slot("demandes", Dependances, construire)

    deps = DEPENDANCES.of(runtime)     # built on first use (or at start-up), then kept
    DEPENDANCES.put(runtime, autre)    # tests replace it, or change one of its parts

A runtime keeps one object per slot (`ServiceRuntime.state`, by the slot's name).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from servicekit.runtime import ServiceRuntime

T = TypeVar("T")


@dataclass(frozen=True)
class Slot(Generic[T]):
    """Where a runtime keeps one object of type `kind`, built by `build` when first asked
    (like aiohttp's AppKey, with its factory)."""

    name: str
    kind: type[T]
    build: Callable[[ServiceRuntime], T]

    def of(self, runtime: ServiceRuntime) -> T:
        value = runtime.state.get(self.name)
        if isinstance(value, self.kind):
            return value
        built = self.build(runtime)
        runtime.state[self.name] = built
        return built

    def get(self, runtime: ServiceRuntime) -> T | None:
        """The object if it was built or put, without building it."""
        value = runtime.state.get(self.name)
        return value if isinstance(value, self.kind) else None

    def put(self, runtime: ServiceRuntime, value: T) -> None:
        runtime.state[self.name] = value

    def clear(self, runtime: ServiceRuntime) -> None:
        """Forget the object (a stopped service builds a new one when it starts again)."""
        runtime.state.pop(self.name, None)

    async def prepare(self, runtime: ServiceRuntime) -> None:
        """An `on_startup` hook: builds the object at start-up, so that a wrong setting
        stops the service there rather than at its first request."""
        self.of(runtime)
