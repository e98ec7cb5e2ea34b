"""Indicator formulas on hand-built fixtures with known answers (item 4)."""

from decimal import Decimal

from toit_observatoire.domain.indicateurs import (
    AttributionFaits,
    encore_necessaires,
    mediane,
    moyenne,
    obligation_premier_quartile,
    obligation_qpv,
    obligations_dalo,
    premier_quartile,
    pression,
    seuil_premier_quartile,
    taux_satisfaction,
)
from toit_observatoire.domain.modeles import revenu_annuel_uc


def test_pression_as_in_cornouaille() -> None:
    # 4.6 in Cornouaille 2023 (primer §10.1): 4 600 demandes for 1 000 attributions.
    assert pression(4600, 1000) == 4.6
    assert pression(27, 10) == 2.7
    assert pression(5, 0) is None


def test_mean_and_median_waiting() -> None:
    delais = [3.0, 9.0, 10.0, 14.0, 30.0]
    assert moyenne(delais) == 13.2
    assert mediane(delais) == 10.0
    assert mediane([1.0, 2.0, 3.0, 4.0]) == 2.5
    assert mediane([]) is None


def test_satisfaction_rate() -> None:
    assert taux_satisfaction(50, 300, 100) == 0.125
    assert taux_satisfaction(0, 0, 0) is None


def test_resources_per_consumption_unit() -> None:
    # 1 500 €/month, couple with one child under 14: 1 + 0.5 + 0.3 = 1.8 UC.
    assert revenu_annuel_uc(Decimal("1500"), Decimal("1.8")) == Decimal("10000.00")


def test_first_quartile_threshold() -> None:
    # Eight demandes: the lowest quarter is the two lowest; threshold = the higher.
    revenus = [9000, 4000, 12000, 6000, 20000, 15000, 7000, 30000]
    assert seuil_premier_quartile(revenus) == Decimal("6000")
    # Nine: ⌈9/4⌉ = 3 lowest → 7000.
    assert seuil_premier_quartile([*revenus, 50000]) == Decimal("7000")
    assert seuil_premier_quartile([]) is None
    assert premier_quartile(Decimal("6000"), Decimal("6000")) is True
    assert premier_quartile(6000.01, Decimal("6000")) is False


def test_attributions_still_needed() -> None:
    # 10 out of 100 at 25 %: (10 + n) / (100 + n) ≥ 0.25 → n ≥ 20.
    assert encore_necessaires(10, 100, Decimal("0.25")) == 20
    assert encore_necessaires(25, 100, Decimal("0.25")) == 0
    # 1 out of 3 at 50 %: (1 + n)/(3 + n) ≥ 0.5 → n ≥ 1.
    assert encore_necessaires(1, 3, Decimal("0.5")) == 1


def test_quartile_obligation_outside_and_inside_qpv() -> None:
    faits = (
        # Outside QPV: 8 attributions, 1 Q1, 1 ANRU rehousing → 2/8 = 25 %.
        [AttributionFaits(qpv=False, premier_quartile=False)] * 6
        + [AttributionFaits(qpv=False, premier_quartile=True)]
        + [AttributionFaits(qpv=False, premier_quartile=False, relogement_anru=True)]
        # In QPV: 4 attributions, 1 non-Q1 → 25 % against 50 %.
        + [AttributionFaits(qpv=True, premier_quartile=True)] * 3
        + [AttributionFaits(qpv=True, premier_quartile=False)]
        # Unknown location: left apart, never guessed.
        + [AttributionFaits(qpv=None, premier_quartile=True)] * 2
    )
    q1 = obligation_premier_quartile(faits)
    assert (q1.total, q1.conformes, q1.taux, q1.atteinte, q1.manquantes) == (8, 2, 0.25, True, 0)
    assert q1.inconnues == 2
    qpv = obligation_qpv(faits)
    assert (qpv.total, qpv.conformes, qpv.taux, qpv.atteinte) == (4, 1, 0.25, False)
    # (1 + n) / (4 + n) ≥ 0.5 → n ≥ 2.
    assert qpv.manquantes == 2


def test_dalo_obligation_per_reservataire() -> None:
    faits = (
        [AttributionFaits(qpv=False, premier_quartile=False, reservataire="ACTION_LOGEMENT")] * 9
        + [
            AttributionFaits(
                qpv=False, premier_quartile=False, dalo=True, reservataire="ACTION_LOGEMENT"
            )
        ]
        + [
            AttributionFaits(
                qpv=False, premier_quartile=False, prioritaire=True, reservataire="COMMUNE_35238"
            )
        ]
        + [AttributionFaits(qpv=False, premier_quartile=False, reservataire="COMMUNE_35238")] * 3
    )
    per = obligations_dalo([*faits, AttributionFaits(qpv=None, premier_quartile=None, dalo=True)])
    assert set(per) == {"ACTION_LOGEMENT", "COMMUNE_35238"}
    al = per["ACTION_LOGEMENT"]
    assert (al.total, al.conformes, al.taux, al.atteinte) == (10, 1, 0.1, False)
    # (1 + n) / (10 + n) ≥ 0.25 → n ≥ 2.
    assert al.manquantes == 2
    commune = per["COMMUNE_35238"]
    assert (commune.total, commune.conformes, commune.atteinte) == (4, 1, True)
