"""Read models fed only by events: the demandes (from `demande.*`) and their scores (from
`cotation.calculee`). Stale copies are dropped by servicekit's version check before they
reach here; within a batch the last version of each demande wins. `reconstruire` rebuilds
the projections from scratch from the stored sources (a projection change needs no event
replay); `vider_modeles` empties them before a replay of the event archive
(`entrypoints.events.rejouer_archive`); `vider` empties everything, consumer bookkeeping
included, before the events are published again on the bus."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from servicekit.messaging.tables import entity_version, inbox
from servicekit.uow import UnitOfWork
from toit_matching.adapters import modeles_lus
from toit_matching.domain.demandeurs import (
    DemandeVue,
    champs_recherche,
    projeter,
    sans_contact,
    vue_en_json,
)


@dataclass(frozen=True, slots=True)
class EtatDemande:
    demande_id: UUID
    version: int
    departement: str
    statut: str
    numero_unique: str | None
    snapshot: dict[str, Any] | None  # None: purged


@dataclass(frozen=True, slots=True)
class Score:
    demande_id: UUID
    epci: str
    points: Decimal
    criteres: list[dict[str, Any]]
    grille_version: int
    version: int


def _lignes(
    etats: list[EtatDemande], epci_de: Callable[[str], str | None], recue_le: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[DemandeVue]]:
    lignes, souhaits, vues = [], [], []
    for e in etats:
        assert e.snapshot is not None
        source = sans_contact(e.snapshot)
        vue = projeter(e.demande_id, e.version, e.departement, e.statut, e.numero_unique, source)
        vues.append(vue)
        prefiltres = {
            "version": e.version,
            "departement": e.departement,
            "typologies": "|" + "|".join(vue.typologies) + "|",
            "taille": vue.taille,
            "categorie": vue.categorie,
            "revenu_fiscal": vue.revenu_fiscal,
        }
        lignes.append(
            {
                "demande_id": e.demande_id,
                "statut": e.statut,
                "numero_unique": e.numero_unique,
                **prefiltres,
                "vue": vue_en_json(vue),
                "source": source,
                "recue_le": recue_le,
            }
        )
        actif = e.statut == "ACTIVE"
        recherche = champs_recherche(vue)
        for commune in dict.fromkeys(vue.communes):
            souhaits.append(
                {
                    "demande_id": e.demande_id,
                    "commune": commune,
                    "epci": epci_de(commune),
                    "actif": actif,
                    **prefiltres,
                    **recherche,
                }
            )
    return lignes, souhaits, vues


async def suivre_demandes(
    uow: UnitOfWork, etats: list[EtatDemande], epci_de: Callable[[str], str | None]
) -> None:
    """Apply the demande states of one batch with a few statements."""
    dernier: dict[UUID, EtatDemande] = {}
    for e in etats:
        courant = dernier.get(e.demande_id)
        if courant is None or e.version >= courant.version:
            dernier[e.demande_id] = e
    purges = [i for i, e in dernier.items() if e.snapshot is None]
    if purges:
        await modeles_lus.supprimer_demandes(uow.session, purges)
    vivants = [e for e in dernier.values() if e.snapshot is not None]
    lignes, souhaits, _ = _lignes(vivants, epci_de, datetime.now(UTC))
    await modeles_lus.ecrire_demandes(uow.session, lignes, souhaits)


async def suivre_scores(uow: UnitOfWork, recus: list[Score]) -> None:
    dernier: dict[tuple[UUID, str], Score] = {}
    for s in recus:
        cle = (s.demande_id, s.epci)
        if cle not in dernier or s.version >= dernier[cle].version:
            dernier[cle] = s
    await modeles_lus.ecrire_scores(
        uow.session,
        [
            {
                "demande_id": s.demande_id,
                "epci": s.epci,
                "points": s.points,
                "criteres": s.criteres,
                "grille_version": s.grille_version,
                "version": s.version,
            }
            for s in dernier.values()
        ],
    )


async def reconstruire(
    unit_of_work: Callable[[], UnitOfWork],
    epci_de: Callable[[str], str | None],
    *,
    lot: int = 2000,
) -> int:
    """Re-project every stored demande from its source (wished communes included);
    returns the number of demandes rebuilt. Each lot is its own transaction."""
    async with unit_of_work() as uow:
        await modeles_lus.vider_modeles_lus(uow.session, garder_sources=True)
        await uow.commit()
    apres: UUID | None = None
    total = 0
    while True:
        async with unit_of_work() as uow:
            sources = await modeles_lus.sources_demandes(uow.session, apres, lot)
            if not sources:
                return total
            etats = [
                EtatDemande(
                    s["demande_id"],
                    s["version"],
                    s["departement"],
                    s["statut"],
                    s["numero_unique"],
                    s["source"],
                )
                for s in sources
            ]
            lignes, souhaits, _ = _lignes(etats, epci_de, sources[-1]["recue_le"])
            await modeles_lus.ecrire_demandes(uow.session, lignes, souhaits)
            await uow.commit()
        total += len(sources)
        apres = sources[-1]["demande_id"]


async def vider_modeles(unit_of_work: Callable[[], UnitOfWork]) -> None:
    """Empty the read models only (before a replay of the event archive, which does not
    stand for the live consumers: their bookkeeping is kept)."""
    async with unit_of_work() as uow:
        await modeles_lus.vider_modeles_lus(uow.session, garder_sources=False)
        await uow.commit()


async def vider(unit_of_work: Callable[[], UnitOfWork], queues: list[str]) -> None:
    """Empty the read models and forget what the consumers applied (inbox and entity
    versions of these queues): the next replay of the events rebuilds everything."""
    async with unit_of_work() as uow:
        await modeles_lus.vider_modeles_lus(uow.session, garder_sources=False)
        await uow.session.execute(inbox.delete().where(inbox.c.consumer.in_(queues)))
        await uow.session.execute(
            entity_version.delete().where(entity_version.c.consumer.in_(queues))
        )
        await uow.commit()


__all__ = [
    "EtatDemande",
    "Score",
    "reconstruire",
    "sa",
    "suivre_demandes",
    "suivre_scores",
    "vider",
    "vider_modeles",
]
