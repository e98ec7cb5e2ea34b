"""Housing stock (patrimoine) of the bailleurs: a unit and the validation of one import
line (primer §9.1: RPLS id, address, commune, QPV, typologie, surface, floor and lift,
accessibility, financing, rent and charges, heating and water, contingent, position).

Pure: the commune lookup is passed in (`Communes`)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from toit_contracts.enums import Typologie


class Financement(StrEnum):
    PLAI = "PLAI"
    PLUS = "PLUS"
    PLS = "PLS"
    PLI = "PLI"


class Accessibilite(StrEnum):
    NON = "NON"
    ADAPTABLE = "ADAPTABLE"
    ACCESSIBLE = "ACCESSIBLE"  # accessible PMR
    ADAPTE = "ADAPTE"  # adapté (fauteuil roulant)


LIBELLES_ACCESSIBILITE = {
    Accessibilite.NON: "non accessible",
    Accessibilite.ADAPTABLE: "adaptable",
    Accessibilite.ACCESSIBLE: "accessible PMR",
    Accessibilite.ADAPTE: "adapté au fauteuil roulant",
}


class Mode(StrEnum):
    """Heating or hot water: individual (paid by the tenant) or collective (in charges)."""

    INDIVIDUEL = "INDIVIDUEL"
    COLLECTIF = "COLLECTIF"


class Contingent(StrEnum):
    ETAT_PRIORITAIRES = "ETAT_PRIORITAIRES"
    ETAT_FONCTIONNAIRES = "ETAT_FONCTIONNAIRES"
    ACTION_LOGEMENT = "ACTION_LOGEMENT"
    COLLECTIVITES = "COLLECTIVITES"
    BAILLEUR = "BAILLEUR"


LIBELLES_CONTINGENT = {
    Contingent.ETAT_PRIORITAIRES: "État — publics prioritaires",
    Contingent.ETAT_FONCTIONNAIRES: "État — agents publics",
    Contingent.ACTION_LOGEMENT: "Action Logement",
    Contingent.COLLECTIVITES: "Collectivités territoriales",
    Contingent.BAILLEUR: "Bailleur (non réservé)",
}

COLONNES_OBLIGATOIRES = (
    "rpls",
    "adresse",
    "commune_insee",
    "typologie",
    "surface_m2",
    "financement",
    "loyer",
    "charges",
)
COLONNES_FACULTATIVES = (
    "programme",
    "residence",
    "code_postal",
    "qpv",
    "etage",
    "ascenseur",
    "accessibilite",
    "chauffage",
    "eau",
    "contingent",
    "latitude",
    "longitude",
)
COLONNES = COLONNES_OBLIGATOIRES + COLONNES_FACULTATIVES
_CONNUES = frozenset(COLONNES)
LONGUEUR_MAX = {"rpls": 30, "adresse": 200, "programme": 120, "residence": 120}
_RPLS = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,29}$")
_CONTROLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_VRAI = {"oui", "o", "1", "true", "vrai", "x"}
_FAUX = {"non", "n", "0", "false", "faux", ""}


_TYPOLOGIES = {x.value: x for x in Typologie}
_VALEURS: dict[type[StrEnum], dict[str, StrEnum]] = {
    classe: {x.value: x for x in classe}
    for classe in (Financement, Accessibilite, Mode, Contingent)
}


@dataclass(frozen=True, slots=True)
class Logement:
    rpls: str
    adresse: str
    commune: str
    typologie: Typologie
    surface_m2: Decimal
    financement: Financement
    loyer: Decimal
    charges: Decimal
    programme: str | None = None
    residence: str | None = None
    code_postal: str | None = None
    qpv: bool = False
    etage: int = 0
    ascenseur: bool = False
    accessibilite: Accessibilite = Accessibilite.NON
    chauffage: Mode = Mode.COLLECTIF
    eau: Mode = Mode.COLLECTIF
    contingent: Contingent | None = None
    latitude: float | None = None
    longitude: float | None = None

    def empreinte(self) -> str:
        """Content hash: the same unit imported again changes nothing."""
        valeurs = "|".join(
            "" if (v := getattr(self, nom)) is None else str(v) for nom in self.__slots__
        )
        return hashlib.sha256(valeurs.encode()).hexdigest()[:32]

    def valeurs(self) -> dict[str, object]:
        return {nom: getattr(self, nom) for nom in self.__slots__}


@dataclass(frozen=True, slots=True)
class ErreurLigne:
    ligne: int
    champ: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"ligne": self.ligne, "champ": self.champ, "message": self.message}


Communes = Callable[[str], bool]
"""Does this INSEE code name a commune of the territory?"""


def _texte(valeur: object) -> str:
    if type(valeur) is str:
        return valeur.strip()
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    return str(valeur).strip()


def _decimal(texte: str) -> Decimal:
    nombre = Decimal(texte.replace(" ", "").replace("\u00a0", "").replace(",", "."))
    if not nombre.is_finite():
        raise InvalidOperation
    return nombre


def valider_logement(
    ligne: int, champs: Mapping[str, object], communes: Communes
) -> Logement | list[ErreurLigne]:
    """One line of an import (or one pushed unit): the unit, or every error it holds."""
    erreurs: list[ErreurLigne] = []

    def erreur(champ: str, message: str) -> None:
        erreurs.append(ErreurLigne(ligne, champ, message))

    if not _CONNUES.issuperset(champs):
        for champ in sorted(set(champs) - _CONNUES):
            erreur(champ, "champ inconnu")
    t = {nom: v.strip() if type(v := champs.get(nom)) is str else _texte(v) for nom in COLONNES}
    # One search over the line first: the per-field checks run only when it finds something.
    # (joined by a line feed: a character _CONTROLE allows; \x1e was itself a match)
    controle = _CONTROLE.search("\n".join(t.values())) is not None
    if controle or max(map(len, t.values())) > 64:
        for nom, texte in t.items():
            if controle and _CONTROLE.search(texte):
                erreur(nom, "caractère de contrôle interdit")
                t[nom] = ""
            elif len(texte) > LONGUEUR_MAX.get(nom, 64):
                erreur(nom, f"doit contenir au plus {LONGUEUR_MAX.get(nom, 64)} caractères")
                t[nom] = ""
    for nom in COLONNES_OBLIGATOIRES:
        if not t[nom] and not any(e.champ == nom for e in erreurs):
            erreur(nom, "champ obligatoire")
    if t["rpls"] and not _RPLS.match(t["rpls"]):
        erreur("rpls", "identifiant RPLS invalide (lettres, chiffres, - et _, 30 au plus)")
    if t["commune_insee"] and not communes(t["commune_insee"].upper()):
        erreur("commune_insee", f"commune inconnue : {t['commune_insee']}")
    typologie: Typologie | None = None
    if t["typologie"]:
        typologie = _TYPOLOGIES.get(t["typologie"].upper())
        if typologie is None:
            erreur(
                "typologie",
                f"typologie inconnue : {t['typologie']} ; valeurs possibles : "
                + ", ".join(x.value for x in Typologie),
            )

    def montant(nom: str, *, maximum: Decimal) -> Decimal | None:
        if not t[nom]:
            return None
        try:
            valeur = _decimal(t[nom])
        except InvalidOperation:
            erreur(nom, f"nombre attendu, reçu « {t[nom]} »")
            return None
        if valeur < 0:
            erreur(nom, "ne peut pas être négatif")
            return None
        if valeur > maximum:
            erreur(nom, f"valeur invraisemblable (au plus {maximum})")
            return None
        return valeur.quantize(Decimal("0.01"))

    surface = montant("surface_m2", maximum=Decimal(1000))
    if surface is not None and surface == 0:
        erreur("surface_m2", "doit être supérieure à 0")
    loyer = montant("loyer", maximum=Decimal(10000))
    charges = montant("charges", maximum=Decimal(5000))

    def enumeration(nom: str, classe: type[StrEnum], defaut: StrEnum | None) -> object:
        if not t[nom]:
            return defaut
        valeur = _VALEURS[classe].get(t[nom].upper())
        if valeur is None:
            erreur(
                nom,
                f"valeur inconnue : {t[nom]} ; valeurs possibles : "
                + ", ".join(x.value for x in classe),
            )
            return defaut
        return valeur

    financement = enumeration("financement", Financement, None) if t["financement"] else None
    accessibilite = enumeration("accessibilite", Accessibilite, Accessibilite.NON)
    chauffage = enumeration("chauffage", Mode, Mode.COLLECTIF)
    eau = enumeration("eau", Mode, Mode.COLLECTIF)
    contingent = enumeration("contingent", Contingent, None)

    def booleen(nom: str) -> bool:
        texte = t[nom].lower()
        if texte in _VRAI:
            return True
        if texte not in _FAUX:
            erreur(nom, f"oui ou non attendu, reçu « {t[nom]} »")
        return False

    qpv, ascenseur = booleen("qpv"), booleen("ascenseur")
    etage = 0
    if t["etage"]:
        try:
            etage = int(t["etage"])
            if not -3 <= etage <= 60:
                erreur("etage", "étage entre -3 et 60 attendu")
        except ValueError:
            erreur("etage", f"nombre entier attendu, reçu « {t['etage']} »")
    if t["code_postal"] and not re.fullmatch(r"[0-9]{5}", t["code_postal"]):
        erreur("code_postal", "code postal à 5 chiffres attendu")
    position: list[float | None] = [None, None]
    for index, (nom, borne) in enumerate((("latitude", 90.0), ("longitude", 180.0))):
        if t[nom]:
            try:
                valeur = float(_decimal(t[nom]))
                if not -borne <= valeur <= borne:
                    raise InvalidOperation
                position[index] = valeur
            except InvalidOperation:
                erreur(nom, f"coordonnée invalide : {t[nom]}")
    if (position[0] is None) != (position[1] is None) and not any(
        e.champ in ("latitude", "longitude") for e in erreurs
    ):
        erreur("latitude", "latitude et longitude vont ensemble")
    if erreurs:
        return erreurs
    assert typologie is not None and surface is not None and loyer is not None
    assert charges is not None and isinstance(financement, Financement)
    assert isinstance(accessibilite, Accessibilite) and isinstance(chauffage, Mode)
    assert isinstance(eau, Mode) and (contingent is None or isinstance(contingent, Contingent))
    return Logement(
        rpls=t["rpls"],
        adresse=t["adresse"],
        commune=t["commune_insee"].upper(),
        typologie=typologie,
        surface_m2=surface,
        financement=financement,
        loyer=loyer,
        charges=charges,
        programme=t["programme"] or None,
        residence=t["residence"] or None,
        code_postal=t["code_postal"] or None,
        qpv=qpv,
        etage=etage,
        ascenseur=ascenseur,
        accessibilite=accessibilite,
        chauffage=chauffage,
        eau=eau,
        contingent=contingent,
        latitude=position[0],
        longitude=position[1],
    )
