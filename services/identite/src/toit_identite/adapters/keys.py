"""Signing keys of the access tokens, kept in the identite database.

Life of a key: created and published in the JWKS (pending), it starts signing
once every cache has had time to see it (active), then is retired when the
next key takes over, and stays published until the tokens it signed expire.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm
from sqlalchemy.ext.asyncio import AsyncSession

from toit_identite.adapters.tables import signing_key

ALGORITHM = "EdDSA"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey


def new_key_row(passphrase: str, now: datetime, mode: str, *, active: bool) -> dict[str, Any]:
    private = Ed25519PrivateKey.generate()
    kid = f"{now:%Y%m%d}-{uuid.uuid4().hex[:8]}"
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode()),
    ).decode()
    jwk = json.loads(OKPAlgorithm.to_jwk(private.public_key()))
    return {
        "kid": kid,
        "algorithm": ALGORITHM,
        "private_pem": pem,
        "public_jwk": {**jwk, "kid": kid, "alg": ALGORITHM, "use": "sig"},
        "created_at": now,
        "created_mode": mode,
        "activated_at": now if active else None,
        "retired_at": None,
    }


def _load(row: Mapping[str, Any], passphrase: str) -> SigningKey:
    private = serialization.load_pem_private_key(row["private_pem"].encode(), passphrase.encode())
    assert isinstance(private, Ed25519PrivateKey)
    return SigningKey(row["kid"], private)


async def active_key(
    session: AsyncSession, passphrase: str, loaded: dict[str, SigningKey]
) -> SigningKey | None:
    """The key that signs now; `loaded` caches decrypted keys by kid."""
    row = (
        (
            await session.execute(
                sa.select(signing_key)
                .where(signing_key.c.activated_at.is_not(None), signing_key.c.retired_at.is_(None))
                .order_by(signing_key.c.activated_at.desc())
                .limit(1)
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    if row["kid"] not in loaded:
        loaded[row["kid"]] = _load(dict(row), passphrase)
    return loaded[row["kid"]]


async def published_jwks(
    session: AsyncSession, now: datetime, retired_grace: timedelta
) -> dict[str, Any]:
    """Pending and active keys, and retired keys whose tokens may still be valid."""
    rows = (
        (
            await session.execute(
                sa.select(signing_key.c.public_jwk)
                .where(
                    sa.or_(
                        signing_key.c.retired_at.is_(None),
                        signing_key.c.retired_at > now - retired_grace,
                    )
                )
                .order_by(signing_key.c.created_at)
            )
        )
        .scalars()
        .all()
    )
    return {"keys": list(rows)}


async def rotate(
    session: AsyncSession,
    *,
    now: datetime,
    passphrase: str,
    mode: str,
    rotation: timedelta,
    publication: timedelta,
) -> str | None:
    """One step of the rotation; returns what it did (for the logs), None if nothing."""
    keys = (
        await session.execute(
            sa.select(
                signing_key.c.kid,
                signing_key.c.created_at,
                signing_key.c.activated_at,
            ).where(signing_key.c.retired_at.is_(None))
        )
    ).all()
    active = [k for k in keys if k.activated_at is not None]
    pending = [k for k in keys if k.activated_at is None]
    if not active:
        await session.execute(
            signing_key.insert().values(new_key_row(passphrase, now, mode, active=True))
        )
        return "created"
    current = max(active, key=lambda k: k.activated_at)
    if pending:
        ready = [k for k in pending if _aware(k.created_at, now) <= now - publication]
        if not ready:
            return None
        successor = min(ready, key=lambda k: k.created_at)
        await session.execute(
            signing_key.update().where(signing_key.c.kid == successor.kid).values(activated_at=now)
        )
        await session.execute(
            signing_key.update().where(signing_key.c.kid == current.kid).values(retired_at=now)
        )
        return "promoted"
    if _aware(current.activated_at, now) <= now - rotation:
        await session.execute(
            signing_key.insert().values(new_key_row(passphrase, now, mode, active=False))
        )
        return "prepared"
    return None


def _aware(moment: datetime, now: datetime) -> datetime:
    # SQLite gives naive datetimes back: they were stored in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=now.tzinfo)


async def development_keys(session: AsyncSession) -> int:
    """Keys created outside production mode (refused in production)."""
    return (
        await session.execute(
            sa.select(sa.func.count())
            .select_from(signing_key)
            .where(signing_key.c.created_mode != "production")
        )
    ).scalar_one()
