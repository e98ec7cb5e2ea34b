"""SQL helpers the cotation queries share (PostgreSQL or SQLite)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


def is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# The statements of the hot paths (live re-scores, bulk re-scoring) are built once per
# dialect. On PostgreSQL, lists travel as arrays (`= ANY(:ids)`, `unnest`): the SQL text
# is the same whatever the batch size, so each statement is prepared once per connection
# and a batch is written by one statement. SQLite (embedded mode, tests) gets plain
# IN lists and executemany.


def parmi(colonne: sa.ColumnElement[Any], nom: str, type_: Any, postgres: bool) -> Any:
    if postgres:
        return colonne == sa.any_(sa.bindparam(nom, type_=postgresql.ARRAY(type_)))
    return colonne.in_(sa.bindparam(nom, expanding=True))


def en_json(valeur: Any) -> str | None:
    return None if valeur is None else json.dumps(valeur, ensure_ascii=False)


def upsert_unnest(table: sa.Table, cles: Sequence[str], types: dict[str, str], prefixe: str) -> str:
    """INSERT … SELECT FROM unnest(arrays) ON CONFLICT DO UPDATE: a whole batch of rows
    in one PostgreSQL statement whose text does not depend on the batch size."""
    colonnes = list(types)
    tableaux = ", ".join(
        f"CAST(CAST(:{prefixe}{c} AS text[]) AS json[])"
        if types[c] == "json"
        else f"CAST(:{prefixe}{c} AS {types[c]}[])"
        for c in colonnes
    )
    mises_a_jour = ", ".join(f"{c} = EXCLUDED.{c}" for c in colonnes if c not in cles)
    return (
        f"INSERT INTO {table.name} ({', '.join(colonnes)}) SELECT * FROM unnest({tableaux})"
        f" ON CONFLICT ({', '.join(cles)}) DO UPDATE SET {mises_a_jour}"
    )


def upsert_executemany(table: sa.Table, cles: Sequence[str]) -> Any:
    insert = sqlite_insert(table)
    return insert.on_conflict_do_update(
        index_elements=list(cles),
        set_={c.name: insert.excluded[c.name] for c in table.columns if c.name not in cles},
    )
