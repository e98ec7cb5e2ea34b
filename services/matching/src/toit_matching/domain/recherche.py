"""Candidate search for a vacant unit: hard and soft filters, each exclusion explained in
French, and the ranking (score for the unit's EPCI, then priorities, then ancienneté).

Hard filters (primer §6, issue 14): a wished commune (or, when the search is widened, a
commune of the same EPCI); a typology the household accepts and that fits its size under
the configured rule; accessibility needs and the highest floor accepted; resources under
the ceiling of the unit's financing for the household category. Soft filters: taux
d'effort at most, reste à vivre at least, thresholds per bailleur or EPCI; a search may
show the candidates that fail only soft filters (they then carry the reason as an alert).
A household that already refused this unit, or that the CALEOL did not retain for it
(non-attribution, irrecevabilité), is not proposed again for it (hard filter).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from toit_referentiel.rapprochement import RegleRapprochement, Seuils

from toit_matching.domain.budget import Budget, Loyer, Menage, budget
from toit_matching.domain.decisions import Sens
from toit_matching.domain.demandeurs import DemandeVue
from toit_matching.domain.patrimoine import Accessibilite, Financement


class Perimetre(StrEnum):
    COMMUNE = "commune"
    EPCI = "epci"


@dataclass(frozen=True, slots=True)
class Offre:
    """The unit as the search sees it."""

    logement_id: str
    bailleur_id: str
    commune: str
    commune_nom: str
    epci: str | None
    departement: str
    typologie: str
    financement: Financement
    etage: int
    ascenseur: bool
    accessibilite: Accessibilite
    loyer: Decimal
    charges: Decimal
    chauffage_individuel: bool
    eau_individuelle: bool
    annee_reference: int

    def loyer_pour_budget(self) -> Loyer:
        return Loyer(
            self.loyer, self.charges, self.chauffage_individuel, self.eau_individuelle, self.commune
        )


@dataclass(frozen=True, slots=True)
class Exclusion:
    code: str
    groupe: str  # the reason without the household's specifics (counted)
    motif: str  # the full sentence shown for this demande
    souple: bool = False


@dataclass(frozen=True, slots=True)
class Evaluation:
    demande: DemandeVue
    exclusions: tuple[Exclusion, ...]
    budget: Budget | None
    score: Decimal | None

    @property
    def retenue(self) -> bool:
        return not self.exclusions

    @property
    def exclue_durement(self) -> bool:
        return any(not e.souple for e in self.exclusions)


Plafond = Callable[[int, str, int], int]
"""(year, financing, household category) → annual ceiling in euros; raises when absent."""

LIBELLES_BESOINS = {
    "REZ_DE_CHAUSSEE": "un rez-de-chaussée",
    "ASCENSEUR": "un ascenseur",
    "LOGEMENT_ACCESSIBLE": "un logement accessible",
    "LOGEMENT_ADAPTE_FAUTEUIL": "un logement adapté au fauteuil roulant",
    "DOUCHE_PLAIN_PIED": "une douche de plain-pied",
    "STATIONNEMENT_ADAPTE": "un stationnement adapté",
}


def besoin_satisfait(besoin: str, offre: Offre) -> bool:
    if besoin == "REZ_DE_CHAUSSEE":
        return offre.etage == 0
    if besoin == "ASCENSEUR":
        return offre.etage == 0 or offre.ascenseur
    if besoin == "LOGEMENT_ACCESSIBLE":
        return offre.accessibilite in (Accessibilite.ACCESSIBLE, Accessibilite.ADAPTE)
    # Wheelchair, walk-in shower, adapted parking: an adapted unit only.
    return offre.accessibilite is Accessibilite.ADAPTE


def _pourcent(fraction: Decimal) -> str:
    return f"{(fraction * 100).quantize(Decimal('0.1'))} %".replace(".", ",")


def _euros(montant: Decimal) -> str:
    return f"{montant.quantize(Decimal('0.01'))} €".replace(".", ",")


# The reason without the household's specifics, per exclusion code (the counts' wording).
GROUPES_FIXES = {
    "ETAGE": "étage au-dessus de l'étage maximal accepté",
    "RESSOURCES_INCONNUES": "revenu fiscal de référence non renseigné",
    "TAUX_EFFORT_INCALCULABLE": "ressources mensuelles non renseignées",
    "HORS_PERIMETRE": "hors de votre périmètre",
    "REFUS_ANTERIEUR": "a déjà refusé ce logement ou n'y a pas été retenue par la CALEOL",
}


def _groupe_commune(offre: Offre) -> str:
    return f"ne souhaite pas {offre.commune_nom}"


def _groupe_typologie(offre: Offre) -> str:
    return f"ne souhaite pas de {offre.typologie}"


def _groupe_taille(offre: Offre) -> str:
    return f"{offre.typologie} inadapté à la taille du ménage"


def _groupe_besoin(besoin: str) -> str:
    return f"besoin non satisfait : {LIBELLES_BESOINS.get(besoin, besoin.lower())}"


def _groupe_plafond(offre: Offre) -> str:
    return f"ressources au-dessus du plafond {offre.financement.value} {offre.annee_reference}"


def _groupe_taux(seuils: Seuils) -> str:
    return f"taux d'effort au-dessus de {_pourcent(seuils.taux_effort_max)}"


def _groupe_reste(seuils: Seuils) -> str:
    return f"reste à vivre sous {_euros(seuils.reste_a_vivre_min)} par jour et par UC"


def groupes(offre: Offre, seuils: Seuils) -> dict[str, str]:
    """Every exclusion code a search for this unit may count, with its wording."""
    return {
        "COMMUNE": _groupe_commune(offre),
        "TYPOLOGIE_SOUHAITEE": _groupe_typologie(offre),
        "TYPOLOGIE_TAILLE": _groupe_taille(offre),
        **{f"ACCESSIBILITE_{b}": _groupe_besoin(b) for b in LIBELLES_BESOINS},
        f"PLAFOND_{offre.financement.value}": _groupe_plafond(offre),
        "TAUX_EFFORT": _groupe_taux(seuils),
        "RESTE_A_VIVRE": _groupe_reste(seuils),
        **GROUPES_FIXES,
    }


def refus_anterieurs(
    offres_refusees: Iterable[tuple[UUID, date | None, bool]],
    decisions: Iterable[tuple[UUID, str, date | None]],
) -> dict[UUID, Exclusion]:
    """The demandes this unit must not be proposed to again, each with its reason:
    `offres_refusees` (demande, answer date, tacit refusal) and the CALEOL's `decisions`
    on it (demande, sens, decision date); attributions do not exclude (a lapsed or
    refused offer is among the refused offers)."""

    def le(jour: date | None) -> str:
        return "" if jour is None else f" le {jour:%d/%m/%Y}"

    groupe = GROUPES_FIXES["REFUS_ANTERIEUR"]
    refus: dict[UUID, Exclusion] = {}
    for demande_id, sens, jour in decisions:
        if sens == Sens.NON_ATTRIBUTION.value:
            motif = f"exclue : la CALEOL a décidé de ne pas lui attribuer ce logement{le(jour)}"
        elif sens == Sens.IRRECEVABILITE.value:
            motif = (
                f"exclue : la CALEOL a déclaré sa demande irrecevable pour ce logement{le(jour)}"
            )
        else:
            continue
        refus[demande_id] = Exclusion("REFUS_ANTERIEUR", groupe, motif)
    for demande_id, jour, tacite in offres_refusees:
        motif = (
            f"exclue : n'a pas répondu à l'offre de ce logement (refus tacite{le(jour)})"
            if tacite
            else f"exclue : a refusé l'offre de ce logement{le(jour)}"
        )
        refus[demande_id] = Exclusion("REFUS_ANTERIEUR", groupe, motif)
    return refus


def criteres_durs(
    d: DemandeVue,
    offre: Offre,
    *,
    regle: RegleRapprochement,
    plafond: Plafond,
    perimetre: Perimetre,
    epci_de: Callable[[str], str | None],
    noms: Callable[[str], str],
) -> list[Exclusion]:
    """Every hard filter the demande fails for this unit (empty: it passes them all)."""
    raisons: list[Exclusion] = []
    if offre.commune not in d.communes:
        if (
            perimetre is Perimetre.EPCI
            and offre.epci is not None
            and any(epci_de(c) == offre.epci for c in d.communes)
        ):
            pass
        else:
            raisons.append(
                Exclusion(
                    "COMMUNE",
                    _groupe_commune(offre),
                    f"exclue : ne souhaite pas {offre.commune_nom}",
                )
            )
    if offre.typologie not in d.typologies:
        raisons.append(
            Exclusion(
                "TYPOLOGIE_SOUHAITEE",
                _groupe_typologie(offre),
                f"exclue : ne souhaite pas de {offre.typologie} (souhaite "
                + ", ".join(d.typologies)
                + ")",
            )
        )
    if offre.typologie not in regle.typologies_pour(d.taille):
        raisons.append(
            Exclusion(
                "TYPOLOGIE_TAILLE",
                _groupe_taille(offre),
                f"exclue : un {offre.typologie} ne convient pas à un ménage de {d.taille} "
                f"personne(s) (règle : " + ", ".join(regle.typologies_pour(d.taille)) + ")",
            )
        )
    for besoin in d.besoins:
        if not besoin_satisfait(besoin, offre):
            libelle = LIBELLES_BESOINS.get(besoin, besoin.lower())
            raisons.append(
                Exclusion(
                    f"ACCESSIBILITE_{besoin}",
                    _groupe_besoin(besoin),
                    f"exclue : a besoin d'{libelle}",
                )
            )
    if d.etage_max is not None and offre.etage > d.etage_max:
        raisons.append(
            Exclusion(
                "ETAGE",
                GROUPES_FIXES["ETAGE"],
                f"exclue : accepte au plus le {d.etage_max}e étage, le logement est au "
                f"{offre.etage}e",
            )
        )
    annee = offre.annee_reference
    if d.revenu_fiscal is None or d.categorie is None:
        raisons.append(
            Exclusion(
                "RESSOURCES_INCONNUES",
                GROUPES_FIXES["RESSOURCES_INCONNUES"],
                "exclue : revenu fiscal de référence non renseigné, plafond non vérifiable",
            )
        )
    else:
        maximum = plafond(annee, offre.financement.value, d.categorie)
        if d.revenu_fiscal > maximum:
            raisons.append(
                Exclusion(
                    f"PLAFOND_{offre.financement.value}",
                    _groupe_plafond(offre),
                    f"exclue : ressources au-dessus du plafond {offre.financement.value} {annee}, "
                    f"catégorie {d.categorie} ({_euros(d.revenu_fiscal)} pour un plafond de "
                    f"{maximum} €)",
                )
            )
    return raisons


def criteres_souples(b: Budget, seuils: Seuils) -> list[Exclusion]:
    raisons: list[Exclusion] = []
    if b.taux_effort is None:
        raisons.append(
            Exclusion(
                "TAUX_EFFORT_INCALCULABLE",
                GROUPES_FIXES["TAUX_EFFORT_INCALCULABLE"],
                "exclue : ressources mensuelles non renseignées, taux d'effort incalculable",
                souple=True,
            )
        )
        return raisons
    if b.taux_effort > seuils.taux_effort_max:
        raisons.append(
            Exclusion(
                "TAUX_EFFORT",
                _groupe_taux(seuils),
                f"exclue : taux d'effort de {_pourcent(b.taux_effort)}, au-dessus du seuil de "
                f"{_pourcent(seuils.taux_effort_max)}",
                souple=True,
            )
        )
    if b.reste_a_vivre is not None and b.reste_a_vivre < seuils.reste_a_vivre_min:
        raisons.append(
            Exclusion(
                "RESTE_A_VIVRE",
                _groupe_reste(seuils),
                f"exclue : reste à vivre de {_euros(b.reste_a_vivre)} par jour et par UC, sous "
                f"le seuil de {_euros(seuils.reste_a_vivre_min)}",
                souple=True,
            )
        )
    return raisons


def menage_de(d: DemandeVue) -> Menage:
    return Menage(
        d.taille,
        d.annees_naissance,
        d.enfants_a_naitre,
        d.couple,
        d.personnes_a_charge,
        d.ressources_mensuelles,
    )


def evaluer(
    d: DemandeVue,
    offre: Offre,
    *,
    regle: RegleRapprochement,
    seuils: Seuils,
    plafond: Plafond,
    perimetre: Perimetre,
    epci_de: Callable[[str], str | None],
    noms: Callable[[str], str],
    score: Decimal | None,
    le: date,
    hors_perimetre: bool = False,
    refus: Exclusion | None = None,
) -> Evaluation:
    raisons = criteres_durs(
        d, offre, regle=regle, plafond=plafond, perimetre=perimetre, epci_de=epci_de, noms=noms
    )
    if hors_perimetre:
        raisons.insert(
            0,
            Exclusion(
                "HORS_PERIMETRE",
                GROUPES_FIXES["HORS_PERIMETRE"],
                "exclue : demande hors du périmètre de votre organisation",
            ),
        )
    if refus is not None:
        raisons.insert(0, refus)
    b: Budget | None = None
    if not raisons:
        b = budget(menage_de(d), offre.loyer_pour_budget(), regle, le)
        raisons.extend(criteres_souples(b, seuils))
    return Evaluation(d, tuple(raisons), b, score)


def cle_classement(e: Evaluation) -> tuple[object, ...]:
    """Score for the unit's EPCI (highest first, no score last), then priority (DALO,
    validated then declared priority categories), then ancienneté (oldest first)."""
    d = e.demande
    return (
        e.score is None,
        -(e.score or Decimal(0)),
        not d.dalo,
        -d.priorites_validees(),
        -d.priorites_retenues(),
        d.date_depot,
        str(d.demande_id),
    )


@dataclass
class Resultat:
    candidats: list[Evaluation] = field(default_factory=list)
    exclues: list[Evaluation] = field(default_factory=list)
    comptes: dict[str, tuple[str, int]] = field(default_factory=dict)  # code → (groupe, n)
    hors_souhait: int = 0  # active demandes of the département not wishing the commune/EPCI
    prefiltrees: int = 0  # excluded by the storage's pre-filters (counted, not listed)


def classer(evaluations: Iterable[Evaluation], *, filtres_souples: bool) -> Resultat:
    """Candidates ranked; excluded ones kept with their reasons, counted per reason."""
    resultat = Resultat()
    for e in evaluations:
        garde = e.retenue or (not filtres_souples and not e.exclue_durement)
        (resultat.candidats if garde else resultat.exclues).append(e)
        for x in e.exclusions:
            groupe, n = resultat.comptes.get(x.code, (x.groupe, 0))
            resultat.comptes[x.code] = (groupe, n + 1)
    resultat.candidats.sort(key=cle_classement)
    resultat.exclues.sort(key=cle_classement)
    return resultat
