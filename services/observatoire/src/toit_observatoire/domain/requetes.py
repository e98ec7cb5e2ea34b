"""A list's query, checked against the allow-list of its domain (pure).

`valider` turns what a user sent (names and raw values) into a `Requete` whose
fields are `Champ` objects of the allow-list and whose values are typed, or
refuses it with `RequeteInvalide` naming the field in French. What it returns is
the only input of the SQL compiler."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from servicekit import exceptions as refus
from toit_observatoire.domain.champs import (
    DOMAINES,
    LIBELLES_OPERATEURS,
    OPERATEURS,
    Champ,
    Domaine,
    Operateur,
    TypeChamp,
)

MAX_FILTRES = 20
MAX_VALEURS = 100
MAX_COLONNES = 30
MAX_REGROUPEMENTS = 2
MAX_TEXTE = 64
_MOIS = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_CODE = re.compile(r"[0-9A-Za-z_\-]{1,64}")


class RequeteInvalide(refus.Invalide, ValueError):
    """A list's definition refused; `champ` is the path of the faulty part (422)."""

    detail = "Définition de liste invalide"

    def __init__(self, champ: str, message: str) -> None:
        super().__init__([refus.Erreur(f"definition.{champ}", message, "requete_invalide")])
        self.args = (message,)
        self.champ = champ
        self.message = message


class Fonction(StrEnum):
    NOMBRE = "nombre"
    SOMME = "somme"
    MOYENNE = "moyenne"
    MEDIANE = "mediane"
    POURCENTAGE = "pourcentage"


LIBELLES_FONCTIONS = {
    Fonction.NOMBRE: "Nombre",
    Fonction.SOMME: "Somme",
    Fonction.MOYENNE: "Moyenne",
    Fonction.MEDIANE: "Médiane",
    Fonction.POURCENTAGE: "% du total",
}


@dataclass(frozen=True)
class Filtre:
    champ: Champ
    operateur: Operateur
    valeurs: tuple[Any, ...]


@dataclass(frozen=True)
class Agregat:
    fonction: Fonction
    champ: Champ | None

    @property
    def nom(self) -> str:
        return self.fonction.value + (f"_{self.champ.nom}" if self.champ else "")

    @property
    def libelle(self) -> str:
        label = LIBELLES_FONCTIONS[self.fonction]
        return f"{label} : {self.champ.libelle}" if self.champ else label


@dataclass(frozen=True)
class Tri:
    champ: Champ
    descendant: bool


@dataclass(frozen=True)
class Requete:
    domaine: Domaine
    filtres: tuple[Filtre, ...]
    colonnes: tuple[Champ, ...]
    tri: tuple[Tri, ...]
    regroupements: tuple[Champ, ...]
    agregats: tuple[Agregat, ...]

    @property
    def groupee(self) -> bool:
        return bool(self.regroupements)

    @property
    def nominative(self) -> bool:
        return not self.groupee and any(c.nominatif for c in self.colonnes)


def _domaine(nom: Any) -> Domaine:
    domaine = DOMAINES.get(nom) if isinstance(nom, str) else None
    if domaine is None:
        raise RequeteInvalide(
            "domaine", f"domaine inconnu : choisissez parmi {', '.join(sorted(DOMAINES))}"
        )
    return domaine


def _champ(domaine: Domaine, nom: Any, where: str) -> Champ:
    champ = domaine.champ(nom) if isinstance(nom, str) else None
    if champ is None:
        shown = nom if isinstance(nom, str) and len(nom) <= MAX_TEXTE else "?"
        raise RequeteInvalide(
            where, f"champ « {shown} » inconnu dans le domaine « {domaine.libelle} »"
        )
    return champ


def _valeur(champ: Champ, raw: Any, where: str) -> Any:
    bad = RequeteInvalide(where, f"valeur invalide pour « {champ.libelle} » ({champ.type.value})")
    try:
        match champ.type:
            case TypeChamp.ENTIER:
                if isinstance(raw, bool) or not isinstance(raw, int | str):
                    raise bad
                value: Any = int(raw)
                if abs(value) > 10**12:
                    raise bad
                return value
            case TypeChamp.DECIMAL:
                if isinstance(raw, bool) or not isinstance(raw, int | float | str):
                    raise bad
                dec = Decimal(str(raw))
                if not dec.is_finite() or abs(dec) > 10**12:
                    raise bad
                return dec
            case TypeChamp.DATE:
                if not isinstance(raw, str) or len(raw) != 10:
                    raise bad
                return date.fromisoformat(raw)
            case TypeChamp.MOIS:
                if not isinstance(raw, str) or not _MOIS.fullmatch(raw):
                    raise bad
                return raw
            case TypeChamp.BOOLEEN:
                if not isinstance(raw, bool):
                    raise bad
                return raw
            case TypeChamp.CODE:
                if not isinstance(raw, str) or not _CODE.fullmatch(raw):
                    raise bad
                if champ.valeurs is not None and raw not in champ.valeurs:
                    raise RequeteInvalide(
                        where,
                        f"valeur « {raw} » inconnue pour « {champ.libelle} » : "
                        f"{', '.join(champ.valeurs)}",
                    )
                return raw
    except (ValueError, InvalidOperation):
        raise bad from None
    raise bad


def _filtre(domaine: Domaine, raw: Any, where: str) -> Filtre:
    if not isinstance(raw, dict):
        raise RequeteInvalide(where, "filtre attendu : {champ, operateur, valeur}")
    champ = _champ(domaine, raw.get("champ"), f"{where}.champ")
    raw_op = raw.get("operateur")
    operateur = next((o for o in OPERATEURS[champ.type] if o.value == raw_op), None)
    if operateur is None:
        permis = ", ".join(f"{o.value} ({LIBELLES_OPERATEURS[o]})" for o in OPERATEURS[champ.type])
        raise RequeteInvalide(
            f"{where}.operateur",
            f"opérateur non permis pour le champ « {champ.libelle} » "
            f"(type {champ.type.value}) : {permis}",
        )
    raw_value = raw.get("valeur")
    if operateur in (Operateur.RENSEIGNE, Operateur.NON_RENSEIGNE):
        values: tuple[Any, ...] = ()
    elif operateur in (Operateur.PARMI, Operateur.ENTRE):
        expected = 2 if operateur is Operateur.ENTRE else None
        if not isinstance(raw_value, list) or not raw_value or len(raw_value) > MAX_VALEURS:
            raise RequeteInvalide(f"{where}.valeur", f"liste de 1 à {MAX_VALEURS} valeurs attendue")
        if expected is not None and len(raw_value) != expected:
            raise RequeteInvalide(f"{where}.valeur", "deux bornes attendues : [min, max]")
        values = tuple(_valeur(champ, v, f"{where}.valeur[{i}]") for i, v in enumerate(raw_value))
    else:
        values = (_valeur(champ, raw_value, f"{where}.valeur"),)
    return Filtre(champ, operateur, values)


def _liste(raw: Any, where: str, maximum: int) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > maximum:
        raise RequeteInvalide(where, f"liste de {maximum} éléments au plus attendue")
    return raw


def valider(definition: Any, *, nominatif_permis: bool) -> Requete:
    """Check a list's definition; `nominatif_permis` says whether the caller may
    read nominative demandes (else grouping on or showing a nominative field is
    refused)."""
    if not isinstance(definition, dict):
        raise RequeteInvalide("definition", "définition de liste attendue")
    domaine = _domaine(definition.get("domaine"))
    filtres = tuple(
        _filtre(domaine, f, f"filtres[{i}]")
        for i, f in enumerate(_liste(definition.get("filtres"), "filtres", MAX_FILTRES))
    )
    regroupements: list[Champ] = []
    for i, nom in enumerate(
        _liste(definition.get("regroupements"), "regroupements", MAX_REGROUPEMENTS)
    ):
        where = f"regroupements[{i}]"
        champ = _champ(domaine, nom, where)
        if champ.nominatif and not nominatif_permis:
            raise RequeteInvalide(
                where,
                f"regroupement sur « {champ.libelle} » refusé : donnée nominative, "
                "réservée aux rôles qui consultent les demandes",
            )
        if not champ.groupable:
            raise RequeteInvalide(where, f"on ne peut pas regrouper sur « {champ.libelle} »")
        if champ in regroupements:
            raise RequeteInvalide(where, f"« {champ.libelle} » est déjà un regroupement")
        regroupements.append(champ)
    colonnes: list[Champ] = []
    for i, nom in enumerate(_liste(definition.get("colonnes"), "colonnes", MAX_COLONNES)):
        where = f"colonnes[{i}]"
        champ = _champ(domaine, nom, where)
        if champ.nominatif and not nominatif_permis:
            raise RequeteInvalide(
                where,
                f"colonne « {champ.libelle} » refusée : donnée nominative, "
                "réservée aux rôles qui consultent les demandes",
            )
        colonnes.append(champ)
    agregats: list[Agregat] = []
    for i, raw in enumerate(_liste(definition.get("agregats"), "agregats", 10)):
        where = f"agregats[{i}]"
        if not isinstance(raw, dict):
            raise RequeteInvalide(where, "agrégat attendu : {fonction, champ}")
        fonction = next((f for f in Fonction if f.value == raw.get("fonction")), None)
        if fonction is None:
            raise RequeteInvalide(
                f"{where}.fonction",
                f"fonction inconnue : {', '.join(f.value for f in Fonction)}",
            )
        champ_agrege: Champ | None = None
        if fonction in (Fonction.SOMME, Fonction.MOYENNE, Fonction.MEDIANE):
            champ_agrege = _champ(domaine, raw.get("champ"), f"{where}.champ")
            if not champ_agrege.mesurable:
                raise RequeteInvalide(
                    f"{where}.champ",
                    f"« {champ_agrege.libelle} » n'est pas une mesure (somme, moyenne, médiane)",
                )
        agregats.append(Agregat(fonction, champ_agrege))
    if regroupements and not agregats:
        agregats = [Agregat(Fonction.NOMBRE, None), Agregat(Fonction.POURCENTAGE, None)]
    if not regroupements:
        if agregats:
            raise RequeteInvalide("agregats", "les agrégats demandent au moins un regroupement")
        if not colonnes:
            raise RequeteInvalide("colonnes", "choisissez au moins une colonne ou un regroupement")
    tri: list[Tri] = []
    for i, raw in enumerate(_liste(definition.get("tri"), "tri", 5)):
        where = f"tri[{i}]"
        if not isinstance(raw, dict):
            raise RequeteInvalide(where, "tri attendu : {champ, sens}")
        champ = _champ(domaine, raw.get("champ"), f"{where}.champ")
        visible = regroupements if regroupements else colonnes
        if champ not in visible:
            raise RequeteInvalide(
                f"{where}.champ", f"tri sur « {champ.libelle} » : ce champ n'est pas affiché"
            )
        sens = raw.get("sens", "asc")
        if sens not in ("asc", "desc"):
            raise RequeteInvalide(f"{where}.sens", "sens attendu : asc ou desc")
        tri.append(Tri(champ, sens == "desc"))
    return Requete(
        domaine, filtres, tuple(colonnes), tuple(tri), tuple(regroupements), tuple(agregats)
    )
