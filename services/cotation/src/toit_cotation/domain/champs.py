"""The fixed whitelist of demande fields a grid criterion may read.

A criterion names a field by its path (`logement_actuel.type`, `taux_effort`);
nothing else of the demande is reachable, and no expression from user text is
ever evaluated. Each field belongs to a group whose extractor computes all the
group's fields at once from the snapshot (its JSON form, contact excluded), so
a compiled grid only computes the groups it uses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Any

from toit_contracts.enums import (
    BesoinAccessibilite,
    CategorieMenage,
    LabelledEnum,
    MotifDemande,
    PublicPrioritaire,
    SituationFamiliale,
    SituationProfessionnelle,
    TypeDecisionDalo,
    TypeLogementActuel,
    Typologie,
)

Snapshot = Mapping[str, Any]
"""A DemandeSnapshot in its JSON form (`model_dump(mode="json")`), without contact."""


class TypeChamp(StrEnum):
    NOMBRE = "nombre"
    BOOLEEN = "booleen"
    TEXTE = "texte"
    LISTE = "liste"


@dataclass(frozen=True)
class Contexte:
    """What the scoring needs besides the snapshot: the reference date and the
    délai anormalement long of the demande's département (months, None if unknown)."""

    date_reference: date
    delai_anormalement_long_mois: int | None = None


@dataclass(frozen=True)
class Champ:
    chemin: str
    type: TypeChamp
    description: str
    groupe: str
    valeurs: tuple[str, ...] | None = None  # allowed values of a coded field

    def accepte(self, valeur: object) -> bool:
        if self.type is TypeChamp.NOMBRE:
            return isinstance(valeur, int | float) and not isinstance(valeur, bool)
        if self.type is TypeChamp.BOOLEEN:
            return isinstance(valeur, bool)
        if not isinstance(valeur, str):
            return False
        return self.valeurs is None or valeur in self.valeurs


def _codes(enum: type[LabelledEnum] | type[CategorieMenage]) -> tuple[str, ...]:
    return tuple(str(member.value) for member in enum)


# --- Extractors, one per group -----------------------------------------------------------------


def mois_ecoules(depuis: date, reference: date) -> int:
    """Whole months from `depuis` to `reference`. A month is complete on the same day
    of the month, or on the last day of a shorter month (31 Jan → 28 Feb = 1 month)."""
    mois = (reference.year - depuis.year) * 12 + reference.month - depuis.month
    if reference.day < depuis.day and reference.day < _dernier_jour(reference):
        mois -= 1
    return max(mois, 0)


def _dernier_jour(jour: date) -> int:
    if jour.month == 12:
        return 31
    return (date(jour.year, jour.month + 1, 1) - date(jour.year, jour.month, 1)).days


# Pure functions of (ISO date, reference date), cached: the same dates recur across the
# demandes and each bulk re-scoring.
@lru_cache(maxsize=1 << 16)
def _age(naissance: str, reference: date) -> int:
    born = date.fromisoformat(naissance[:10])
    return reference.year - born.year - ((reference.month, reference.day) < (born.month, born.day))


@lru_cache(maxsize=1 << 14)
def _mois_depuis(depot: str, reference: date) -> int:
    return mois_ecoules(date.fromisoformat(depot[:10]), reference)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _anciennete(s: Snapshot, ctx: Contexte) -> dict[str, Any]:
    mois = _mois_depuis(s["date_depot_initial"], ctx.date_reference)
    dal = ctx.delai_anormalement_long_mois
    return {
        "anciennete_mois": mois,
        "delai_anormalement_long_atteint": dal is not None and mois >= dal,
        "delai_anormalement_long_mois": dal,
    }


def _menage(s: Snapshot, ctx: Contexte) -> dict[str, Any]:
    personnes = s["personnes"]
    enfants = mineurs = handicapes = 0
    couple = False
    age_demandeur = None
    situation_pro = None
    for p in personnes:
        role = p["role"]
        if role == "DEMANDEUR":
            age_demandeur = _age(p["date_naissance"], ctx.date_reference)
            situation_pro = p.get("situation_professionnelle")
        elif role == "CODEMANDEUR" or p.get("lien") == "CONJOINT":
            couple = True
        if p.get("lien") == "ENFANT":
            enfants += 1
            if _age(p["date_naissance"], ctx.date_reference) < 18:
                mineurs += 1
        if p.get("handicap"):
            handicapes += 1
    a_naitre = s.get("enfants_a_naitre") or 0
    return {
        "taille_menage": _taille(s),
        "nombre_enfants": enfants,
        "nombre_enfants_mineurs": mineurs,
        "enfants_a_naitre": a_naitre,
        "personnes_handicapees": handicapes,
        "parent_isole": not couple and (enfants > 0 or a_naitre > 0),
        "age_demandeur": age_demandeur,
        "situation_professionnelle": situation_pro,
        "situation_familiale": s.get("situation_familiale"),
        "categorie_menage": (
            None if s.get("categorie_menage") is None else str(s["categorie_menage"])
        ),
    }


def _taille(s: Snapshot) -> int:
    return s.get("taille_menage") or len(s["personnes"]) + (s.get("enfants_a_naitre") or 0)


def _total_ressources(s: Snapshot) -> float:
    total = s.get("ressources_mensuelles_totales")
    if total is None:
        return sum(float(r["montant_mensuel"]) for r in s.get("ressources_par_type") or ())
    return float(total)


def _ressources(s: Snapshot, _ctx: Contexte) -> dict[str, Any]:
    return {
        "ressources_mensuelles": _total_ressources(s),
        "revenu_fiscal_reference": _float(s.get("revenu_fiscal_reference")),
        "unites_consommation": _float(s.get("unites_consommation")),
    }


def _logement_actuel(s: Snapshot, _ctx: Contexte) -> dict[str, Any]:
    logement = s["logement_actuel"]
    ressources = _total_ressources(s)
    loyer = _float(logement.get("loyer_mensuel"))
    charges = _float(logement.get("charges_mensuelles")) or 0.0
    aide = _float(logement.get("aide_logement_mensuelle")) or 0.0
    pieces = logement.get("nombre_pieces")
    surface = _float(logement.get("surface_m2"))
    taille = _taille(s)
    uc = _float(s.get("unites_consommation"))
    depense = None if loyer is None else loyer + charges - aide
    return {
        "logement_actuel.type": logement["type"],
        "logement_actuel.nombre_pieces": pieces,
        "logement_actuel.surface_m2": surface,
        "logement_actuel.loyer_mensuel": loyer,
        "mutation": logement["type"] == "LOCATAIRE_HLM",
        # Arrêté du 10 mars 2011: (loyer + charges − aide au logement) / ressources, in %.
        "taux_effort": (
            None if depense is None or ressources <= 0 else round(100 * depense / ressources, 2)
        ),
        "reste_a_vivre_jour_uc": (
            None if depense is None or not uc else round((ressources - depense) / uc / 30, 2)
        ),
        "personnes_par_piece": None if not pieces else round(taille / pieces, 2),
        "surface_par_personne": None if surface is None else round(surface / taille, 2),
    }


def _motifs(s: Snapshot, _ctx: Contexte) -> dict[str, Any]:
    motifs = s.get("motifs") or ()
    principal = None
    for m in motifs:
        if m.get("principal"):
            principal = m["motif"]
            break
    return {"motifs": tuple([m["motif"] for m in motifs]), "motif_principal": principal}


def _priorites(s: Snapshot, _ctx: Contexte) -> dict[str, Any]:
    priorites = s.get("priorites") or ()
    dalo = s.get("dalo")
    return {
        "priorites": tuple([p["categorie"] for p in priorites if p["statut"] != "REJETEE"]),
        "priorites_validees": tuple(
            [p["categorie"] for p in priorites if p["statut"] == "VALIDEE"]
        ),
        "dalo": None if dalo is None else dalo["type"],
        "dalo_designe_par_prefet": bool(dalo and dalo.get("designe_par_prefet")),
    }


def _recherche(s: Snapshot, _ctx: Contexte) -> dict[str, Any]:
    recherche = s["logement_recherche"]
    return {
        "typologies": tuple(recherche["typologies"]),
        "communes_souhaitees": tuple(recherche["communes"]),
        "besoins_accessibilite": tuple(recherche.get("besoins_accessibilite") or ()),
    }


EXTRACTEURS: dict[str, Callable[[Snapshot, Contexte], dict[str, Any]]] = {
    "anciennete": _anciennete,
    "menage": _menage,
    "ressources": _ressources,
    "logement_actuel": _logement_actuel,
    "motifs": _motifs,
    "priorites": _priorites,
    "recherche": _recherche,
}

N, B, T, L = TypeChamp.NOMBRE, TypeChamp.BOOLEEN, TypeChamp.TEXTE, TypeChamp.LISTE

CHAMPS: dict[str, Champ] = {
    c.chemin: c
    for c in (
        Champ("anciennete_mois", N, "Mois entiers depuis le dépôt initial", "anciennete"),
        Champ(
            "delai_anormalement_long_mois",
            N,
            "Délai anormalement long du département (mois)",
            "anciennete",
        ),
        Champ(
            "delai_anormalement_long_atteint",
            B,
            "Ancienneté au moins égale au délai anormalement long",
            "anciennete",
        ),
        Champ("taille_menage", N, "Personnes du ménage, enfants à naître compris", "menage"),
        Champ("nombre_enfants", N, "Enfants dans le ménage", "menage"),
        Champ("nombre_enfants_mineurs", N, "Enfants mineurs dans le ménage", "menage"),
        Champ("enfants_a_naitre", N, "Enfants attendus", "menage"),
        Champ("personnes_handicapees", N, "Personnes en situation de handicap", "menage"),
        Champ("parent_isole", B, "Parent sans conjoint avec enfant(s)", "menage"),
        Champ("age_demandeur", N, "Âge du demandeur à la date de référence", "menage"),
        Champ(
            "situation_professionnelle",
            T,
            "Situation professionnelle du demandeur",
            "menage",
            _codes(SituationProfessionnelle),
        ),
        Champ(
            "situation_familiale", T, "Situation familiale", "menage", _codes(SituationFamiliale)
        ),
        Champ(
            "categorie_menage", T, "Catégorie de ménage (1 à 6)", "menage", _codes(CategorieMenage)
        ),
        Champ("ressources_mensuelles", N, "Ressources mensuelles du ménage (€)", "ressources"),
        Champ("revenu_fiscal_reference", N, "Revenu fiscal de référence (€)", "ressources"),
        Champ("unites_consommation", N, "Unités de consommation", "ressources"),
        Champ(
            "logement_actuel.type",
            T,
            "Nature du logement actuel",
            "logement_actuel",
            _codes(TypeLogementActuel),
        ),
        Champ("logement_actuel.nombre_pieces", N, "Pièces du logement actuel", "logement_actuel"),
        Champ("logement_actuel.surface_m2", N, "Surface du logement actuel", "logement_actuel"),
        Champ("logement_actuel.loyer_mensuel", N, "Loyer actuel (€)", "logement_actuel"),
        Champ("mutation", B, "Locataire du parc social (demande de mutation)", "logement_actuel"),
        Champ("taux_effort", N, "Taux d'effort actuel (%)", "logement_actuel"),
        Champ(
            "reste_a_vivre_jour_uc", N, "Reste à vivre par jour et par UC (€)", "logement_actuel"
        ),
        Champ("personnes_par_piece", N, "Personnes par pièce (suroccupation)", "logement_actuel"),
        Champ("surface_par_personne", N, "m² par personne (suroccupation)", "logement_actuel"),
        Champ("motifs", L, "Motifs de la demande", "motifs", _codes(MotifDemande)),
        Champ("motif_principal", T, "Motif principal", "motifs", _codes(MotifDemande)),
        Champ(
            "priorites",
            L,
            "Publics prioritaires invoqués (L441-1), hors justificatif refusé",
            "priorites",
            _codes(PublicPrioritaire),
        ),
        Champ(
            "priorites_validees",
            L,
            "Publics prioritaires validés par un instructeur",
            "priorites",
            _codes(PublicPrioritaire),
        ),
        Champ(
            "dalo",
            T,
            "Décision DALO favorable (LOGEMENT, HEBERGEMENT)",
            "priorites",
            _codes(TypeDecisionDalo),
        ),
        Champ("dalo_designe_par_prefet", B, "Ménage DALO désigné par le préfet", "priorites"),
        Champ("typologies", L, "Typologies recherchées", "recherche", _codes(Typologie)),
        Champ("communes_souhaitees", L, "Communes souhaitées (code INSEE)", "recherche"),
        Champ(
            "besoins_accessibilite",
            L,
            "Besoins d'accessibilité",
            "recherche",
            _codes(BesoinAccessibilite),
        ),
    )
}
