"""Alembic migrations per service, run programmatically on an async engine.

Each service keeps an Alembic script folder whose env.py is two lines:

    from servicekit.migrations import run_env
    run_env(target_metadata)

`upgrade()` hands the live connection to env.py through the Alembic config,
so migrations run inside the caller's event loop; on PostgreSQL an advisory
lock serialises concurrent upgrades by several replicas.
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config
from alembic.operations import Operations

from servicekit.db import Database
from servicekit.messaging.tables import messaging_metadata


def alembic_config(script_location: Path, url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


async def upgrade(db: Database, script_location: Path, revision: str = "head") -> None:
    cfg = alembic_config(script_location, db.url)

    def _run(sync_conn: sa.Connection) -> None:
        cfg.attributes["connection"] = sync_conn
        command.upgrade(cfg, revision)

    async with db.engine.begin() as conn:
        if db.is_postgres:
            lock_id = zlib.crc32(str(script_location).encode())
            await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id})
        await conn.run_sync(_run)


def run_env(target_metadata: sa.MetaData | None) -> None:
    """Body of every service's migrations/env.py."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations with `toit-service migrate <service>`")
    metadata = [messaging_metadata] + ([target_metadata] if target_metadata is not None else [])
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def create_messaging_tables(op: Operations | Any) -> None:
    """Create the outbox, inbox and entity-version tables (first migration of a service)."""
    bind = op.get_bind()
    messaging_metadata.create_all(bind)


def drop_messaging_tables(op: Operations | Any) -> None:
    messaging_metadata.drop_all(op.get_bind())
