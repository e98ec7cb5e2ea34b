"""Communes, EPCI and départements of the territory (from @etalab/decoupage-administratif)."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from toit_referentiel.loading import rows
from toit_referentiel.models import Commune, Departement, DonneeIndisponible, Epci

# Abbreviations that people type in commune names ("St Malo").
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}


def normalise_nom(text: str) -> str:
    """Lower case, no accents, hyphens and apostrophes as spaces, common abbreviations expanded."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    for separator in "-'’":
        plain = plain.replace(separator, " ")
    return " ".join(_ABBREVIATIONS.get(word, word) for word in plain.split())


@dataclass(frozen=True, slots=True)
class _Territoire:
    departements: dict[str, Departement]
    communes: dict[str, Commune]
    epci: dict[str, Epci]
    communes_par_departement: dict[str, tuple[Commune, ...]]
    communes_par_epci: dict[str, tuple[Commune, ...]]
    index_noms: tuple[tuple[str, Commune], ...]
    """(normalised name, commune), most populated first: search returns the likeliest first."""


@cache
def territoire() -> _Territoire:
    departements = {
        code: Departement(code=code, nom=nom, region=region, chef_lieu=chef_lieu)
        for code, nom, region, chef_lieu in rows(
            "departements.json", "departements", ["code", "nom", "region", "chef_lieu"]
        )
    }
    communes: dict[str, Commune] = {}
    for insee, nom, codes_postaux, population, epci_siren in rows(
        "communes.json", "communes", ["insee", "nom", "codes_postaux", "population", "epci"]
    ):
        communes[insee] = Commune(
            insee=insee,
            nom=nom,
            departement=insee[:2],
            codes_postaux=tuple(codes_postaux),
            population=int(population),
            epci_siren=epci_siren,
        )
    par_departement: dict[str, list[Commune]] = defaultdict(list)
    par_epci: dict[str, list[Commune]] = defaultdict(list)
    for commune in communes.values():
        par_departement[commune.departement].append(commune)
        if commune.epci_siren is not None:
            par_epci[commune.epci_siren].append(commune)
    epci = {
        siren: Epci(
            siren=siren,
            nom=nom,
            nature=nature,
            departements=tuple(sorted({c.departement for c in par_epci[siren]})),
            nombre_membres=int(nombre_membres),
        )
        for siren, nom, nature, nombre_membres in rows(
            "epci.json", "epci", ["siren", "nom", "nature", "nombre_membres"]
        )
    }
    index = sorted(
        ((normalise_nom(c.nom), c) for c in communes.values()),
        key=lambda item: (-item[1].population, item[0]),
    )
    return _Territoire(
        departements=departements,
        communes=communes,
        epci=epci,
        communes_par_departement={k: tuple(v) for k, v in par_departement.items()},
        communes_par_epci={k: tuple(v) for k, v in par_epci.items()},
        index_noms=tuple(index),
    )


def departements() -> tuple[Departement, ...]:
    return tuple(territoire().departements.values())


def departement(code: str) -> Departement | None:
    return territoire().departements.get(code)


def commune(insee: str) -> Commune | None:
    return territoire().communes.get(insee)


def communes_of_departement(departement: str) -> tuple[Commune, ...]:
    """Communes of a département, by INSEE code; DonneeIndisponible outside the territory."""
    found = territoire().communes_par_departement.get(departement)
    if found is None:
        raise DonneeIndisponible(f"département hors du territoire : {departement}")
    return found


def epci(siren: str) -> Epci | None:
    return territoire().epci.get(siren)


def epci_of_commune(insee: str) -> Epci | None:
    found = territoire().communes.get(insee)
    if found is None or found.epci_siren is None:
        return None
    return territoire().epci.get(found.epci_siren)


def communes_of_epci(siren: str) -> tuple[Commune, ...]:
    """Member communes within the territory, by INSEE code (empty for an unknown SIREN)."""
    return territoire().communes_par_epci.get(siren, ())


def search_communes(text: str, departement: str | None = None, limit: int = 20) -> list[Commune]:
    """Communes whose name, or one word of it, starts with `text` (accents, case, hyphens
    ignored; "st" means "saint"), or whose postal or INSEE code starts with it when `text` is
    numeric. Names that start with the text come first, then by decreasing population."""
    query = normalise_nom(text)
    if not query or limit <= 0:
        return []
    rank: Callable[[str, str, Commune], int | None]
    rank = _rank_by_code if query.isdigit() else _rank_by_name
    matches: list[tuple[int, Commune]] = []
    for nom, candidate in territoire().index_noms:
        if departement is not None and candidate.departement != departement:
            continue
        position = rank(query, nom, candidate)
        if position is not None:
            matches.append((position, candidate))
    matches.sort(key=lambda item: item[0])  # stable: keeps the population order within a rank
    return [candidate for _, candidate in matches[:limit]]


def _rank_by_name(query: str, nom: str, _: Commune) -> int | None:
    if nom.startswith(query):
        return 0
    if f" {query}" in f" {nom}":
        return 1
    return None


def _rank_by_code(query: str, _: str, candidate: Commune) -> int | None:
    if any(code.startswith(query) for code in candidate.codes_postaux):
        return 0
    if candidate.insee.startswith(query):
        return 1
    return None
