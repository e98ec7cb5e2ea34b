"""What the service layer needs from the outside world, as protocols."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class EvenementArchive:
    """One archived integration event: its position in the archive and its CloudEvent."""

    position: int
    corps: bytes


class Archive(Protocol):
    """The event archive: a RabbitMQ stream, or a table in the embedded mode.

    Positions grow by one per event from 0 (stream offsets); an event is never
    rewritten, so any read model can be rebuilt by reading again from 0."""

    async def lire(self, depuis: int, limite: int, attente: float) -> list[EvenementArchive]:
        """Up to `limite` events from position `depuis`, waiting at most `attente`
        seconds for the first one (empty list: nothing new)."""
        ...

    async def fin(self) -> int:
        """The position after the last archived event (0 when empty)."""
        ...

    async def fermer(self) -> None: ...
