"""Reads and writes of the notification tables."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from toit_notifications.adapters.tables import notification
from toit_notifications.domain.model import Canal, Statut

Row = Mapping[str, Any]


async def cles_existantes(session: AsyncSession, cles: Iterable[str]) -> set[str]:
    rows = await session.execute(
        sa.select(notification.c.cle).where(notification.c.cle.in_(list(cles)))
    )
    return set(rows.scalars())


async def ajouter(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(notification.insert(), rows)


async def purger_demande(session: AsyncSession, demande_id: UUID) -> int:
    result = cast(
        sa.CursorResult[Any],
        await session.execute(notification.delete().where(notification.c.demande_id == demande_id)),
    )
    return int(result.rowcount or 0)


async def attestations_en_retard(
    session: AsyncSession, jour: date, departements: Iterable[str] | None = None
) -> list[Row]:
    """Attestations d'enregistrement whose deadline has come (dépôt + one month) and that
    were neither sent (email accepted by the server) nor printed (courrier édité)."""
    c = notification.c
    query = sa.select(
        c.id,
        c.demande_id,
        c.numero_unique,
        c.departement,
        c.guichet,
        c.canal,
        c.statut,
        c.echeance,
        c.creee_le,
    ).where(
        (c.type == "attestation_enregistrement")
        & (c.echeance <= jour)
        & c.statut.notin_([Statut.ENVOYEE, Statut.EDITEE])
    )
    if departements is not None:
        query = query.where(c.departement.in_(list(departements)))
    resultat = await session.execute(query.order_by(c.echeance, c.id))
    return [dict(r) for r in resultat.mappings().all()]


async def reserver_emails_dus(
    session: AsyncSession, maintenant: datetime, limite: int, bail: datetime
) -> list[Row]:
    """Claim up to `limite` due emails: their next try moves to `bail`, so that another
    sender (or this one after a crash) only picks them up once the lease is over."""
    query = (
        sa.select(notification)
        .where(
            (notification.c.statut == Statut.EN_ATTENTE)
            & (notification.c.canal == Canal.EMAIL)
            & (notification.c.prochain_essai <= maintenant)
        )
        .order_by(notification.c.prochain_essai)
        .limit(limite)
        .with_for_update(skip_locked=True)
    )
    rows = (await session.execute(query)).mappings().all()
    if rows:
        await session.execute(
            notification.update()
            .where(notification.c.id.in_([r["id"] for r in rows]))
            .values(prochain_essai=bail, tentatives=notification.c.tentatives + 1)
        )
    return [dict(r) for r in rows]


async def mettre_a_jour_envoi(session: AsyncSession, id_: UUID, **values: Any) -> None:
    await session.execute(
        notification.update()
        .where((notification.c.id == id_) & (notification.c.statut == Statut.EN_ATTENTE))
        .values(**values)
    )


async def par_demande(session: AsyncSession, demande_id: UUID) -> list[Row]:
    query = (
        sa.select(notification)
        .where(notification.c.demande_id == demande_id)
        .order_by(notification.c.creee_le, notification.c.type)
    )
    return [dict(r) for r in (await session.execute(query)).mappings().all()]


async def courriers(
    session: AsyncSession,
    *,
    departements: Iterable[str],
    guichet: str | None,
    statut: Statut | None,
    limite: int,
    decalage: int,
) -> tuple[list[Row], int]:
    where = (notification.c.canal == Canal.COURRIER) & notification.c.departement.in_(
        sorted(departements)
    )
    if guichet is not None:
        where &= notification.c.guichet == guichet
    if statut is not None:
        where &= notification.c.statut == statut
    columns = [c for c in notification.c if c.name not in ("pdf", "html", "texte")]
    total = (
        await session.execute(sa.select(sa.func.count()).select_from(notification).where(where))
    ).scalar_one()
    rows = (
        (
            await session.execute(
                sa.select(*columns)
                .where(where)
                .order_by(notification.c.creee_le, notification.c.id)
                .limit(limite)
                .offset(decalage)
            )
        )
        .mappings()
        .all()
    )
    return [dict(r) for r in rows], int(total)


async def par_id(session: AsyncSession, id_: UUID) -> Row | None:
    row = (
        (await session.execute(sa.select(notification).where(notification.c.id == id_)))
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


async def marquer_editee(session: AsyncSession, id_: UUID, maintenant: datetime) -> None:
    await session.execute(
        notification.update()
        .where((notification.c.id == id_) & (notification.c.statut == Statut.A_EDITER))
        .values(statut=Statut.EDITEE, editee_le=maintenant)
    )
