"""Accounts and the journal of their habilitations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from toit_identite.adapters import tables as t
from toit_identite.adapters.repository.commun import utc
from toit_identite.domain.model import Compte, StatutCompte, TypeCompte


def _compte(row: Any) -> Compte:
    return Compte(
        id=row.id,
        kind=TypeCompte(row.kind),
        identifiant=row.identifiant,
        email=row.email,
        nom=row.nom,
        prenom=row.prenom,
        organisation_id=row.organisation_id,
        roles=list(row.roles),
        departements=list(row.departements),
        epcis=list(row.epcis),
        communes=list(row.communes),
        valide_du=row.valide_du,
        valide_jusqu_au=row.valide_jusqu_au,
        statut=StatutCompte(row.statut),
        motif_desactivation=row.motif_desactivation,
        password_hash=row.password_hash,
        charte_version=row.charte_version,
        derniere_connexion=utc(row.derniere_connexion),
        cree_le=utc(row.cree_le),
        actif_depuis=utc(row.actif_depuis),
        version=row.version,
        demo=row.demo,
    )


def _compte_values(compte: Compte) -> dict[str, Any]:
    values = asdict(compte)
    values["kind"] = compte.kind.value
    values["statut"] = compte.statut.value
    return values


async def add_compte(session: AsyncSession, compte: Compte) -> None:
    await session.execute(t.compte.insert().values(**_compte_values(compte)))


async def save_compte(session: AsyncSession, compte: Compte, *, expected_version: int) -> bool:
    """Write the account if nobody changed it meanwhile (optimistic lock)."""
    values = _compte_values(compte)
    values.pop("id")
    result = await session.execute(
        t.compte.update()
        .where(t.compte.c.id == compte.id, t.compte.c.version == expected_version)
        .values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def get_compte(session: AsyncSession, compte_id: str) -> Compte | None:
    row = (await session.execute(sa.select(t.compte).where(t.compte.c.id == compte_id))).first()
    return _compte(row) if row else None


async def find_compte(session: AsyncSession, identifiant_or_email: str) -> Compte | None:
    """By identifiant, else by email when exactly one account has it."""
    key = identifiant_or_email.strip().lower()
    row = (await session.execute(sa.select(t.compte).where(t.compte.c.identifiant == key))).first()
    if row:
        return _compte(row)
    rows = (
        await session.execute(
            sa.select(t.compte).where(sa.func.lower(t.compte.c.email) == key).limit(2)
        )
    ).all()
    return _compte(rows[0]) if len(rows) == 1 else None


async def identifiant_taken(session: AsyncSession, identifiant: str) -> bool:
    return (
        await session.execute(
            sa.select(t.compte.c.id).where(t.compte.c.identifiant == identifiant.lower())
        )
    ).first() is not None


async def list_comptes(
    session: AsyncSession, *, organisation_id: str | None = None, statut: str | None = None
) -> list[Compte]:
    query = sa.select(t.compte).where(t.compte.c.kind == TypeCompte.AGENT.value)
    if organisation_id:
        query = query.where(t.compte.c.organisation_id == organisation_id)
    if statut:
        query = query.where(t.compte.c.statut == statut)
    rows = (await session.execute(query.order_by(t.compte.c.identifiant))).all()
    return [_compte(row) for row in rows]


async def inactive_comptes(session: AsyncSession, before: datetime) -> list[Compte]:
    """Accounts not disabled, neither used nor (re)activated since the date."""
    rows = (
        await session.execute(
            sa.select(t.compte).where(
                t.compte.c.statut != StatutCompte.DESACTIVE.value,
                t.compte.c.actif_depuis < before,
                sa.or_(
                    t.compte.c.derniere_connexion.is_(None), t.compte.c.derniere_connexion < before
                ),
            )
        )
    ).all()
    return [_compte(row) for row in rows]


async def count_demo_comptes(session: AsyncSession) -> int:
    return (
        await session.execute(
            sa.select(sa.func.count()).select_from(t.compte).where(t.compte.c.demo.is_(True))
        )
    ).scalar_one()


async def record_login(
    session: AsyncSession, compte_id: str, now: datetime, password_hash: str | None = None
) -> None:
    values: dict[str, Any] = {"derniere_connexion": now}
    if password_hash:
        values["password_hash"] = password_hash
    await session.execute(t.compte.update().where(t.compte.c.id == compte_id).values(**values))


async def journal(
    session: AsyncSession,
    *,
    at: datetime,
    auteur_id: str | None,
    compte_id: str,
    operation: str,
    details: dict[str, Any],
) -> None:
    await session.execute(
        t.journal_habilitation.insert().values(
            at=at, auteur_id=auteur_id, compte_id=compte_id, operation=operation, details=details
        )
    )


async def read_journal(session: AsyncSession, compte_id: str) -> Sequence[Any]:
    return (
        (
            await session.execute(
                sa.select(t.journal_habilitation)
                .where(t.journal_habilitation.c.compte_id == compte_id)
                .order_by(t.journal_habilitation.c.at, t.journal_habilitation.c.id)
            )
        )
        .mappings()
        .all()
    )
