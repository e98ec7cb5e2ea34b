"""Deterministic synthetic events and read-model rows: tests, demo and bench.

Events go through the real contracts (pydantic models, CloudEvent envelopes), so a
model built from them is built as in production. Snapshots are copies of the
contracts' example with fields changed (`model_copy`), which skips validation for
speed; every value used is valid for the contract."""

from __future__ import annotations

import random
import uuid
from collections.abc import Generator, Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from toit_referentiel import communes_of_departement

from toit_contracts import CloudEvent
from toit_contracts.enums import (
    MotifRadiation,
    StatutDemande,
    TypeLogementActuel,
    Typologie,
)
from toit_contracts.events import (
    CotationCalculee,
    DemandeCreee,
    DemandeEnregistree,
    DemandeRadiee,
    IntegrationEvent,
    VacanceDeclaree,
    VacanceOrientee,
    VacanceRetiree,
)
from toit_contracts.events.attributions import (
    AttributionPrononcee,
    CaleolDecisionPrise,
    DecisionCandidat,
    LogementAttribue,
    ModeSeance,
    MotifRefusOffre,
    OffreAcceptee,
    OffreEmise,
    OffreRefusee,
    SensDecision,
)
from toit_contracts.examples import example_snapshot

TYPOLOGIES = (Typologie.T1, Typologie.T2, Typologie.T3, Typologie.T4, Typologie.T5)
MOTIFS = (
    MotifRadiation.ATTRIBUTION,
    MotifRadiation.ATTRIBUTION,
    MotifRadiation.RENONCIATION,
    MotifRadiation.NON_RENOUVELLEMENT,
    MotifRadiation.ABSENCE_DE_REPONSE,
)
LOGEMENTS = (
    TypeLogementActuel.HEBERGE_CHEZ_TIERS,
    TypeLogementActuel.LOCATAIRE_HLM,
    TypeLogementActuel.LOCATAIRE_PARC_PRIVE,
    TypeLogementActuel.HEBERGE_CHEZ_PARENTS,
)
GRILLE = uuid.UUID("6f1c2a3e-0000-4000-8000-0000000000aa")


def communes(departement: str = "35", nombre: int = 40) -> list[str]:
    found = sorted(communes_of_departement(departement), key=lambda c: -c.population)
    return [c.insee for c in found[:nombre]]


def _numero(departement: str, rank: int) -> str:
    return f"0{departement}0126{rank % 999_999 + 1:06d}RM0{departement}"


def evenements(
    nombre: int, *, seed: int = 7, departement: str = "35", debut: date = date(2024, 1, 1)
) -> Iterator[tuple[IntegrationEvent, datetime]]:
    """For each demande: creee, enregistree, a cotation, and for two in five a
    radiation (two in five of those by attribution, preceded by matching's chain:
    vacancy declared and oriented, CALEOL decision, offer, sometimes an earlier offer
    refused, attribution). Yields (event, time)."""
    rng = random.Random(seed)
    chaine = random.Random(seed + 1)  # the demandes' stream does not depend on it
    base = example_snapshot()
    places = communes(departement)
    for rank in range(nombre):
        demande_id = uuid.UUID(int=rng.getrandbits(128) | (4 << 76))
        depot = debut + timedelta(days=rng.randrange(0, 700))
        typologie = rng.choice(TYPOLOGIES)
        mensuel = Decimal(rng.randrange(400, 3200))
        uc = Decimal(rng.choice(("1.00", "1.50", "1.80", "2.10", "2.60")))
        snapshot = base.model_copy(
            update={
                "date_depot_initial": depot,
                "date_enregistrement": depot + timedelta(days=3),
                "date_expiration": depot + timedelta(days=365),
                "logement_recherche": base.logement_recherche.model_copy(
                    update={
                        "typologies": [typologie],
                        "communes": [places[0] if rng.random() < 0.3 else rng.choice(places)],
                    }
                ),
                "logement_actuel": base.logement_actuel.model_copy(
                    update={"type": rng.choice(LOGEMENTS)}
                ),
                "ressources_mensuelles_totales": mensuel,
                "unites_consommation": uc,
                "taille_menage": rng.randint(1, 5),
                "dalo": None,
            }
        )
        at = datetime.combine(depot, time(9), tzinfo=UTC)
        common: dict[str, Any] = {"demande_id": demande_id, "departement": departement}
        numero = _numero(departement, rank)
        yield (
            DemandeCreee(**common, version=1, statut=StatutDemande.BROUILLON, snapshot=snapshot),
            at,
        )
        yield (
            DemandeEnregistree(
                **common,
                version=2,
                statut=StatutDemande.ACTIVE,
                numero_unique=numero,
                snapshot=snapshot,
            ),
            at + timedelta(days=3),
        )
        yield (
            CotationCalculee(
                demande_id=demande_id,
                version=1,
                demande_version=2,
                epci="243500139",
                grille_id=GRILLE,
                grille_version=1,
                points=Decimal(rng.randrange(0, 120)),
                criteres=[],
                input_hash=f"{rank:064x}",
            ),
            at + timedelta(days=3, minutes=1),
        )
        if rng.random() < 0.4:
            radiation = depot + timedelta(days=rng.randrange(30, 600))
            motif = rng.choice(MOTIFS)
            if motif is MotifRadiation.ATTRIBUTION:
                commune = snapshot.logement_recherche.communes[0]
                yield from _attribution(
                    chaine, rank, departement, commune, demande_id, typologie, depot, radiation
                )
            yield (
                DemandeRadiee(
                    **common,
                    version=3,
                    statut=StatutDemande.RADIEE,
                    numero_unique=numero,
                    snapshot=snapshot,
                    motif=motif,
                    date_radiation=radiation,
                ),
                datetime.combine(radiation, time(10), tzinfo=UTC),
            )


def _attribution(
    rng: random.Random,
    rank: int,
    departement: str,
    commune: str,
    demande_id: uuid.UUID,
    typologie: Typologie,
    depot: date,
    bail: date,
) -> Iterator[tuple[IntegrationEvent, datetime]]:
    """Matching's events for one attribution signed on `bail` (lease day)."""

    def _id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128) | (4 << 76))

    bailleur = f"bailleur-{departement}-{rng.randint(1, 4)}"
    contingent = rng.choice(("ETAT_PRIORITAIRES", "ACTION_LOGEMENT", "COLLECTIVITES", "BAILLEUR"))
    reservataire = None if contingent == "BAILLEUR" else f"{contingent.lower()}-{departement}"
    qpv = rng.random() < 0.3
    at = datetime.combine(bail - timedelta(days=60), time(8), tzinfo=UTC)
    common: dict[str, Any] = {"bailleur_id": bailleur, "departement": departement}
    if rng.random() < 0.1:
        retiree = _id()
        vacance_retiree = {**common, "vacance_id": retiree, "logement_rpls": f"R{rank}"}
        yield _vacance(vacance_retiree, commune, typologie, qpv, bail, version=1), at
        yield (
            VacanceRetiree(
                **vacance_retiree,
                version=2,
                commune=commune,
                statut_precedent="DECLAREE",
                motif="TRAVAUX",
                retiree_le=at + timedelta(hours=1),
            ),
            at + timedelta(hours=1),
        )
    if rng.random() < 0.25:
        # An earlier offer, refused.
        yield from _commission(rng, _id(), demande_id, common, commune, typologie, bail, at, False)
    vacance_id = _id()
    vacance = {**common, "vacance_id": vacance_id, "logement_rpls": f"L{rank}"}
    yield _vacance(vacance, commune, typologie, qpv, bail, version=1), at
    yield (
        VacanceOrientee(
            **vacance,
            version=2,
            commune=commune,
            annee_flux=bail.year,
            contingent=contingent,
            reservataire_id=reservataire,
            hors_flux=False,
            orientee_le=at + timedelta(hours=2),
        ),
        at + timedelta(hours=2),
    )
    dossier_id, offre_id = yield from _commission(
        rng, vacance_id, demande_id, common, commune, typologie, bail, at, True
    )
    yield (
        AttributionPrononcee(
            attribution_id=_id(),
            version=1,
            demande_id=demande_id,
            departement=departement,
            vacance_id=vacance_id,
            offre_id=offre_id,
            dossier_id=dossier_id,
            bailleur_id=bailleur,
            logement=LogementAttribue(
                rpls=f"L{rank}",
                adresse="1 rue de l'Exemple",
                commune=commune,
                typologie=typologie,
                surface_m2=Decimal("55.00"),
                qpv=qpv,
                financement="PLUS",
                loyer=Decimal("420.00"),
                charges=Decimal("80.00"),
            ),
            contingent=contingent,
            reservataire_id=reservataire,
            date_decision=bail - timedelta(days=30),
            date_offre=bail - timedelta(days=28),
            date_signature_bail=bail,
            mutation_interne=rng.random() < 0.2,
            dalo=rng.random() < 0.1,
            premier_quartile=rng.random() < 0.25 if rng.random() < 0.8 else None,
            date_depot_initial=depot,
            delai_attente_jours=(bail - depot).days,
        ),
        datetime.combine(bail, time(9), tzinfo=UTC),
    )


def _vacance(
    vacance: dict[str, Any], commune: str, typologie: Typologie, qpv: bool, bail: date, version: int
) -> VacanceDeclaree:
    return VacanceDeclaree(
        **vacance,
        version=version,
        commune=commune,
        qpv=qpv,
        typologie=typologie,
        financement="PLUS",
        loyer=Decimal("420.00"),
        charges=Decimal("80.00"),
        type="PREAVIS",
        date_disponibilite=bail,
        annee_flux=bail.year,
        declaree_le=datetime.combine(bail - timedelta(days=60), time(8), tzinfo=UTC),
    )


def _commission(
    rng: random.Random,
    vacance_id: uuid.UUID,
    demande_id: uuid.UUID,
    common: dict[str, Any],
    commune: str,
    typologie: Typologie,
    bail: date,
    at: datetime,
    acceptee: bool,
) -> Generator[tuple[IntegrationEvent, datetime], None, tuple[uuid.UUID, uuid.UUID]]:
    """A CALEOL decision (this demande first, another one second or refused), the offer
    to this demande and its answer. Returns (dossier_id, offre_id)."""
    dossier_id = uuid.UUID(int=rng.getrandbits(128) | (4 << 76))
    offre_id = uuid.UUID(int=rng.getrandbits(128) | (4 << 76))
    autre = uuid.UUID(int=rng.getrandbits(128) | (4 << 76))
    decide = bail - timedelta(days=30 if acceptee else 90)
    second = (
        DecisionCandidat(demande_id=autre, sens=SensDecision.ATTRIBUTION_RANG, rang=2)
        if rng.random() < 0.5
        else DecisionCandidat(
            demande_id=autre,
            sens=SensDecision.NON_ATTRIBUTION,
            motifs="Taux d'effort trop élevé pour ce logement",
        )
    )
    yield (
        CaleolDecisionPrise(
            **common,
            dossier_id=dossier_id,
            version=1,
            seance_id=dossier_id,
            commission_id=dossier_id,
            reference_seance=f"CALEOL-{decide:%Y%m%d}",
            mode=ModeSeance.PRESENTIELLE,
            vacance_id=vacance_id,
            logement_rpls="L",
            contingent=None,
            commune=commune,
            typologie=typologie,
            date_decision=decide,
            decisions=[
                DecisionCandidat(demande_id=demande_id, sens=SensDecision.ATTRIBUTION, rang=1),
                second,
            ],
        ),
        at + timedelta(hours=3),
    )
    offre: dict[str, Any] = {
        "offre_id": offre_id,
        "demande_id": demande_id,
        "departement": common["departement"],
        "vacance_id": vacance_id,
        "dossier_id": dossier_id,
        "rang": 1,
    }
    notifiee = decide + timedelta(days=2)
    yield (
        OffreEmise(
            **offre,
            version=1,
            logement_rpls="L",
            bailleur_id=common["bailleur_id"],
            adresse="1 rue de l'Exemple",
            commune=commune,
            typologie=typologie,
            loyer=Decimal("420.00"),
            charges=Decimal("80.00"),
            date_notification=notifiee,
            date_limite_reponse=notifiee + timedelta(days=10),
            delai_jours=10,
        ),
        at + timedelta(hours=4),
    )
    reponse = notifiee + timedelta(days=5)
    if acceptee:
        yield OffreAcceptee(**offre, version=2, date_reponse=reponse), at + timedelta(hours=5)
    else:
        yield (
            OffreRefusee(
                **offre,
                version=2,
                date_reponse=reponse,
                motif=rng.choice((MotifRefusOffre.LOCALISATION, MotifRefusOffre.LOYER_CHARGES)),
            ),
            at + timedelta(hours=5),
        )
    return dossier_id, offre_id


def enveloppe(event: IntegrationEvent, at: datetime, source: str = "/toit/demandes") -> CloudEvent:
    envelope = event.to_cloudevent(source)
    return envelope.model_copy(update={"time": at})
