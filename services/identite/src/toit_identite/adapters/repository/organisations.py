"""Organisations, and the monthly reminder to review their accounts."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from toit_contracts.enums import TypeOrganisation
from toit_identite.adapters import tables as t
from toit_identite.domain.model import Organisation


def _organisation(row: Any) -> Organisation:
    return Organisation(
        id=row.id,
        nom=row.nom,
        type=TypeOrganisation(row.type),
        departements=list(row.departements),
        siren=row.siren,
        guichet_enregistreur=row.guichet_enregistreur,
        reservataire=row.reservataire,
        bailleur=row.bailleur,
        code_guichet=row.code_guichet,
        demo=row.demo,
        version=row.version,
    )


async def add_organisation(
    session: AsyncSession, organisation: Organisation, now: datetime
) -> None:
    values = asdict(organisation)
    values["type"] = organisation.type.value
    await session.execute(t.organisation.insert().values(**values, cree_le=now))


async def update_organisation(session: AsyncSession, organisation: Organisation) -> None:
    """Write the organisation's changeable fields and its new version."""
    await session.execute(
        t.organisation.update()
        .where(t.organisation.c.id == organisation.id)
        .values(
            nom=organisation.nom,
            departements=list(organisation.departements),
            guichet_enregistreur=organisation.guichet_enregistreur,
            reservataire=organisation.reservataire,
            bailleur=organisation.bailleur,
            version=organisation.version,
        )
    )


async def get_organisation(session: AsyncSession, organisation_id: str) -> Organisation | None:
    row = (
        await session.execute(
            sa.select(t.organisation).where(t.organisation.c.id == organisation_id)
        )
    ).first()
    return _organisation(row) if row else None


async def list_organisations(session: AsyncSession) -> list[Organisation]:
    rows = (await session.execute(sa.select(t.organisation).order_by(t.organisation.c.nom))).all()
    return [_organisation(row) for row in rows]


async def code_guichet_taken(session: AsyncSession, code: str) -> bool:
    return (
        await session.execute(
            sa.select(t.organisation.c.id).where(t.organisation.c.code_guichet == code)
        )
    ).first() is not None


async def claim_review_reminder(
    session: AsyncSession, organisation_id: str, mois: str, now: datetime
) -> bool:
    """Record this month's reminder; False if it was already sent."""
    exists = (
        await session.execute(
            sa.select(t.rappel_revue.c.mois).where(
                t.rappel_revue.c.organisation_id == organisation_id, t.rappel_revue.c.mois == mois
            )
        )
    ).first()
    if exists:
        return False
    await session.execute(
        t.rappel_revue.insert().values(organisation_id=organisation_id, mois=mois, envoye_le=now)
    )
    return True
