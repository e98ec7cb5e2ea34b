"""Read models fed only by events: follow the archive, rebuild from it.

The live read models and a rebuild run the same code: read a batch of archived
events from the projection's position, apply what they change, and store the new
position in the same transaction. A crash loses nothing and applies nothing
twice: the next run starts from the last committed position. Two followers (two
processes, or the rebuild command next to the running service) cannot both
apply a batch: the position row is locked and checked.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from pydantic import ValidationError

from servicekit.db import Database
from toit_contracts import CloudEvent, UnknownEventType, parse_event
from toit_observatoire.adapters import repository
from toit_observatoire.domain import modeles
from toit_observatoire.domain.ports import Archive, EvenementArchive

log = structlog.get_logger(__name__)

NOM = "modeles"
A_JOUR = "a_jour"
RECONSTRUCTION = "reconstruction"


@dataclass
class Etat:
    position: int
    evenements: int
    statut: str
    version: int


@dataclass(frozen=True)
class Progression:
    appliques: int
    position: int
    fin: int
    par_seconde: float


def _changes(lot: list[EvenementArchive], territoire: modeles.Territoire) -> list[modeles.Change]:
    changes: list[modeles.Change] = []
    for item in lot:
        try:
            envelope = CloudEvent.from_json_bytes(item.corps)
            event = parse_event(envelope)
        except (ValidationError, UnknownEventType, ValueError):
            # Not an event the catalogue knows (a newer producer, a test's private
            # event): the archive keeps it; the models have nothing to take from it.
            continue
        changes.extend(modeles.changes(event, envelope.time, territoire))
    return changes


async def etat(db: Database) -> Etat | None:
    async with db.engine.connect() as conn:
        row = await repository.position_projection(conn, NOM)
    if row is None:
        return None
    return Etat(row["position"], row["evenements"], row["statut"], row["version"])


async def reinitialiser(db: Database) -> None:
    """Empty the read models; they are built again from position 0."""
    async with db.engine.begin() as conn:
        await repository.position_projection(conn, NOM)
        await repository.vider_modeles(conn)
        await repository.enregistrer_position(conn, NOM, 0, 0, RECONSTRUCTION, modeles.VERSION)
    log.info("observatoire.modeles_reinitialises", version=modeles.VERSION)


async def preparer(db: Database) -> Etat:
    """At start-up: create the state row, or start a rebuild when the models'
    definition changed. A rebuild interrupted earlier simply goes on."""
    current = await etat(db)
    if current is None or current.version != modeles.VERSION:
        await reinitialiser(db)
        current = await etat(db)
    assert current is not None
    return current


async def avancer(
    db: Database, archive: Archive, territoire: modeles.Territoire, *, limite: int, attente: float
) -> int:
    """Apply the next batch of archived events; returns how many were read (0: none new)."""
    current = await etat(db)
    if current is None:
        current = await preparer(db)
    lot = await archive.lire(current.position, limite, attente)
    if not lot:
        return 0
    changes = _changes(lot, territoire)
    async with db.engine.begin() as conn:
        locked = await repository.position_projection(conn, NOM)
        if locked is None or locked["position"] != current.position:
            return 0  # another follower applied it meanwhile
        await repository.appliquer(conn, changes)
        await repository.enregistrer_position(
            conn,
            NOM,
            lot[-1].position + 1,
            locked["evenements"] + len(lot),
            locked["statut"],
            locked["version"],
        )
    return len(lot)


async def rattraper(
    db: Database,
    archive: Archive,
    territoire: modeles.Territoire,
    *,
    limite: int,
    progression: Callable[[Progression], None] | None = None,
) -> int:
    """Apply every archived event up to the archive's current end; marks the
    models up to date at the end. Returns the events applied."""
    fin = await archive.fin()
    applied = 0
    started = time.monotonic()
    while True:
        current = await etat(db)
        assert current is not None
        if current.position >= fin:
            break
        read = await avancer(db, archive, territoire, limite=limite, attente=2.0)
        if read == 0:
            break
        applied += read
        if progression is not None:
            elapsed = max(time.monotonic() - started, 1e-9)
            progression(Progression(applied, current.position + read, fin, applied / elapsed))
    await _marquer_a_jour(db)
    return applied


async def reconstruire(
    db: Database,
    archive: Archive,
    territoire: modeles.Territoire,
    *,
    limite: int,
    reprendre: bool = True,
    progression: Callable[[Progression], None] | None = None,
) -> int:
    """Rebuild the read models from the archive. With `reprendre`, a rebuild that
    was interrupted (crash, Ctrl-C) continues from its last committed position
    instead of starting again."""
    current = await etat(db)
    if not (reprendre and current is not None and current.statut == RECONSTRUCTION):
        await reinitialiser(db)
    return await rattraper(db, archive, territoire, limite=limite, progression=progression)


async def _marquer_a_jour(db: Database) -> None:
    async with db.engine.begin() as conn:
        row = await repository.position_projection(conn, NOM)
        if row is not None and row["statut"] != A_JOUR:
            await repository.enregistrer_position(
                conn, NOM, row["position"], row["evenements"], A_JOUR, row["version"]
            )
            log.info("observatoire.modeles_a_jour", evenements=row["evenements"])


async def suivre(
    db: Database,
    archive: Archive,
    territoire: modeles.Territoire,
    *,
    limite: int,
    attente: float,
    arret: asyncio.Event,
) -> None:
    """The live follower: apply new events as the archive receives them."""
    await preparer(db)
    while not arret.is_set():
        try:
            read = await avancer(db, archive, territoire, limite=limite, attente=attente)
            if read == 0:
                await _marquer_a_jour(db)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("observatoire.projection_failed")
            await asyncio.sleep(2.0)
