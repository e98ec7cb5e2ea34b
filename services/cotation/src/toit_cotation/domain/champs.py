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
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Any

from toit_referentiel.calendrier import anciennete_mois
from toit_referentiel.premier_quartile import ressources_annuelles_par_uc

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
    """What the scoring needs besides the snapshot: the reference date, the délai
    anormalement long of the demande's département (months, None if unknown) and the
    first-quartile threshold of the grid's EPCI (annual € per unit of consumption, from
    the yearly arrêté in libs/referentiel; None when not configured for that EPCI)."""

    date_reference: date
    delai_anormalement_long_mois: int | None = None
    seuil_premier_quartile: int | None = None


@dataclass(frozen=True)
class Champ:
    chemin: str
    type: TypeChamp
    description: str
    groupe: str
    valeurs: tuple[str, ...] | None = None  # allowed values of a coded field
    # Established by instruction, never by the household's declaration: a priority
    # VALIDEE, a DALO decision recorded with its reference (demandes lets only an
    # instructeur or the gestionnaire write them: servicekit.authz_fields). Only these
    # fields may feed a criterion that `exige_validation`.
    valide: bool = False

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


# Pure functions of (ISO date, reference date), cached: the same dates recur across the
# demandes and each bulk re-scoring.
@lru_cache(maxsize=1 << 16)
def _age(naissance: str, reference: date) -> int:
    born = date.fromisoformat(naissance[:10])
    return reference.year - born.year - ((reference.month, reference.day) < (born.month, born.day))


@lru_cache(maxsize=1 << 14)
def _mois_depuis(depot: str, reference: date) -> int:
    return anciennete_mois(date.fromisoformat(depot[:10]), reference)


# Each extractor writes its group's facts into the dictionary it is given (one dict
# per demande, no intermediate ones: this runs for every demande of a bulk re-score).


def _anciennete(s: Snapshot, ctx: Contexte, f: dict[str, Any]) -> None:
    mois = _mois_depuis(s["date_depot_initial"], ctx.date_reference)
    dal = ctx.delai_anormalement_long_mois
    f["anciennete_mois"] = mois
    f["delai_anormalement_long_atteint"] = dal is not None and mois >= dal
    f["delai_anormalement_long_mois"] = dal


def _menage(s: Snapshot, ctx: Contexte, f: dict[str, Any]) -> None:
    reference = ctx.date_reference
    enfants = mineurs = handicapes = 0
    couple = False
    age_demandeur = None
    situation_pro = None
    for p in s["personnes"]:
        role = p["role"]
        lien = p.get("lien")
        if role == "DEMANDEUR":
            age_demandeur = _age(p["date_naissance"], reference)
            situation_pro = p.get("situation_professionnelle")
        elif lien == "CONJOINT" or (role == "CODEMANDEUR" and lien is None):
            # The partner; a relative codemandeur or a colocataire is not a couple.
            couple = True
        if lien == "ENFANT":
            enfants += 1
            if _age(p["date_naissance"], reference) < 18:
                mineurs += 1
        if p.get("handicap"):
            handicapes += 1
    a_naitre = s.get("enfants_a_naitre") or 0
    categorie = s.get("categorie_menage")
    f["taille_menage"] = _taille(s)
    f["nombre_enfants"] = enfants
    f["nombre_enfants_mineurs"] = mineurs
    f["enfants_a_naitre"] = a_naitre
    f["personnes_handicapees"] = handicapes
    f["parent_isole"] = not couple and (enfants > 0 or a_naitre > 0)
    f["age_demandeur"] = age_demandeur
    f["situation_professionnelle"] = situation_pro
    f["situation_familiale"] = s.get("situation_familiale")
    f["categorie_menage"] = None if categorie is None else str(categorie)


def _taille(s: Snapshot) -> int:
    return s.get("taille_menage") or len(s["personnes"]) + (s.get("enfants_a_naitre") or 0)


def _total_ressources(s: Snapshot) -> float:
    total = s.get("ressources_mensuelles_totales")
    if total is None:
        return sum(float(r["montant_mensuel"]) for r in s.get("ressources_par_type") or ())
    return float(total)


def _ressources(s: Snapshot, _ctx: Contexte, f: dict[str, Any]) -> None:
    fiscal = s.get("revenu_fiscal_reference")
    uc = s.get("unites_consommation")
    f["ressources_mensuelles"] = _total_ressources(s)
    f["revenu_fiscal_reference"] = None if fiscal is None else float(fiscal)
    f["unites_consommation"] = None if uc is None else float(uc)


def _premier_quartile(s: Snapshot, ctx: Contexte, f: dict[str, Any]) -> None:
    # L441-1 CCH: « revenus mensuels » × 12 ÷ unités de consommation, against the
    # threshold of the EPCI (toit_referentiel.premier_quartile, the same formula).
    uc = s.get("unites_consommation")
    seuil = ctx.seuil_premier_quartile
    par_uc = None
    if uc is not None and float(uc) > 0:
        par_uc = float(
            ressources_annuelles_par_uc(Decimal(str(_total_ressources(s))), Decimal(str(uc)))
        )
    f["ressources_annuelles_par_uc"] = par_uc
    f["seuil_premier_quartile"] = seuil
    f["premier_quartile"] = None if par_uc is None or seuil is None else par_uc <= seuil


def _logement_actuel(s: Snapshot, _ctx: Contexte, f: dict[str, Any]) -> None:
    logement = s["logement_actuel"]
    ressources = _total_ressources(s)
    loyer = logement.get("loyer_mensuel")
    if loyer is not None:
        loyer = float(loyer)
    charges = logement.get("charges_mensuelles")
    aide = logement.get("aide_logement_mensuelle")
    pieces = logement.get("nombre_pieces")
    surface = logement.get("surface_m2")
    if surface is not None:
        surface = float(surface)
    taille = _taille(s)
    uc = s.get("unites_consommation")
    uc = float(uc) if uc is not None else None
    depense = (
        None
        if loyer is None
        else loyer + (float(charges) if charges else 0.0) - (float(aide) if aide else 0.0)
    )
    type_ = logement["type"]
    f["logement_actuel.type"] = type_
    f["logement_actuel.nombre_pieces"] = pieces
    f["logement_actuel.surface_m2"] = surface
    f["logement_actuel.loyer_mensuel"] = loyer
    f["mutation"] = type_ == "LOCATAIRE_HLM"
    # Arrêté du 10 mars 2011: (loyer + charges − aide au logement) / ressources, in %.
    f["taux_effort"] = (
        None if depense is None or ressources <= 0 else round(100 * depense / ressources, 2)
    )
    f["reste_a_vivre_jour_uc"] = (
        None if depense is None or not uc else round((ressources - depense) / uc / 30, 2)
    )
    f["personnes_par_piece"] = None if not pieces else round(taille / pieces, 2)
    f["surface_par_personne"] = None if surface is None else round(surface / taille, 2)


def _motifs(s: Snapshot, _ctx: Contexte, f: dict[str, Any]) -> None:
    motifs = s.get("motifs") or ()
    principal = None
    for m in motifs:
        if m.get("principal"):
            principal = m["motif"]
            break
    f["motifs"] = tuple([m["motif"] for m in motifs])
    f["motif_principal"] = principal


def _priorites(s: Snapshot, _ctx: Contexte, f: dict[str, Any]) -> None:
    priorites = s.get("priorites") or ()
    dalo = s.get("dalo")
    f["priorites"] = tuple([p["categorie"] for p in priorites if p["statut"] != "REJETEE"])
    f["priorites_validees"] = tuple([p["categorie"] for p in priorites if p["statut"] == "VALIDEE"])
    # A DALO decision counts once recorded with its reference (by an instructeur or the
    # gestionnaire); one without (typed in before that rule) is not an established fact.
    if dalo is not None and not dalo.get("reference"):
        dalo = None
    f["priorites_detectees"] = tuple(
        [p["categorie"] for p in s.get("publics_prioritaires_detectes") or ()]
    )
    f["dalo"] = None if dalo is None else dalo["type"]
    f["dalo_designe_par_prefet"] = bool(dalo and dalo.get("designe_par_prefet"))


def _recherche(s: Snapshot, _ctx: Contexte, f: dict[str, Any]) -> None:
    recherche = s["logement_recherche"]
    f["typologies"] = tuple(recherche["typologies"])
    f["communes_souhaitees"] = tuple(recherche["communes"])
    f["besoins_accessibilite"] = tuple(recherche.get("besoins_accessibilite") or ())


Extracteur = Callable[[Snapshot, Contexte, dict[str, Any]], None]

EXTRACTEURS: dict[str, Extracteur] = {
    "anciennete": _anciennete,
    "menage": _menage,
    "ressources": _ressources,
    "premier_quartile": _premier_quartile,
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
            "ressources_annuelles_par_uc",
            N,
            "Ressources annuelles par unité de consommation (revenus mensuels × 12 ÷ UC, €)",
            "premier_quartile",
        ),
        Champ(
            "seuil_premier_quartile",
            N,
            "Seuil du premier quartile de l'EPCI de la grille (€ par UC et par an, arrêté annuel)",
            "premier_quartile",
        ),
        Champ(
            "premier_quartile",
            B,
            "Demandeur du premier quartile (L441-1 CCH) : ressources annuelles par UC au plus "
            "égales au seuil de l'EPCI ; absent si le seuil n'est pas configuré",
            "premier_quartile",
        ),
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
            valide=True,
        ),
        Champ(
            "priorites_detectees",
            L,
            "Publics prioritaires que les données de la demande font apparaître (L441-1)",
            "priorites",
            _codes(PublicPrioritaire),
        ),
        Champ(
            "dalo",
            T,
            "Décision DALO favorable (LOGEMENT, HEBERGEMENT) enregistrée avec sa référence",
            "priorites",
            _codes(TypeDecisionDalo),
            valide=True,
        ),
        Champ(
            "dalo_designe_par_prefet",
            B,
            "Ménage DALO désigné par le préfet",
            "priorites",
            valide=True,
        ),
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
