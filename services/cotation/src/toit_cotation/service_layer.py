"""Use cases of the cotation service, each on a UnitOfWork.

- following the demandes: keep the snapshot, score it for every EPCI of its wished
  communes with a published grid, publish `cotation.calculee` only when the result
  changed;
- grids: create, edit a draft, publish (and queue the bulk re-scoring), archive;
- bulk re-scoring: advance a job by one batch, cursor and scores in one commit;
- simulation of a draft grid on the current demandes.
"""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple
from uuid import UUID, uuid4

import structlog
from toit_referentiel import territoire as referentiel_territoire
from toit_referentiel.configuration import delai_des_typologies
from toit_referentiel.models import DonneeIndisponible

from servicekit.uow import UnitOfWork
from toit_contracts.enums import StatutDemande
from toit_contracts.events import CotationCalculee, CritereCote, DemandeSnapshot
from toit_cotation.adapters import repository as repo
from toit_cotation.adapters.repository import DemandeSuivie
from toit_cotation.domain.champs import Contexte
from toit_cotation.domain.grille import (
    EtatGrille,
    Grille,
    GrilleDefinition,
    Population,
    TransitionInterdite,
)
from toit_cotation.domain.scoring import Cotation, CritereObtenu, GrilleCompilee, compiler

log = structlog.get_logger(__name__)

# Demandes that get a score; only ACTIVE ones count in the positions.
STATUTS_COTES = frozenset(
    {StatutDemande.A_VALIDER, StatutDemande.ACTIVE, StatutDemande.EXPIREE_GRACE}
)


class GrilleIntrouvable(LookupError):
    pass


class ConflitDeModification(Exception):
    """The grid changed since the caller read it (ETag mismatch, HTTP 412)."""


def reference_du_mois(jour: date) -> date:
    """Ancienneté is counted at the 1st of the current month: the live score and the
    monthly bulk re-scoring then agree, and a score moves once a month at most."""
    return jour.replace(day=1)


def epcis_des_communes(communes: Iterable[str]) -> list[str]:
    """EPCIs of the wished communes, in wish order, without repetition."""
    vus: list[str] = []
    for commune in communes:
        epci = _epci_de(commune)
        if epci is not None and epci not in vus:
            vus.append(epci)
    return vus


@lru_cache(maxsize=1 << 16)
def _epci_de(commune: str) -> str | None:
    # The referential is static for the life of the process: one lookup per commune.
    epci = referentiel_territoire.epci_of_commune(commune)
    return None if epci is None else epci.siren


def delai_de(departement: str, typologies: Sequence[str]) -> int | None:
    """DAL of a demande asking for these typologies (libs/referentiel's rule: the shortest)."""
    try:
        return delai_des_typologies(departement, typologies).mois
    except DonneeIndisponible:
        return None


_COMPILEES: dict[tuple[UUID, int], GrilleCompilee] = {}


def compilee(grille: Grille) -> GrilleCompilee:
    cle = (grille.id, grille.revision)
    resultat = _COMPILEES.get(cle)
    if resultat is None:
        if len(_COMPILEES) > 500:
            _COMPILEES.clear()
        resultat = _COMPILEES[cle] = compiler(grille)
    return resultat


_PUBLIEES: dict[tuple[UUID, int], Grille] = {}


async def _grilles(uow: UnitOfWork, cles: Iterable[tuple[UUID, int]]) -> list[Grille]:
    """The grids named by (id, revision). A grid never changes without its revision,
    so the parsed grids are cached and only a new revision is read."""
    trouvees = []
    for grille_id, revision in cles:
        grille = _PUBLIEES.get((grille_id, revision))
        if grille is None:
            lue = await repo.grille(uow.session, grille_id)
            if lue is None or lue.revision != revision:
                continue  # changed meanwhile: the re-scoring job it queued follows
            if len(_PUBLIEES) > 500:
                _PUBLIEES.clear()
            grille = _PUBLIEES[(grille_id, revision)] = lue
        trouvees.append(grille)
    return trouvees


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
    session = uow.session
    # Locked first, then the grids are read: a grid published meanwhile queues a bulk
    # re-score that waits for these rows, so it sees this batch's result.
    connues = await repo.demandes_suivies(session, sorted(derniers), verrouiller=True)
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
    await repo.ecrire(session, ecritures, maintenant)
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
    await repo.ecrire(uow.session, ecritures, maintenant)
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
    cles, existants = await repo.grilles_et_scores(
        uow.session, tous_epcis, [d.demande_id for d in a_coter], epci=seulement_epci
    )
    publiees = {(g.epci, g.population): g for g in await _grilles(uow, cles)}
    reference = reference_du_mois(maintenant.date())
    contextes: dict[tuple[str, tuple[str, ...]], Contexte] = {}
    publies = 0
    for rang, d in enumerate(a_coter, start=1):
        if rang % 100 == 0:
            await asyncio.sleep(0)  # a bulk batch lets live work run meanwhile
        snapshot = d.snapshot
        assert snapshot is not None
        mutation = snapshot["logement_actuel"]["type"] == "LOCATAIRE_HLM"
        typologies = tuple(snapshot["logement_recherche"]["typologies"])
        cle_contexte = (d.departement, typologies)
        contexte = contextes.get(cle_contexte)
        if contexte is None:
            contexte = contextes[cle_contexte] = Contexte(
                reference, delai_de(d.departement, typologies)
            )
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


# --- Grids -------------------------------------------------------------------------------------


async def _grille(uow: UnitOfWork, grille_id: UUID) -> Grille:
    grille = await repo.grille(uow.session, grille_id)
    if grille is None:
        raise GrilleIntrouvable(str(grille_id))
    return grille


async def _enregistrer(uow: UnitOfWork, grille: Grille, revision_lue: int) -> None:
    if not await repo.enregistrer_grille(uow.session, grille, revision_lue):
        raise ConflitDeModification(str(grille.id))


async def creer_grille(
    uow: UnitOfWork, definition: GrilleDefinition, maintenant: datetime
) -> Grille:
    version = await repo.prochaine_version(
        uow.session, definition.epci, definition.population.value
    )
    grille = Grille(definition=definition, version=version, creee_le=maintenant)
    await repo.ajouter_grille(uow.session, grille)
    await uow.commit()
    return grille


async def modifier_grille(
    uow: UnitOfWork, grille_id: UUID, definition: GrilleDefinition, revision_attendue: int | None
) -> Grille:
    grille = await _grille(uow, grille_id)
    _verifier_revision(grille, revision_attendue)
    modifiee = grille.modifier(definition)
    await _enregistrer(uow, modifiee, grille.revision)
    await uow.commit()
    return modifiee


def _verifier_revision(grille: Grille, revision_attendue: int | None) -> None:
    if revision_attendue is not None and revision_attendue != grille.revision:
        raise ConflitDeModification(str(grille.id))


async def publier_grille(
    uow: UnitOfWork, grille_id: UUID, revision_attendue: int | None, maintenant: datetime
) -> Grille:
    """Publish a draft, archive the version it replaces, and queue the re-scoring of
    every demande of the EPCI (same transaction)."""
    grille = await _grille(uow, grille_id)
    _verifier_revision(grille, revision_attendue)
    publiee = grille.publier(maintenant)
    for precedente in await repo.lister_grilles(
        uow.session, epci=grille.epci, etat=EtatGrille.PUBLIEE.value
    ):
        if precedente.population is grille.population:
            await _enregistrer(uow, precedente.archiver(maintenant), precedente.revision)
    await _enregistrer(uow, publiee, grille.revision)
    await _planifier_recalcul(
        uow, f"publication:{grille.id}", "PUBLICATION", grille.epci, grille.id, maintenant
    )
    await uow.commit()
    return publiee


async def archiver_grille(
    uow: UnitOfWork, grille_id: UUID, revision_attendue: int | None, maintenant: datetime
) -> Grille:
    grille = await _grille(uow, grille_id)
    _verifier_revision(grille, revision_attendue)
    archivee = grille.archiver(maintenant)
    await _enregistrer(uow, archivee, grille.revision)
    if grille.etat is EtatGrille.PUBLIEE:
        # Its scores go: the EPCI has no published grid for that population any more.
        await _planifier_recalcul(
            uow, f"archivage:{grille.id}", "ARCHIVAGE", grille.epci, grille.id, maintenant
        )
    await uow.commit()
    return archivee


# --- Bulk re-scoring ---------------------------------------------------------------------------


async def _planifier_recalcul(
    uow: UnitOfWork,
    cle: str,
    motif: str,
    epci: str | None,
    grille_id: UUID | None,
    maintenant: datetime,
) -> bool:
    total = await repo.compter_a_recoter(uow.session, epci)
    return await repo.creer_recalcul(
        uow.session,
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
    cree = await _planifier_recalcul(
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
    session = uow.session
    job = await repo.prochain_recalcul(session)
    if job is None:
        return None
    if evenements_max is not None:
        en_attente = await repo.evenements_en_attente(session, evenements_max)
        if en_attente >= evenements_max:
            return Freinage(en_attente)
    lot = await repo.demandes_a_recoter(
        session, epci=job.epci, apres=job.curseur, limite=taille_lot
    )
    publies = await recoter(uow, lot, maintenant, seulement_epci=job.epci)
    demarre = job.demarre_le or maintenant
    traitees = job.traitees + len(lot)
    termine = len(lot) < taille_lot
    await repo.mettre_a_jour_recalcul(
        session,
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
    duree = max((maintenant - _aware(demarre, maintenant)).total_seconds(), 1e-3)
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


def _aware(moment: datetime, reference: datetime) -> datetime:
    # SQLite returns naive datetimes for timezone-aware columns.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=reference.tzinfo)


# --- Simulation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mouvement:
    demande_id: UUID
    typologie: str | None
    points_actuels: Decimal | None
    points_simules: Decimal
    rang_actuel: int | None
    rang_simule: int


def _rangs(points: dict[UUID, Decimal], groupes: dict[UUID, str | None]) -> dict[UUID, int]:
    """Rank (1 = most points, ties share a rank) within each typology group."""
    rangs: dict[UUID, int] = {}
    par_groupe: dict[str | None, list[UUID]] = {}
    for demande_id in points:
        par_groupe.setdefault(groupes[demande_id], []).append(demande_id)
    for membres in par_groupe.values():
        ordonnes = sorted(membres, key=lambda i: points[i], reverse=True)
        rang = 0
        precedent: Decimal | None = None
        for index, demande_id in enumerate(ordonnes, start=1):
            if points[demande_id] != precedent:
                rang, precedent = index, points[demande_id]
            rangs[demande_id] = rang
    return rangs


def distribution(valeurs: Sequence[Decimal]) -> dict[str, Any]:
    if not valeurs:
        return {"nombre": 0}
    nombres = sorted(float(v) for v in valeurs)
    quartiles = statistics.quantiles(nombres, n=4) if len(nombres) > 1 else [nombres[0]] * 3
    tranches: dict[str, int] = {}
    for v in nombres:
        debut = int(v // 10 * 10)
        cle = f"{debut}-{debut + 9}"
        tranches[cle] = tranches.get(cle, 0) + 1
    return {
        "nombre": len(nombres),
        "minimum": nombres[0],
        "maximum": nombres[-1],
        "moyenne": round(statistics.fmean(nombres), 2),
        "mediane": statistics.median(nombres),
        "quartiles": [round(q, 2) for q in quartiles],
        "tranches_de_10_points": tranches,
    }


async def simuler_grille(
    uow: UnitOfWork, grille_id: UUID, maintenant: datetime, nombre_mouvements: int = 20
) -> dict[str, Any]:
    """Score the EPCI's current active demandes with a grid (typically a draft) and
    compare with their current scores; writes nothing."""
    grille = await _grille(uow, grille_id)
    if grille.etat is EtatGrille.ARCHIVEE:
        raise TransitionInterdite("une grille archivée ne se simule pas")
    session = uow.session
    lignes = [
        r
        for r in await repo.snapshots_de_l_epci(session, grille.epci)
        if r.statut == StatutDemande.ACTIVE.value
    ]
    actuels = await repo.scores_actifs_de_l_epci(session, grille.epci)
    regles = compilee(grille)
    reference = reference_du_mois(maintenant.date())
    simules: dict[UUID, Decimal] = {}
    groupes: dict[UUID, str | None] = {}
    for r in lignes:
        mutation = r.snapshot["logement_actuel"]["type"] == "LOCATAIRE_HLM"
        if (grille.population is Population.MUTATIONS) != mutation:
            continue
        typologies = r.snapshot["logement_recherche"]["typologies"]
        contexte = Contexte(reference, delai_de(r.departement, typologies))
        simules[r.demande_id] = regles.coter(r.snapshot, contexte).points
        groupes[r.demande_id] = r.typologie
    courants = {i: actuels[i].points for i in simules if i in actuels}
    rangs_simules = _rangs(simules, groupes)
    rangs_actuels = _rangs(courants, groupes)
    mouvements = sorted(
        (
            Mouvement(
                i, groupes[i], courants.get(i), simules[i], rangs_actuels.get(i), rangs_simules[i]
            )
            for i in simules
        ),
        key=lambda m: -abs((m.rang_actuel or m.rang_simule) - m.rang_simule),
    )
    return {
        "grille_id": str(grille.id),
        "epci": grille.epci,
        "population": grille.population.value,
        "demandes": len(simules),
        "distribution_actuelle": distribution(list(courants.values())),
        "distribution_simulee": distribution(list(simules.values())),
        "plus_grands_mouvements": [
            {
                "demande_id": str(m.demande_id),
                "typologie": m.typologie,
                "points_actuels": None if m.points_actuels is None else str(m.points_actuels),
                "points_simules": str(m.points_simules),
                "rang_actuel": m.rang_actuel,
                "rang_simule": m.rang_simule,
                "deplacement": None if m.rang_actuel is None else m.rang_actuel - m.rang_simule,
            }
            for m in mouvements[:nombre_mouvements]
        ],
    }
