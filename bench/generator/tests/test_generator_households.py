from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import toit_referentiel as referentiel
from generator import REFERENCE_DATE, generate, typologies_possibles
from generator.__main__ import main

from toit_contracts import enums

SAMPLE = list(generate(3000, seed=20260901))


def _taille(payload: dict[str, Any]) -> int:
    a_naitre: int = payload.get("enfants_a_naitre", 0)
    return 1 + (payload["codemandeur"] is not None) + len(payload["occupants"]) + a_naitre


def _codes(enum: type[enums.LabelledEnum]) -> set[str]:
    return {member.value for member in enum}


def test_same_seed_same_demandes_and_shorter_runs_are_prefixes() -> None:
    assert list(generate(200, seed=7)) == list(generate(200, seed=7))
    assert list(generate(50, seed=7)) == list(generate(200, seed=7))[:50]
    assert list(generate(50, seed=8)) != list(generate(50, seed=7))


def test_payloads_are_plain_json() -> None:
    for payload in SAMPLE[:300]:
        assert json.loads(json.dumps(payload)) == payload
        text = json.dumps(payload)
        assert "Typologie." not in text and "<" not in text
        assert type(payload["logement_recherche"]["typologies"][0]) is str
        assert type(payload["motifs"][0]["code"]) is str


def test_codes_belong_to_the_contract_enumerations() -> None:
    for payload in SAMPLE:
        demandeur = payload["demandeur"]
        assert demandeur["civilite"] in _codes(enums.Civilite)
        assert demandeur["nationalite"] in _codes(enums.Nationalite)
        assert demandeur["situation_familiale"] in _codes(enums.SituationFamiliale)
        assert payload["canal_depot"] in _codes(enums.CanalDepot)
        for person in payload["situation_professionnelle"].values():
            assert person in _codes(enums.SituationProfessionnelle)
        for occupant in payload["occupants"]:
            assert occupant["lien"] in _codes(enums.LienParente)
        if payload["codemandeur"] is not None:
            assert payload["codemandeur"]["lien"] == "CONJOINT"
        for ressource in payload["ressources"]:
            assert ressource["type"] in _codes(enums.TypeRessource)
            assert ressource["montant_mensuel"] >= 0
        assert payload["logement_actuel"]["type"] in _codes(enums.TypeLogementActuel)
        assert {m["code"] for m in payload["motifs"]} <= _codes(enums.MotifDemande)
        recherche = payload["logement_recherche"]
        assert recherche["type"] in _codes(enums.TypeLogementRecherche)
        assert set(recherche["typologies"]) <= _codes(enums.Typologie)
        assert set(recherche.get("besoins_accessibilite", [])) <= _codes(enums.BesoinAccessibilite)


def test_wished_communes_exist_near_home_in_the_demande_departement() -> None:
    same_epci = 0
    total = 0
    for payload in SAMPLE:
        communes = payload["logement_recherche"]["communes"]
        assert 1 <= len(communes) <= 5
        assert len(set(communes)) == len(communes)
        first = referentiel.commune(communes[0])
        assert first is not None
        for insee in communes:
            commune = referentiel.commune(insee)
            assert commune is not None
            assert commune.departement == payload["departement"]
            total += 1
            same_epci += commune.epci_siren == first.epci_siren
    assert same_epci / total > 0.7  # mostly the same EPCI, sometimes the wider département


def test_home_address_is_a_real_commune_with_its_postal_code() -> None:
    for payload in SAMPLE:
        adresse = payload["demandeur"]["adresse"]
        home = referentiel.commune(adresse["commune_insee"])
        assert home is not None
        assert adresse["code_postal"] in home.codes_postaux
        assert adresse["commune"] == home.nom
        assert payload["logement_actuel"]["commune_insee"] == home.insee


def test_wished_typologies_fit_the_household_size() -> None:
    order = [t.value for t in enums.Typologie]
    for payload in SAMPLE:
        typologies = payload["logement_recherche"]["typologies"]
        assert set(typologies) <= set(typologies_possibles(_taille(payload)))
        indexes = [order.index(t) for t in typologies]
        assert indexes == list(range(indexes[0], indexes[0] + len(indexes)))  # contiguous


def test_household_is_consistent() -> None:
    references = {"demandeur", "codemandeur"}
    for payload in SAMPLE:
        assert sum(m["principal"] for m in payload["motifs"]) == 1
        assert len({m["code"] for m in payload["motifs"]}) == len(payload["motifs"])
        couple = payload["codemandeur"] is not None
        situation = payload["demandeur"]["situation_familiale"]
        assert couple == (situation in {"MARIE", "PACSE", "CONCUBIN"})
        for ressource in payload["ressources"]:
            assert ressource["personne"] in references
            assert couple or ressource["personne"] == "demandeur"
        parent_birth = date.fromisoformat(payload["demandeur"]["date_naissance"])
        assert parent_birth <= REFERENCE_DATE.replace(year=REFERENCE_DATE.year - 18)
        for occupant in payload["occupants"]:
            birth = date.fromisoformat(occupant["date_naissance"])
            assert birth <= REFERENCE_DATE
            if occupant["lien"] == "ENFANT":
                assert (birth - parent_birth).days >= 17 * 365
        for rfr in payload["revenu_fiscal_reference"]:
            assert rfr["annee"] == REFERENCE_DATE.year - 2
            assert rfr["montant"] >= 0
        assert date.fromisoformat(payload["date_depot"]) <= REFERENCE_DATE


def test_population_shape_is_plausible() -> None:
    sizes = [_taille(p) for p in SAMPLE]
    assert 0.35 < sizes.count(1) / len(sizes) < 0.55
    departements = {p["departement"] for p in SAMPLE}
    assert departements == {d.code for d in referentiel.departements()}
    nantes = sum(p["logement_recherche"]["communes"][0] == "44109" for p in SAMPLE)
    assert nantes > sum(p["logement_recherche"]["communes"][0] == "53130" for p in SAMPLE)


def test_command_line_writes_json_lines(tmp_path: Path) -> None:
    output = tmp_path / "demandes.jsonl"
    main(["--count", "25", "--seed", "3", "--output", str(output)])
    lines = output.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == list(generate(25, seed=3))


@pytest.mark.parametrize(("taille", "expected"), [(1, "CHAMBRE"), (4, "T3"), (9, "T5")])
def test_typologies_possibles_bounds(taille: int, expected: str) -> None:
    assert typologies_possibles(taille)[0] == expected
