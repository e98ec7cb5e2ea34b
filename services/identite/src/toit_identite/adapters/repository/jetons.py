"""Refresh tokens, single-use links (activation, reset) and login throttling, with their
daily purge."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from toit_identite.adapters import tables as t
from toit_identite.adapters.repository.commun import token_hash, utc
from toit_identite.domain.throttling import Throttle


async def add_refresh_token(
    session: AsyncSession,
    *,
    token: str,
    compte_id: str,
    family_id: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    await session.execute(
        t.refresh_token.insert().values(
            token_hash=token_hash(token),
            compte_id=compte_id,
            family_id=family_id,
            created_at=now,
            expires_at=expires_at,
        )
    )


async def get_refresh_token(session: AsyncSession, token: str) -> Any | None:
    return (
        (
            await session.execute(
                sa.select(t.refresh_token)
                .where(t.refresh_token.c.token_hash == token_hash(token))
                .with_for_update()
            )
        )
        .mappings()
        .first()
    )


async def mark_refresh_used(session: AsyncSession, token: str, now: datetime) -> bool:
    """Consume the token; False if someone else consumed it first."""
    result = await session.execute(
        t.refresh_token.update()
        .where(
            t.refresh_token.c.token_hash == token_hash(token), t.refresh_token.c.used_at.is_(None)
        )
        .values(used_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def revoke_family(session: AsyncSession, family_id: str, now: datetime) -> None:
    await session.execute(
        t.refresh_token.update()
        .where(t.refresh_token.c.family_id == family_id, t.refresh_token.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def revoke_all_refresh(session: AsyncSession, compte_id: str, now: datetime) -> None:
    await session.execute(
        t.refresh_token.update()
        .where(t.refresh_token.c.compte_id == compte_id, t.refresh_token.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def add_link(
    session: AsyncSession, *, token: str, compte_id: str, purpose: str, expires_at: datetime
) -> None:
    """A new single-use link; the account's earlier unused links of the same purpose
    stop working (only the last email sent is valid)."""
    await session.execute(
        t.lien_usage_unique.delete().where(
            t.lien_usage_unique.c.compte_id == compte_id,
            t.lien_usage_unique.c.purpose == purpose,
            t.lien_usage_unique.c.used_at.is_(None),
        )
    )
    await session.execute(
        t.lien_usage_unique.insert().values(
            token_hash=token_hash(token),
            compte_id=compte_id,
            purpose=purpose,
            expires_at=expires_at,
        )
    )


async def consume_link(
    session: AsyncSession, token: str, purpose: str, now: datetime
) -> str | None:
    """The account of a valid unused link, which is consumed; None otherwise."""
    row = (
        await session.execute(
            sa.select(t.lien_usage_unique).where(
                t.lien_usage_unique.c.token_hash == token_hash(token),
                t.lien_usage_unique.c.purpose == purpose,
            )
        )
    ).first()
    if row is None or row.used_at is not None or utc(row.expires_at) <= now:  # type: ignore[operator]
        return None
    result = await session.execute(
        t.lien_usage_unique.update()
        .where(
            t.lien_usage_unique.c.token_hash == row.token_hash,
            t.lien_usage_unique.c.used_at.is_(None),
        )
        .values(used_at=now)
    )
    return row.compte_id if result.rowcount else None  # type: ignore[attr-defined]


async def get_throttle(session: AsyncSession, key: str) -> Throttle:
    row = (
        await session.execute(sa.select(t.login_throttle).where(t.login_throttle.c.key == key))
    ).first()
    if row is None:
        return Throttle()
    return Throttle(row.failures, utc(row.window_start), utc(row.locked_until))


async def save_throttle(session: AsyncSession, key: str, state: Throttle) -> None:
    values = {
        "failures": state.failures,
        "window_start": state.window_start,
        "locked_until": state.locked_until,
    }
    result = await session.execute(
        t.login_throttle.update().where(t.login_throttle.c.key == key).values(**values)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        await session.execute(t.login_throttle.insert().values(key=key, **values))


async def clear_throttle(session: AsyncSession, key: str) -> None:
    await session.execute(t.login_throttle.delete().where(t.login_throttle.c.key == key))


async def clear_account_throttles(session: AsyncSession, compte_id: str) -> None:
    """The account's counters, from every address (see jetons.cles_de_limitation)."""
    await session.execute(
        t.login_throttle.delete().where(
            sa.or_(
                t.login_throttle.c.key == f"compte:{compte_id}",
                t.login_throttle.c.key.like(f"ip-compte:%|{compte_id}"),
            )
        )
    )


async def purge_expired(session: AsyncSession, now: datetime, before: datetime) -> None:
    """Forget spent tokens, links and counters (daily housekeeping)."""
    await session.execute(t.refresh_token.delete().where(t.refresh_token.c.expires_at < before))
    await session.execute(
        t.lien_usage_unique.delete().where(t.lien_usage_unique.c.expires_at < before)
    )
    await session.execute(
        t.login_throttle.delete().where(
            sa.or_(
                t.login_throttle.c.locked_until < before,
                sa.and_(
                    t.login_throttle.c.locked_until.is_(None),
                    t.login_throttle.c.window_start < before,
                ),
            )
        )
    )
