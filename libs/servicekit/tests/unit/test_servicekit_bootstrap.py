"""servicekit.bootstrap.Slot: one typed object per runtime, and no service wires itself
through string keys of `runtime.state`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import cast

from servicekit.bootstrap import Slot
from servicekit.runtime import ServiceRuntime

RACINE = Path(__file__).resolve().parents[4]


@dataclass
class Deps:
    n: int


def _runtime() -> ServiceRuntime:
    return cast(ServiceRuntime, SimpleNamespace(state={}))


async def test_a_slot_builds_once_keeps_replaces_and_forgets() -> None:
    construits: list[int] = []

    def construire(_runtime: ServiceRuntime) -> Deps:
        construits.append(1)
        return Deps(len(construits))

    slot = Slot("test.deps", Deps, construire)
    runtime = _runtime()
    assert slot.get(runtime) is None
    await slot.prepare(runtime)
    assert slot.of(runtime) is slot.of(runtime) and construits == [1]
    slot.put(runtime, Deps(42))
    assert slot.of(runtime).n == 42
    slot.clear(runtime)
    assert slot.get(runtime) is None
    assert slot.of(runtime).n == 2


def test_no_service_reads_runtime_state_by_a_string_key() -> None:
    """Typed wiring (issue 12): services reach their dependencies through a Slot."""
    motif = re.compile(r"\.state\s*(\[|\.get\(|\.pop\(|\.setdefault\()")
    fautifs = [
        f"{chemin.relative_to(RACINE)}:{n}"
        for racine in ("services", "frontends")
        for chemin in sorted((RACINE / racine).glob("*/src/**/*.py"))
        for n, ligne in enumerate(chemin.read_text(encoding="utf-8").splitlines(), 1)
        if motif.search(ligne) and "runtime" in ligne
    ]
    assert fautifs == []
