"""Snapshots v2 (issue 11): several codemandeurs and colocataires. Only the partner makes a
couple; a relative codemandeur or a colocataire does not."""

from __future__ import annotations

from datetime import date

import pytest
from toit_cotation.domain.champs import EXTRACTEURS, Contexte

from .cotation_fixtures import BASE, snapshot

ADULTE = {**BASE["personnes"][0], "situation_professionnelle": None, "commune_travail": None}


@pytest.mark.parametrize(
    ("autres", "parent_isole"),
    [
        ([], True),
        ([{**ADULTE, "role": "CODEMANDEUR", "lien": "CONJOINT"}], False),
        ([{**ADULTE, "role": "CODEMANDEUR", "lien": "ASCENDANT"}], True),
        ([{**ADULTE, "role": "COLOCATAIRE", "lien": "SANS_LIEN"}], True),
        (
            [
                {**ADULTE, "role": "CODEMANDEUR", "lien": "ASCENDANT"},
                {**ADULTE, "role": "CODEMANDEUR", "lien": "CONJOINT"},
                {**ADULTE, "role": "COLOCATAIRE", "lien": "SANS_LIEN"},
            ],
            False,
        ),
    ],
)
def test_only_the_partner_makes_a_couple(autres: list[dict[str, object]], parent_isole: bool):
    snap = snapshot(personnes=[*BASE["personnes"], *autres], taille_menage=None)
    faits: dict[str, object] = {}
    EXTRACTEURS["menage"](snap, Contexte(date(2026, 11, 1)), faits)
    assert faits["parent_isole"] is parent_isole
    assert faits["taille_menage"] == 3 + len(autres)
