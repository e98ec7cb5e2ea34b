"""Table-driven tests of the scoring function, one table per criterion kind."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from toit_cotation.domain.champs import Contexte
from toit_cotation.domain.scoring import compiler, coter
from toit_referentiel import anciennete_mois as mois_ecoules

from .cotation_fixtures import critere, grille, snapshot

REF = Contexte(date_reference=date(2026, 11, 1), delai_anormalement_long_mois=24)


def _points(critere_: dict[str, Any], snap: dict[str, Any], ctx: Contexte = REF) -> Decimal:
    return coter(snap, grille(critere_), ctx).points


@pytest.mark.parametrize(
    ("conditions", "mode", "changes", "attendu"),
    [
        # The example household: hosted by a third party, two children, no couple.
        (
            [
                {
                    "champ": "logement_actuel.type",
                    "operateur": "egal",
                    "valeur": "HEBERGE_CHEZ_TIERS",
                }
            ],
            "toutes",
            {},
            15,
        ),
        (
            [{"champ": "logement_actuel.type", "operateur": "egal", "valeur": "SANS_ABRI"}],
            "toutes",
            {},
            0,
        ),
        (
            [
                {
                    "champ": "logement_actuel.type",
                    "operateur": "parmi",
                    "valeur": ["SANS_ABRI", "HEBERGE_CHEZ_TIERS"],
                }
            ],
            "toutes",
            {},
            15,
        ),
        (
            [{"champ": "logement_actuel.type", "operateur": "hors", "valeur": ["SANS_ABRI"]}],
            "toutes",
            {},
            15,
        ),
        ([{"champ": "parent_isole", "operateur": "egal", "valeur": True}], "toutes", {}, 15),
        (
            [{"champ": "nombre_enfants", "operateur": "superieur_ou_egal", "valeur": 3}],
            "toutes",
            {},
            0,
        ),
        (
            [{"champ": "nombre_enfants", "operateur": "superieur_ou_egal", "valeur": 2}],
            "toutes",
            {},
            15,
        ),
        (
            [{"champ": "motifs", "operateur": "contient", "valeur": "DIVORCE_SEPARATION"}],
            "toutes",
            {},
            15,
        ),
        (
            [{"champ": "priorites", "operateur": "contient_un_parmi", "valeur": ["I", "J"]}],
            "toutes",
            {},
            15,
        ),
        # Declared but not validated priorities do not count in priorites_validees.
        (
            [{"champ": "priorites_validees", "operateur": "contient", "valeur": "I"}],
            "toutes",
            {},
            0,
        ),
        (
            [{"champ": "priorites_validees", "operateur": "contient", "valeur": "I"}],
            "toutes",
            {"priorites": [{"categorie": "I", "statut": "VALIDEE"}]},
            15,
        ),
        # Publics prioritaires detected by demandes travel in the snapshot (issue 11 item 8).
        (
            [{"champ": "priorites_detectees", "operateur": "contient", "valeur": "H"}],
            "toutes",
            {
                "publics_prioritaires_detectes": [
                    {"categorie": "H", "raisons": ["enfant mineur dans un logement non décent"]}
                ]
            },
            15,
        ),
        (
            [{"champ": "priorites_detectees", "operateur": "contient", "valeur": "H"}],
            "toutes",
            {},
            0,
        ),
        ([{"champ": "dalo", "operateur": "renseigne"}], "toutes", {}, 0),
        ([{"champ": "dalo", "operateur": "non_renseigne"}], "toutes", {}, 15),
        (
            [{"champ": "dalo", "operateur": "egal", "valeur": "LOGEMENT"}],
            "toutes",
            {"dalo": {"type": "LOGEMENT", "date_decision": "2026-03-01", "reference": "C-1"}},
            15,
        ),
        # A DALO decision without its reference was not recorded by instruction: no points.
        (
            [{"champ": "dalo", "operateur": "egal", "valeur": "LOGEMENT"}],
            "toutes",
            {"dalo": {"type": "LOGEMENT", "date_decision": "2026-03-01"}},
            0,
        ),
        # all vs any
        (
            [
                {"champ": "parent_isole", "operateur": "egal", "valeur": True},
                {"champ": "nombre_enfants", "operateur": "superieur", "valeur": 5},
            ],
            "toutes",
            {},
            0,
        ),
        (
            [
                {"champ": "parent_isole", "operateur": "egal", "valeur": True},
                {"champ": "nombre_enfants", "operateur": "superieur", "valeur": 5},
            ],
            "une_parmi",
            {},
            15,
        ),
        # A missing number never satisfies a numeric comparison.
        ([{"champ": "taux_effort", "operateur": "superieur", "valeur": 0}], "toutes", {}, 0),
    ],
)
def test_condition(
    conditions: list[dict[str, Any]], mode: str, changes: dict[str, Any], attendu: int
) -> None:
    c = critere(type="condition", points=15, mode=mode, conditions=conditions)
    assert _points(c, snapshot(**changes)) == attendu


@pytest.mark.parametrize(
    ("depot", "reference", "mois"),
    [
        ("2026-01-12", "2026-02-11", 0),
        ("2026-01-12", "2026-02-12", 1),
        ("2026-01-31", "2026-02-27", 0),
        ("2026-01-31", "2026-02-28", 1),  # last day of a shorter month completes the month
        ("2024-01-31", "2024-02-29", 1),
        ("2025-12-15", "2026-01-15", 1),
        ("2025-12-15", "2026-01-14", 0),
        ("2026-03-01", "2026-01-01", 0),  # deposit after the reference date
        ("2020-05-10", "2026-11-01", 77),
    ],
)
def test_mois_ecoules_bornes(depot: str, reference: str, mois: int) -> None:
    assert mois_ecoules(date.fromisoformat(depot), date.fromisoformat(reference)) == mois


@pytest.mark.parametrize(
    ("critere_", "depot", "dal", "attendu"),
    [
        ({"points": 1}, "2026-01-12", 24, "9"),  # 9 whole months at 2026-11-01
        ({"points": "0.5"}, "2026-01-12", 24, "4.5"),
        ({"points": 2, "plafond": 10}, "2026-01-12", 24, "10"),
        ({"points": 1, "bonus_delai_anormalement_long": 30}, "2024-11-01", 24, "54"),  # 24 = DAL
        ({"points": 1, "bonus_delai_anormalement_long": 30}, "2024-11-02", 24, "23"),  # 23 < DAL
        ({"points": 1, "bonus_delai_anormalement_long": 30}, "2024-11-02", None, "23"),
        # A delay fixed by the grid wins over the département's.
        (
            {"points": 1, "bonus_delai_anormalement_long": 30, "delai_anormalement_long_mois": 12},
            "2025-11-01",
            24,
            "42",
        ),
        ({"points": 1, "plafond": 20, "bonus_delai_anormalement_long": 30}, "2020-01-01", 24, "50"),
        ({"points": -1, "plafond": -5}, "2025-01-01", 24, "-5"),
    ],
)
def test_points_par_mois(
    critere_: dict[str, Any], depot: str, dal: int | None, attendu: str
) -> None:
    c = critere(type="points_par_mois", famille="ANCIENNETE", **critere_)
    ctx = Contexte(date_reference=date(2026, 11, 1), delai_anormalement_long_mois=dal)
    assert _points(c, snapshot(date_depot_initial=depot), ctx) == Decimal(attendu)


TAUX_EFFORT = critere(
    type="tranches",
    champ="taux_effort",
    tranches=[{"de": 30, "a": 40, "points": 5}, {"de": 40, "points": 10}],
)


@pytest.mark.parametrize(
    ("loyer", "charges", "aide", "attendu"),
    [
        (None, None, None, 0),  # no rent: no taux d'effort, no points
        ("400", "50", "0", 0),  # 450 / 1660.50 = 27.1 %
        ("450", "48.15", "0", 5),  # exactly 30.00 %: lower bound included
        ("600", "0", "0", 5),  # 36.1 %
        ("664.2", "0", "0", 10),  # 40.00 %: upper bound excluded from the first band
        ("900", "100", "300", 10),  # 42.2 % after the housing benefit
    ],
)
def test_tranches_taux_effort(
    loyer: str | None, charges: str | None, aide: str | None, attendu: int
) -> None:
    logement = {
        "type": "LOCATAIRE_PARC_PRIVE",
        "loyer_mensuel": loyer,
        "charges_mensuelles": charges,
        "aide_logement_mensuelle": aide,
    }
    assert _points(TAUX_EFFORT, snapshot(logement_actuel=logement)) == attendu


@pytest.mark.parametrize(
    ("pieces", "attendu"),
    [(None, 0), (1, 20), (2, 10), (3, 0)],  # 3 persons: 3, 1.5, 1 per room
)
def test_tranches_suroccupation(pieces: int | None, attendu: int) -> None:
    c = critere(
        type="tranches",
        champ="personnes_par_piece",
        tranches=[{"de": "1.5", "a": 2, "points": 10}, {"de": 2, "points": 20}],
    )
    logement = {"type": "LOCATAIRE_PARC_PRIVE", "nombre_pieces": pieces}
    assert _points(c, snapshot(logement_actuel=logement)) == attendu


def test_tranches_reste_a_vivre() -> None:
    c = critere(
        type="tranches",
        champ="reste_a_vivre_jour_uc",
        tranches=[{"a": 10, "points": 15}, {"de": 10, "a": 15, "points": 5}],
    )
    # (1660.50 − 900) / 1.80 / 30 = 14.08 €/jour/UC
    logement = {"type": "LOCATAIRE_PARC_PRIVE", "loyer_mensuel": "800", "charges_mensuelles": "100"}
    assert _points(c, snapshot(logement_actuel=logement)) == 5
    logement["loyer_mensuel"] = "1200"
    assert _points(c, snapshot(logement_actuel=logement)) == 15


@pytest.mark.parametrize(
    ("valeurs", "cumul", "changes", "attendu"),
    [
        ({"SANS_ABRI": 30, "HEBERGE_CHEZ_TIERS": 15}, False, {}, 15),
        ({"SANS_ABRI": 30}, False, {}, 0),
        ({"SANS_ABRI": 30}, False, {"logement_actuel": {"type": "SANS_ABRI"}}, 30),
    ],
)
def test_table_scalaire(
    valeurs: dict[str, int], cumul: bool, changes: dict[str, Any], attendu: int
) -> None:
    c = critere(type="table", champ="logement_actuel.type", valeurs=valeurs, cumul=cumul)
    assert _points(c, snapshot(**changes)) == attendu


@pytest.mark.parametrize(("cumul", "attendu"), [(False, 8), (True, 11)])
def test_table_liste(cumul: bool, attendu: int) -> None:
    c = critere(
        type="table",
        champ="motifs",
        cumul=cumul,
        valeurs={"SANS_LOGEMENT": 8, "DIVORCE_SEPARATION": 3, "HANDICAP": 20},
    )
    assert _points(c, snapshot()) == attendu


def test_negative_points_and_breakdown() -> None:
    g = grille(
        critere("ANC", type="points_par_mois", famille="ANCIENNETE", points=1),
        critere(
            "REFUS",
            type="condition",
            famille="PENALITE",
            points=-20,
            conditions=[{"champ": "motifs", "operateur": "contient", "valeur": "AUTRE"}],
        ),
        critere(
            "HEB",
            type="condition",
            points=12,
            validation_instructeur=True,
            conditions=[
                {
                    "champ": "logement_actuel.type",
                    "operateur": "egal",
                    "valeur": "HEBERGE_CHEZ_TIERS",
                }
            ],
        ),
    )
    snap = snapshot(motifs=[{"motif": "AUTRE", "principal": True}])
    result = coter(snap, g, REF)
    assert result.points == Decimal("1")  # 9 − 20 + 12
    assert [(c.code, c.points) for c in result.criteres] == [
        ("ANC", 9),
        ("REFUS", -20),
        ("HEB", 12),
    ]
    assert result.criteres[2].validation_instructeur
    assert result.entrees == {
        "anciennete_mois": 9,
        "logement_actuel.type": "HEBERGE_CHEZ_TIERS",
        "motifs": ("AUTRE",),
    }


def test_deterministic_and_hash_follows_used_inputs_only() -> None:
    g = compiler(
        grille(
            critere(
                type="condition",
                points=5,
                conditions=[{"champ": "nombre_enfants", "operateur": "superieur", "valeur": 1}],
            )
        )
    )
    first = g.coter(snapshot(), REF)
    assert g.coter(snapshot(), REF) == first
    unrelated = g.coter(snapshot(guichet_enregistreur="XX999"), REF)
    assert unrelated.empreinte == first.empreinte
    changed = g.coter(snapshot(enfants_a_naitre=1), REF)
    assert changed.points == first.points and changed.meme_resultat(first)
    fewer = snapshot()
    fewer["personnes"] = fewer["personnes"][:2]
    assert g.coter(fewer, REF).points == 0


def test_dal_of_several_typologies_is_the_shortest_as_in_demandes() -> None:
    """Ille-et-Vilaine: 30 months for T1-T3, 24 for T4+. A demande for T2 or T4 reaches
    the DAL at 24 months, whatever the order of its typologies (issue 11 item 4)."""
    from toit_cotation.service_layer.commun import delai_de

    assert delai_de("35", ["T2", "T4"]) == 24
    assert delai_de("35", ["T4", "T2"]) == 24
    assert delai_de("35", ["T2"]) == 30
    assert delai_de("75", ["T2"]) is None
