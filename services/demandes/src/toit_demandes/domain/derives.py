"""Values computed from the demande, never typed in (primer §6.3, §8.1, §10.2).

Every function takes the reference date explicitly, so results are reproducible
(the daily jobs and the tests pass the date they work for).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from toit_referentiel.calendrier import anciennete_mois

from toit_contracts.enums import (
    LienParente,
    MotifDemande,
    PublicPrioritaire,
    StatutJustification,
    TypeLogementActuel,
    Typologie,
)
from toit_demandes.domain.saisie import DemandeSaisie

FINANCEMENTS = ("PLAI", "PLUS", "PLS")
AGE_MAX_JEUNE_MENAGE = 55  # sum of the two ages (primer §6.3)
CATEGORIE_MAX = 6


def age(naissance: date, au: date) -> int:
    return au.year - naissance.year - ((au.month, au.day) < (naissance.month, naissance.day))


@dataclass(frozen=True)
class Menage:
    """The household as the ceilings see it."""

    personnes: int
    personnes_a_charge: int
    handicap: bool
    seul: bool
    jeune_menage: bool


def menage(saisie: DemandeSaisie, au: date) -> Menage:
    enfants_a_naitre = saisie.enfants_a_naitre
    a_charge = sum(o.a_charge for o in saisie.occupants) + enfants_a_naitre
    cotitulaires = len(saisie.codemandeurs) + len(saisie.colocataires)
    personnes = 1 + cotitulaires + len(saisie.occupants) + enfants_a_naitre
    handicap = any(h.carte_invalidite for h in saisie.complement_handicap)
    seul = cotitulaires == 0 and all(o.a_charge for o in saisie.occupants)
    conjoint = next((c for c in saisie.codemandeurs if c.lien is LienParente.CONJOINT), None)
    jeune = (
        conjoint is not None
        and personnes == 2
        and age(saisie.demandeur.date_naissance, au) + age(conjoint.date_naissance, au)
        <= AGE_MAX_JEUNE_MENAGE
    )
    return Menage(personnes, a_charge, handicap, seul, jeune)


@dataclass(frozen=True)
class CategorieMenage:
    """Catégorie 1 to 6, plus the persons beyond category 6 (each adds a fixed amount)."""

    categorie: int
    personnes_supplementaires: int = 0


def categorie_menage(m: Menage) -> CategorieMenage:
    """Primer §6.3: a person alone with k dependents, a jeune ménage, or a household with a
    disabled person each count as one person more than they are."""
    majoree = m.handicap or m.jeune_menage or (m.seul and m.personnes_a_charge > 0)
    equivalent = m.personnes + (1 if majoree else 0)
    return CategorieMenage(min(equivalent, CATEGORIE_MAX), max(equivalent - CATEGORIE_MAX, 0))


@dataclass(frozen=True)
class EchelleUC:
    """Modified OECD scale (primer §10.2; configurable)."""

    premier_adulte: Decimal = Decimal("1")
    autre_14_ans_et_plus: Decimal = Decimal("0.5")
    enfant_moins_14_ans: Decimal = Decimal("0.3")
    age_enfant: int = 14


def unites_consommation(
    saisie: DemandeSaisie, au: date, echelle: EchelleUC = EchelleUC()
) -> Decimal:
    naissances = [o.date_naissance for o in saisie.occupants]
    naissances += [c.date_naissance for c in saisie.codemandeurs]
    naissances += [c.date_naissance for c in saisie.colocataires]
    uc = echelle.premier_adulte
    for naissance in naissances:
        uc += (
            echelle.enfant_moins_14_ans
            if age(naissance, au) < echelle.age_enfant
            else echelle.autre_14_ans_et_plus
        )
    return uc


def ressources_mensuelles(saisie: DemandeSaisie) -> Decimal:
    return sum((r.montant_mensuel for r in saisie.ressources), Decimal("0"))


# Expected typologies by household size (pregnancy included); beyond 6 persons, T6.
_TYPOLOGIES_PAR_TAILLE: dict[int, tuple[Typologie, ...]] = {
    1: (Typologie.T1, Typologie.T2),
    2: (Typologie.T2, Typologie.T3),
    3: (Typologie.T3, Typologie.T4),
    4: (Typologie.T4, Typologie.T5),
    5: (Typologie.T5, Typologie.T6),
}


def typologies_attendues(taille: int) -> list[Typologie]:
    return list(_TYPOLOGIES_PAR_TAILLE.get(taille, (Typologie.T6,)))


# --- Eligibility ------------------------------------------------------------------------------

# (année, financement, catégorie de ménage) -> ceiling in euros, None when not published
SourcePlafonds = Callable[[int, str, CategorieMenage], Decimal | None]
# (année, financement) -> the barème is provisional (not read in the arrêté: PLAI, PLS)
SourceProvisoire = Callable[[int, str], bool]


def _jamais_provisoire(_annee: int, _financement: str) -> bool:
    return False


@dataclass(frozen=True)
class Eligibilite:
    financement: str
    annee: int
    plafond: Decimal | None
    revenu: Decimal | None
    annee_revenu: int | None
    eligible: bool | None  # None: ceiling or income unknown
    plafond_provisoire: bool = False  # shown « plafond provisoire, à vérifier »


BAISSE_RESSOURCES_N_MOINS_1 = Decimal("0.10")
"""Primer §6.2: N-1 income replaces N-2 when resources fell by at least 10 %."""


def revenu_fiscal_retenu(saisie: DemandeSaisie, annee: int) -> tuple[int, Decimal] | None:
    """RFR of year N-2 summed over the fiscal households (primer §6.2); N-1 instead only
    when it is at least 10 % below N-2. None when N-2 is unknown: without it, neither the
    rule nor its exception can be applied."""

    def somme(annee_revenu: int) -> Decimal | None:
        montants = [r.montant for r in saisie.revenu_fiscal_reference if r.annee == annee_revenu]
        return sum(montants, Decimal("0")) if montants else None

    n_moins_2, n_moins_1 = somme(annee - 2), somme(annee - 1)
    if n_moins_2 is None:
        return None
    if n_moins_1 is not None and n_moins_1 <= n_moins_2 * (1 - BAISSE_RESSOURCES_N_MOINS_1):
        return annee - 1, n_moins_1
    return annee - 2, n_moins_2


def eligibilites(
    saisie: DemandeSaisie,
    categorie: CategorieMenage,
    annee: int,
    plafonds: SourcePlafonds,
    provisoire: SourceProvisoire = _jamais_provisoire,
) -> list[Eligibilite]:
    revenu = revenu_fiscal_retenu(saisie, annee)
    resultat = []
    for financement in FINANCEMENTS:
        plafond = plafonds(annee, financement, categorie)
        eligible = None if plafond is None or revenu is None else revenu[1] <= plafond
        resultat.append(
            Eligibilite(
                financement,
                annee,
                plafond,
                revenu[1] if revenu else None,
                revenu[0] if revenu else None,
                eligible,
                plafond is not None and provisoire(annee, financement),
            )
        )
    return resultat


# --- Publics prioritaires (L441-1 CCH) detected from the data -----------------------------------

_HEBERGEMENT_TEMPORAIRE = {
    TypeLogementActuel.STRUCTURE_HEBERGEMENT,
    TypeLogementActuel.RESIDENCE_SOCIALE_FOYER,
    TypeLogementActuel.RHVS,
    TypeLogementActuel.CENTRE_ENFANCE_FAMILLE,
    TypeLogementActuel.SOUS_LOCATAIRE,
}
_SANS_LOGEMENT = {
    TypeLogementActuel.SANS_ABRI,
    TypeLogementActuel.HEBERGE_CHEZ_TIERS,
    TypeLogementActuel.SQUAT,
    TypeLogementActuel.CAMPING_CARAVANE,
    TypeLogementActuel.HOTEL,
}
AGE_MAJORITE = 18


SURFACE_MIN_DEUX_PERSONNES = Decimal("16")
SURFACE_PAR_PERSONNE_EN_PLUS = Decimal("9")
"""Manifest overcrowding: less than 16 m² for two persons, plus 9 m² per additional person
(the housing-benefit decency threshold, R822-25 CSS; unverified as the reading of L441-1 h)."""


def suroccupation_manifeste(saisie: DemandeSaisie) -> str | None:
    """Why the current home is manifestly overcrowded, or None (or unknown)."""
    actuel = saisie.logement_actuel
    occupants = actuel.nombre_occupants
    if actuel.surface_m2 is None or occupants is None or occupants < 2:
        return None
    minimum = SURFACE_MIN_DEUX_PERSONNES + SURFACE_PAR_PERSONNE_EN_PLUS * (occupants - 2)
    if actuel.surface_m2 >= minimum:
        return None
    return f"{actuel.surface_m2} m² pour {occupants} personnes, moins de {minimum} m²"


@dataclass(frozen=True)
class PublicDetecte:
    categorie: PublicPrioritaire
    raisons: list[str] = field(default_factory=list)


def publics_prioritaires(saisie: DemandeSaisie, au: date) -> list[PublicDetecte]:
    actuel = saisie.logement_actuel
    motifs = {m.code for m in saisie.motifs}
    detectes: dict[PublicPrioritaire, list[str]] = {}

    def ajouter(categorie: PublicPrioritaire, raison: str) -> None:
        detectes.setdefault(categorie, []).append(raison)

    if saisie.complement_handicap:
        ajouter(PublicPrioritaire.A, "complément handicap renseigné pour une personne du ménage")
    if MotifDemande.HANDICAP in motifs:
        ajouter(PublicPrioritaire.A, "motif « handicap »")
    if actuel.type in _HEBERGEMENT_TEMPORAIRE:
        ajouter(PublicPrioritaire.C, f"logement actuel : {actuel.type.label}")
    non_decent = actuel.non_decent or MotifDemande.LOGEMENT_NON_DECENT in motifs
    if non_decent:
        ajouter(PublicPrioritaire.D_BIS, "logement actuel non décent, insalubre ou dangereux")
    if MotifDemande.LOCAL_IMPROPRE in motifs:
        ajouter(PublicPrioritaire.D_BIS, "motif « local impropre à l'habitation »")
    if MotifDemande.VIOLENCES_FAMILIALES in motifs:
        ajouter(PublicPrioritaire.E, "motif « violences familiales ou au sein du couple »")
    mineur = any(age(o.date_naissance, au) < AGE_MAJORITE for o in saisie.occupants)
    if mineur and non_decent:
        ajouter(PublicPrioritaire.H, "enfant mineur dans un logement non décent")
    # "Logement trop petit" alone is not the manifest overcrowding of letter h: it needs
    # the surface and the number of occupants of the current home.
    suroccupation = suroccupation_manifeste(saisie)
    if mineur and suroccupation:
        ajouter(PublicPrioritaire.H, f"enfant mineur dans un logement sur-occupé ({suroccupation})")
    if actuel.type in _SANS_LOGEMENT:
        ajouter(PublicPrioritaire.I, f"logement actuel : {actuel.type.label}")
    if MotifDemande.SANS_LOGEMENT in motifs:
        ajouter(PublicPrioritaire.I, "motif « sans logement propre »")
    if actuel.procedure_expulsion:
        ajouter(PublicPrioritaire.J, "procédure d'expulsion en cours")
    if MotifDemande.PROCEDURE_EXPULSION in motifs:
        ajouter(PublicPrioritaire.J, "motif « procédure d'expulsion »")
    # Letters the data cannot show (a bis, b, d, e bis, f, g, k...): as the household
    # declared them, with the state of their proof.
    for priorite in saisie.priorites:
        if priorite.statut is not StatutJustification.REJETEE:
            ajouter(
                priorite.categorie,
                f"déclarée par le ménage (justificatif : {priorite.statut.label.lower()})",
            )
    ordre = list(PublicPrioritaire)
    return [
        PublicDetecte(categorie, raisons)
        for categorie, raisons in sorted(detectes.items(), key=lambda kv: ordre.index(kv[0]))
    ]


# --- Everything at once -----------------------------------------------------------------------


@dataclass(frozen=True)
class ValeursDerivees:
    taille_menage: int
    personnes_a_charge: int
    categorie_menage: CategorieMenage
    unites_consommation: Decimal
    ressources_mensuelles_totales: Decimal
    anciennete_mois: int
    typologies_attendues: list[Typologie]
    eligibilites: list[Eligibilite]
    publics_prioritaires: list[PublicDetecte]
    dalo: bool


def deriver(
    saisie: DemandeSaisie,
    date_depot_initial: date,
    au: date,
    plafonds: SourcePlafonds,
    provisoire: SourceProvisoire = _jamais_provisoire,
) -> ValeursDerivees:
    m = menage(saisie, au)
    categorie = categorie_menage(m)
    return ValeursDerivees(
        taille_menage=m.personnes,
        personnes_a_charge=m.personnes_a_charge,
        categorie_menage=categorie,
        unites_consommation=unites_consommation(saisie, au),
        ressources_mensuelles_totales=ressources_mensuelles(saisie),
        anciennete_mois=anciennete_mois(date_depot_initial, au),
        typologies_attendues=typologies_attendues(m.personnes),
        eligibilites=eligibilites(saisie, categorie, au.year, plafonds, provisoire),
        publics_prioritaires=publics_prioritaires(saisie, au),
        dalo=saisie.dalo is not None,
    )
