"""Reads and writes of the API clients (table client_api)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from toit_identite.adapters.tables import client_api


async def ajouter(session: AsyncSession, **values: Any) -> None:
    await session.execute(client_api.insert().values(**values))


async def obtenir(session: AsyncSession, client_id: str, *, verrou: bool = False) -> Any | None:
    query = sa.select(client_api).where(client_api.c.client_id == client_id)
    if verrou:
        query = query.with_for_update()
    return (await session.execute(query)).first()


async def lister(session: AsyncSession, organisation_id: str | None) -> Sequence[Any]:
    query = sa.select(client_api).order_by(client_api.c.cree_le)
    if organisation_id is not None:
        query = query.where(client_api.c.organisation_id == organisation_id)
    return (await session.execute(query)).all()


async def modifier(session: AsyncSession, client_id: str, **values: Any) -> None:
    await session.execute(
        client_api.update().where(client_api.c.client_id == client_id).values(**values)
    )


async def noter_utilisation(session: AsyncSession, client_id: str, quand: datetime) -> None:
    await modifier(session, client_id, derniere_utilisation=quand)
