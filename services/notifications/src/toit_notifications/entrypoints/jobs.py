"""Daily job of notifications: the attestation d'enregistrement's one-month deadline.

The law gives one month from the dépôt to deliver the attestation (L441-2-1 CCH); without
it the household is not registered. Every day, the attestations neither sent nor printed
by their deadline are counted (metric `toit_attestations_en_retard`, one log line) and
listed for the gestionnaire (GET /api/notifications/attestations/en-retard).
"""

from __future__ import annotations

from datetime import date

import structlog
from prometheus_client import Gauge

from servicekit.runtime import ServiceRuntime
from toit_notifications.adapters import repository

log = structlog.get_logger(__name__)

attestations_en_retard = Gauge(
    "toit_attestations_en_retard",
    "Attestations d'enregistrement neither sent nor printed one month after the dépôt",
    ["service"],
)


async def surveiller_attestations(runtime: ServiceRuntime, jour: date) -> None:
    async with runtime.unit_of_work() as uow:
        lignes = await repository.attestations_en_retard(uow.session, jour)
    attestations_en_retard.labels(runtime.name).set(len(lignes))
    if lignes:
        log.warning(
            "attestations.en_retard",
            nombre=len(lignes),
            guichets=sorted({str(r["guichet"]) for r in lignes}),
        )
