"""What a guichet or the applicant types in: the demande as Cerfa 14069*05 describes it.

Shared by the demandes service (body of POST /api/demandes, the single writer) and the
portail (each step of the online application validates its part with these models, so
the household reads the same French messages as a guichet; the submission command
`portail.demande_soumise` carries a `DemandeSaisie`).

These models validate shape and intrinsic rules (dates, amounts, one principal
motif...) with French messages; `incoherences` checks what needs reference data (does
this commune exist?). Derived values are never typed in: see demandes' `derives.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, NamedTuple

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from toit_contracts.enums import (
    BesoinAccessibilite,
    CanalDepot,
    Civilite,
    LienParente,
    MotifDemande,
    Nationalite,
    PublicPrioritaire,
    SituationFamiliale,
    SituationProfessionnelle,
    StatutJustification,
    TypeDecisionDalo,
    TypeLogementActuel,
    TypeLogementRecherche,
    TypeRessource,
    Typologie,
)
from toit_contracts.types import (
    CodeInsee,
    DateNaissance,
    DatePassee,
    DatePlausible,
    Departement,
    Email,
    Siren,
    departement_de_commune,
)

_NIR = re.compile(r"[12378][0-9]{4}(?:[0-9]{2}|2A|2B)[0-9]{6}[0-9]{2}")


def nir_cle_valide(nir: str) -> bool:
    """Key of a NIR: 97 - (number mod 97), Corsica letters replaced as INSEE does."""
    corps = nir[:13].replace("2A", "19").replace("2B", "18")
    return 97 - int(corps) % 97 == int(nir[13:])


def _nir(value: str) -> str:
    compact = re.sub(r"[\s.]", "", value).upper()
    if not _NIR.fullmatch(compact) or not nir_cle_valide(compact):
        raise ValueError("numéro de sécurité sociale invalide (13 caractères et clé de 2 chiffres)")
    return compact


def _texte(value: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise ValueError("ne doit pas être vide")
    return cleaned


Texte = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_texte)]
TexteLong = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_texte)]
Nir = Annotated[str, Field(max_length=21), AfterValidator(_nir)]
Euros = Annotated[
    Decimal,
    Field(ge=0, le=10_000_000, max_digits=12, decimal_places=2, allow_inf_nan=False),
]
Telephone = Annotated[str, Field(pattern=r"^\+?[0-9 .]{6,20}$")]

# How one person of the household is designated elsewhere in the demande
# (resources, pièces, handicap): "demandeur", "codemandeurs[i]", "colocataires[i]" or
# "occupants[i]". "codemandeur" (one codemandeur, before issue 11) is read as
# "codemandeurs[0]" (`ancien_format`).
REFERENCE_PERSONNE = re.compile(
    r"demandeur|(codemandeurs|colocataires|occupants)\[(0|[1-9][0-9]?)\]"
)
ReferencePersonne = Annotated[
    str,
    Field(
        pattern=r"^(demandeur|(codemandeurs|colocataires|occupants)\[(0|[1-9][0-9]?)\])$",
        description="« demandeur », « codemandeurs[i] », « colocataires[i] » ou "
        "« occupants[i] » (i à partir de 0)",
        examples=["demandeur", "codemandeurs[0]"],
    ),
]


class Saisie(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AdresseSaisie(Saisie):
    ligne1: TexteLong = Field(description="Numéro et voie")
    ligne2: TexteLong | None = Field(default=None, description="Complément d'adresse")
    chez: TexteLong | None = Field(default=None, description="Hébergé chez, domiciliation")
    code_postal: str = Field(pattern=r"^[0-9]{5}$", description="Code postal (5 chiffres)")
    commune_insee: CodeInsee | None = Field(default=None, description="Code INSEE (France)")
    commune: Texte | None = Field(default=None, description="Libellé de la commune")
    pays: Texte = Field(default="France")


class TitreSejour(Saisie):
    type: Texte = Field(description="Nature du titre de séjour")
    valide_jusqu_au: DatePlausible | None = Field(default=None, description="Fin de validité")


class Demandeur(Saisie):
    civilite: Civilite
    nom_naissance: Texte
    nom_usage: Texte | None = None
    prenoms: Annotated[str, Field(min_length=1, max_length=150), AfterValidator(_texte)]
    date_naissance: DateNaissance
    lieu_naissance: TexteLong | None = None
    nir: Nir | None = Field(default=None, description="Numéro de sécurité sociale (15 caractères)")
    nationalite: Nationalite
    titre_sejour: TitreSejour | None = None
    situation_familiale: SituationFamiliale
    email: Email | None = None
    telephone: Telephone | None = None
    adresse: AdresseSaisie | None = None
    courrier_papier: bool = Field(
        default=False, description="Souhaite recevoir les avis par courrier postal"
    )
    tiers_assistant_email: Email | None = Field(
        default=None, description="Courriel de la personne ou du service qui l'accompagne"
    )


class _Cotitulaire(Saisie):
    """An adult who will sign the lease with the demandeur (identity, work)."""

    civilite: Civilite
    nom_naissance: Texte
    nom_usage: Texte | None = None
    prenoms: Annotated[str, Field(min_length=1, max_length=150), AfterValidator(_texte)]
    date_naissance: DateNaissance
    nir: Nir | None = None
    nationalite: Nationalite
    titre_sejour: TitreSejour | None = None
    situation_professionnelle: SituationProfessionnelle | None = None
    commune_travail: CodeInsee | None = Field(
        default=None, description="Commune du lieu de travail"
    )


class Codemandeur(_Cotitulaire):
    lien: LienParente = Field(
        default=LienParente.CONJOINT,
        description="Lien avec le demandeur : conjoint, partenaire ou concubin, ou parent "
        "(enfant, petit-enfant, ascendant, frère ou sœur, autre parent) ; une personne sans "
        "lien de parenté qui signera le bail est un colocataire",
    )

    @field_validator("lien")
    @classmethod
    def _conjoint_ou_parent(cls, lien: LienParente) -> LienParente:
        if lien is LienParente.SANS_LIEN:
            raise ValueError(
                "un codemandeur est le conjoint, le partenaire ou un parent du demandeur ; "
                "une personne sans lien de parenté qui signera le bail se déclare comme "
                "colocataire, sinon comme occupant"
            )
        return lien


class Colocataire(_Cotitulaire):
    """An adult who will co-sign the lease in a colocation (L442-8-4 CCH), with or without
    a family link; their resources count as the codemandeurs' do."""

    lien: LienParente = Field(
        default=LienParente.SANS_LIEN, description="Lien avec le demandeur (souvent aucun)"
    )

    @field_validator("lien")
    @classmethod
    def _pas_conjoint(cls, lien: LienParente) -> LienParente:
        if lien is LienParente.CONJOINT:
            raise ValueError("le conjoint ou partenaire du demandeur se déclare comme codemandeur")
        return lien


class Occupant(Saisie):
    prenoms: Annotated[str, Field(min_length=1, max_length=150), AfterValidator(_texte)]
    nom: Texte
    date_naissance: DateNaissance
    sexe: str | None = Field(default=None, pattern=r"^[FM]$")
    lien: LienParente
    a_charge: bool = Field(default=False, description="À charge fiscalement")
    garde_alternee: bool = False
    droit_visite: bool = Field(default=False, description="Accueilli en droit de visite")


class SituationProfessionnelleSaisie(Saisie):
    """The demandeur's (each codemandeur and colocataire carries their own)."""

    demandeur: SituationProfessionnelle | None = None
    profession_demandeur: TexteLong | None = None
    siret_employeur_demandeur: str | None = Field(default=None, pattern=r"^[0-9]{14}$")
    commune_travail_demandeur: CodeInsee | None = None


class Ressource(Saisie):
    personne: ReferencePersonne
    type: TypeRessource
    montant_mensuel: Euros = Field(description="Montant mensuel en euros")


class RevenuFiscal(Saisie):
    annee: int = Field(ge=2000, le=2100, description="Année des revenus")
    montant: Euros = Field(description="Revenu fiscal de référence en euros")
    personne: ReferencePersonne = Field(
        default="demandeur", description="Déclarant du foyer fiscal"
    )


class LogementActuelSaisie(Saisie):
    type: TypeLogementActuel
    commune_insee: CodeInsee | None = None
    loyer_mensuel: Euros | None = None
    charges_mensuelles: Euros | None = None
    aide_logement_mensuelle: Euros | None = None
    nombre_pieces: int | None = Field(default=None, ge=1, le=30)
    surface_m2: Decimal | None = Field(
        default=None, ge=0, le=10_000, max_digits=6, decimal_places=1, allow_inf_nan=False
    )
    nombre_occupants: int | None = Field(default=None, ge=1, le=30)
    depuis: DatePassee | None = None
    siren_bailleur: Siren | None = None
    procedure_expulsion: bool = False
    non_decent: bool = Field(default=False, description="Non décent, insalubre ou dangereux")


class Motif(Saisie):
    code: MotifDemande
    principal: bool = False
    precision: TexteLong | None = Field(default=None, description="Pour le motif AUTRE")


class LogementRechercheSaisie(Saisie):
    typologies: list[Typologie] = Field(min_length=1, max_length=7)
    type: TypeLogementRecherche = TypeLogementRecherche.INDIFFERENT
    communes: list[CodeInsee] = Field(
        min_length=1, max_length=30, description="Codes INSEE, par ordre de préférence"
    )
    loyer_max_mensuel: Euros | None = None
    etage_max: int | None = Field(default=None, ge=0, le=60)
    besoins_accessibilite: list[BesoinAccessibilite] = Field(default_factory=list)

    @field_validator("communes")
    @classmethod
    def _communes_distinctes(cls, communes: list[str]) -> list[str]:
        if len(set(communes)) != len(communes):
            raise ValueError("une commune figure deux fois")
        return communes

    @field_validator("typologies")
    @classmethod
    def _typologies_distinctes(cls, typologies: list[Typologie]) -> list[Typologie]:
        if len(set(typologies)) != len(typologies):
            raise ValueError("une typologie figure deux fois")
        return typologies


class Handicap(Saisie):
    """Complément handicap of one person: sensitive (health) data."""

    personne: ReferencePersonne
    carte_invalidite: bool = Field(
        default=False, description="Carte mobilité inclusion « invalidité » ou carte d'invalidité"
    )
    nature: list[Annotated[str, Field(pattern=r"^(MOTEUR|SENSORIEL|PSYCHIQUE|MENTAL|AUTRE)$")]] = (
        Field(default_factory=list, max_length=5)
    )
    fauteuil_roulant: bool = False
    decision_mdph: bool = False
    adaptations: list[BesoinAccessibilite] = Field(default_factory=list)


class DecisionDaloSaisie(Saisie):
    type: TypeDecisionDalo
    date_decision: DatePassee
    reference: Annotated[str, Field(max_length=64)] | None = None
    designe_par_prefet: bool = False


class Priorite(Saisie):
    categorie: PublicPrioritaire
    statut: StatutJustification = StatutJustification.DECLAREE


class DemandeSaisie(Saisie):
    """The whole demande as typed in (body of POST /api/demandes)."""

    departement: Departement
    canal_depot: CanalDepot = CanalDepot.GUICHET
    date_depot: DatePassee | None = Field(
        default=None, description="Date du premier dépôt (par défaut : aujourd'hui)"
    )
    demandeur: Demandeur
    codemandeurs: list[Codemandeur] = Field(
        default_factory=list,
        max_length=4,
        description="Conjoint ou parents du demandeur, futurs cotitulaires du bail",
    )
    colocataires: list[Colocataire] = Field(
        default_factory=list,
        max_length=6,
        description="Adultes, avec ou sans lien de parenté, qui signeront le bail en colocation",
    )
    occupants: list[Occupant] = Field(default_factory=list, max_length=20)
    enfants_a_naitre: int = Field(default=0, ge=0, le=9, description="Grossesse en cours")
    situation_professionnelle: SituationProfessionnelleSaisie = Field(
        default_factory=SituationProfessionnelleSaisie
    )
    ressources: list[Ressource] = Field(default_factory=list, max_length=60)
    revenu_fiscal_reference: list[RevenuFiscal] = Field(default_factory=list, max_length=10)
    logement_actuel: LogementActuelSaisie
    motifs: list[Motif] = Field(default_factory=list, max_length=27)
    logement_recherche: LogementRechercheSaisie
    complement_handicap: list[Handicap] = Field(default_factory=list, max_length=22)
    dalo: DecisionDaloSaisie | None = None
    priorites: list[Priorite] = Field(default_factory=list, max_length=14)

    @model_validator(mode="before")
    @classmethod
    def _ancien_format(cls, data: Any) -> Any:
        return ancien_format(data)

    @field_validator("codemandeurs")
    @classmethod
    def _un_conjoint(cls, codemandeurs: list[Codemandeur]) -> list[Codemandeur]:
        if sum(c.lien is LienParente.CONJOINT for c in codemandeurs) > 1:
            raise ValueError("un seul codemandeur peut être le conjoint ou partenaire")
        return codemandeurs

    @field_validator("motifs")
    @classmethod
    def _un_motif_principal(cls, motifs: list[Motif]) -> list[Motif]:
        principaux = sum(m.principal for m in motifs)
        if motifs and principaux != 1:
            raise ValueError("indiquez un et un seul motif principal")
        if len({m.code for m in motifs}) != len(motifs):
            raise ValueError("un motif figure deux fois")
        return motifs

    @field_validator("priorites")
    @classmethod
    def _priorites_distinctes(cls, priorites: list[Priorite]) -> list[Priorite]:
        if len({p.categorie for p in priorites}) != len(priorites):
            raise ValueError("une catégorie prioritaire figure deux fois")
        return priorites

    def personne_existe(self, reference: str) -> bool:
        if reference == "demandeur":
            return True
        match = REFERENCE_PERSONNE.fullmatch(reference)
        if match is None:
            return False
        liste: list[Any] = getattr(self, match.group(1))
        return int(match.group(2)) < len(liste)


_REFERENCES = ("ressources", "revenu_fiscal_reference", "complement_handicap")


def ancien_format(data: Any) -> Any:
    """A demande as written before issue 11 (one `codemandeur` object, its professional
    situation in `situation_professionnelle.codemandeur` and
    `commune_travail_codemandeur`, references "codemandeur") in today's shape
    (`codemandeurs[0]`). Accepted on input for the clients of that time; stored demandes
    were migrated (demandes migration 0005). A codemandeur in both shapes at once is refused."""
    if not isinstance(data, dict):
        return data
    sp = data.get("situation_professionnelle")
    anciens_sp = isinstance(sp, dict) and any(
        k in sp for k in ("codemandeur", "commune_travail_codemandeur")
    )
    lignes_personnes: list[Any] = []
    for champ in _REFERENCES:
        if isinstance(data.get(champ), list):
            lignes_personnes.extend(data[champ])
    anciennes_references = any(
        isinstance(ligne, dict) and ligne.get("personne") == "codemandeur"
        for ligne in lignes_personnes
    )
    if "codemandeur" not in data and not anciens_sp and not anciennes_references:
        return data
    if data.get("codemandeurs") and data.get("codemandeur") is not None:
        raise ValueError(
            "« codemandeur » (ancien format, un seul codemandeur) et « codemandeurs » ne vont "
            "pas ensemble : utilisez « codemandeurs »"
        )
    data = dict(data)
    codemandeur = data.pop("codemandeur", None)
    if isinstance(sp, dict):
        sp = dict(sp)
        situation = sp.pop("codemandeur", None)
        commune = sp.pop("commune_travail_codemandeur", None)
        data["situation_professionnelle"] = sp
        if isinstance(codemandeur, dict):
            codemandeur = dict(codemandeur)
            if situation is not None:
                codemandeur.setdefault("situation_professionnelle", situation)
            if commune is not None:
                codemandeur.setdefault("commune_travail", commune)
    if codemandeur is not None:
        data["codemandeurs"] = [codemandeur]
    for champ in _REFERENCES:
        lignes = data.get(champ)
        if isinstance(lignes, list):
            data[champ] = [
                {**ligne, "personne": "codemandeurs[0]"}
                if isinstance(ligne, dict) and ligne.get("personne") == "codemandeur"
                else ligne
                for ligne in lignes
            ]
    return data


# --- Rules that need reference data or span several fields ------------------------------------


class Incoherence(NamedTuple):
    """One refusal of `incoherences`: the field path, the French message, a code."""

    champ: str
    message: str
    code: str = "value_error"


def incoherences(
    saisie: DemandeSaisie,
    departements_couverts: frozenset[str],
    commune_existe: Callable[[str], bool],
) -> list[Incoherence]:
    """Rules that need reference data or span several fields; each names its field path."""
    erreurs: list[Incoherence] = []
    couverts = departements_couverts
    if saisie.departement not in couverts:
        erreurs.append(
            Incoherence(
                "departement",
                f"département hors du fichier partagé (départements gérés : "
                f"{', '.join(sorted(couverts))})",
                "departement",
            )
        )

    def commune_connue(champ: str, insee: str | None, *, du_departement: bool = False) -> None:
        if insee is None:
            return
        if du_departement and departement_de_commune(insee) != saisie.departement:
            erreurs.append(
                Incoherence(
                    champ,
                    f"la commune {insee} n'est pas dans le département {saisie.departement}",
                    "commune",
                )
            )
        elif departement_de_commune(insee) in couverts and not commune_existe(insee):
            erreurs.append(Incoherence(champ, f"commune inconnue : {insee}", "commune"))

    if saisie.demandeur.adresse is not None:
        commune_connue("demandeur.adresse.commune_insee", saisie.demandeur.adresse.commune_insee)
    commune_connue("logement_actuel.commune_insee", saisie.logement_actuel.commune_insee)
    sp = saisie.situation_professionnelle
    commune_connue(
        "situation_professionnelle.commune_travail_demandeur", sp.commune_travail_demandeur
    )
    for index, codemandeur in enumerate(saisie.codemandeurs):
        commune_connue(f"codemandeurs[{index}].commune_travail", codemandeur.commune_travail)
    for index, colocataire in enumerate(saisie.colocataires):
        commune_connue(f"colocataires[{index}].commune_travail", colocataire.commune_travail)
    for index, insee in enumerate(saisie.logement_recherche.communes):
        commune_connue(f"logement_recherche.communes[{index}]", insee, du_departement=True)

    references: list[tuple[str, list[str]]] = [
        ("ressources", [r.personne for r in saisie.ressources]),
        ("revenu_fiscal_reference", [r.personne for r in saisie.revenu_fiscal_reference]),
        ("complement_handicap", [h.personne for h in saisie.complement_handicap]),
    ]
    for champ, personnes in references:
        for index, personne in enumerate(personnes):
            if not saisie.personne_existe(personne):
                erreurs.append(
                    Incoherence(
                        f"{champ}[{index}].personne",
                        f"« {personne} » ne désigne aucune personne du ménage",
                        "personne",
                    )
                )
    personnes_handicap = [h.personne for h in saisie.complement_handicap]
    if len(set(personnes_handicap)) != len(personnes_handicap):
        erreurs.append(Incoherence("complement_handicap", "une personne figure deux fois"))
    return erreurs
