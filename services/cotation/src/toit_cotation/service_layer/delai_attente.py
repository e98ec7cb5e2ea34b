"""Waiting time: attributions from matching (`attribution.prononcee`) are kept anonymously
(EPCI, typology, lease date, days from the first dépôt) and give the average and median
waiting time shown with the cotation of a similar demande (same EPCI and typology)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from toit_referentiel.delai_attente import FENETRE_JOURS, delai_attente

from servicekit.uow import UnitOfWork
from toit_cotation.adapters import repository_attributions as repo


@dataclass(frozen=True, slots=True)
class Attribution:
    attribution_id: UUID
    epci: str
    typologie: str
    date_signature: date
    delai_jours: int


async def suivre_attributions(uow: UnitOfWork, recues: list[Attribution]) -> None:
    await repo.enregistrer(
        uow.session,
        [
            {
                "attribution_id": a.attribution_id,
                "epci": a.epci,
                "typologie": a.typologie,
                "date_signature": a.date_signature,
                "delai_jours": a.delai_jours,
            }
            for a in recues
        ],
    )


async def pour(
    uow: UnitOfWork, epci: str, epci_nom: str | None, typologie: str | None, aujourd_hui: date
) -> dict[str, Any]:
    if typologie is None:
        return {
            "disponible": False,
            "motif": "Délai d'attente non disponible : la demande ne précise pas de typologie",
        }
    depuis = aujourd_hui - timedelta(days=FENETRE_JOURS)
    return delai_attente(
        await repo.delais(uow.session, epci, typologie, depuis), epci_nom, typologie
    )
