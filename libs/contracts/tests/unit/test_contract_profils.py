"""Partner data profiles: allow-lists, sensitive complements, schemas of minimised events."""

from __future__ import annotations

import functools
import itertools
import json
from typing import Any

import jsonschema
import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toit_contracts.enums import MotifDemande, PublicPrioritaire, StatutJustification
from toit_contracts.events import MotifInvoque, PrioriteDeclaree
from toit_contracts.examples import example_events
from toit_contracts.profils import (
    COMPLEMENTS,
    EVENEMENTS_PARTENAIRES,
    PROFILS,
    minimiser,
    schema_donnees,
    schema_enveloppe,
)

JAMAIS = ("contact", "compte_demandeur", "nationalite", "commune_travail", "email", "nom")


def _cles(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _cles(v)}
    if isinstance(value, list):
        return {k for v in value for k in _cles(v)}
    return set()


@functools.cache
def _validateur(
    event_type: str, code: str, complements: tuple[str, ...]
) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema_donnees(event_type, PROFILS[code], complements))


def _combinaisons(complements: tuple[str, ...]) -> list[tuple[str, ...]]:
    return [c for n in range(len(complements) + 1) for c in itertools.combinations(complements, n)]


def _sensible(event_type: str, motifs: list[MotifDemande], priorites: list[PublicPrioritaire]):  # type: ignore[no-untyped-def]
    event = example_events()[event_type]
    if not hasattr(event, "snapshot"):
        return event.model_copy(update={"motifs": motifs})
    personnes = [p.model_copy(update={"handicap": True}) for p in event.snapshot.personnes]
    snapshot = event.snapshot.model_copy(
        update={
            "personnes": personnes,
            "motifs": [MotifInvoque(motif=m) for m in dict.fromkeys(motifs)],
            "priorites": [
                PrioriteDeclaree(categorie=p, statut=StatutJustification.DECLAREE)
                for p in dict.fromkeys(priorites)
            ],
        }
    )
    return event.model_copy(update={"snapshot": snapshot})


@settings(max_examples=30, deadline=None)
@given(
    event_type=st.sampled_from(sorted(EVENEMENTS_PARTENAIRES)),
    code=st.sampled_from(sorted(PROFILS)),
    motifs=st.lists(st.sampled_from(list(MotifDemande)), max_size=6),
    priorites=st.lists(st.sampled_from(list(PublicPrioritaire)), max_size=6),
)
def test_contract_profil_jamais_de_champ_hors_profil(
    event_type: str, code: str, motifs: list[MotifDemande], priorites: list[PublicPrioritaire]
) -> None:
    profil = PROFILS[code]
    data = _sensible(event_type, motifs, priorites).model_dump(mode="json")
    for complements in _combinaisons(profil.complements):
        minimise = minimiser(data, profil, complements)
        _validateur(event_type, code, complements).validate(minimise)
        assert not _cles(minimise) & set(JAMAIS)
        texte = json.dumps(minimise)
        if "handicap" not in complements:
            assert '"handicap"' not in texte and "besoins_accessibilite" not in texte
            assert all(m not in texte for m in ('"HANDICAP"', "RAISONS_DE_SANTE"))
        if "violences" not in complements:
            assert "VIOLENCES_FAMILIALES" not in texte
            assert all(f'"categorie": "{c}"' not in texte for c in ("E", "E_BIS", "F", "G"))


def test_contract_profil_complements_accordes_ajoutent_les_donnees_sensibles() -> None:
    profil = PROFILS["bailleur"]
    event = _sensible(
        "demande.modifiee",
        [MotifDemande.VIOLENCES_FAMILIALES, MotifDemande.HANDICAP, MotifDemande.SANS_LOGEMENT],
        [PublicPrioritaire.A, PublicPrioritaire.E],
    )
    data = event.model_dump(mode="json")
    sans = minimiser(data, profil)
    assert [m["motif"] for m in sans["snapshot"]["motifs"]] == ["SANS_LOGEMENT"]
    assert sans["snapshot"]["priorites"] == []
    tout = minimiser(data, profil, ("handicap", "violences"))
    assert {m["motif"] for m in tout["snapshot"]["motifs"]} == {
        "VIOLENCES_FAMILIALES",
        "HANDICAP",
        "SANS_LOGEMENT",
    }
    assert all(p["handicap"] is True for p in tout["snapshot"]["personnes"])
    # The statistical profile offers no complement: asking one changes nothing.
    stat = PROFILS["statistique"]
    assert minimiser(data, stat, ("handicap",)) == minimiser(data, stat)
    assert "numero_unique" not in minimiser(data, stat)


@pytest.mark.parametrize("code", sorted(PROFILS))
def test_contract_profil_schemas_valides_et_versionnes(code: str) -> None:
    profil = PROFILS[code]
    for event_type in profil.evenements:
        for complements in ((), profil.complements):
            schema = schema_enveloppe(event_type, profil, complements)
            jsonschema_rs.meta.validate(schema)  # the 2020-12 meta-schema
            assert schema["properties"]["dataschema"]["const"].startswith(
                f"urn:toit:abonnements:{code}:v{profil.version}"
            )
            assert "$ref" not in json.dumps(schema)
    for c in profil.complements:
        assert c in COMPLEMENTS


def test_contract_profil_pages_partenaires_a_jour() -> None:
    from pathlib import Path

    from toit_contracts.profils_doc import main

    racine = Path(__file__).resolve().parents[4]
    assert main(["--check", "--output", str(racine / "docs/partenaires")]) == 0, (
        "régénérez docs/partenaires : uv run python -m toit_contracts.profils_doc"
    )
