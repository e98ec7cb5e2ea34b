"""Deterministic synthetic events and read-model rows: tests, demo and bench.

Events go through the real contracts (pydantic models, CloudEvent envelopes), so a
model built from them is built as in production. Snapshots are copies of the
contracts' example with fields changed (`model_copy`), which skips validation for
speed; every value used is valid for the contract."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
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
    radiation (two in five of those by attribution). Yields (event, time)."""
    rng = random.Random(seed)
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
            yield (
                DemandeRadiee(
                    **common,
                    version=3,
                    statut=StatutDemande.RADIEE,
                    numero_unique=numero,
                    snapshot=snapshot,
                    motif=rng.choice(MOTIFS),
                    date_radiation=radiation,
                ),
                datetime.combine(radiation, time(10), tzinfo=UTC),
            )


def enveloppe(event: IntegrationEvent, at: datetime, source: str = "/toit/demandes") -> CloudEvent:
    envelope = event.to_cloudevent(source)
    return envelope.model_copy(update={"time": at})
