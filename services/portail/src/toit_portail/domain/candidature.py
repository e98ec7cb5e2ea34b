"""The online application (pure rules): its steps, a step's form as a part of the demande,
and its validation with the models a guichet's request goes through
(`toit_contracts.saisie`), so the household reads the same French messages.

Form fields are named by the path of the demande's field (`demandeur.nom_naissance`,
`occupants[1].date_naissance`): an error's path is the name of the field it belongs to.
A draft keeps each step's part as typed (valid or not); the whole demande is assembled
and checked again (with the reference data) before the recap and the submission.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator
from toit_referentiel.calendrier import add_months

from servicekit.errors import error_items
from toit_contracts.enums import SituationProfessionnelle
from toit_contracts.saisie import (
    Codemandeur,
    DemandeSaisie,
    Demandeur,
    LogementActuelSaisie,
    LogementRechercheSaisie,
    Motif,
    Occupant,
    Ressource,
    RevenuFiscal,
    Saisie,
    SituationProfessionnelleSaisie,
    incoherences,
)


@dataclass(frozen=True)
class Etape:
    code: str
    titre: str


ETAPES: tuple[Etape, ...] = (
    Etape("menage", "Votre foyer"),
    Etape("ressources", "Situation professionnelle et ressources"),
    Etape("logement-actuel", "Votre logement actuel"),
    Etape("motifs", "Les motifs de votre demande"),
    Etape("logement-recherche", "Le logement recherché"),
    Etape("documents", "Votre pièce d'identité"),
)
CODES = tuple(e.code for e in ETAPES)
# The part of the demande each step fills (top-level keys of DemandeSaisie).
RUBRIQUES: dict[str, tuple[str, ...]] = {
    "menage": ("demandeur", "codemandeur", "occupants", "enfants_a_naitre"),
    "ressources": ("situation_professionnelle", "ressources", "revenu_fiscal_reference"),
    "logement-actuel": ("logement_actuel",),
    "motifs": ("motifs",),
    "logement-recherche": ("logement_recherche",),
}
LIGNES_VIDES = 1  # blank rows offered after the typed ones (people, resources): no JavaScript
MAX_COMMUNES = 5
TYPES_PIECE_IDENTITE = ("PIECE_IDENTITE", "TITRE_SEJOUR")


def etape(code: str) -> Etape | None:
    return next((e for e in ETAPES if e.code == code), None)


def suivante(code: str) -> str | None:
    index = CODES.index(code)
    return CODES[index + 1] if index + 1 < len(CODES) else None


def precedente(code: str) -> str | None:
    index = CODES.index(code)
    return CODES[index - 1] if index > 0 else None


# --- form → nested document ---------------------------------------------------------------------

_SEGMENT = re.compile(r"([a-z_]+)(?:\[([0-9]{1,2})\])?")
VRAI = "oui"


def imbriquer(champs: Iterable[tuple[str, str]], listes: frozenset[str] = frozenset()) -> Any:
    """Form pairs → a nested document. `a.b` → {"a": {"b": v}}; `a[1].b` → {"a": [.., {"b":
    v}]}; names in `listes` collect every value; empty values are dropped; "oui" → True.
    Unknown shapes are ignored (bounded: index < 100, 4 levels)."""
    racine: dict[str, Any] = {}
    for nom, brute in champs:
        valeur: Any = brute.strip()
        if valeur == "" or len(nom) > 120:
            continue
        if valeur == VRAI:
            valeur = True
        segments = nom.split(".")
        if len(segments) > 4 or not all(_SEGMENT.fullmatch(s) for s in segments):
            continue
        noeud: Any = racine
        for position, segment in enumerate(segments):
            match = _SEGMENT.fullmatch(segment)
            assert match is not None
            cle, index = match.group(1), match.group(2)
            dernier = position == len(segments) - 1
            if index is None:
                if dernier:
                    if nom in listes:
                        noeud.setdefault(cle, []).append(valeur)
                    else:
                        noeud[cle] = valeur
                else:
                    noeud = noeud.setdefault(cle, {})
                    if not isinstance(noeud, dict):
                        break
            else:
                liste = noeud.setdefault(cle, [])
                if not isinstance(liste, list):
                    break
                i = int(index)
                while len(liste) <= i:
                    liste.append({})
                if dernier:
                    liste[i] = valeur
                else:
                    noeud = liste[i]
    return racine


def _compacter(lignes: list[Any]) -> list[Any]:
    """Rows left blank (a blank row is offered under the typed ones) are dropped."""
    return [ligne for ligne in lignes if ligne not in ({}, None, "")]


def partie_de_l_etape(code: str, champs: list[tuple[str, str]]) -> dict[str, Any]:
    """The part of the demande a step's form holds, as typed (not validated)."""
    listes = frozenset(
        {
            "motifs_coches",
            "logement_recherche.typologies",
            "logement_recherche.besoins_accessibilite",
        }
    )
    brut = imbriquer(champs, listes)
    if code == "menage":
        partie: dict[str, Any] = {
            "demandeur": brut.get("demandeur") or {},
            "occupants": _compacter(brut.get("occupants") or []),
            "enfants_a_naitre": brut.get("enfants_a_naitre") or 0,
        }
        if brut.get("avec_codemandeur") is True:
            partie["codemandeur"] = brut.get("codemandeur") or {}
        return partie
    if code == "ressources":
        revenus = brut.get("revenu_fiscal_reference") or {}
        return {
            "situation_professionnelle": brut.get("situation_professionnelle") or {},
            "ressources": _compacter(brut.get("ressources") or []),
            "revenu_fiscal_reference": [revenus] if revenus else [],
        }
    if code == "logement-actuel":
        return {"logement_actuel": brut.get("logement_actuel") or {}}
    if code == "motifs":
        principal = brut.get("motif_principal")
        precision = brut.get("precision_autre")
        motifs = []
        for code_motif in brut.get("motifs_coches") or []:
            motif: dict[str, Any] = {"code": code_motif, "principal": code_motif == principal}
            if code_motif == "AUTRE" and precision:
                motif["precision"] = precision
            motifs.append(motif)
        return {"motifs": motifs}
    if code == "logement-recherche":
        recherche = dict(brut.get("logement_recherche") or {})
        recherche["communes"] = [c for c in recherche.get("communes") or [] if c][:MAX_COMMUNES]
        recherche.setdefault("typologies", [])
        return {"logement_recherche": recherche}
    return {}


# --- labels of the error summary ------------------------------------------------------------------

_LIBELLES = {
    "civilite": "Civilité",
    "nom_naissance": "Nom de naissance",
    "nom_usage": "Nom d'usage",
    "nom": "Nom",
    "prenoms": "Prénom(s)",
    "date_naissance": "Date de naissance",
    "nationalite": "Nationalité",
    "situation_familiale": "Situation familiale",
    "email": "Adresse électronique",
    "telephone": "Téléphone",
    "lien": "Lien avec vous",
    "sexe": "Sexe",
    "enfants_a_naitre": "Enfants à naître",
    "personne": "Personne",
    "type": "Type",
    "montant_mensuel": "Montant mensuel",
    "montant": "Revenu fiscal de référence",
    "annee": "Année des revenus",
    "commune_insee": "Code INSEE de la commune",
    "loyer_mensuel": "Loyer mensuel",
    "nombre_pieces": "Nombre de pièces",
    "nombre_occupants": "Nombre de personnes",
    "depuis": "Depuis le",
    "motifs_coches": "Motifs",
    "motif_principal": "Motif principal",
    "precision_autre": "Précision",
    "typologies": "Taille du logement",
    "communes": "Communes souhaitées",
    "loyer_max_mensuel": "Dépense mensuelle maximale",
    "etage_max": "Étage le plus haut",
    "type_piece": "Type de pièce",
    "fichier": "Fichier",
}
_QUI = {
    "demandeur": "Vous",
    "codemandeur": "Codemandeur",
    "ressources": "Ressource",
    "logement_actuel": "Logement actuel",
    "logement_recherche": "Logement recherché",
    "situation_professionnelle": "Situation professionnelle",
    "revenu_fiscal_reference": "Revenu fiscal",
}


def libelle(champ: str) -> str:
    """A field path as the household reads it: « Vous — Nom de naissance »,
    « Personne n° 2 — Date de naissance »."""
    segments = champ.split(".")
    dernier = re.sub(r"\[[0-9]+\]$", "", segments[-1])
    nom = _LIBELLES.get(dernier, dernier.replace("_", " ").capitalize())
    if len(segments) == 1:
        return nom
    racine = segments[0]
    if match := re.fullmatch(r"(occupants|ressources)\[([0-9]+)\]", racine):
        qui = "Personne" if match.group(1) == "occupants" else "Ressource"
        return f"{qui} n° {int(match.group(2)) + 1} — {nom}"
    return f"{_QUI.get(racine, racine)} — {nom}"


# --- validation ----------------------------------------------------------------------------------


class _Menage(Saisie):
    demandeur: Demandeur
    codemandeur: Codemandeur | None = None
    occupants: list[Occupant] = Field(default_factory=list, max_length=20)
    enfants_a_naitre: int = Field(default=0, ge=0, le=9)


class _SituationProfessionnelle(SituationProfessionnelleSaisie):
    # The form asks the one codemandeur's situation here; the whole demande carries it to
    # codemandeurs[0] (toit_contracts.saisie.ancien_format).
    codemandeur: SituationProfessionnelle | None = None


class _Ressources(Saisie):
    situation_professionnelle: _SituationProfessionnelle
    ressources: list[Ressource] = Field(default_factory=list, max_length=60)
    revenu_fiscal_reference: list[RevenuFiscal] = Field(default_factory=list, max_length=10)


class _LogementActuel(Saisie):
    logement_actuel: LogementActuelSaisie


class _Motifs(Saisie):
    motifs: list[Motif] = Field(min_length=1, max_length=27)

    @field_validator("motifs")
    @classmethod
    def _un_principal(cls, motifs: list[Motif]) -> list[Motif]:
        # The rule of the whole demande (one principal motif, no motif twice), at this step.
        return DemandeSaisie._un_motif_principal(motifs)


class _LogementRecherche(Saisie):
    logement_recherche: LogementRechercheSaisie


MODELES: dict[str, type[BaseModel]] = {
    "menage": _Menage,
    "ressources": _Ressources,
    "logement-actuel": _LogementActuel,
    "motifs": _Motifs,
    "logement-recherche": _LogementRecherche,
}

# Where an error without a precise field is shown (the list as a whole).
_CHAMP_DE_LISTE = {
    "motifs": "motifs_coches",
    "logement_recherche.typologies": "logement_recherche.typologies",
    "logement_recherche.communes": "logement_recherche.communes[0]",
}


def _erreurs(exc: ValidationError) -> dict[str, str]:
    erreurs: dict[str, str] = {}
    for item in error_items(exc.errors(include_url=False)):  # type: ignore[arg-type]
        champ = _CHAMP_DE_LISTE.get(item["champ"], item["champ"])
        if champ.startswith("motifs[") and item["code"] != "missing":
            champ = "motifs_coches"
        erreurs.setdefault(champ, item["message"])
    return erreurs


def valider_etape(code: str, partie: dict[str, Any]) -> dict[str, str]:
    """Errors of a step, field path → French message (empty: the step is valid)."""
    modele = MODELES.get(code)
    if modele is None:
        return {}
    if code == "motifs" and not partie.get("motifs"):
        return {"motifs_coches": "cochez au moins un motif"}
    try:
        modele.model_validate(partie)
    except ValidationError as exc:
        return _erreurs(exc)
    return {}


def document(departement: str, parties: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The whole demande from the steps' parts (the body a guichet would post)."""
    doc: dict[str, Any] = {"departement": departement, "canal_depot": "EN_LIGNE"}
    for code in RUBRIQUES:
        doc.update(parties.get(code) or {})
    return doc


@dataclass(frozen=True)
class Verification:
    saisie: DemandeSaisie | None
    erreurs: dict[str, str]  # field path → message
    etapes_incompletes: tuple[str, ...]


def etape_du_champ(champ: str) -> str:
    racine = champ.split(".")[0].split("[")[0]
    if racine in ("motifs_coches", "motif_principal", "precision_autre"):
        return "motifs"
    for code, rubriques in RUBRIQUES.items():
        if racine in rubriques:
            return code
    return "menage"


def verifier(
    departement: str,
    parties: dict[str, dict[str, Any]],
    departements_couverts: frozenset[str],
    commune_existe: Callable[[str], bool],
) -> Verification:
    """The whole demande checked as demandes will check it (shape, then reference data)."""
    erreurs: dict[str, str] = {}
    for code in RUBRIQUES:
        if code not in parties:
            erreurs.setdefault(f"etape:{code}", "étape à remplir")
        else:
            for champ, message in valider_etape(code, parties[code]).items():
                erreurs.setdefault(champ, message)
    saisie: DemandeSaisie | None = None
    if not erreurs:
        try:
            saisie = DemandeSaisie.model_validate(document(departement, parties))
        except ValidationError as exc:
            erreurs = _erreurs(exc)
        else:
            for i in incoherences(saisie, departements_couverts, commune_existe):
                erreurs.setdefault(i.champ, i.message)
            if erreurs:
                saisie = None
    incompletes = tuple(
        dict.fromkeys(
            c.removeprefix("etape:") if c.startswith("etape:") else etape_du_champ(c)
            for c in erreurs
        )
    )
    return Verification(saisie, erreurs, incompletes)


class _Modification(Saisie):
    logement_recherche: LogementRechercheSaisie
    enfants_a_naitre: int = Field(default=0, ge=0, le=9)


def modification(saisie: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """What the household changes online on a registered demande (the fields it owns that
    the portail knows from the snapshots): the JSON merge patch, or the errors. Every key of
    the wanted home is sent (null clears it): the rubrique is replaced, not merged."""
    try:
        valide = _Modification.model_validate(saisie)
    except ValidationError as exc:
        return {}, _erreurs(exc)
    return valide.model_dump(mode="json"), {}


# --- the identity document -----------------------------------------------------------------------

TAILLE_MAX = 5 * 1024 * 1024
FORMATS: dict[bytes, str] = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


def type_de_contenu(contenu: bytes) -> str | None:
    """PDF, JPEG or PNG read from the content's first bytes (never from the name)."""
    return next((t for signature, t in FORMATS.items() if contenu.startswith(signature)), None)


def refus_du_fichier(contenu: bytes, type_piece: str) -> dict[str, str]:
    """Why an uploaded identity document is refused (empty: accepted)."""
    erreurs: dict[str, str] = {}
    if type_piece not in TYPES_PIECE_IDENTITE:
        erreurs["type_piece"] = "choisissez le type de pièce"
    if not contenu:
        erreurs["fichier"] = "le fichier est vide ou absent : choisissez un fichier"
    elif len(contenu) > TAILLE_MAX:
        erreurs["fichier"] = f"fichier trop volumineux (maximum {TAILLE_MAX // (1024 * 1024)} Mo)"
    elif type_de_contenu(contenu) is None:
        erreurs["fichier"] = (
            "format non accepté : PDF, JPEG ou PNG uniquement (le contenu du fichier fait foi, "
            "pas son nom)"
        )
    return erreurs


# --- what the household may do on its demande (renewal window, states) ------------------------


def renouvellement_ouvert_le(expiration: date, preavis_mois: int) -> date:
    """The renewal opens with the notice, `preavis_mois` before expiry (R441-2-7 CCH)."""
    return add_months(expiration, -preavis_mois)


def peut_renouveler(
    statut: str, expiration: date | None, aujourd_hui: date, preavis_mois: int
) -> bool:
    if statut == "EXPIREE_GRACE":
        return True
    return (
        statut == "ACTIVE"
        and expiration is not None
        and aujourd_hui >= renouvellement_ouvert_le(expiration, preavis_mois)
    )


def peut_modifier(statut: str) -> bool:
    return statut in ("BROUILLON", "A_VALIDER", "ACTIVE", "EXPIREE_GRACE")


def peut_renoncer(statut: str) -> bool:
    return statut in ("ACTIVE", "EXPIREE_GRACE")
