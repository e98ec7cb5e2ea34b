"""Table-driven tests of the filters, ceilings, typology rule and formulas."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from toit_matching.bootstrap import Referentiel
from toit_matching.domain.budget import Loyer, Menage, apl_estimee, budget, unites_consommation
from toit_matching.domain.patrimoine import Accessibilite, Financement
from toit_matching.domain.recherche import (
    Perimetre,
    classer,
    criteres_durs,
    criteres_souples,
    evaluer,
    refus_anterieurs,
)
from toit_referentiel.rapprochement import Seuils, regles_rapprochement

from .matching_fixtures import offre, priorite, vue

REF = Referentiel()
REGLE = regles_rapprochement()
LE = date(2026, 6, 1)


def codes(d: Any, o: Any, perimetre: Perimetre = Perimetre.COMMUNE) -> list[str]:
    return [
        x.code
        for x in criteres_durs(
            d,
            o,
            regle=REGLE,
            plafond=REF.plafond,
            perimetre=perimetre,
            epci_de=REF.epci_de,
            noms=REF.nom_commune,
        )
    ]


# Ceilings 2026 of primer §6.4: (financing, category, RFR, excluded?)
PLAFONDS = [
    ("PLUS", 1, Decimal(23403), False),
    ("PLUS", 1, Decimal(23404), True),
    ("PLUS", 3, Decimal(37584), False),
    ("PLUS", 3, Decimal(37585), True),
    ("PLUS", 6, Decimal(60156), False),
    ("PLUS", 8, Decimal(60156 + 2 * 6710), False),
    ("PLUS", 8, Decimal(60156 + 2 * 6710 + 1), True),
    ("PLAI", 2, Decimal(18753), False),
    ("PLAI", 2, Decimal(18754), True),
    ("PLAI", 4, Decimal(25092), True),
    ("PLS", 3, Decimal(48859), False),
    ("PLS", 3, Decimal(48860), True),
]


@pytest.mark.parametrize(("financement", "categorie", "rfr", "exclue"), PLAFONDS)
def test_matching_plafond_par_categorie(
    financement: str, categorie: int, rfr: Decimal, exclue: bool
) -> None:
    d = vue(categorie=categorie, revenu_fiscal=rfr, taille=min(categorie, 6) or 1)
    o = offre(financement=Financement(financement), typologie=REGLE.typologies_pour(d.taille)[0])
    d = vue(
        categorie=categorie,
        revenu_fiscal=rfr,
        taille=d.taille,
        typologies=(o.typologie,),
    )
    assert (f"PLAFOND_{financement}" in codes(d, o)) is exclue


def test_matching_motif_plafond_en_francais() -> None:
    d = vue(categorie=3, revenu_fiscal=Decimal(40000))
    motifs = [
        x.motif
        for x in criteres_durs(
            d,
            offre(),
            regle=REGLE,
            plafond=REF.plafond,
            perimetre=Perimetre.COMMUNE,
            epci_de=REF.epci_de,
            noms=REF.nom_commune,
        )
    ]
    assert motifs == [
        "exclue : ressources au-dessus du plafond PLUS 2026, catégorie 3 (40000,00 € pour un "
        "plafond de 37584 €)"
    ]


# Typology rule (configuration): household size × typology → fits?
TYPOLOGIES = [
    (1, "T1", True),
    (1, "T2", True),
    (1, "T3", False),
    (2, "T3", True),
    (3, "T2", True),
    (3, "T5", False),
    (4, "T2", False),
    (5, "T6", True),
    (9, "T6", True),
    (9, "T4", False),
]


@pytest.mark.parametrize(("taille", "typologie", "convient"), TYPOLOGIES)
def test_matching_regle_typologie_taille(taille: int, typologie: str, convient: bool) -> None:
    d = vue(taille=taille, typologies=(typologie,), categorie=1, revenu_fiscal=Decimal(1))
    assert ("TYPOLOGIE_TAILLE" not in codes(d, offre(typologie=typologie))) is convient


ACCESSIBILITE = [
    ("REZ_DE_CHAUSSEE", {"etage": 0}, True),
    ("REZ_DE_CHAUSSEE", {"etage": 1, "ascenseur": True}, False),
    ("ASCENSEUR", {"etage": 3, "ascenseur": True}, True),
    ("ASCENSEUR", {"etage": 3, "ascenseur": False}, False),
    ("LOGEMENT_ACCESSIBLE", {"accessibilite": Accessibilite.ACCESSIBLE}, True),
    ("LOGEMENT_ACCESSIBLE", {"accessibilite": Accessibilite.ADAPTABLE}, False),
    ("LOGEMENT_ADAPTE_FAUTEUIL", {"accessibilite": Accessibilite.ADAPTE}, True),
    ("LOGEMENT_ADAPTE_FAUTEUIL", {"accessibilite": Accessibilite.ACCESSIBLE}, False),
]


@pytest.mark.parametrize(("besoin", "logement", "satisfait"), ACCESSIBILITE)
def test_matching_besoins_accessibilite(
    besoin: str, logement: dict[str, Any], satisfait: bool
) -> None:
    assert (f"ACCESSIBILITE_{besoin}" not in codes(vue(besoins=(besoin,)), offre(**logement))) is (
        satisfait
    )


def test_matching_commune_ou_epci_souhaite() -> None:
    d = vue(communes=("44162",))  # Saint-Herblain, Nantes Métropole
    assert "COMMUNE" in codes(d, offre())
    assert "COMMUNE" not in codes(d, offre(), Perimetre.EPCI)
    loin = vue(communes=("44184",))  # Saint-Nazaire: another EPCI
    assert "COMMUNE" in codes(loin, offre(), Perimetre.EPCI)
    x = criteres_durs(
        vue(communes=("44109",)),
        offre(commune="44162", commune_nom="Saint-Herblain"),
        regle=REGLE,
        plafond=REF.plafond,
        perimetre=Perimetre.COMMUNE,
        epci_de=REF.epci_de,
        noms=REF.nom_commune,
    )
    assert x[0].motif == "exclue : ne souhaite pas Saint-Herblain"


def test_matching_etage_et_ressources_inconnues() -> None:
    assert "ETAGE" in codes(vue(etage_max=1), offre(etage=2))
    assert "ETAGE" not in codes(vue(etage_max=2), offre(etage=2))
    assert "RESSOURCES_INCONNUES" in codes(vue(revenu_fiscal=None), offre())


def menage(**changes: Any) -> Menage:
    base: dict[str, Any] = {
        "taille": 3,
        "annees_naissance": (1985, 1987, 2015),
        "enfants_a_naitre": 0,
        "couple": True,
        "personnes_a_charge": 1,
        "ressources_mensuelles": Decimal(1800),
    }
    base.update(changes)
    return Menage(**base)


# UC scale (modified OECD): first person 1, 14+ 0.5, under 14 0.3.
UC = [
    ((1990,), 0, "1.0"),
    ((1985, 1987), 0, "1.5"),
    ((1985, 1987, 2015), 0, "1.8"),
    ((1985, 2010, 2015, 2020), 0, "2.1"),  # 16 years old in 2026 counts as an adult
    ((1990,), 1, "1.3"),  # an unborn child counts as a child
]


@pytest.mark.parametrize(("naissances", "a_naitre", "attendu"), UC)
def test_matching_unites_consommation(
    naissances: tuple[int, ...], a_naitre: int, attendu: str
) -> None:
    m = menage(annees_naissance=naissances, enfants_a_naitre=a_naitre)
    assert unites_consommation(m, REGLE, LE) == Decimal(attendu)


# Taux d'effort and reste à vivre: (loyer, charges, ressources, chauffage indiv., taux, rav)
BUDGETS = [
    # APL: min(420, 329+47)=376 + 56+13 − (39 + 0.28 × (1800 − 780)) = 445 − 324.6 → 120
    ("420", "90", "1800", False, "0.2167", "26.11"),
    # no APL at higher resources: 0.28 × (3000 − 780) + 39 > 445
    ("420", "90", "3000", False, "0.1700", "46.11"),
    # individual heating: + 25 + 10 × 3 = 55 €
    ("420", "90", "1800", True, "0.2472", "25.09"),
    # low resources: APL capped by the rent ceiling, 445 − (39 + 0) = 406
    ("420", "90", "700", False, "0.1486", "11.04"),
]


@pytest.mark.parametrize(("loyer", "charges", "ressources", "chauffage", "taux", "rav"), BUDGETS)
def test_matching_taux_effort_et_reste_a_vivre(
    loyer: str, charges: str, ressources: str, chauffage: bool, taux: str, rav: str
) -> None:
    b = budget(
        menage(ressources_mensuelles=Decimal(ressources)),
        Loyer(Decimal(loyer), Decimal(charges), chauffage, False, "44109"),
        REGLE,
        LE,
    )
    assert (b.taux_effort, b.reste_a_vivre) == (Decimal(taux), Decimal(rav))
    depense = Decimal(loyer) + Decimal(charges) + b.forfaits_individuels
    assert b.taux_effort == ((depense - b.apl_estimee) / Decimal(ressources)).quantize(
        Decimal("0.0001")
    )


def test_matching_apl_zone_et_sans_ressources() -> None:
    seul = menage(
        taille=1,
        annees_naissance=(1990,),
        couple=False,
        personnes_a_charge=0,
        ressources_mensuelles=Decimal(600),
    )
    # Zone 2 (Nantes): ceiling 268; zone 3 (elsewhere): 251.
    zone2 = apl_estimee(seul, Decimal(500), "44109", REGLE.apl)
    zone3 = apl_estimee(seul, Decimal(500), "44184", REGLE.apl)
    assert zone2 - zone3 == Decimal(17)
    b = budget(
        menage(ressources_mensuelles=None),
        Loyer(Decimal(400), Decimal(50), False, False, "44109"),
        REGLE,
        LE,
    )
    assert b.taux_effort is None and b.reste_a_vivre is None


SOUPLES = [
    ("0.36", "20", ["TAUX_EFFORT"]),
    ("0.35", "20", []),
    ("0.20", "11.99", ["RESTE_A_VIVRE"]),
    ("0.40", "5", ["TAUX_EFFORT", "RESTE_A_VIVRE"]),
]


@pytest.mark.parametrize(("taux", "rav", "attendus"), SOUPLES)
def test_matching_criteres_souples(taux: str, rav: str, attendus: list[str]) -> None:
    from toit_matching.domain.budget import Budget

    b = Budget(Decimal(1), Decimal(0), Decimal(0), Decimal(0), Decimal(taux), Decimal(rav))
    seuils = Seuils(Decimal("0.35"), Decimal(12))
    assert [x.code for x in criteres_souples(b, seuils)] == attendus


def evaluee(score: Decimal | None = None, refus: Any = None, **k: Any) -> Any:
    """The domain's evaluation of a demande (`vue(**k)`) for the default unit."""
    return evaluer(
        vue(**k),
        offre(),
        regle=REGLE,
        seuils=Seuils(Decimal(1), Decimal(0)),
        plafond=REF.plafond,
        perimetre=Perimetre.COMMUNE,
        epci_de=REF.epci_de,
        noms=REF.nom_commune,
        score=score,
        le=LE,
        refus=refus,
    )


def test_matching_classement_score_priorites_anciennete() -> None:
    e = evaluee

    ancienne = e(score=Decimal(40), date_depot=date(2020, 1, 1))
    prioritaire = e(score=Decimal(40), priorites=(priorite("B"),), date_depot=date(2025, 1, 1))
    dalo = e(score=Decimal(40), dalo=True, date_depot=date(2025, 6, 1))
    meilleure = e(score=Decimal(55))
    sans_score = e(date_depot=date(2010, 1, 1))
    exclue = e(score=Decimal(99), communes=("44162",))
    r = classer([ancienne, sans_score, prioritaire, exclue, dalo, meilleure], filtres_souples=True)
    assert r.candidats == [meilleure, dalo, prioritaire, ancienne, sans_score]
    assert r.exclues == [exclue]
    assert r.comptes == {"COMMUNE": ("ne souhaite pas Nantes", 1)}


def test_matching_refus_anterieurs_exclus_du_logement() -> None:
    """Who refused this unit's offer (answer or silence) or was not retained for it by
    the CALEOL (d, e) is excluded from its search; an attribution decided is not."""
    refuse, silence, non_retenue, irrecevable, attribuee = (uuid4() for _ in range(5))
    jour = date(2026, 6, 9)
    refus = refus_anterieurs(
        [(refuse, jour, False), (silence, jour, True)],
        [
            (non_retenue, "NON_ATTRIBUTION", jour),
            (irrecevable, "IRRECEVABILITE", jour),
            (attribuee, "ATTRIBUTION_RANG", jour),
            (refuse, "ATTRIBUTION_RANG", jour),
        ],
    )
    assert {k: x.motif for k, x in refus.items()} == {
        refuse: "exclue : a refusé l'offre de ce logement le 09/06/2026",
        silence: "exclue : n'a pas répondu à l'offre de ce logement (refus tacite le 09/06/2026)",
        non_retenue: "exclue : la CALEOL a décidé de ne pas lui attribuer ce logement le "
        "09/06/2026",
        irrecevable: "exclue : la CALEOL a déclaré sa demande irrecevable pour ce logement le "
        "09/06/2026",
    }
    e = evaluee(demande_id=refuse, refus=refus[refuse])
    assert [x.code for x in e.exclusions] == ["REFUS_ANTERIEUR"] and e.budget is None
    r = classer([e], filtres_souples=False)
    assert r.exclues == [e] and r.comptes["REFUS_ANTERIEUR"][1] == 1
