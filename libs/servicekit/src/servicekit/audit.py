"""Consultation trace: every read of a nominative record leaves a line (primer §12).

The service that owns the record writes the trace in the same unit of work as
the read, then commits:

    async with runtime.unit_of_work() as uow:
        demande = await repository.get(uow.session, id)
        authorize(principal, "demande.lire", departement=demande.departement)
        await record_consultation(uow.session, principal, "demande", str(id),
                                  departement=demande.departement, reason=motif)
        await uow.commit()

and exposes the trace to the gestionnaire du fichier with
`consultation_router("/api/<service>")` (GET /api/<service>/consultations).
The `consultation` table lives in every service database (created with the
messaging tables).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from servicekit.auth import Principal, require
from servicekit.messaging.tables import consultation


async def record_consultation(
    session: AsyncSession,
    principal: Principal,
    record_type: str,
    record_id: str,
    reason: str | None = None,
    *,
    departement: str | None = None,
    at: datetime | None = None,
) -> None:
    """Stage one trace line in the caller's transaction (the caller commits).

    Pass the record's département: the gestionnaire of that département sees it."""
    await session.execute(
        consultation.insert().values(
            consulted_at=at or datetime.now(UTC),
            account_id=principal.sub,
            account_kind=principal.kind,
            organisation_id=principal.organisation,
            roles=",".join(sorted(principal.roles)),
            record_type=record_type,
            record_id=record_id,
            departement=departement,
            reason=(reason or None) and reason[:500],
        )
    )


async def record_consultations(
    session: AsyncSession,
    principal: Principal,
    record_type: str,
    records: list[tuple[str, str | None]],
    reason: str | None = None,
    *,
    at: datetime | None = None,
) -> None:
    """Stage one trace line per record read in a list (record id, département), in one
    statement: a list of nominative records is traced like each record's consultation."""
    if not records:
        return
    when = at or datetime.now(UTC)
    roles = ",".join(sorted(principal.roles))
    await session.execute(
        consultation.insert(),
        [
            {
                "consulted_at": when,
                "account_id": principal.sub,
                "account_kind": principal.kind,
                "organisation_id": principal.organisation,
                "roles": roles,
                "record_type": record_type,
                "record_id": record_id,
                "departement": departement,
                "reason": (reason or None) and reason[:500],
            }
            for record_id, departement in records
        ],
    )


async def purge_consultations(session: AsyncSession, day: date, retention_days: int) -> int:
    """Delete the trace lines older than the retention period (the caller commits)."""
    limit = datetime.combine(day, time(0), tzinfo=UTC) - timedelta(days=retention_days)
    result = cast(
        sa.CursorResult[Any],
        await session.execute(consultation.delete().where(consultation.c.consulted_at < limit)),
    )
    return int(result.rowcount or 0)


@dataclass(frozen=True)
class ConsultationFilter:
    record_type: str | None = None
    record_id: str | None = None
    # Any of these records (a demande and its pièces), whatever their type.
    record_ids: tuple[str, ...] | None = None
    account_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    # None: every département; otherwise lines of these départements (and lines
    # recorded without one).
    departements: frozenset[str] | None = None


async def query_consultations(
    session: AsyncSession, criteria: ConsultationFilter, *, page: int = 1, per_page: int = 50
) -> tuple[list[dict[str, Any]], int]:
    """Trace lines matching the criteria, newest first, and their total count."""
    conditions: list[sa.ColumnElement[bool]] = []
    if criteria.record_type:
        conditions.append(consultation.c.record_type == criteria.record_type)
    if criteria.record_id:
        conditions.append(consultation.c.record_id == criteria.record_id)
    if criteria.record_ids is not None:
        conditions.append(consultation.c.record_id.in_(list(criteria.record_ids)))
    if criteria.account_id:
        conditions.append(consultation.c.account_id == criteria.account_id)
    if criteria.since:
        conditions.append(consultation.c.consulted_at >= criteria.since)
    if criteria.until:
        conditions.append(consultation.c.consulted_at < criteria.until)
    if criteria.departements is not None:
        # Lines recorded without a département are shown to every gestionnaire.
        conditions.append(
            sa.or_(
                consultation.c.departement.in_(sorted(criteria.departements)),
                consultation.c.departement.is_(None),
            )
        )
    where = sa.and_(sa.true(), *conditions)
    total = (
        await session.execute(sa.select(sa.func.count()).select_from(consultation).where(where))
    ).scalar_one()
    rows = (
        (
            await session.execute(
                sa.select(consultation)
                .where(where)
                .order_by(consultation.c.consulted_at.desc(), consultation.c.id.desc())
                .limit(per_page)
                .offset((page - 1) * per_page)
            )
        )
        .mappings()
        .all()
    )
    return [dict(row) for row in rows], int(total)


class ConsultationOut(BaseModel):
    date: datetime = Field(description="Date et heure de la consultation")
    compte: str = Field(description="Identifiant du compte qui a consulté")
    type_compte: str
    organisation: str | None
    roles: list[str]
    type_dossier: str = Field(description="Nature du dossier consulté (demande, pièce...)")
    dossier: str = Field(description="Identifiant du dossier consulté")
    departement: str | None
    motif: str | None


class ConsultationPage(BaseModel):
    elements: list[ConsultationOut]
    page: int
    par_page: int
    total: int


def consultation_router(prefix: str) -> APIRouter:
    """GET {prefix}/consultations: the trace, for the gestionnaire du fichier of
    the départements concerned (action trace.consulter)."""
    router = APIRouter(prefix=prefix, tags=["traçabilité"])

    @router.get(
        "/consultations",
        response_model=ConsultationPage,
        summary="Trace des consultations de dossiers nominatifs",
    )
    async def consultations(
        request: Request,
        type_dossier: str | None = Query(default=None, max_length=64),
        dossier: str | None = Query(default=None, max_length=128),
        compte: str | None = Query(default=None, max_length=64),
        du: datetime | None = Query(default=None, description="Depuis (inclus)"),
        au: datetime | None = Query(default=None, description="Jusqu'à (exclu)"),
        page: int = Query(default=1, ge=1, le=100_000),
        par_page: int = Query(default=50, ge=1, le=500),
        principal: Principal = Depends(require("trace.consulter")),
    ) -> ConsultationPage:
        from servicekit.http import runtime_of

        criteria = ConsultationFilter(
            record_type=type_dossier,
            record_id=dossier,
            account_id=compte,
            since=du,
            until=au,
            departements=principal.departements,
        )
        async with runtime_of(request).unit_of_work() as uow:
            rows, total = await query_consultations(
                uow.session, criteria, page=page, per_page=par_page
            )
        return ConsultationPage(
            elements=[
                ConsultationOut(
                    date=row["consulted_at"],
                    compte=row["account_id"],
                    type_compte=row["account_kind"],
                    organisation=row["organisation_id"],
                    roles=[r for r in row["roles"].split(",") if r],
                    type_dossier=row["record_type"],
                    dossier=row["record_id"],
                    departement=row["departement"],
                    motif=row["reason"],
                )
                for row in rows
            ],
            page=page,
            par_page=par_page,
            total=total,
        )

    return router


class ConsultationDemandeur(BaseModel):
    """A consultation of the applicant's own record, as the applicant sees it: which
    organisation, in which role, when and why (the agent's account stays internal)."""

    date: datetime = Field(description="Date et heure de la consultation")
    organisation: str | None = Field(description="Organisation de l'agent qui a consulté")
    roles: list[str] = Field(description="Rôles de l'agent (ou DEMANDEUR : vous-même)")
    type_dossier: str
    motif: str | None


def consultations_pour_le_demandeur(rows: list[dict[str, Any]]) -> list[ConsultationDemandeur]:
    return [
        ConsultationDemandeur(
            date=row["consulted_at"],
            organisation=row["organisation_id"],
            roles=[r for r in row["roles"].split(",") if r],
            type_dossier=row["record_type"],
            motif=row["reason"],
        )
        for row in rows
    ]
