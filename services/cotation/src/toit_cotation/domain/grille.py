"""Grilles de cotation: declarative criteria, versions and their life cycle.

A grid belongs to one EPCI and one population; its versions go brouillon →
publiée → archivée, and at most one version per EPCI and population is
published. Criteria are data: a criterion reads only whitelisted demande fields
(`champs.CHAMPS`) through a fixed set of comparison operators.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal, Self
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from servicekit.exceptions import Conflit, Invalide
from toit_contracts.enums import PublicPrioritaire
from toit_contracts.types import DatePlausible, SirenEpci
from toit_cotation.domain.champs import CHAMPS, Champ, TypeChamp


class Population(StrEnum):
    DEMANDEURS_EXTERNES = "DEMANDEURS_EXTERNES"
    MUTATIONS = "MUTATIONS"


class EtatGrille(StrEnum):
    BROUILLON = "BROUILLON"
    PUBLIEE = "PUBLIEE"
    ARCHIVEE = "ARCHIVEE"


class Famille(StrEnum):
    """Families of criteria (primer §7.3)."""

    ANCIENNETE = "ANCIENNETE"
    PRIORITE_LEGALE = "PRIORITE_LEGALE"
    LOGEMENT_ACTUEL = "LOGEMENT_ACTUEL"
    RESSOURCES = "RESSOURCES"
    FAMILLE = "FAMILLE"
    EMPLOI = "EMPLOI"
    LOCAL = "LOCAL"
    PENALITE = "PENALITE"


class Operateur(StrEnum):
    EGAL = "egal"
    DIFFERENT = "different"
    PARMI = "parmi"
    HORS = "hors"
    SUPERIEUR = "superieur"
    SUPERIEUR_OU_EGAL = "superieur_ou_egal"
    INFERIEUR = "inferieur"
    INFERIEUR_OU_EGAL = "inferieur_ou_egal"
    CONTIENT = "contient"
    CONTIENT_UN_PARMI = "contient_un_parmi"
    RENSEIGNE = "renseigne"
    NON_RENSEIGNE = "non_renseigne"


_NUMERIQUES = {
    Operateur.SUPERIEUR,
    Operateur.SUPERIEUR_OU_EGAL,
    Operateur.INFERIEUR,
    Operateur.INFERIEUR_OU_EGAL,
}
_SUR_LISTE = {Operateur.CONTIENT, Operateur.CONTIENT_UN_PARMI}
_VALEUR_LISTE = {Operateur.PARMI, Operateur.HORS, Operateur.CONTIENT_UN_PARMI}
_SANS_VALEUR = {Operateur.RENSEIGNE, Operateur.NON_RENSEIGNE}

Points = Annotated[Decimal, Field(ge=-10000, le=10000, decimal_places=2)]


class _Modele(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def champ_connu(chemin: str) -> Champ:
    try:
        return CHAMPS[chemin]
    except KeyError:
        raise ValueError(
            f"champ inconnu : « {chemin} » ; champs possibles : {', '.join(sorted(CHAMPS))}"
        ) from None


def _verifier_valeur(champ: Champ, valeur: object) -> None:
    if not champ.accepte(valeur):
        attendu = {
            TypeChamp.NOMBRE: "un nombre",
            TypeChamp.BOOLEEN: "true ou false",
        }.get(champ.type, "un texte")
        if champ.valeurs is not None:
            attendu = f"l'une des valeurs {', '.join(champ.valeurs)}"
        raise ValueError(f"valeur {valeur!r} impossible pour le champ {champ.chemin} : {attendu}")


class Comparaison(_Modele):
    champ: str = Field(description="Chemin d'un champ de la liste blanche")
    operateur: Operateur
    valeur: Any = None

    @model_validator(mode="after")
    def _coherente(self) -> Self:
        champ = champ_connu(self.champ)
        op = self.operateur
        if op in _SANS_VALEUR:
            if self.valeur is not None:
                raise ValueError(f"l'opérateur {op} ne prend pas de valeur")
            return self
        if self.valeur is None:
            raise ValueError(f"l'opérateur {op} demande une valeur")
        if op in _NUMERIQUES and champ.type is not TypeChamp.NOMBRE:
            raise ValueError(
                f"l'opérateur {op} s'applique à un champ numérique, pas à {self.champ}"
            )
        if champ.type is TypeChamp.LISTE and op not in _SUR_LISTE:
            raise ValueError(
                f"le champ {self.champ} est une liste : utilisez contient ou contient_un_parmi"
            )
        if champ.type is not TypeChamp.LISTE and op in _SUR_LISTE:
            raise ValueError(f"l'opérateur {op} s'applique à un champ liste, pas à {self.champ}")
        element = (
            Champ(champ.chemin, TypeChamp.TEXTE, "", "", champ.valeurs)
            if (champ.type is TypeChamp.LISTE)
            else champ
        )
        if op in _VALEUR_LISTE:
            if not isinstance(self.valeur, list) or not self.valeur:
                raise ValueError(f"l'opérateur {op} demande une liste de valeurs non vide")
            for v in self.valeur:
                _verifier_valeur(element, v)
        else:
            _verifier_valeur(element, self.valeur)
        return self


class _CritereBase(_Modele):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]{0,63}$", description="Code unique dans la grille")
    famille: Famille
    libelle: str = Field(min_length=1, max_length=200)
    validation_instructeur: bool = Field(
        default=False, description="Points provisoires tant qu'un instructeur n'a pas validé"
    )
    priorite_legale: PublicPrioritaire | None = Field(
        default=None, description="Lettre de l'article L441-1 CCH mise en œuvre"
    )
    exige_validation: bool = Field(
        default=False,
        description="Ne compte que des faits établis par l'instruction (priorités validées, "
        "décision DALO enregistrée avec sa référence) : chaque champ lu doit en être un",
    )

    def champs_lus(self) -> list[str]:
        raise NotImplementedError

    @model_validator(mode="after")
    def _faits_valides(self) -> Self:
        if self.exige_validation:
            declaratifs = [c for c in self.champs_lus() if c in CHAMPS and not CHAMPS[c].valide]
            if declaratifs:
                valides = ", ".join(sorted(c.chemin for c in CHAMPS.values() if c.valide))
                raise ValueError(
                    f"le critère exige une validation : {', '.join(declaratifs)} est déclaré "
                    f"par le ménage ; champs établis par l'instruction : {valides}"
                )
        return self


class CritereCondition(_CritereBase):
    """Fixed points when all (or any) of the comparisons hold."""

    type: Literal["condition"]
    points: Points
    mode: Literal["toutes", "une_parmi"] = "toutes"
    conditions: list[Comparaison] = Field(min_length=1, max_length=20)

    def champs_lus(self) -> list[str]:
        return [c.champ for c in self.conditions]


class CriterePointsParMois(_CritereBase):
    """Points per whole month of ancienneté, capped, plus a bonus once the délai
    anormalement long is reached."""

    type: Literal["points_par_mois"]
    points: Points = Field(description="Points par mois d'ancienneté")
    plafond: Points | None = Field(default=None, description="Maximum des points mensuels")
    bonus_delai_anormalement_long: Points | None = None
    delai_anormalement_long_mois: int | None = Field(
        default=None,
        ge=1,
        le=240,
        description="Délai propre à la grille; sinon celui du département de la demande",
    )

    def champs_lus(self) -> list[str]:
        return ["anciennete_mois"]

    @model_validator(mode="after")
    def _plafond(self) -> Self:
        if self.plafond is not None and (self.plafond >= 0) != (self.points >= 0):
            raise ValueError("le plafond doit avoir le signe des points par mois")
        return self


class Tranche(_Modele):
    de: Decimal | None = Field(default=None, description="Borne basse incluse")
    a: Decimal | None = Field(default=None, description="Borne haute exclue")
    points: Points


class CritereTranches(_CritereBase):
    """Points of the band in which a numeric field falls."""

    type: Literal["tranches"]
    champ: str
    tranches: list[Tranche] = Field(min_length=1, max_length=50)

    def champs_lus(self) -> list[str]:
        return [self.champ]

    @model_validator(mode="after")
    def _bandes(self) -> Self:
        champ = champ_connu(self.champ)
        if champ.type is not TypeChamp.NOMBRE:
            raise ValueError(f"les tranches s'appliquent à un champ numérique, pas à {self.champ}")
        precedente: Decimal | None = None
        for i, tranche in enumerate(self.tranches):
            if tranche.de is None and tranche.a is None:
                raise ValueError(f"tranche {i + 1} : indiquez au moins une borne (de, a)")
            if tranche.de is not None and tranche.a is not None and tranche.de >= tranche.a:
                raise ValueError(f"tranche {i + 1} : la borne « de » doit être inférieure à « a »")
            if i > 0 and (tranche.de is None or precedente is None or tranche.de < precedente):
                raise ValueError(
                    f"tranche {i + 1} : les tranches doivent se suivre sans se chevaucher"
                )
            precedente = tranche.a
        return self


class CritereTable(_CritereBase):
    """Points looked up by the value of a coded field; for a list field, the best
    matching value (or the sum when `cumul`)."""

    type: Literal["table"]
    champ: str
    valeurs: dict[str, Points] = Field(min_length=1, max_length=200)
    cumul: bool = False

    def champs_lus(self) -> list[str]:
        return [self.champ]

    @model_validator(mode="after")
    def _cles(self) -> Self:
        champ = champ_connu(self.champ)
        if champ.type in (TypeChamp.NOMBRE, TypeChamp.BOOLEEN):
            raise ValueError(f"une table s'applique à un champ codé, pas à {self.champ}")
        if champ.valeurs is not None:
            for cle in self.valeurs:
                if cle not in champ.valeurs:
                    raise ValueError(
                        f"valeur « {cle} » inconnue pour {self.champ} ; valeurs possibles : "
                        f"{', '.join(champ.valeurs)}"
                    )
        return self


Critere = Annotated[
    CritereCondition | CriterePointsParMois | CritereTranches | CritereTable,
    Field(discriminator="type"),
]


class GrilleDefinition(_Modele):
    """What an EPCI writes, imports and exports: the grid without its life cycle."""

    epci: SirenEpci
    population: Population = Population.DEMANDEURS_EXTERNES
    libelle: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    date_effet: DatePlausible
    exemple: bool = Field(
        default=False, description="Grille d'exemple (démonstration), pas la grille officielle"
    )
    criteres: list[Critere] = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _codes_uniques(self) -> Self:
        vus: set[str] = set()
        for critere in self.criteres:
            if critere.code in vus:
                raise ValueError(f"le code de critère {critere.code} est utilisé deux fois")
            vus.add(critere.code)
        return self


class GrilleInvalide(Invalide, ValueError):
    """The grid does not validate; `erreurs` are pydantic-style error dicts whose
    `loc` names the criterion by its code (answered 422 as a request's validation errors)."""

    def __init__(self, erreurs: list[dict[str, Any]]) -> None:
        super().__init__(erreurs)
        self.args = ("grille invalide",)


def lire_definition(data: object) -> GrilleDefinition:
    """Validate a grid definition; errors locate the criterion by its code."""
    try:
        return GrilleDefinition.model_validate(data)
    except ValidationError as exc:
        criteres = data.get("criteres") if isinstance(data, dict) else None
        raise GrilleInvalide([_nommer_critere(e, criteres) for e in exc.errors()]) from None


def _nommer_critere(erreur: Any, criteres: object) -> dict[str, Any]:
    loc: list[Any] = list(erreur["loc"])
    if len(loc) >= 2 and loc[0] == "criteres" and isinstance(loc[1], int):
        index: int = loc[1]
        code = None
        if isinstance(criteres, list) and index < len(criteres):
            item = criteres[index]
            code = item.get("code") if isinstance(item, dict) else None
        reste = loc[2:]
        if reste and reste[0] in ("condition", "points_par_mois", "tranches", "table"):
            reste = reste[1:]  # the discriminator tag pydantic inserts
        loc = [f"criteres[{code or index}]", *reste]
    return {**erreur, "loc": tuple(loc)}


def problemes_avant_publication(definition: GrilleDefinition) -> list[dict[str, Any]]:
    """What stops a valid draft from being published (the legal minimum)."""
    problemes: list[dict[str, Any]] = []
    if not any(
        c.priorite_legale is not None or c.famille is Famille.PRIORITE_LEGALE
        for c in definition.criteres
    ):
        problemes.append(
            {
                "loc": ("criteres",),
                "msg": "la grille doit mettre en œuvre au moins une priorité de l'article "
                "L441-1 CCH (critère de famille PRIORITE_LEGALE ou avec priorite_legale)",
                "type": "priorite_legale_absente",
            }
        )
    return problemes


class TransitionInterdite(Conflit):
    """The grid's state does not allow this operation (HTTP 409)."""


@dataclass(frozen=True)
class Grille:
    """One version of a grid of an EPCI and population."""

    definition: GrilleDefinition
    version: int
    id: UUID = field(default_factory=uuid4)
    etat: EtatGrille = EtatGrille.BROUILLON
    revision: int = 1
    creee_le: datetime | None = None
    publiee_le: datetime | None = None
    archivee_le: datetime | None = None

    @property
    def epci(self) -> str:
        return self.definition.epci

    @property
    def population(self) -> Population:
        return self.definition.population

    def modifier(self, definition: GrilleDefinition) -> Grille:
        if self.etat is not EtatGrille.BROUILLON:
            raise TransitionInterdite("seule une grille en brouillon peut être modifiée")
        if (definition.epci, definition.population) != (self.epci, self.population):
            raise TransitionInterdite(
                "l'EPCI et la population d'une grille ne changent pas : créez une autre grille"
            )
        return replace(self, definition=definition, revision=self.revision + 1)

    def publier(self, maintenant: datetime) -> Grille:
        if self.etat is not EtatGrille.BROUILLON:
            raise TransitionInterdite("seule une grille en brouillon peut être publiée")
        if self.definition.date_effet > maintenant.date():
            raise TransitionInterdite(
                "la date d'effet est dans le futur : publiez la grille à sa date d'effet"
            )
        if problemes_avant_publication(self.definition):
            raise GrilleInvalide(problemes_avant_publication(self.definition))
        return replace(
            self, etat=EtatGrille.PUBLIEE, publiee_le=maintenant, revision=self.revision + 1
        )

    def archiver(self, maintenant: datetime) -> Grille:
        if self.etat is EtatGrille.ARCHIVEE:
            raise TransitionInterdite("la grille est déjà archivée")
        return replace(
            self, etat=EtatGrille.ARCHIVEE, archivee_le=maintenant, revision=self.revision + 1
        )
