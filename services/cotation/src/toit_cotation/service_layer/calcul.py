"""Following the demandes: keep the snapshot, score it for every EPCI of its wished
communes with a published grid, publish `cotation.calculee` only when the result changed."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple
from uuid import UUID

from servicekit.uow import UnitOfWork
from toit_contracts.enums import StatutDemande
from toit_contracts.events import CotationCalculee, CritereCote, DemandeSnapshot
from toit_cotation.adapters import repository as repo
from toit_cotation.adapters.repository import DemandeSuivie
from toit_cotation.domain.champs import Contexte
from toit_cotation.domain.grille import (
    Grille,
    Population,
)
from toit_cotation.domain.scoring import Cotation, CritereObtenu
from toit_cotation.service_layer.commun import (
    STATUTS_COTES,
    compilee,
    delai_de,
    depot,
    epcis_des_communes,
    grilles_publiees,
    reference_du_mois,
    seuil_quartile_de,
)

# --- Following the demandes --------------------------------------------------------------------


@dataclass(frozen=True)
class EtatDemande:
    """What a demande event tells cotation. The snapshot as a model, or already in its
    JSON form (the event's data as received, validated against the contract)."""

    demande_id: UUID
    version: int
    departement: str
    statut: StatutDemande
    snapshot: DemandeSnapshot | Mapping[str, Any] | None
    # The applicant's portal account (None: filed at a guichet, or purged).
    compte_demandeur: str | None = None


async def suivre_demande(uow: UnitOfWork, etat: EtatDemande, maintenant: datetime) -> int:
    """Store the demande's new state and re-score it; returns the events published."""
    return await suivre_demandes(uow, [etat], maintenant)


async def suivre_demandes(
    uow: UnitOfWork, etats: Sequence[EtatDemande], maintenant: datetime
) -> int:
    """Store the new states of a batch of demandes and re-score them: three statements
    for the whole batch (lock, read, write); returns the events published.

    Several states of one demande: they come in version order, and the last one is
    what is stored and scored (the intermediate results were never stored, so no
    event is owed for them)."""
    derniers: dict[UUID, EtatDemande] = {}
    for etat in etats:
        derniers[etat.demande_id] = etat
    # Locked first, then the grids are read: a grid published meanwhile queues a bulk
    # re-score that waits for these rows, so it sees this batch's result.
    connues = await depot(uow).demandes_suivies(sorted(derniers), verrouiller=True)
    ecritures = repo.Ecritures()
    for etat in derniers.values():
        ancienne = connues.get(etat.demande_id)
        demande = _demande_suivie(etat, ancienne)
        ecritures.demandes.append((demande, ancienne))
        if demande.snapshot is None:
            # Radiée, purgée or back to draft: out of every ranking, snapshot forgotten.
            ecritures.sans_scores.append(demande.demande_id)
    a_coter = [d for d, _ in ecritures.demandes if d.snapshot is not None]
    publies = await _coter(uow, a_coter, maintenant, None, ecritures)
    await depot(uow).ecrire(ecritures, maintenant)
    return publies


def _demande_suivie(etat: EtatDemande, ancienne: DemandeSuivie | None) -> DemandeSuivie:
    snapshot: dict[str, Any] | None = None
    if etat.snapshot is not None and etat.statut in STATUTS_COTES:
        if isinstance(etat.snapshot, DemandeSnapshot):
            snapshot = etat.snapshot.model_dump(mode="json", exclude={"contact"})
        else:
            # The contact (name, address…) is for notifications only: never stored here.
            snapshot = {k: v for k, v in etat.snapshot.items() if k != "contact"}
    recherche = snapshot["logement_recherche"] if snapshot else None
    return DemandeSuivie(
        demande_id=etat.demande_id,
        version=etat.version,
        departement=etat.departement,
        statut=etat.statut.value,
        typologie=recherche["typologies"][0] if recherche else None,
        snapshot=snapshot,
        epcis=epcis_des_communes(recherche["communes"]) if recherche else [],
        version_cotation=ancienne.version_cotation if ancienne else 0,
        compte_demandeur=etat.compte_demandeur,
    )


def _choisir_grille(
    publiees: dict[tuple[str, Population], Grille], epci: str, mutation: bool
) -> Grille | None:
    if mutation and (epci, Population.MUTATIONS) in publiees:
        return publiees[(epci, Population.MUTATIONS)]
    return publiees.get((epci, Population.DEMANDEURS_EXTERNES))


class _Detail(NamedTuple):
    """A criterion obtained, in its two forms: stored (JSON) and in the event. The same
    few (criterion, points) pairs recur across demandes: each is built once."""

    json: dict[str, Any]
    evenement: CritereCote


_DETAILS: dict[CritereObtenu, _Detail] = {}


def _detail(critere: CritereObtenu) -> _Detail:
    detail = _DETAILS.get(critere)
    if detail is None:
        detail = _Detail(
            {
                "code": critere.code,
                "libelle": critere.libelle,
                "points": str(critere.points),
                "validation_instructeur": critere.validation_instructeur,
            },
            CritereCote(code=critere.code, libelle=critere.libelle, points=critere.points),
        )
        if len(_DETAILS) > 100_000:
            _DETAILS.clear()
        _DETAILS[critere] = detail
    return detail


def _meme_resultat(
    ancien: repo.ScoreConnu, grille: Grille, points: Decimal, criteres: list[dict[str, Any]]
) -> bool:
    # Cheapest comparisons first: after a publication every grid id differs.
    return (
        ancien.grille_id == grille.id
        and ancien.grille_version == grille.version
        and ancien.points == points
        and ancien.criteres() == criteres
    )


async def recoter(
    uow: UnitOfWork,
    demandes: Sequence[DemandeSuivie],
    maintenant: datetime,
    *,
    seulement_epci: str | None = None,
) -> int:
    """Re-score demandes already stored (and locked by the caller) for each EPCI they
    wish, or only `seulement_epci`; returns the events published."""
    ecritures = repo.Ecritures()
    avant = {d.demande_id: d.version_cotation for d in demandes}
    publies = await _coter(uow, demandes, maintenant, seulement_epci, ecritures)
    ecritures.versions = {
        d.demande_id: d.version_cotation
        for d in demandes
        if d.version_cotation != avant[d.demande_id]
    }
    await depot(uow).ecrire(ecritures, maintenant)
    return publies


async def _coter(
    uow: UnitOfWork,
    demandes: Sequence[DemandeSuivie],
    maintenant: datetime,
    seulement_epci: str | None,
    ecritures: repo.Ecritures,
) -> int:
    """Score the demandes for each EPCI they wish (or only `seulement_epci`); the
    scores that change go to `ecritures` with their `cotation.calculee`, published
    only when the result changed. The demandes' cotation versions advance in place."""
    a_coter = [d for d in demandes if d.snapshot is not None]
    if not a_coter:
        return 0
    tous_epcis = {e for d in a_coter for e in d.epcis}
    if seulement_epci is not None:
        tous_epcis &= {seulement_epci}
    cles, existants = await depot(uow).grilles_et_scores(
        tous_epcis, [d.demande_id for d in a_coter], epci=seulement_epci
    )
    publiees = {(g.epci, g.population): g for g in await grilles_publiees(uow, cles)}
    reference = reference_du_mois(maintenant.date())
    contextes: dict[tuple[str, tuple[str, ...], str], Contexte] = {}
    publies = 0
    for rang, d in enumerate(a_coter, start=1):
        if rang % 100 == 0:
            await asyncio.sleep(0)  # a bulk batch lets live work run meanwhile
        snapshot = d.snapshot
        assert snapshot is not None
        mutation = snapshot["logement_actuel"]["type"] == "LOCATAIRE_HLM"
        typologies = tuple(snapshot["logement_recherche"]["typologies"])
        if seulement_epci is None:
            epcis = d.epcis
        else:
            epcis = [seulement_epci] if seulement_epci in d.epcis else []
        actif = d.statut == StatutDemande.ACTIVE.value
        for epci in epcis:
            ancien = existants.pop((d.demande_id, epci), None)
            grille = _choisir_grille(publiees, epci, mutation)
            if grille is None:
                if ancien is not None:
                    ecritures.scores_supprimes.append((d.demande_id, epci))
                continue
            cle_contexte = (d.departement, typologies, epci)
            contexte = contextes.get(cle_contexte)
            if contexte is None:
                contexte = contextes[cle_contexte] = Contexte(
                    reference,
                    delai_de(d.departement, typologies),
                    seuil_quartile_de(epci, reference.year),
                )
            cotation = compilee(grille).coter(snapshot, contexte)
            details = [_detail(c) for c in cotation.criteres]
            criteres = [d.json for d in details]
            ligne = {
                "demande_id": d.demande_id,
                "epci": epci,
                "grille_id": grille.id,
                "grille_version": grille.version,
                "points": cotation.points,
                "criteres": criteres,
                "entrees": cotation.entrees,
                "empreinte": cotation.empreinte,
                "demande_version": d.version,
                "typologie": d.typologie,
                "actif": actif,
                "calculee_le": maintenant,
            }
            if ancien is not None and _meme_resultat(ancien, grille, cotation.points, criteres):
                # Same result: no event, but the row tells which demande version it used.
                if (ancien.empreinte, ancien.actif, ancien.typologie, ancien.demande_version) != (
                    cotation.empreinte,
                    actif,
                    d.typologie,
                    d.version,
                ):
                    ecritures.scores.append({**ligne, "version": ancien.version})
                continue
            d.version_cotation += 1
            ligne["version"] = d.version_cotation
            ecritures.scores.append(ligne)
            uow.publish(_evenement(d, epci, grille, cotation, details))
            publies += 1
    if seulement_epci is None:
        # EPCIs the demande no longer wishes (only the scored demandes' scores were read).
        ecritures.scores_supprimes.extend(existants)
    return publies


def _evenement(
    d: DemandeSuivie, epci: str, grille: Grille, cotation: Cotation, details: list[_Detail]
) -> CotationCalculee:
    return CotationCalculee(
        version=d.version_cotation,
        demande_id=d.demande_id,
        demande_version=d.version,
        epci=epci,
        grille_id=grille.id,
        grille_version=grille.version,
        points=cotation.points,
        criteres=[detail.evenement for detail in details],
        input_hash=cotation.empreinte,
    )
