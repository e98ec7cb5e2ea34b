"""Retention applied by code: the logs keep events for the retention period (replay
window), the delivery register for its own period."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from servicekit.uow import UnitOfWork
from toit_abonnements.adapters import repository


async def appliquer(
    uow: UnitOfWork, jour: date, retention_jours: int, conservation_livraisons_jours: int
) -> dict[str, int]:
    minuit = datetime.combine(jour, time(), tzinfo=UTC)
    purges = await repository.purger_journal(uow.session, minuit - timedelta(days=retention_jours))
    await repository.purger_livraisons(
        uow.session, minuit - timedelta(days=conservation_livraisons_jours)
    )
    await uow.commit()
    return purges
