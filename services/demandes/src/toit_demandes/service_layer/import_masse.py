"""Bulk import (benchmarks, migration of an existing file)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from toit_referentiel.calendrier import add_months as ajouter_mois

from servicekit.uow import UnitOfWork
from toit_contracts.events.demandes import (
    DemandeEnregistree,
)
from toit_contracts.types import NumeroUnique
from toit_demandes.adapters.repository import (
    DemandeRepository,
)
from toit_demandes.domain.demande import Demande
from toit_demandes.service_layer.commun import Contexte, avec_snapshot, valider_saisie

# --- bulk import (benchmarks, migration of an existing file) ----------------------------------


async def importer_lot(uow: UnitOfWork, lot: list[dict[str, Any]], ctx: Contexte) -> int:
    """Creates and registers already-checked demandes in one transaction: each as registered
    on its dépôt date by the guichet "IMP" + département, renewed when that is more than a
    validity ago, with its historique and its `demande.enregistree` event (no per-demande
    `demande.creee`: the import is one registration). Invalid payloads raise
    DonneesInvalides and nothing of the batch is written."""
    regles = ctx.referentiel.regles_cycle_de_vie()
    aujourd_hui = ctx.maintenant.date()
    demandes_lot: list[Demande] = []
    for document in lot:
        saisie = valider_saisie(document, ctx)
        depot = saisie.date_depot or aujourd_hui
        quand = datetime.combine(depot, time(10), tzinfo=UTC)
        demandes_lot.append(Demande.creer(saisie, quand, ctx.intervenant))
    repo = DemandeRepository(uow.session)
    par_serie: dict[tuple[str, int], list[Demande]] = {}
    for demande in demandes_lot:
        cle_serie = (demande.departement, demande.date_depot_initial.year)
        par_serie.setdefault(cle_serie, []).append(demande)
    for (departement, annee), serie in sorted(par_serie.items(), key=lambda kv: kv[0]):
        premiere = await repo.reserver_sequences(departement, annee, len(serie))
        for rang, demande in enumerate(serie):
            depot = demande.date_depot_initial
            guichet = f"IMP{departement}".ljust(5, "0")[:5]
            numero = NumeroUnique(departement, depot.month, depot.year, premiere + rang, guichet)
            demande.enregistrer(
                numero,
                datetime.combine(depot, time(10), tzinfo=UTC),
                ctx.intervenant,
                regles,
                identite_justifiee=True,
            )
            if demande.date_expiration is not None and demande.date_expiration <= aujourd_hui:
                renouvellement = ajouter_mois(aujourd_hui, -1)
                demande.renouveler(
                    datetime.combine(renouvellement, time(10), tzinfo=UTC), ctx.intervenant, regles
                )
            uow.publish(DemandeEnregistree(**avec_snapshot(demande, ctx)))
    await repo.ajouter_en_masse(demandes_lot)
    await uow.commit()
    return len(demandes_lot)
