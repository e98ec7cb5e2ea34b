"""Item 4 of the session brief: what matching's events (vacancies, CALEOL decisions,
offers, attributions) make of the read models (pure mapping, contracts' examples)."""

from __future__ import annotations

from datetime import UTC, datetime

from toit_observatoire.domain import modeles
from toit_observatoire.domain.modeles import Territoire, Update, Upsert

from toit_contracts.examples import example_events

TERRITOIRE = Territoire(lambda commune: "244400404", lambda siren: "44")
AT = datetime(2026, 6, 1, tzinfo=UTC)


def _changes(event_type: str) -> list[modeles.Change]:
    return modeles.changes(example_events()[event_type], AT, TERRITOIRE)


def test_a_declared_vacancy_is_a_row_then_each_step_sets_its_status() -> None:
    [declaree] = _changes("vacance.declaree")
    assert isinstance(declaree, Upsert) and declaree.table == "rm_logement_vacant"
    assert declaree.values["statut"] == "DECLAREE"
    assert declaree.values["epci"] == "244400404"
    assert declaree.values["typologie"] == "T3" and declaree.values["qpv"] is True
    assert declaree.values["mois"] == "2026-07"
    [orientee] = _changes("vacance.orientee")
    assert isinstance(orientee, Update)
    assert orientee.key == declaree.key
    assert orientee.values == {"statut": "ORIENTEE", "reservataire": "ddets-44"}
    [retiree] = _changes("vacance.retiree")
    assert isinstance(retiree, Update) and retiree.values == {"statut": "RETIREE"}
    [designee] = _changes("designation.effectuee")
    assert isinstance(designee, Update) and designee.values == {"statut": "DESIGNEE"}


def test_a_caleol_decision_is_one_proposition_per_candidate_then_the_offer_decides() -> None:
    rows = _changes("caleol.decision_prise")
    assert all(isinstance(r, Upsert) and r.table == "rm_proposition" for r in rows)
    upserts = [u for u in rows if isinstance(u, Upsert)]
    suites = [
        (r.values["decision_caleol"], r.values["rang"], r.values["decision"]) for r in upserts
    ]
    assert suites == [
        ("ATTRIBUTION_SOUS_CONDITION", 1, "A_PROPOSER"),
        ("ATTRIBUTION_RANG", 2, "A_PROPOSER"),
        ("IRRECEVABILITE", None, "SANS_OFFRE"),
    ]
    [emise] = _changes("offre.emise")
    assert isinstance(emise, Update) and emise.key == upserts[0].key
    assert emise.values["decision"] == "PROPOSEE" and emise.values["mois"] == "2026-06"
    [acceptee] = _changes("offre.acceptee")
    assert isinstance(acceptee, Update) and acceptee.values == {"decision": "ACCEPTEE"}
    [refusee] = _changes("offre.refusee")
    assert isinstance(refusee, Update)
    assert refusee.values == {"decision": "REFUSEE", "motif_refus": "ABSENCE_DE_REPONSE"}


def test_an_attribution_carries_the_unit_and_closes_the_vacancy() -> None:
    attribution, vacance = _changes("attribution.prononcee")
    assert isinstance(attribution, Upsert) and attribution.table == "rm_attribution"
    v = attribution.values
    assert v["source"] == "matching"
    assert (v["commune"], v["epci"], v["qpv"]) == ("44162", "244400404", False)
    assert v["typologie_attribuee"] == "T3"
    assert v["bailleur"] == "732829320", "the SIREN when known"
    assert v["reservataire"] == "ddets-44"
    assert (v["date_attribution"].isoformat(), v["annee"], v["delai_jours"]) == (
        "2026-07-01",
        2026,
        657,
    )
    assert v["premier_quartile"] is False and v["dalo"] is False
    assert isinstance(vacance, Update) and vacance.values == {"statut": "ATTRIBUEE"}
