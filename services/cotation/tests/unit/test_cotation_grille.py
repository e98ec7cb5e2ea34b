"""Grid validation (errors name the criterion and the field), life cycle, import/export."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from toit_cotation.domain.echange import exporter, importer
from toit_cotation.domain.grille import (
    EtatGrille,
    GrilleInvalide,
    TransitionInterdite,
    lire_definition,
)
from toit_cotation.seed import grilles_exemple

from .cotation_fixtures import critere, grille


def _erreurs(*criteres: dict[str, Any], **grid: Any) -> list[tuple[str, str]]:
    data = {
        "epci": "243500139",
        "libelle": "G",
        "date_effet": "2026-01-01",
        "criteres": list(criteres),
        **grid,
    }
    with pytest.raises(GrilleInvalide) as exc:
        lire_definition(data)
    return [(".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.value.erreurs]


@pytest.mark.parametrize(
    ("critere_", "lieu", "message"),
    [
        (
            critere(
                "DALO",
                type="condition",
                points=10,
                conditions=[{"champ": "nom", "operateur": "egal", "valeur": "x"}],
            ),
            "criteres[DALO].conditions.0",
            "champ inconnu : « nom »",
        ),
        (
            critere(
                "HEB",
                type="condition",
                points=10,
                conditions=[
                    {"champ": "logement_actuel.type", "operateur": "egal", "valeur": "CHATEAU"}
                ],
            ),
            "criteres[HEB].conditions.0",
            "valeur 'CHATEAU' impossible",
        ),
        (
            critere(
                "ENF",
                type="condition",
                points=10,
                conditions=[{"champ": "motifs", "operateur": "superieur", "valeur": 2}],
            ),
            "criteres[ENF].conditions.0",
            "s'applique à un champ numérique",
        ),
        (
            critere(
                "MOT",
                type="condition",
                points=10,
                conditions=[{"champ": "motifs", "operateur": "egal", "valeur": "AUTRE"}],
            ),
            "criteres[MOT].conditions.0",
            "utilisez contient",
        ),
        (
            critere(
                "TE",
                type="tranches",
                champ="taux_effort",
                tranches=[{"de": 40, "a": 30, "points": 5}],
            ),
            "criteres[TE]",
            "la borne « de » doit être inférieure",
        ),
        (
            critere(
                "TE",
                type="tranches",
                champ="taux_effort",
                tranches=[{"de": 30, "a": 40, "points": 5}, {"de": 35, "points": 9}],
            ),
            "criteres[TE]",
            "sans se chevaucher",
        ),
        (
            critere("TAB", type="table", champ="logement_actuel.type", valeurs={"VILLA": 3}),
            "criteres[TAB]",
            "valeur « VILLA » inconnue",
        ),
        (
            critere(
                "P",
                type="condition",
                points=20000,
                conditions=[{"champ": "dalo", "operateur": "renseigne"}],
            ),
            "criteres[P].points",
            "less than or equal",
        ),
        (critere("X", type="formule", points=1), "criteres[X]", "tag"),
        (
            critere(
                "bad code",
                type="condition",
                points=1,
                conditions=[{"champ": "dalo", "operateur": "renseigne"}],
            ),
            "criteres[bad code].code",
            "String should match",
        ),
    ],
)
def test_validation_names_criterion_and_field(
    critere_: dict[str, Any], lieu: str, message: str
) -> None:
    erreurs = _erreurs(critere_)
    assert any(loc == lieu and message in msg for loc, msg in erreurs), erreurs


def test_duplicate_codes_and_bad_epci() -> None:
    c = critere(
        "A", type="condition", points=1, conditions=[{"champ": "dalo", "operateur": "renseigne"}]
    )
    assert any("utilisé deux fois" in m for _, m in _erreurs(c, c))
    assert any(loc == "epci" for loc, _ in _erreurs(c, epci="123"))


def test_life_cycle() -> None:
    now = datetime(2026, 11, 2, tzinfo=UTC)
    sans_priorite = grille(critere(type="points_par_mois", famille="ANCIENNETE", points=1))
    with pytest.raises(GrilleInvalide):
        sans_priorite.publier(now)
    g = grille(
        critere(
            "DALO",
            type="condition",
            famille="PRIORITE_LEGALE",
            points=100,
            conditions=[{"champ": "dalo", "operateur": "egal", "valeur": "LOGEMENT"}],
        )
    )
    modifiee = g.modifier(g.definition)
    assert modifiee.revision == 2
    publiee = modifiee.publier(now)
    assert publiee.etat is EtatGrille.PUBLIEE and publiee.publiee_le == now
    with pytest.raises(TransitionInterdite):
        publiee.modifier(g.definition)
    with pytest.raises(TransitionInterdite):
        publiee.publier(now)
    archivee = publiee.archiver(now)
    assert archivee.etat is EtatGrille.ARCHIVEE
    with pytest.raises(TransitionInterdite):
        archivee.archiver(now)
    with pytest.raises(TransitionInterdite, match="futur"):
        g.publier(datetime(2025, 12, 31, tzinfo=UTC))


@pytest.mark.parametrize("format", ["json", "yaml"])
def test_export_import_round_trip(format: str) -> None:
    g = grille(
        critere(
            "ANC",
            type="points_par_mois",
            famille="ANCIENNETE",
            points="0.5",
            plafond=60,
            bonus_delai_anormalement_long=20,
        ),
        critere(
            "TE",
            type="tranches",
            champ="taux_effort",
            tranches=[{"de": 30, "a": 40, "points": 5}, {"de": 40, "points": 10}],
        ),
        critere("LA", type="table", champ="logement_actuel.type", valeurs={"SANS_ABRI": 30}),
        critere(
            "DALO",
            type="condition",
            famille="PRIORITE_LEGALE",
            points=100,
            priorite_legale="I",
            validation_instructeur=True,
            exige_validation=True,
            conditions=[{"champ": "dalo", "operateur": "egal", "valeur": "LOGEMENT"}],
        ),
    )
    texte = exporter(g.definition, format)  # type: ignore[arg-type]
    assert importer(texte, format) == g.definition  # type: ignore[arg-type]
    if format == "yaml":
        assert "points: 0.5" in texte and "date_effet: '2026-01-01'" in texte


@pytest.mark.parametrize(
    ("texte", "format"),
    [("{", "json"), ("a: [", "yaml"), ("- 1", "yaml"), ("!!python/object:os.system {}", "yaml")],
)
def test_import_unreadable(texte: str, format: str) -> None:
    with pytest.raises(GrilleInvalide) as exc:
        importer(texte, format)  # type: ignore[arg-type]
    assert exc.value.erreurs[0]["loc"] == ("document",)


@pytest.mark.parametrize(
    ("champs", "refuse"),
    [
        (["dalo"], None),
        (["priorites_validees", "dalo_designe_par_prefet"], None),
        (["priorites"], "priorites"),  # claimed, not validated
        (["priorites_validees", "motifs"], "motifs"),
        (["logement_actuel.type"], "logement_actuel.type"),
    ],
)
def test_a_criterion_requiring_validation_reads_only_validated_facts(
    champs: list[str], refuse: str | None
) -> None:
    valeurs = {"dalo": "LOGEMENT", "priorites_validees": "A", "dalo_designe_par_prefet": True}
    valeurs |= {"priorites": "A", "motifs": "HANDICAP", "logement_actuel.type": "SQUAT"}
    conditions = [
        {
            "champ": c,
            "operateur": "contient"
            if c in ("priorites", "priorites_validees", "motifs")
            else "egal",
            "valeur": valeurs[c],
        }
        for c in champs
    ]
    valide = critere("V", type="condition", points=10, exige_validation=True, conditions=conditions)
    if refuse is None:
        lire_definition(
            {"epci": "243500139", "libelle": "G", "date_effet": "2026-01-01", "criteres": [valide]}
        )
        return
    [(lieu, message)] = _erreurs(valide)
    assert lieu == "criteres[V]" and refuse in message and "exige une validation" in message


def test_example_grids_score_dalo_and_priorities_only_once_validated() -> None:
    for definition in grilles_exemple():
        par_code = {c.code: c for c in definition.criteres}
        assert par_code["DALO_PU"].exige_validation, definition.epci
        for c in definition.criteres:
            if set(c.champs_lus()) <= {"dalo", "priorites_validees"}:
                assert c.exige_validation, (definition.epci, c.code)
