"""Live re-scores before bulk ones, within a process.

A live batch (demande events) marks itself in progress; the bulk loop waits for it
before starting its next batch, so the event loop and the outbox go to the live
`cotation.calculee` first, and it works in smaller steps while live batches keep
coming (`direct_recent`). Bounded wait: a steady flood of live events slows the bulk
re-scoring down but never stops it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager

_en_cours = 0
_dernier = float("-inf")


@contextmanager
def traitement_direct() -> Iterator[None]:
    global _en_cours, _dernier
    _en_cours += 1
    try:
        yield
    finally:
        _en_cours -= 1
        _dernier = time.monotonic()


def direct_recent(fenetre: float = 2.0) -> bool:
    """Did a live batch run in the last `fenetre` seconds?"""
    return _en_cours > 0 or time.monotonic() - _dernier < fenetre


async def laisser_passer_le_direct(attente_max: float = 0.25) -> None:
    """Wait (at most `attente_max` seconds) until no live batch is in progress."""
    if not _en_cours:
        return
    boucle = asyncio.get_running_loop()
    limite = boucle.time() + attente_max
    while _en_cours and boucle.time() < limite:
        await asyncio.sleep(0.002)
