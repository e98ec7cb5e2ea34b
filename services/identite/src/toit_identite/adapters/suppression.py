"""Deletion of an applicant's account (SQLAlchemy Core on the caller's session): the
account and everything identite keeps for it go; the habilitation journal keeps no
applicant entries."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from toit_identite.adapters import tables as t


async def supprimer_compte(session: AsyncSession, compte_id: str) -> None:
    """The account, its refresh tokens, links and favourites (login counters: see
    repository.clear_account_throttles)."""
    for table in (t.refresh_token, t.lien_usage_unique, t.favori):
        await session.execute(table.delete().where(table.c.compte_id == compte_id))
    await session.execute(t.compte.delete().where(t.compte.c.id == compte_id))
