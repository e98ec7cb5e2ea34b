"""docs/architecture.md shows only what the code declares: its queues are exactly the
queues the installed services declare (consumers and streams), and its diagram names only
services that have code. A new queue needs one line in the document, nothing here."""

from __future__ import annotations

import re
from pathlib import Path

from servicekit import registry

DOC = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"
QUEUE = re.compile(r"\btoit\.[a-z_]+\.[a-z_]+\b")
# The exchange, and the dead-letter/retry queues derived from each queue name.
NOT_QUEUES = {"toit.events"}


def _declared() -> dict[str, list[str]]:
    return {name: registry.load(name).queues for name in registry.available()}


def test_the_queues_of_the_architecture_document_are_those_the_services_declare() -> None:
    documented = set(QUEUE.findall(DOC.read_text(encoding="utf-8"))) - NOT_QUEUES
    declared = {q for queues in _declared().values() for q in queues}
    assert declared - documented == set(), "queues declared in code but not in docs/architecture.md"
    assert documented - declared == set(), "queues in docs/architecture.md that no code declares"


def test_the_diagram_shows_only_services_with_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    shown = set(re.findall(r"^\s+([a-z]+)\[\(", text, flags=re.MULTILINE))
    with_code = {
        name
        for name in registry.available()
        if (d := registry.load(name)).routers or d.consumers or d.streams or d.web
    }
    assert shown == with_code
