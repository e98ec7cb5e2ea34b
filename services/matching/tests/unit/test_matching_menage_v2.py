"""Snapshots v2 (issue 11): a couple is a codemandeur who is the partner, not a relative
codemandeur nor a colocataire (the rent ceiling of the APL estimate depends on it)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from toit_matching.domain.demandeurs import projeter

from toit_contracts.examples import example_snapshot

BASE = example_snapshot().model_dump(mode="json", exclude={"contact"})
ADULTE = {**BASE["personnes"][0], "situation_professionnelle": None, "commune_travail": None}


@pytest.mark.parametrize(
    ("autres", "couple"),
    [
        ([], False),
        ([{**ADULTE, "role": "CODEMANDEUR", "lien": "CONJOINT"}], True),
        ([{**ADULTE, "role": "CODEMANDEUR", "lien": "ASCENDANT"}], False),
        ([{**ADULTE, "role": "COLOCATAIRE", "lien": "SANS_LIEN"}], False),
        (
            [
                {**ADULTE, "role": "CODEMANDEUR", "lien": "ASCENDANT"},
                {**ADULTE, "role": "CODEMANDEUR", "lien": "CONJOINT"},
            ],
            True,
        ),
    ],
)
def test_couple_is_the_partner_only(autres: list[dict[str, Any]], couple: bool) -> None:
    snapshot = {**BASE, "personnes": [*BASE["personnes"], *autres]}
    vue = projeter(uuid4(), 3, "35", "ACTIVE", "0350126000042RM035", snapshot)
    assert vue.couple is couple
    assert len(vue.annees_naissance) == 3 + len(autres)
