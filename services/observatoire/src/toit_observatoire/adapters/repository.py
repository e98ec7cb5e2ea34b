"""Reads and writes of the observatoire's tables (SQLAlchemy Core)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from toit_observatoire.adapters import tables
from toit_observatoire.domain.modeles import Change, Purge, Upsert

TABLES: dict[str, sa.Table] = {t.name: t for t in tables.READ_MODELS}


def _insert(conn: AsyncConnection, table: sa.Table) -> Any:
    return (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(table)


async def position_projection(conn: AsyncConnection, nom: str) -> dict[str, Any] | None:
    """The projection's state row, locked for the transaction (PostgreSQL)."""
    row = (
        (
            await conn.execute(
                sa.select(tables.projection_etat)
                .where(tables.projection_etat.c.nom == nom)
                .with_for_update()
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


async def enregistrer_position(
    conn: AsyncConnection, nom: str, position: int, evenements: int, statut: str, version: int
) -> None:
    values = {
        "position": position,
        "evenements": evenements,
        "statut": statut,
        "version": version,
        "maj_le": datetime.now(UTC),
    }
    stmt = _insert(conn, tables.projection_etat).values(nom=nom, **values)
    await conn.execute(stmt.on_conflict_do_update(index_elements=["nom"], set_=values))


async def vider_modeles(conn: AsyncConnection) -> None:
    for table in tables.READ_MODELS:
        await conn.execute(table.delete())


def _collapse(changes: Sequence[Change]) -> tuple[dict[str, list[Upsert]], list[Purge]]:
    """Keep, per row, the change of highest version (the last one on a tie)."""
    latest: dict[tuple[str, tuple[Any, ...]], Upsert] = {}
    purges: list[Purge] = []
    for change in changes:
        if isinstance(change, Purge):
            purges.append(change)
            continue
        key = (change.table, tuple(sorted(change.key.items())))
        known = latest.get(key)
        if known is None or (change.version or 0) >= (known.version or 0):
            latest[key] = change
    per_table: dict[str, list[Upsert]] = {}
    for (name, _), upsert in latest.items():
        per_table.setdefault(name, []).append(upsert)
    return per_table, purges


async def appliquer(conn: AsyncConnection, changes: Sequence[Change]) -> None:
    """Apply a batch of changes: one multi-row upsert per table; a row holding a
    higher version is left alone (a stale or replayed copy changes nothing)."""
    per_table, purges = _collapse(changes)
    for name, upserts in per_table.items():
        table = TABLES[name]
        rows = []
        for u in upserts:
            row = {**u.key, **u.values}
            if "version" in table.c:
                row["version"] = u.version or 0
            rows.append(row)
        keys = list(upserts[0].key)
        stmt = _insert(conn, table)
        updated = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
        where = table.c.version <= stmt.excluded.version if "version" in table.c else None
        await conn.execute(
            stmt.on_conflict_do_update(index_elements=keys, set_=updated, where=where), rows
        )
    for purge in purges:
        await conn.execute(
            tables.rm_demande.update()
            .where(tables.rm_demande.c.demande_id == purge.demande_id)
            .values(numero_unique=None, statut="PURGEE")
        )
