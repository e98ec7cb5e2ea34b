"""Configuration figures: income ceilings, délais anormalement longs, lifecycle, pièces.

Each figure comes from a data file with its source; see loading.py to replace them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from toit_referentiel.loading import data_path, load
from toit_referentiel.models import (
    DelaiAnormalementLong,
    DonneeIndisponible,
    LifecycleConfig,
    PhasePiece,
    PorteePiece,
    ReferentielInvalide,
    ReferentielProvisoire,
    RegleRadiation,
    TypePiece,
)
from toit_referentiel.premier_quartile import seuils_provisoires

CATEGORIES = 6
"""Household categories of the ceilings; beyond the 6th, an amount per additional person."""


@dataclass(frozen=True, slots=True)
class _Bareme:
    categories: tuple[int, ...]
    par_personne_supplementaire: int
    provisoire: bool = False


def _invalid(name: str, message: str) -> ReferentielInvalide:
    return ReferentielInvalide(f"{data_path(name)}: {message}")


def _int(name: str, value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _invalid(name, f"{where}: entier positif attendu, reçu {value!r}")
    return value


@cache
def _baremes() -> dict[tuple[int, str], _Bareme]:
    name = "plafonds.yaml"
    baremes: dict[tuple[int, str], _Bareme] = {}
    for annee, financements in (load(name).get("annees") or {}).items():
        for financement, bareme in financements.items():
            where = f"annees.{annee}.{financement}"
            categories = bareme.get("categories")
            if not isinstance(categories, list) or len(categories) != CATEGORIES:
                raise _invalid(name, f"{where}.categories: {CATEGORIES} montants attendus")
            baremes[(int(annee), str(financement))] = _Bareme(
                categories=tuple(_int(name, v, f"{where}.categories") for v in categories),
                par_personne_supplementaire=_int(
                    name, bareme.get("par_personne_supplementaire"), f"{where}.par_personne"
                ),
                provisoire=_bool(name, bareme.get("provisoire", False), f"{where}.provisoire"),
            )
    return baremes


def annees_plafonds() -> tuple[int, ...]:
    """Years for which ceilings are configured, ascending."""
    return tuple(sorted({annee for annee, _ in _baremes()}))


def financements() -> tuple[str, ...]:
    """Financing types with configured ceilings (PLAI, PLUS, PLS)."""
    return tuple(sorted({financement for _, financement in _baremes()}))


def plafonds(annee: int, financement: str, categorie_menage: int) -> int:
    """Annual revenu fiscal de référence ceiling, in euros, outside Île-de-France.

    `categorie_menage` is 1 to 6 as in primer §6.3; 7 and more mean category 6 plus
    (categorie_menage - 6) additional persons. Raises DonneeIndisponible when the year or
    the financing type is not configured: ceilings are never guessed.
    """
    if categorie_menage < 1:
        raise ValueError(f"catégorie de ménage invalide : {categorie_menage}")
    bareme = _baremes().get((annee, str(financement)))
    if bareme is None:
        raise DonneeIndisponible(f"plafonds {financement} {annee} non configurés")
    if categorie_menage <= CATEGORIES:
        return bareme.categories[categorie_menage - 1]
    extra = categorie_menage - CATEGORIES
    return bareme.categories[-1] + extra * bareme.par_personne_supplementaire


def plafond_provisoire(annee: int, financement: str) -> bool:
    """True when the barème of that year and financing is not read in the arrêté itself
    (derived or from a secondary source): whoever shows or applies it says « provisoire ».
    Raises DonneeIndisponible when the year or the financing type is not configured."""
    bareme = _baremes().get((annee, str(financement)))
    if bareme is None:
        raise DonneeIndisponible(f"plafonds {financement} {annee} non configurés")
    return bareme.provisoire


MENTION_PLAFOND_PROVISOIRE = "plafond provisoire, à vérifier (non lu dans l'arrêté)"
"""How a provisional ceiling is labelled wherever it is shown (answers, letters, screens)."""


@dataclass(frozen=True, slots=True)
class _Dal:
    mois: int
    par_typologie: dict[str, int]
    provisoire: bool


DELAIS_FILE = "delais_anormalement_longs.yaml"


def _bool(name: str, value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise _invalid(name, f"{where}: true ou false attendu, reçu {value!r}")
    return value


@cache
def _delais() -> dict[str, _Dal]:
    name = DELAIS_FILE
    delais: dict[str, _Dal] = {}
    for departement, entry in (load(name).get("departements") or {}).items():
        where = f"departements.{departement}"
        delais[str(departement)] = _Dal(
            mois=_int(name, entry.get("mois"), f"{where}.mois"),
            par_typologie={
                str(typologie): _int(name, mois, f"{where}.par_typologie.{typologie}")
                for typologie, mois in (entry.get("par_typologie") or {}).items()
            },
            provisoire=_bool(name, entry.get("provisoire", False), f"{where}.provisoire"),
        )
    return delais


def delai_anormalement_long(departement: str, typologie: str | None = None) -> int:
    """Délai anormalement long in months for a département (and a typology, when the
    arrêté distinguishes them). Raises DonneeIndisponible for an unconfigured département."""
    dal = _delais().get(departement)
    if dal is None:
        raise DonneeIndisponible(f"délai anormalement long non configuré : {departement}")
    if typologie is not None:
        return dal.par_typologie.get(str(typologie), dal.mois)
    return dal.mois


def delai_des_typologies(departement: str, typologies: Iterable[str] = ()) -> DelaiAnormalementLong:
    """The DAL of a demande: the shortest délai among the typologies it asks for (the
    earliest DALO recourse, the most favourable reading for the applicant); the
    département's délai when no typology is given. The one rule used by demandes
    (DAL reached), cotation (ancienneté bonus) and notifications (attestation).
    Raises DonneeIndisponible for an unconfigured département."""
    dal = _delais().get(departement)
    if dal is None:
        raise DonneeIndisponible(f"délai anormalement long non configuré : {departement}")
    demandees = [str(t) for t in typologies]
    mois = min((dal.par_typologie.get(t, dal.mois) for t in demandees), default=dal.mois)
    return DelaiAnormalementLong(departement=departement, mois=mois, provisoire=dal.provisoire)


def donnees_provisoires(annee: int) -> tuple[str, ...]:
    """What production cannot run with: each placeholder value in force (file and key) and
    a calendar year without income ceilings. Empty when everything is definitive."""
    problemes = [
        f"{data_path(DELAIS_FILE)}: departements.{departement}.provisoire "
        "(délai anormalement long provisoire, arrêté préfectoral à confirmer)"
        for departement, dal in sorted(_delais().items())
        if dal.provisoire
    ]
    problemes.extend(seuils_provisoires())
    if annee not in annees_plafonds():
        problemes.append(
            f"{data_path('plafonds.yaml')}: annees.{annee} absent "
            f"(plafonds de ressources de l'année civile {annee} non configurés)"
        )
    return tuple(problemes)


def exiger_donnees_definitives(annee: int) -> None:
    """Raise ReferentielProvisoire naming every placeholder in force (see donnees_provisoires).
    Services call it at start-up in production mode (see verifier_production)."""
    problemes = donnees_provisoires(annee)
    if problemes:
        raise ReferentielProvisoire(
            "données de référence provisoires, refusées en production : " + "; ".join(problemes)
        )


def verifier_production() -> None:
    """The production check of every service using the referentiel (servicekit's
    `ServiceDefinition.production_checks`): no placeholder, ceilings for this year."""
    exiger_donnees_definitives(date.today().year)


@cache
def lifecycle_config() -> LifecycleConfig:
    name = "cycle_de_vie.yaml"
    data = load(name)

    def months(section: str, key: str) -> int:
        return _int(name, (data.get(section) or {}).get(key), f"{section}.{key}")

    return LifecycleConfig(
        validite_mois=months("validite", "mois"),
        preavis_renouvellement_mois=months("renouvellement", "preavis_mois"),
        grace_non_renouvellement_mois=months("non_renouvellement", "grace_mois"),
        attestation_delai_mois=months("attestation", "delai_mois"),
        conservation_apres_radiation_mois=months("conservation", "mois_apres_radiation"),
        validation_delai_jours=months("a_valider", "delai_validation_jours"),
        a_valider_conservation_mois=months("a_valider", "conservation_mois"),
        radiation={
            str(motif): RegleRadiation(
                preavis_mois=_int(name, rule.get("preavis_mois"), f"radiation.{motif}"),
                reactivation_mois=_int(name, rule.get("reactivation_mois"), f"radiation.{motif}"),
            )
            for motif, rule in (data.get("radiation") or {}).items()
        },
    )


@cache
def anteriorite_depot_jours() -> int:
    """How many days back an agent enregistreur may date, at creation, the dépôt of a paper
    form received earlier (beyond: the gestionnaire du fichier, with a reason)."""
    name = "cycle_de_vie.yaml"
    section = load(name).get("depot_papier") or {}
    return _int(name, section.get("anteriorite_max_jours"), "depot_papier.anteriorite_max_jours")


@dataclass(frozen=True)
class DepotEnLigne:
    """How an online application of a département is registered (cycle_de_vie.yaml)."""

    guichet: str
    """Guichet code of online demandes (end of their numéro unique)."""
    validation_prealable: bool
    """A guichet checks the identity document first (A_VALIDER) instead of registering."""


@cache
def _depot_en_ligne() -> tuple[str, frozenset[str]]:
    name = "cycle_de_vie.yaml"
    section = load(name).get("depot_en_ligne") or {}
    guichet = str(section.get("guichet") or "")
    if len(guichet) != 5 or not guichet.isalnum() or guichet.upper() != guichet:
        raise _invalid(name, "depot_en_ligne.guichet : 5 lettres majuscules ou chiffres")
    return guichet, frozenset(str(d) for d in section.get("validation_prealable") or [])


def depot_en_ligne(departement: str) -> DepotEnLigne:
    guichet, validation = _depot_en_ligne()
    return DepotEnLigne(guichet=guichet, validation_prealable=departement in validation)


@cache
def pieces_catalogue() -> tuple[TypePiece, ...]:
    """Every type of pièce justificative, in catalogue order."""
    name = "pieces.yaml"
    catalogue: list[TypePiece] = []
    for entry in load(name).get("pieces") or []:
        try:
            catalogue.append(
                TypePiece(
                    code=str(entry["code"]),
                    libelle=str(entry["libelle"]),
                    phase=PhasePiece(entry["phase"]),
                    portee=PorteePiece(entry["portee"]),
                    famille=str(entry["famille"]),
                    sensible=bool(entry.get("sensible", False)),
                )
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise _invalid(name, f"pièce {entry!r}: {exc}") from exc
    codes = [piece.code for piece in catalogue]
    if len(set(codes)) != len(codes):
        raise _invalid(name, "codes de pièce en double")
    return tuple(catalogue)


def piece(code: str) -> TypePiece | None:
    return _pieces_par_code().get(code)


@cache
def _pieces_par_code() -> dict[str, TypePiece]:
    return {p.code: p for p in pieces_catalogue()}
