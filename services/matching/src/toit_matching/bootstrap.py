"""The matching service's dependencies, built once per runtime and typed.

Use cases take a `Dependances` explicitly; entrypoints get it with `dependances(runtime)`
(servicekit.bootstrap.Slot: built at start-up, tests replace it with `DEPENDANCES.put`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from uuid import UUID

import holidays
import toit_referentiel as ref
from toit_referentiel.attribution import RegleAttribution, regles_attribution
from toit_referentiel.rapprochement import (
    RegleRapprochement,
    position_commune,
    regles_rapprochement,
)

from servicekit.bootstrap import Slot
from servicekit.runtime import ServiceRuntime
from toit_matching.domain.demandeurs import DemandeVue
from toit_matching.domain.erreurs import ConfigurationManquante
from toit_matching.domain.recherche import Evaluation
from toit_matching.settings import MatchingSettings


@cache
def _feries(annee: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("FR", years=annee))


class Referentiel:
    """Communes, EPCI and ceilings, from toit_referentiel; French public holidays from the
    `holidays` package (metropolitan France: the nine départements have no local ones)."""

    def est_ferie(self, jour: date) -> bool:
        return jour in _feries(jour.year)

    def commune_connue(self, insee: str) -> bool:
        return ref.commune(insee) is not None

    def nom_commune(self, insee: str) -> str:
        commune = ref.commune(insee)
        return commune.nom if commune is not None else insee

    def epci_de(self, insee: str) -> str | None:
        commune = ref.commune(insee)
        return commune.epci_siren if commune is not None else None

    def departement_de(self, insee: str) -> str:
        commune = ref.commune(insee)
        return commune.departement if commune is not None else insee[:2]

    def position(self, insee: str) -> tuple[float, float] | None:
        return position_commune(insee)

    def plafond(self, annee: int, financement: str, categorie: int) -> int:
        try:
            return ref.plafonds(annee, financement, categorie)
        except ref.DonneeIndisponible as exc:
            raise ConfigurationManquante(
                f"plafonds de ressources {financement} {annee} non configurés : "
                "le respect du plafond ne peut pas être vérifié"
            ) from exc


@dataclass
class CacheVues:
    """Projected demandes by (id, version): the search re-reads only what changed."""

    vues: dict[UUID, DemandeVue] = field(default_factory=dict)
    maximum: int = 300_000

    def get(self, demande_id: UUID, version: int) -> DemandeVue | None:
        vue = self.vues.get(demande_id)
        return vue if vue is not None and vue.version == version else None

    def put(self, vue: DemandeVue) -> None:
        if len(self.vues) >= self.maximum:
            # Forget the oldest tenth (insertion order): bounded memory, rare misses.
            for cle in list(self.vues)[: self.maximum // 10]:
                del self.vues[cle]
        self.vues.pop(vue.demande_id, None)
        self.vues[vue.demande_id] = vue


@dataclass
class CacheEvaluations:
    """Evaluations of a demande for a unit, keyed by everything they depend on (the
    unit's version, the demande's version, its score, the search mode, the caller's
    territory, the day): paging, going back from the comparateur and the designation's
    check re-use them. Bounded like CacheVues."""

    evaluations: dict[tuple[object, ...], Evaluation] = field(default_factory=dict)
    maximum: int = 300_000

    def get(self, cle: tuple[object, ...]) -> Evaluation | None:
        return self.evaluations.get(cle)

    def put(self, cle: tuple[object, ...], evaluation: Evaluation) -> None:
        if len(self.evaluations) >= self.maximum:
            for ancienne in list(self.evaluations)[: self.maximum // 10]:
                del self.evaluations[ancienne]
        self.evaluations[cle] = evaluation


@dataclass
class Dependances:
    settings: MatchingSettings
    regle: RegleRapprochement
    referentiel: Referentiel
    cache: CacheVues
    evaluations: CacheEvaluations = field(default_factory=CacheEvaluations)
    # CALEOL, remote vote and offers (attributions.yaml): read at start-up.
    attribution: RegleAttribution = field(default_factory=regles_attribution)


def construire(_runtime: ServiceRuntime | None = None) -> Dependances:
    return Dependances(
        settings=MatchingSettings(),
        regle=regles_rapprochement(),
        referentiel=Referentiel(),
        cache=CacheVues(),
    )


DEPENDANCES = Slot("matching.dependances", Dependances, construire)


def dependances(runtime: ServiceRuntime) -> Dependances:
    return DEPENDANCES.of(runtime)


# At start-up: a wrong configuration stops the service there.
preparer = DEPENDANCES.prepare
