"""The rules the attribution events enforce themselves (R441-3, R441-10, R441-2-9 CCH)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from pydantic import ValidationError

from toit_contracts.enums import MotifIrrecevabilite
from toit_contracts.events.attributions import (
    AttributionPrononcee,
    CaleolDecisionPrise,
    DecisionCandidat,
    OffreEmise,
    SensDecision,
)
from toit_contracts.examples import example_events

EXEMPLES = example_events()


def _data(event_type: str, **changes: Any) -> dict[str, Any]:
    return {**EXEMPLES[event_type].model_dump(mode="json"), **changes}


@pytest.mark.parametrize(
    ("champs", "message"),
    [
        ({"sens": SensDecision.ATTRIBUTION}, "rang"),
        ({"sens": SensDecision.NON_ATTRIBUTION, "rang": 1}, "rang"),
        ({"sens": SensDecision.NON_ATTRIBUTION}, "motivée par écrit"),
        ({"sens": SensDecision.NON_ATTRIBUTION, "motifs": "court"}, "motivée par écrit"),
        (
            {"sens": SensDecision.IRRECEVABILITE, "motifs": "Ressources au-dessus du plafond"},
            "fondement légal",
        ),
        ({"sens": SensDecision.ATTRIBUTION_SOUS_CONDITION, "rang": 1}, "condition suspensive"),
    ],
)
def test_decision_sans_ce_que_la_loi_exige(champs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        DecisionCandidat(demande_id=uuid4(), **champs)


def test_irrecevabilite_complete() -> None:
    decision = DecisionCandidat(
        demande_id=uuid4(),
        sens=SensDecision.IRRECEVABILITE,
        motifs="Séjour irrégulier d'un majeur du ménage constaté",
        sous_motif_irrecevabilite=MotifIrrecevabilite.SEJOUR_IRREGULIER,
    )
    assert decision.rang is None


def test_rangs_sans_trou_ni_doublon() -> None:
    data = _data("caleol.decision_prise")
    data["decisions"][1]["rang"] = 3
    with pytest.raises(ValidationError, match="rangs"):
        CaleolDecisionPrise.model_validate(data)
    data = _data("caleol.decision_prise")
    data["decisions"][1]["demande_id"] = data["decisions"][0]["demande_id"]
    with pytest.raises(ValidationError, match="qu'une décision"):
        CaleolDecisionPrise.model_validate(data)


def test_offre_delai_d_au_moins_dix_jours() -> None:
    with pytest.raises(ValidationError):
        OffreEmise.model_validate(_data("offre.emise", delai_jours=9))
    with pytest.raises(ValidationError, match="au moins"):
        OffreEmise.model_validate(
            _data("offre.emise", date_notification="2026-06-03", date_limite_reponse="2026-06-12")
        )


def test_bail_apres_offre() -> None:
    with pytest.raises(ValidationError, match="date_offre ≤ date_signature_bail"):
        AttributionPrononcee.model_validate(
            _data("attribution.prononcee", date_signature_bail=str(date(2026, 6, 1)))
        )
