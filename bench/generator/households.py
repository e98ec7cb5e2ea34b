"""Draws realistic households of the nine départements as demande payloads.

The payload is the body of POST /api/demandes. Everything is drawn from one seeded
random stream, so `generate(count, seed)` always yields the same demandes, and a
shorter run is a prefix of a longer one.
"""

from __future__ import annotations

import bisect
import itertools
import random
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any, ClassVar, Generic, TypeVar

import toit_referentiel as referentiel
from toit_referentiel import Commune

from generator import names
from generator import profile as p
from toit_contracts.enums import LienParente, Typologie

REFERENCE_DATE = date(2026, 9, 1)
"""Default "today" of the generated demandes: ages, dépôt dates and tax years derive from it."""

Payload = dict[str, Any]
Item = TypeVar("Item")


class Weighted(Generic[Item]):
    """Items with relative weights, drawn in O(log n)."""

    __slots__ = ("_cumulative", "_items", "_total")

    def __init__(self, weights: Mapping[Item, float] | Sequence[tuple[Item, float]]) -> None:
        pairs = list(weights.items()) if isinstance(weights, Mapping) else list(weights)
        self._items = [item for item, _ in pairs]
        self._cumulative = list(itertools.accumulate(weight for _, weight in pairs))
        self._total = self._cumulative[-1]

    def draw(self, rng: random.Random) -> Item:
        return self._items[bisect.bisect_right(self._cumulative, rng.random() * self._total)]

    def sample(self, rng: random.Random, count: int, exclude: set[Item]) -> list[Item]:
        """Up to `count` distinct items not in `exclude` (gives up after a few misses)."""
        chosen: list[Item] = []
        for _ in range(count * 4):
            if len(chosen) == count:
                break
            item = self.draw(rng)
            if item not in exclude:
                exclude.add(item)
                chosen.append(item)
        return chosen

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True, slots=True)
class _Territory:
    homes: Weighted[Commune]
    by_departement: dict[str, Weighted[Commune]]
    by_epci_departement: dict[tuple[str, str], Weighted[Commune]]
    main_commune: dict[tuple[str, str], Commune]
    """Most populated commune of an EPCI within a département."""


@cache
def _territory() -> _Territory:
    communes = [
        commune
        for departement in referentiel.departements()
        for commune in referentiel.communes_of_departement(departement.code)
    ]
    weight = {c.insee: max(c.population, 1) ** p.URBAN_SKEW for c in communes}
    by_departement: dict[str, list[Commune]] = {}
    by_epci: dict[tuple[str, str], list[Commune]] = {}
    for commune in communes:
        by_departement.setdefault(commune.departement, []).append(commune)
        if commune.epci_siren is not None:
            by_epci.setdefault((commune.epci_siren, commune.departement), []).append(commune)

    def weighted(group: list[Commune]) -> Weighted[Commune]:
        return Weighted([(c, weight[c.insee]) for c in group])

    return _Territory(
        homes=weighted(communes),
        by_departement={k: weighted(v) for k, v in by_departement.items()},
        by_epci_departement={k: weighted(v) for k, v in by_epci.items()},
        main_commune={k: max(v, key=lambda c: c.population) for k, v in by_epci.items()},
    )


def _codes(weights: Mapping[Any, float]) -> Weighted[Any]:
    """Enum keys become plain strings (tuples of them too): payloads hold JSON types only."""

    def plain(key: Any) -> Any:
        return tuple(str(k) for k in key) if isinstance(key, tuple) else str(key)

    return Weighted({plain(key): weight for key, weight in weights.items()})


class _Tables:
    """The profile's weights turned into drawable tables, once, at import."""

    compositions = _codes(p.COMPOSITIONS)
    enfants = Weighted(p.NOMBRE_ENFANTS)
    ages: ClassVar[dict[str, Weighted[tuple[int, int]]]] = {
        k: Weighted(v) for k, v in p.AGES.items()
    }
    situation_seul: ClassVar[dict[str, Weighted[Any]]] = {
        k: _codes(v) for k, v in p.SITUATION_FAMILIALE_SEUL.items()
    }
    situation_couple = _codes(p.SITUATION_FAMILIALE_COUPLE)
    situation_pro: ClassVar[dict[str, Weighted[Any]]] = {
        k: _codes(v) for k, v in p.SITUATION_PRO.items()
    }
    nationalites = _codes(p.NATIONALITES)
    ressources: ClassVar[dict[str, Weighted[tuple[str | None, float, float, float]]]] = {
        str(k): Weighted([((kind, mean, sd, floor), w) for w, kind, mean, sd, floor in v])
        for k, v in p.RESSOURCES_PRO.items()
    }
    logement: ClassVar[dict[str, Weighted[Any]]] = {
        k: _codes(v) for k, v in p.LOGEMENT_ACTUEL.items()
    }
    motifs: ClassVar[dict[str, Weighted[Any]]] = {str(k): _codes(v) for k, v in p.MOTIFS.items()}
    motifs_secondaires = Weighted(p.NOMBRE_MOTIFS_SECONDAIRES)
    besoins = _codes(p.BESOINS_HANDICAP)
    typologies: ClassVar[list[Weighted[Any]]] = [_codes(t) for t in p.TYPOLOGIES]
    type_recherche: ClassVar[dict[bool, Weighted[Any]]] = {
        k: _codes(v) for k, v in p.TYPE_RECHERCHE.items()
    }
    nombre_communes = Weighted(p.NOMBRE_COMMUNES)
    canaux = _codes(p.CANAUX)


def _age_group(age: int) -> str:
    if age < 26:
        return "jeune"
    return "senior" if age >= 65 else "adulte"


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in "-")).lower()


class _Household:
    """One household being drawn; `payload()` returns its demande."""

    def __init__(self, rng: random.Random, index: int, reference: date) -> None:
        self.rng = rng
        self.index = index
        self.reference = reference
        self.tables = _Tables

    # --- drawing helpers ---------------------------------------------------------------------

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def amount(self, mean: float, deviation: float, floor: float) -> int:
        return int(max(floor, self.rng.gauss(mean, deviation) if deviation else mean))

    def birth_date(self, age: int) -> date:
        return self.reference - timedelta(days=age * 365 + self.rng.randrange(365) + age // 4)

    def first_name(self, woman: bool) -> str:
        return self.rng.choice(names.PRENOMS_FEMMES if woman else names.PRENOMS_HOMMES)

    # --- the demande -------------------------------------------------------------------------

    def payload(self) -> Payload:
        rng, tables = self.rng, self.tables
        territory = _territory()
        home = territory.homes.draw(rng)
        target = territory.homes.draw(rng) if self.chance(p.MOVING_SHARE) else home
        composition: str = tables.compositions.draw(rng)
        low, high = tables.ages[composition].draw(rng)
        age = rng.randint(low, high)
        woman = self.chance(p.PART_FEMMES.get(composition, p.PART_FEMMES_DEFAUT))
        nom = rng.choice(names.NOMS)
        couple = composition in ("COUPLE", "COUPLE_ENFANTS")

        demandeur: Payload = {
            "civilite": "MME" if woman else "M",
            "nom_naissance": nom,
            "prenoms": self.first_name(woman),
            "date_naissance": self.birth_date(age).isoformat(),
            **self.nationalite(),
        }
        codemandeur: Payload | None = None
        situation_pro: Payload = {"demandeur": tables.situation_pro[_age_group(age)].draw(rng)}
        if couple:
            situation = tables.situation_couple.draw(rng)
            partner_age = max(18, age + rng.randint(*p.ECART_AGE_COUPLE))
            partner_woman = not woman if self.chance(0.95) else woman
            partner_nom = rng.choice(names.NOMS)
            codemandeur = {
                "civilite": "MME" if partner_woman else "M",
                "nom_naissance": partner_nom,
                "prenoms": self.first_name(partner_woman),
                "date_naissance": self.birth_date(partner_age).isoformat(),
                **self.nationalite(),
                "lien": LienParente.CONJOINT.value,
            }
            if situation == "MARIE" and self.chance(p.PART_NOM_USAGE_MARIEE):
                if woman and not partner_woman:
                    demandeur["nom_usage"] = partner_nom
                elif partner_woman and not woman:
                    codemandeur["nom_usage"] = nom
            situation_pro["codemandeur"] = tables.situation_pro[_age_group(partner_age)].draw(rng)
        else:
            situation = tables.situation_seul[_age_group(age)].draw(rng)
        demandeur["situation_familiale"] = situation

        occupants = self.occupants(composition, age, nom)
        enfants = sum(1 for o in occupants if o["lien"] == "ENFANT")
        enfants_a_naitre = int(
            demandeur["civilite"] == "MME" and 20 <= age <= 40 and self.chance(p.PART_GROSSESSE)
        )
        taille = 1 + (codemandeur is not None) + len(occupants) + enfants_a_naitre

        ressources = self.ressources(situation_pro, enfants, composition)
        logement_actuel = self.logement_actuel(age, home, taille)
        motifs = self.motifs(logement_actuel)
        codes_motifs = {m["code"] for m in motifs}
        if "PROCEDURE_EXPULSION" in codes_motifs:
            logement_actuel["procedure_expulsion"] = True
        if "LOGEMENT_NON_DECENT" in codes_motifs:
            logement_actuel["non_decent"] = True

        demandeur["adresse"] = self.adresse(home)
        if self.chance(p.PART_EMAIL):
            demandeur["email"] = (
                f"{_ascii(demandeur['prenoms'])}.{_ascii(nom)}.{self.index}@example.org"
            )
        if self.chance(p.PART_TELEPHONE):
            demandeur["telephone"] = f"06 {rng.randrange(100):02d} {rng.randrange(100):02d} " + (
                f"{rng.randrange(100):02d} {rng.randrange(100):02d}"
            )

        anciennete = min(
            int(rng.expovariate(1 / p.ANCIENNETE_MOYENNE_JOURS)), p.ANCIENNETE_MAXIMUM_JOURS
        )
        payload: Payload = {
            "departement": target.departement,
            "canal_depot": tables.canaux.draw(rng),
            "date_depot": (self.reference - timedelta(days=anciennete)).isoformat(),
            "demandeur": demandeur,
            "codemandeur": codemandeur,
            "occupants": occupants,
            "situation_professionnelle": situation_pro,
            "ressources": ressources,
            "revenu_fiscal_reference": self.revenus_fiscaux(ressources, situation),
            "logement_actuel": logement_actuel,
            "motifs": motifs,
            "logement_recherche": self.logement_recherche(target, taille, enfants, ressources),
        }
        if enfants_a_naitre:
            payload["enfants_a_naitre"] = enfants_a_naitre
        if codes_motifs & p.MOTIFS_HANDICAP:
            self.handicap(payload)
        return payload

    def nationalite(self) -> Payload:
        nationalite: str = self.tables.nationalites.draw(self.rng)
        drawn: Payload = {"nationalite": nationalite}
        if nationalite == "HORS_UNION_EUROPEENNE":
            resident = self.chance(0.6)
            years = self.rng.randint(2, 9) if resident else 1
            drawn["titre_sejour"] = {
                "type": "Carte de résident" if resident else "Carte de séjour temporaire",
                "valide_jusqu_au": (self.reference + timedelta(days=365 * years)).isoformat(),
            }
        return drawn

    def occupants(self, composition: str, age: int, nom: str) -> list[Payload]:
        rng = self.rng
        occupants: list[Payload] = []
        if composition in ("MONOPARENTAL", "COUPLE_ENFANTS"):
            oldest_possible = min(age - 18, 22)
            for _ in range(self.tables.enfants.draw(rng)):
                child_age = rng.randint(0, max(oldest_possible, 0))
                girl = self.chance(0.49)
                occupants.append(
                    {
                        "prenoms": self.first_name(girl),
                        "nom": nom,
                        "date_naissance": self.birth_date(child_age).isoformat(),
                        "sexe": "F" if girl else "M",
                        "lien": "ENFANT",
                        "a_charge": child_age < 21,
                        "garde_alternee": composition == "MONOPARENTAL"
                        and self.chance(p.PART_GARDE_ALTERNEE),
                    }
                )
        elif composition == "AVEC_PROCHE":
            ascendant = age >= 35 and self.chance(0.6)
            relative_age = age + rng.randint(22, 35) if ascendant else age + rng.randint(-8, 8)
            woman = self.chance(0.6)
            occupants.append(
                {
                    "prenoms": self.first_name(woman),
                    "nom": nom,
                    "date_naissance": self.birth_date(max(relative_age, 18)).isoformat(),
                    "sexe": "F" if woman else "M",
                    "lien": "ASCENDANT" if ascendant else "COLLATERAL",
                    "a_charge": ascendant and self.chance(0.5),
                }
            )
        return occupants

    def ressources(self, situation_pro: Payload, enfants: int, composition: str) -> list[Payload]:
        rng = self.rng
        ressources: list[Payload] = []
        salaire = 0
        for personne, situation in situation_pro.items():
            kind, mean, deviation, floor = self.tables.ressources[situation].draw(rng)
            if kind is None:  # no income of its own
                continue
            montant = self.amount(mean, deviation, floor)
            if kind == "SALAIRE":
                salaire += montant
            ressources.append({"personne": personne, "type": kind, "montant_mensuel": montant})
        if enfants:
            prestations = p.PRESTATIONS_PAR_ENFANT[min(enfants, len(p.PRESTATIONS_PAR_ENFANT) - 1)]
            if composition == "MONOPARENTAL" and self.chance(0.5):
                prestations += p.ALLOCATION_SOUTIEN_FAMILIAL * enfants
            if prestations:
                ressources.append(_ressource("PRESTATIONS_FAMILIALES", prestations))
            if composition == "MONOPARENTAL" and self.chance(p.PART_PENSION_ALIMENTAIRE):
                ressources.append(
                    _ressource(
                        "PENSION_ALIMENTAIRE_RECUE", p.PENSION_ALIMENTAIRE_PAR_ENFANT * enfants
                    )
                )
        if 0 < salaire < 1600 and self.chance(p.PART_PRIME_ACTIVITE):
            ressources.append(_ressource("PRIME_ACTIVITE", self.amount(200, 60, 30)))
        return ressources

    def revenus_fiscaux(self, ressources: list[Payload], situation: str) -> list[Payload]:
        """RFR of year N-2 per fiscal household: one for a married or pacsed couple."""
        if self.chance(p.PART_SANS_RFR):
            return []
        joint = situation in ("MARIE", "PACSE")
        imposable: dict[str, float] = {}
        for ressource in ressources:
            if ressource["type"] in p.IMPOSABLES:
                foyer = "demandeur" if joint else ressource["personne"]
                imposable[foyer] = imposable.get(foyer, 0) + ressource["montant_mensuel"]
        imposable.setdefault("demandeur", 0)
        annee = self.reference.year - 2
        return [
            {
                "annee": annee,
                "montant": int(max(0.0, monthly * 12 * 0.9 * self.rng.gauss(1, p.RFR_VARIATION))),
                "personne": foyer,
            }
            for foyer, monthly in sorted(imposable.items(), key=lambda item: item[0] != "demandeur")
        ]

    def logement_actuel(self, age: int, home: Commune, taille: int) -> Payload:
        rng = self.rng
        kind: str = self.tables.logement[_age_group(age)].draw(rng)
        logement: Payload = {"type": kind, "commune_insee": home.insee}
        if kind in p.LOCATAIRES:
            pieces = max(1, min(6, taille - 1 + rng.randint(-1, 1)))
            base, per_room = p.LOYERS[kind]
            logement["nombre_pieces"] = pieces
            logement["loyer_mensuel"] = self.amount(base + per_room * pieces, 60, 150)
        logement["nombre_occupants"] = taille + (
            rng.randint(1, 4) if kind.startswith("HEBERGE") else 0
        )
        years = min(age - 17, 15)
        logement["depuis"] = (
            self.reference - timedelta(days=rng.randint(60, 60 + max(years, 1) * 365))
        ).isoformat()
        return logement

    def motifs(self, logement_actuel: Payload) -> list[Payload]:
        table = self.tables.motifs[logement_actuel["type"]]
        principal = table.draw(self.rng)
        count = self.tables.motifs_secondaires.draw(self.rng)
        others = table.sample(self.rng, count, {principal}) if count else []
        return [{"code": principal, "principal": True}] + [
            {"code": code, "principal": False} for code in others
        ]

    def logement_recherche(
        self, target: Commune, taille: int, enfants: int, ressources: list[Payload]
    ) -> Payload:
        rng, tables = self.rng, self.tables
        typologies = tables.typologies[min(taille, len(tables.typologies)) - 1].draw(rng)
        recherche: Payload = {
            "typologies": list(typologies),
            "type": tables.type_recherche[enfants > 0].draw(rng),
            "communes": self.communes_souhaitees(target),
        }
        if self.chance(p.PART_LOYER_MAXIMUM):
            total = sum(r["montant_mensuel"] for r in ressources)
            effort = rng.uniform(*p.TAUX_EFFORT_MAXIMUM)
            recherche["loyer_max_mensuel"] = max(250, int(total * effort / 10) * 10)
        return recherche

    def communes_souhaitees(self, target: Commune) -> list[str]:
        """1 to 5 communes near the target, ordered: mostly in its EPCI, else its département."""
        rng, territory = self.rng, _territory()
        wanted: int = self.tables.nombre_communes.draw(rng)
        key = (target.epci_siren or "", target.departement)
        epci_communes = territory.by_epci_departement.get(key)
        departement_communes = territory.by_departement[target.departement]
        first = target
        if epci_communes is not None and self.chance(p.PART_PREMIERE_COMMUNE_PRINCIPALE):
            first = territory.main_commune[key]
        chosen = [first]
        seen = {first}
        for _ in range(wanted - 1):
            pool = epci_communes
            if pool is None or len(pool) <= len(seen) or self.chance(p.PART_COMMUNE_HORS_EPCI):
                pool = departement_communes
            chosen.extend(pool.sample(rng, 1, seen))
        return [commune.insee for commune in chosen]

    def adresse(self, home: Commune) -> Payload:
        rng = self.rng
        return {
            "ligne1": f"{rng.randint(1, 180)} {rng.choice(names.VOIES)} "
            f"{rng.choice(names.NOMS_DE_VOIES)}",
            "code_postal": rng.choice(home.codes_postaux),
            "commune_insee": home.insee,
            "commune": home.nom,
        }

    def handicap(self, payload: Payload) -> None:
        rng = self.rng
        besoins = self.tables.besoins.sample(rng, rng.randint(1, 2), set())
        payload["logement_recherche"]["besoins_accessibilite"] = besoins
        fauteuil = "LOGEMENT_ADAPTE_FAUTEUIL" in besoins
        payload["complement_handicap"] = [
            {
                "personne": "demandeur",
                "carte_invalidite": self.chance(0.5),
                "nature": ["MOTEUR"] if fauteuil or self.chance(0.6) else ["SENSORIEL"],
                "fauteuil_roulant": fauteuil,
                "decision_mdph": self.chance(0.7),
                "adaptations": besoins,
            }
        ]


def _ressource(kind: str, montant: int) -> Payload:
    return {"personne": "demandeur", "type": kind, "montant_mensuel": montant}


def generate(count: int, seed: int, reference: date = REFERENCE_DATE) -> Iterator[Payload]:
    """`count` demande payloads (POST /api/demandes bodies), the same ones for the same seed."""
    rng = random.Random(seed)
    for index in range(count):
        yield _Household(rng, index, reference).payload()


def typologies_possibles(taille: int) -> list[str]:
    """Typologies a household of `taille` persons may wish (bounds of the profile)."""
    order = [t.value for t in Typologie]
    low, high = p.TYPOLOGIES_POSSIBLES[min(taille, len(p.TYPOLOGIES_POSSIBLES)) - 1]
    return order[order.index(low) : order.index(high) + 1]
