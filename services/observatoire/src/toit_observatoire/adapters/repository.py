"""Reads and writes of the observatoire's tables (SQLAlchemy Core)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from toit_observatoire.adapters import tables
from toit_observatoire.domain.modeles import Change, Purge, Update, Upsert

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


def _collapse(
    changes: Sequence[Change],
) -> tuple[dict[str, list[Upsert]], list[Update], list[Purge]]:
    """Keep, per row, the upsert of highest version (the last one on a tie); updates
    and purges in event order."""
    latest: dict[tuple[str, tuple[Any, ...]], Upsert] = {}
    updates: list[Update] = []
    purges: list[Purge] = []
    for change in changes:
        if isinstance(change, Purge):
            purges.append(change)
            continue
        if isinstance(change, Update):
            updates.append(change)
            continue
        key = (change.table, tuple(sorted(change.key.items())))
        known = latest.get(key)
        if known is None or (change.version or 0) >= (known.version or 0):
            latest[key] = change
    per_table: dict[str, list[Upsert]] = {}
    for (name, _), upsert in latest.items():
        per_table.setdefault(name, []).append(upsert)
    return per_table, updates, purges


async def appliquer(conn: AsyncConnection, changes: Sequence[Change]) -> None:
    """Apply a batch of changes: one multi-row upsert per table (a row holding a
    higher version is left alone: a stale or replayed copy changes nothing), then
    the updates in event order, then the attributions' bookkeeping."""
    per_table, updates, purges = _collapse(changes)
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
    for update in updates:
        table = TABLES[update.table]
        await conn.execute(
            table.update()
            .where(*(table.c[k] == v for k, v in update.key.items()))
            .values(**update.values)
        )
    attributions = per_table.get(tables.rm_attribution.name, [])
    if attributions:
        await _attributions(conn, attributions)
    for purge in purges:
        await conn.execute(
            tables.rm_demande.update()
            .where(tables.rm_demande.c.demande_id == purge.demande_id)
            .values(numero_unique=None, statut="PURGEE")
        )


async def _attributions(conn: AsyncConnection, upserts: Sequence[Upsert]) -> None:
    """An attribution counts once: the row matching published (source "matching")
    replaces the one inferred from the demande's radiation, whichever came first.
    Matching's rows are completed from the observatoire's own copy of the demande
    (typologie wanted, resources per UC, priority), never from another service."""
    a, d = tables.rm_attribution, tables.rm_demande
    demandes = sorted({u.values["demande_id"] for u in upserts if u.values.get("demande_id")})
    if not demandes:
        return
    matching = sa.select(a.c.demande_id).where(
        a.c.source == "matching", a.c.demande_id.in_(demandes)
    )
    await conn.execute(
        a.delete().where(a.c.source == "radiation", a.c.demande_id.in_(matching.scalar_subquery()))
    )
    ids = [u.key["attribution_id"] for u in upserts if u.values.get("source") == "matching"]
    if not ids:
        return

    def copie(column: sa.Column[Any]) -> Any:
        return sa.select(column).where(d.c.demande_id == a.c.demande_id).scalar_subquery()

    await conn.execute(
        a.update()
        .where(a.c.attribution_id.in_(ids))
        .values(
            typologie_demandee=sa.func.coalesce(a.c.typologie_demandee, copie(d.c.typologie)),
            revenu_annuel_uc=sa.func.coalesce(a.c.revenu_annuel_uc, copie(d.c.revenu_annuel_uc)),
            prioritaire=sa.or_(a.c.prioritaire, sa.func.coalesce(copie(d.c.prioritaire), False)),
        )
    )


# --- Fiches territoriales produced on schedule ------------------------------------------------


async def fiche_publiee_existe(conn: AsyncConnection, niveau: str, code: str, periode: str) -> bool:
    t = tables.fiche_publiee
    found = await conn.execute(
        sa.select(t.c.code).where(t.c.niveau == niveau, t.c.code == code, t.c.periode == periode)
    )
    return found.first() is not None


async def enregistrer_fiche_publiee(conn: AsyncConnection, **values: Any) -> bool:
    """Store a fiche; False when another run stored the same one meanwhile."""
    result = await conn.execute(
        _insert(conn, tables.fiche_publiee).values(**values).on_conflict_do_nothing()
    )
    return bool(result.rowcount)


async def fiches_publiees(
    conn: AsyncConnection, niveau: str | None, code: str | None
) -> list[dict[str, Any]]:
    """Published fiches without their content, newest month first."""
    t = tables.fiche_publiee
    stmt = sa.select(
        *(c for c in t.c if c.name != "contenu"),
        sa.func.length(t.c.contenu).label("taille"),
    ).order_by(t.c.periode.desc(), t.c.niveau, t.c.code)
    if niveau is not None:
        stmt = stmt.where(t.c.niveau == niveau)
    if code is not None:
        stmt = stmt.where(t.c.code == code)
    return [dict(r) for r in (await conn.execute(stmt)).mappings()]


async def fiche_publiee(
    conn: AsyncConnection, niveau: str, code: str, periode: str
) -> dict[str, Any] | None:
    t = tables.fiche_publiee
    row = (
        (
            await conn.execute(
                sa.select(t).where(t.c.niveau == niveau, t.c.code == code, t.c.periode == periode)
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


# --- One snapshot read on several connections (PostgreSQL) -------------------------------------

_INSTANTANE = re.compile(r"[0-9A-F]+-[0-9A-F]+(-[0-9]+)?")


async def exporter_instantane(conn: AsyncConnection) -> str:
    """Export the snapshot of `conn`'s transaction: other connections may then read
    exactly what it reads (until that transaction ends)."""
    return str((await conn.execute(sa.text("SELECT pg_export_snapshot()"))).scalar_one())


@asynccontextmanager
async def connexion_instantane(
    engine: AsyncEngine, instantane: str
) -> AsyncIterator[AsyncConnection]:
    """A read-only REPEATABLE READ transaction on the snapshot `exporter_instantane` gave.
    The snapshot id is checked, then written into the statement (SET takes no bound
    parameter); it never comes from a request."""
    if not _INSTANTANE.fullmatch(instantane):
        raise ValueError(f"identifiant d'instantané invalide : {instantane!r}")
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="REPEATABLE READ")
        async with conn.begin():
            await conn.execute(sa.text(f"SET TRANSACTION SNAPSHOT '{instantane}'"))
            await conn.execute(sa.text("SET TRANSACTION READ ONLY"))
            await conn.execute(sa.text("SET LOCAL work_mem = '64MB'"))
            yield conn
