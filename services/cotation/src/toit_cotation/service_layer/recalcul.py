"""Bulk re-scoring: queue a job, advance it by one batch, cursor and scores in one commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID, uuid4

from servicekit.uow import UnitOfWork
from toit_cotation.service_layer.calcul import recoter
from toit_cotation.service_layer.commun import depot

# --- Bulk re-scoring ---------------------------------------------------------------------------


async def planifier_recalcul(
    uow: UnitOfWork,
    cle: str,
    motif: str,
    epci: str | None,
    grille_id: UUID | None,
    maintenant: datetime,
) -> bool:
    total = await depot(uow).compter_a_recoter(epci)
    return await depot(uow).creer_recalcul(
        {
            "id": uuid4(),
            "cle": cle,
            "motif": motif,
            "epci": epci,
            "grille_id": grille_id,
            "etat": "EN_COURS",
            "curseur": None,
            "total": total,
            "traitees": 0,
            "modifiees": 0,
            "cree_le": maintenant,
        },
    )


async def planifier_recalcul_mensuel(uow: UnitOfWork, jour: date, maintenant: datetime) -> bool:
    """The ancienneté changes on the 1st of each month (see `reference_du_mois`)."""
    if jour.day != 1:
        return False
    cree = await planifier_recalcul(
        uow, f"anciennete:{jour.isoformat()}", "ANCIENNETE", None, None, maintenant
    )
    await uow.commit()
    return cree


@dataclass(frozen=True)
class Avancement:
    job_id: UUID
    motif: str
    traitees: int
    total: int
    modifiees: int
    lot: int
    termine: bool
    debit_par_seconde: float


@dataclass(frozen=True)
class Freinage:
    """No batch this time: the outbox already holds this many unpublished events."""

    en_attente: int


async def avancer_recalcul(
    uow: UnitOfWork,
    taille_lot: int,
    maintenant: datetime,
    *,
    evenements_max: int | None = None,
) -> Avancement | Freinage | None:
    """Re-score the next batch of the oldest running job; None when there is no job.

    With `evenements_max`, nothing is done while the outbox holds that many events not
    yet published (checked in the same transaction): the relay publishes in order, so
    this bounds how long a live `cotation.calculee` waits behind bulk events."""
    job = await depot(uow).prochain_recalcul()
    if job is None:
        return None
    if evenements_max is not None:
        en_attente = await depot(uow).evenements_en_attente(evenements_max)
        if en_attente >= evenements_max:
            return Freinage(en_attente)
    lot = await depot(uow).demandes_a_recoter(epci=job.epci, apres=job.curseur, limite=taille_lot)
    publies = await recoter(uow, lot, maintenant, seulement_epci=job.epci)
    demarre = job.demarre_le or maintenant
    traitees = job.traitees + len(lot)
    termine = len(lot) < taille_lot
    await depot(uow).mettre_a_jour_recalcul(
        job.id,
        curseur=lot[-1].demande_id if lot else job.curseur,
        traitees=traitees,
        modifiees=job.modifiees + publies,
        demarre_le=demarre,
        mis_a_jour_le=maintenant,
        etat="TERMINE" if termine else "EN_COURS",
        termine_le=maintenant if termine else None,
    )
    await uow.commit()
    duree = max((maintenant - aware(demarre, maintenant)).total_seconds(), 1e-3)
    return Avancement(
        job.id,
        job.motif,
        traitees,
        max(job.total, traitees),
        job.modifiees + publies,
        len(lot),
        termine,
        traitees / duree,
    )


def aware(moment: datetime, reference: datetime) -> datetime:
    # SQLite returns naive datetimes for timezone-aware columns.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=reference.tzinfo)
