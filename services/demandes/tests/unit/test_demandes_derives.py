"""Derived values: catégorie de ménage (every case of primer §6.3), UC, eligibility, priorities."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError
from toit_demandes.domain.derives import (
    CategorieMenage,
    categorie_menage,
    deriver,
    eligibilites,
    menage,
    publics_prioritaires,
    revenu_fiscal_retenu,
    typologies_attendues,
    unites_consommation,
)
from toit_demandes.domain.saisie import DemandeSaisie
from toit_demandes.exemples import demande_exemple
from toit_referentiel import anciennete_mois

from toit_contracts.enums import PublicPrioritaire, Typologie

AU = date(2026, 11, 28)

# Ceilings 2026 (primer §6.4), as libs/referentiel publishes them.
PLAFONDS_2026 = {
    "PLUS": ([23403, 31254, 37584, 45374, 53376, 60156], 6710),
    "PLAI": ([12870, 18753, 22551, 25091, 29357, 33085], 3689),
    "PLS": ([30424, 40630, 48859, 58986, 69389, 78203], 8723),
}


def plafonds(annee: int, financement: str, categorie: CategorieMenage) -> Decimal | None:
    if annee != 2026:
        return None
    montants, par_personne = PLAFONDS_2026[financement]
    return Decimal(
        montants[categorie.categorie - 1] + par_personne * categorie.personnes_supplementaires
    )


def enfant(
    naissance: str = "2015-09-01", a_charge: bool = True, lien: str = "ENFANT"
) -> dict[str, Any]:
    return {
        "prenoms": "Léo",
        "nom": "DURAND",
        "date_naissance": naissance,
        "lien": lien,
        "a_charge": a_charge,
    }


def adulte(naissance: str = "1960-01-01") -> dict[str, Any]:
    return enfant(naissance, a_charge=False, lien="SANS_LIEN")


def conjoint(naissance: str = "1984-03-03") -> dict[str, Any]:
    return {
        "civilite": "M",
        "nom_naissance": "MARTIN",
        "prenoms": "Paul",
        "date_naissance": naissance,
        "nationalite": "FRANCAISE",
    }


def handicap(personne: str = "demandeur") -> list[dict[str, Any]]:
    return [{"personne": personne, "carte_invalidite": True}]


def saisie(**rubriques: Any) -> DemandeSaisie:
    rubriques.setdefault("occupants", [])
    return DemandeSaisie.model_validate(demande_exemple(**rubriques))


CAS_CATEGORIES = [
    # (description, rubriques, catégorie, personnes supplémentaires)
    ("une personne seule", {}, 1, 0),
    ("une personne handicapée", {"complement_handicap": handicap()}, 2, 0),
    (
        "deux personnes sans personne à charge, hors jeune ménage",
        {"codemandeur": conjoint("1960-01-01")},
        2,
        0,
    ),
    ("deux adultes non couple", {"occupants": [adulte()]}, 2, 0),
    (
        "jeune ménage : âges cumulés 55 ans",
        {
            "demandeur": {**demande_exemple()["demandeur"], "date_naissance": "1998-11-28"},
            "codemandeur": conjoint("1999-11-28"),
        },
        3,
        0,
    ),
    (
        "couple à 56 ans cumulés : pas un jeune ménage",
        {
            "demandeur": {**demande_exemple()["demandeur"], "date_naissance": "1998-11-28"},
            "codemandeur": conjoint("1998-11-28"),
        },
        2,
        0,
    ),
    ("une personne et une personne à charge", {"occupants": [enfant()]}, 3, 0),
    ("une personne et un enfant à naître", {"enfants_a_naitre": 1}, 3, 0),
    ("trois personnes", {"codemandeur": conjoint("1960-01-01"), "occupants": [adulte()]}, 3, 0),
    (
        "deux personnes dont une handicapée",
        {"codemandeur": conjoint("1960-01-01"), "complement_handicap": handicap("codemandeur")},
        3,
        0,
    ),
    ("quatre personnes", {"codemandeur": conjoint(), "occupants": [enfant(), enfant()]}, 4, 0),
    ("une personne et deux personnes à charge", {"occupants": [enfant(), enfant()]}, 4, 0),
    (
        "trois personnes dont une handicapée",
        {
            "codemandeur": conjoint(),
            "occupants": [enfant()],
            "complement_handicap": handicap("occupants[0]"),
        },
        4,
        0,
    ),
    ("cinq personnes", {"codemandeur": conjoint(), "occupants": [enfant()] * 3}, 5, 0),
    ("une personne et trois personnes à charge", {"occupants": [enfant()] * 3}, 5, 0),
    (
        "quatre personnes dont une handicapée",
        {"codemandeur": conjoint(), "occupants": [enfant()] * 2, "complement_handicap": handicap()},
        5,
        0,
    ),
    ("six personnes", {"codemandeur": conjoint(), "occupants": [enfant()] * 4}, 6, 0),
    ("une personne et quatre personnes à charge", {"occupants": [enfant()] * 4}, 6, 0),
    (
        "cinq personnes dont une handicapée",
        {"codemandeur": conjoint(), "occupants": [enfant()] * 3, "complement_handicap": handicap()},
        6,
        0,
    ),
    (
        "sept personnes : une personne supplémentaire",
        {"codemandeur": conjoint(), "occupants": [enfant()] * 5},
        6,
        1,
    ),
    (
        "six personnes dont une handicapée : une supplémentaire",
        {"codemandeur": conjoint(), "occupants": [enfant()] * 4, "complement_handicap": handicap()},
        6,
        1,
    ),
    (
        "huit personnes : deux supplémentaires",
        {"codemandeur": conjoint(), "occupants": [enfant()] * 6},
        6,
        2,
    ),
    (
        "personne seule, une à charge et un adulte non à charge",
        {"occupants": [enfant(), adulte()]},
        3,
        0,
    ),
]


@pytest.mark.parametrize(
    ("description", "rubriques", "categorie", "supplementaires"),
    CAS_CATEGORIES,
    ids=[c[0] for c in CAS_CATEGORIES],
)
def test_categorie_menage(
    description: str, rubriques: dict[str, Any], categorie: int, supplementaires: int
) -> None:
    resultat = categorie_menage(menage(saisie(**rubriques), AU))
    assert resultat == CategorieMenage(categorie, supplementaires), description


def test_unites_consommation_echelle_oecd_modifiee() -> None:
    s = saisie(
        codemandeur=conjoint(),
        occupants=[
            enfant("2015-01-01"),  # 11 ans : 0,3
            enfant("2012-11-28"),  # 14 ans ce jour : 0,5
            enfant("2012-11-29"),  # 13 ans : 0,3
        ],
    )
    assert unites_consommation(s, AU) == Decimal("2.6")
    assert unites_consommation(saisie(), AU) == Decimal("1")


def test_anciennete_en_mois_revolus() -> None:
    assert anciennete_mois(date(2025, 11, 28), AU) == 12
    assert anciennete_mois(date(2025, 11, 29), AU) == 11
    assert anciennete_mois(date(2027, 1, 1), AU) == 0


def test_typologies_attendues() -> None:
    assert typologies_attendues(1) == [Typologie.T1, Typologie.T2]
    assert typologies_attendues(3) == [Typologie.T3, Typologie.T4]
    assert typologies_attendues(9) == [Typologie.T6]


CAS_PLAFONDS = [
    (financement, categorie, supplementaires)
    for financement in PLAFONDS_2026
    for categorie in range(1, 7)
    for supplementaires in ((0, 1) if categorie == 6 else (0,))
]


@pytest.mark.parametrize(("financement", "categorie", "supplementaires"), CAS_PLAFONDS)
def test_eligibilite_au_plafond_et_un_euro_au_dessus(
    financement: str, categorie: int, supplementaires: int
) -> None:
    cat = CategorieMenage(categorie, supplementaires)
    plafond = plafonds(2026, financement, cat)
    assert plafond is not None
    for revenu, eligible in ((plafond, True), (plafond + 1, False)):
        s = saisie(
            revenu_fiscal_reference=[
                {"annee": 2024, "montant": str(revenu - 1000)},
                {"annee": 2024, "montant": "1000", "personne": "demandeur"},
            ]
        )
        resultat = {e.financement: e for e in eligibilites(s, cat, 2026, plafonds)}
        assert resultat[financement].plafond == plafond
        assert resultat[financement].revenu == revenu
        assert resultat[financement].eligible is eligible, (financement, cat, revenu)


@pytest.mark.parametrize(
    ("revenus", "retenu"),
    [
        ({2024: 20000}, (2024, 20000)),  # N-2: the rule
        ({2024: 20000, 2025: 18000}, (2025, 18000)),  # fell by exactly 10 %: N-1
        ({2024: 20000, 2025: 18001}, (2024, 20000)),  # fell by less than 10 %: N-2
        ({2024: 20000, 2025: 25000}, (2024, 20000)),  # rose: N-2
        ({2025: 10000}, None),  # N-1 alone: the fall cannot be shown (primer §6.2)
    ],
)
def test_revenu_n_moins_1_seulement_apres_une_baisse_de_10_pour_cent(
    revenus: dict[int, int], retenu: tuple[int, int] | None
) -> None:
    s = saisie(revenu_fiscal_reference=[{"annee": a, "montant": m} for a, m in revenus.items()])
    attendu = None if retenu is None else (retenu[0], Decimal(retenu[1]))
    assert revenu_fiscal_retenu(s, 2026) == attendu


def test_eligibilite_inconnue_sans_revenu_ou_sans_plafond() -> None:
    cat = CategorieMenage(1)
    s = saisie(revenu_fiscal_reference=[{"annee": 2024, "montant": 10000}])
    ((plai, *_),) = [eligibilites(s, cat, 2026, plafonds)]
    assert plai.annee_revenu == 2024 and plai.eligible is True
    sans = eligibilites(saisie(revenu_fiscal_reference=[]), cat, 2026, plafonds)
    assert all(e.eligible is None for e in sans)
    annee_inconnue = eligibilites(s, cat, 2031, plafonds)
    assert all(e.plafond is None and e.eligible is None for e in annee_inconnue)


def test_publics_prioritaires_detectes_avec_raisons() -> None:
    s = saisie(
        occupants=[enfant()],
        logement_actuel={
            "type": "HEBERGE_CHEZ_TIERS",
            "non_decent": True,
            "procedure_expulsion": True,
        },
        motifs=[
            {"code": "VIOLENCES_FAMILIALES", "principal": True},
            {"code": "LOGEMENT_TROP_PETIT"},
        ],
        complement_handicap=handicap(),
    )
    detectes = {p.categorie: p.raisons for p in publics_prioritaires(s, AU)}
    assert set(detectes) == {
        PublicPrioritaire.A,
        PublicPrioritaire.D_BIS,
        PublicPrioritaire.E,
        PublicPrioritaire.H,
        PublicPrioritaire.I,
        PublicPrioritaire.J,
    }
    assert any("mineur" in r for r in detectes[PublicPrioritaire.H])
    assert publics_prioritaires(saisie(), AU) == []


def test_deriver_rassemble_tout() -> None:
    d = deriver(saisie(occupants=[enfant()]), date(2025, 1, 15), AU, plafonds)
    assert d.taille_menage == 2
    assert d.categorie_menage == CategorieMenage(3)
    assert d.ressources_mensuelles_totales == Decimal("1650")
    assert d.anciennete_mois == 22
    assert [e.eligible for e in d.eligibilites] == [True, True, True]


def test_anciennete_agrees_with_cotation_at_the_end_of_february() -> None:
    """One calendar (libs/referentiel): a dépôt on 31 January has one month of ancienneté
    on 29 February, as cotation counts it (issue 11 item 4)."""
    d = deriver(saisie(), date(2024, 1, 31), date(2024, 2, 29), plafonds)
    assert d.anciennete_mois == 1


def test_un_codemandeur_est_conjoint_ou_parent_jamais_sans_lien() -> None:
    assert saisie(codemandeur={**conjoint(), "lien": "COLLATERAL"}).codemandeurs
    with pytest.raises(ValidationError, match="occupant"):
        saisie(codemandeur={**conjoint(), "lien": "SANS_LIEN"})


def test_h_exige_une_suroccupation_mesuree_pas_le_seul_motif_trop_petit() -> None:
    trop_petit = {"motifs": [{"code": "LOGEMENT_TROP_PETIT", "principal": True}]}
    logement = {**demande_exemple()["logement_actuel"], "surface_m2": "30", "nombre_occupants": 3}
    seul_motif = saisie(occupants=[enfant()], logement_actuel=logement, **trop_petit)
    assert PublicPrioritaire.H not in {p.categorie for p in publics_prioritaires(seul_motif, AU)}
    exigu = {**logement, "surface_m2": "24"}  # 3 persons: less than 25 m²
    suroccupe = saisie(occupants=[enfant()], logement_actuel=exigu, **trop_petit)
    [h] = [p for p in publics_prioritaires(suroccupe, AU) if p.categorie is PublicPrioritaire.H]
    assert "24 m² pour 3 personnes" in h.raisons[0]


def test_les_priorites_declarees_sont_detectees_avec_leur_preuve() -> None:
    s = saisie(
        priorites=[
            {"categorie": "K", "statut": "DECLAREE"},
            {"categorie": "F", "statut": "REJETEE"},
        ]
    )
    detectes = {p.categorie: p.raisons for p in publics_prioritaires(s, AU)}
    assert set(detectes) == {PublicPrioritaire.K}
    assert "déclarée par le ménage" in detectes[PublicPrioritaire.K][0]


def test_le_snapshot_porte_les_publics_prioritaires_detectes() -> None:
    from toit_demandes.domain.demande import Demande
    from toit_demandes.domain.snapshot import snapshot

    s = saisie(occupants=[enfant()], logement_actuel={"type": "SANS_ABRI"})
    demande = Demande(saisie=s, date_depot_initial=date(2026, 1, 5))
    snap = snapshot(demande, deriver(s, date(2026, 1, 5), AU, plafonds), lambda _insee: None)
    [detecte] = snap.publics_prioritaires_detectes
    assert detecte.categorie is PublicPrioritaire.I and detecte.raisons


def test_eligibilite_marque_les_plafonds_provisoires() -> None:
    cat = CategorieMenage(1)
    s = saisie(revenu_fiscal_reference=[{"annee": 2024, "montant": 15000}])
    resultat = {
        e.financement: e
        for e in eligibilites(s, cat, 2026, plafonds, lambda _annee, f: f in ("PLAI", "PLS"))
    }
    assert {f: e.plafond_provisoire for f, e in resultat.items()} == {
        "PLAI": True,
        "PLUS": False,
        "PLS": True,
    }
    # No ceiling, nothing to flag.
    inconnus = eligibilites(s, cat, 2031, plafonds, lambda _annee, _f: True)
    assert not any(e.plafond_provisoire for e in inconnus)
