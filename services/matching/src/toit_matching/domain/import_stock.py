"""Import of a bailleur's stock file: CSV (`;`, UTF-8 with or without BOM) or JSON.

Every line is validated; the report names each rejected line with its number, field and
a French reason, and a malformed line never stops the others from being checked. The
file is accepted only when every line is valid (all-or-nothing: the service layer writes
nothing otherwise). Line numbers are the file's: the header is line 1 of a CSV, so the
first unit is line 2; in JSON, the position of the unit in the list (1 for the first).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from enum import StrEnum

from toit_matching.domain.patrimoine import (
    COLONNES,
    COLONNES_OBLIGATOIRES,
    Communes,
    ErreurLigne,
    Logement,
    valider_logement,
)


class Format(StrEnum):
    CSV = "csv"
    JSON = "json"


class FichierIllisible(Exception):
    """The file as a whole cannot be read (encoding, JSON syntax, header)."""

    def __init__(self, message: str, ligne: int = 1, champ: str = "fichier") -> None:
        super().__init__(message)
        self.erreur = ErreurLigne(ligne, champ, message)


@dataclass
class Validation:
    logements: list[Logement] = field(default_factory=list)
    erreurs: list[ErreurLigne] = field(default_factory=list)
    lignes: int = 0

    @property
    def valide(self) -> bool:
        return not self.erreurs


def _decoder(contenu: bytes) -> str:
    try:
        return contenu.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FichierIllisible(
            f"le fichier n'est pas encodé en UTF-8 (octet invalide à la position {exc.start})"
        ) from None


def _champs(texte: str) -> list[str] | str:
    """The values of one CSV line, or the French reason it cannot be read."""
    try:
        return next(csv.reader([texte], delimiter=";", strict=True))
    except csv.Error as exc:
        return f"ligne CSV mal formée ({exc})"
    except StopIteration:
        return []


def lignes_csv(contenu: bytes, lignes_max: int) -> list[tuple[int, dict[str, object]]]:
    """Each physical line is one unit (a value cannot hold a line break): a malformed
    line, such as an unclosed quote, is reported alone and the others are still read."""
    lignes = _decoder(contenu).splitlines()
    if not lignes or not lignes[0].strip():
        raise FichierIllisible("le fichier est vide")
    entete = _champs(lignes[0])
    if isinstance(entete, str):
        raise FichierIllisible(f"en-tête illisible : {entete}", champ="en-tête")
    colonnes = [c.strip().lower() for c in entete]
    if len(colonnes) == 1:
        raise FichierIllisible(
            "en-tête illisible : les colonnes doivent être séparées par « ; »", champ="en-tête"
        )
    inconnues = [c for c in colonnes if c not in COLONNES]
    if inconnues:
        raise FichierIllisible(
            "colonne(s) inconnue(s) dans l'en-tête : " + ", ".join(inconnues), champ="en-tête"
        )
    manquantes = [c for c in COLONNES_OBLIGATOIRES if c not in colonnes]
    if manquantes:
        raise FichierIllisible(
            "colonne(s) obligatoire(s) absente(s) de l'en-tête : " + ", ".join(manquantes),
            champ="en-tête",
        )
    if len(set(colonnes)) != len(colonnes):
        raise FichierIllisible("colonne en double dans l'en-tête", champ="en-tête")
    resultat: list[tuple[int, dict[str, object]]] = []
    for numero, texte in enumerate(lignes[1:], start=2):
        if not texte.strip():
            continue  # blank line
        if len(resultat) >= lignes_max:
            raise FichierIllisible(f"le fichier dépasse {lignes_max} lignes : découpez-le", numero)
        valeurs = _champs(texte)
        if isinstance(valeurs, str):
            resultat.append((numero, {"__ligne__": valeurs}))
        elif len(valeurs) != len(colonnes):
            resultat.append(
                (
                    numero,
                    {
                        "__ligne__": f"nombre de valeurs incorrect : {len(valeurs)} valeurs pour "
                        f"{len(colonnes)} colonnes"
                    },
                )
            )
        else:
            resultat.append((numero, dict(zip(colonnes, valeurs, strict=True))))
    return resultat


def lignes_json(contenu: bytes, lignes_max: int) -> list[tuple[int, dict[str, object]]]:
    texte = _decoder(contenu)
    try:
        donnees = json.loads(texte)
    except json.JSONDecodeError as exc:
        raise FichierIllisible(f"JSON invalide : {exc.msg}", ligne=exc.lineno) from None
    if isinstance(donnees, dict) and set(donnees) == {"logements"}:
        donnees = donnees["logements"]
    if not isinstance(donnees, list):
        raise FichierIllisible(
            'JSON attendu : une liste de logements, ou un objet {"logements": [...]}'
        )
    if len(donnees) > lignes_max:
        raise FichierIllisible(f"le fichier dépasse {lignes_max} logements : découpez-le")
    resultat: list[tuple[int, dict[str, object]]] = []
    for index, element in enumerate(donnees, start=1):
        if not isinstance(element, dict):
            resultat.append((index, {"__objet__": "chaque logement doit être un objet JSON"}))
        elif any(isinstance(v, dict | list) for v in element.values()):
            resultat.append(
                (index, {"__objet__": "les valeurs doivent être simples (texte, nombre, booléen)"})
            )
        else:
            resultat.append((index, element))
    return resultat


def valider_fichier(
    contenu: bytes, format: Format, communes: Communes, *, lignes_max: int = 100_000
) -> Validation:
    """Every line checked; duplicates of an RPLS id within the file reported."""
    validation = Validation()
    try:
        lignes = (lignes_csv if format is Format.CSV else lignes_json)(contenu, lignes_max)
    except FichierIllisible as exc:
        validation.erreurs.append(exc.erreur)
        return validation
    validation.lignes = len(lignes)
    vus: dict[str, int] = {}
    for numero, champs in lignes:
        if "__ligne__" in champs:
            validation.erreurs.append(ErreurLigne(numero, "ligne", str(champs["__ligne__"])))
            continue
        if "__objet__" in champs:
            validation.erreurs.append(ErreurLigne(numero, "logement", str(champs["__objet__"])))
            continue
        resultat = valider_logement(numero, champs, communes)
        if isinstance(resultat, list):
            validation.erreurs.extend(resultat)
            continue
        premier = vus.get(resultat.rpls)
        if premier is not None:
            validation.erreurs.append(
                ErreurLigne(
                    numero,
                    "rpls",
                    f"identifiant RPLS {resultat.rpls} en double (déjà ligne {premier})",
                )
            )
            continue
        vus[resultat.rpls] = numero
        validation.logements.append(resultat)
    return validation
