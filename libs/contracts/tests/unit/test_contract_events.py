from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import pytest
from pydantic import ValidationError

import toit_contracts
from toit_contracts import CloudEvent, EntityEvent, UnknownEventType, parse_event
from toit_contracts.enums import MotifIrrecevabilite, MotifRadiation, RolePersonne
from toit_contracts.events import (
    PERSONAL_DATA,
    DemandeEnregistree,
    DemandePurgee,
    DemandeRadiationPreavisee,
    DemandeRadiee,
    DemandeSnapshot,
    IntegrationEvent,
    registered_events,
)
from toit_contracts.examples import example_events, example_snapshot
from toit_contracts.schemas import json_schema

EVENT_TYPES = sorted(registered_events())
EXAMPLES = example_events()
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def _data(event_type: str, **changes: Any) -> dict[str, Any]:
    return {**EXAMPLES[event_type].model_dump(mode="json"), **changes}


def test_catalogue_is_complete() -> None:
    assert set(EVENT_TYPES) == set(EXAMPLES)
    assert {
        "demande.creee",
        "demande.enregistree",
        "demande.modifiee",
        "demande.renouvelee",
        "demande.radiation_preavisee",
        "demande.radiation_levee",
        "demande.rejetee",
        "demande.radiee",
        "demande.reactivee",
        "demande.purgee",
        "demande.renouvellement_a_echeance",
        "demande.delai_anormalement_long_atteint",
        "demande.piece_deposee",
        "demande.piece_statuee",
        "cotation.calculee",
        "compte.activation_demandee",
        "compte.reinitialisation_demandee",
        "compte.verrouille",
        "comptes.a_revoir",
        "compte.desactive",
        "compte.supprime",
        "organisation.enregistree",
        "organisation.modifiee",
        "designation.effectuee",
        "caleol.decision_prise",
        "offre.emise",
        "offre.acceptee",
        "offre.refusee",
        "offre.rappelee",
        "attribution.prononcee",
        "demande.offre_notifiee",
        "demande.decision_caleol_notifiee",
        "vacance.declaree",
        "vacance.orientee",
        "vacance.retiree",
        "jeton.revoque",
        "observatoire.chiffres_cles_publies",
        "observatoire.liste_diffusee",
        "abonnement.suspendu",
        "demande.code_rattachement",
        "portail.rattachement_demande",
        "portail.demande_rattachee",
        "portail.demande_soumise",
        "portail.modification_demandee",
        "portail.renouvellement_demande",
        "portail.renonciation_demandee",
        "demande.commande_traitee",
    } == set(EVENT_TYPES)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_class_declaration(event_type: str) -> None:
    cls = registered_events()[event_type]
    assert cls.event_type == event_type
    # The events carrying the demande snapshot are v2 (issue 11: several codemandeurs and
    # colocataires); the others are still v1.
    version = 2 if "snapshot" in cls.model_fields and event_type.startswith("demande.") else 1
    assert cls.schema_version == version
    assert cls.summary
    assert cls.__doc__
    assert cls.subject_field in cls.model_fields
    assert cls.dataschema() == f"urn:toit:event:{event_type}:v{version}"
    undocumented = [name for name, f in cls.model_fields.items() if not f.description]
    assert undocumented == []


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_round_trip_through_cloudevent(event_type: str) -> None:
    event = EXAMPLES[event_type]
    envelope = event.to_cloudevent(source="/toit/test", traceparent=TRACEPARENT)
    received = CloudEvent.from_json_bytes(envelope.to_json_bytes())

    parsed = parse_event(received)

    assert type(parsed) is type(event)
    assert parsed == event
    assert received.type == event_type
    assert received.traceparent == TRACEPARENT
    assert received.dataschema == type(event).dataschema()


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_subject_is_entity_id(event_type: str) -> None:
    event = EXAMPLES[event_type]
    assert event.subject_field is not None
    entity_id = getattr(event, event.subject_field)
    assert isinstance(entity_id, UUID)
    assert event.to_cloudevent(source="/toit/test").subject == str(entity_id)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_extra_fields_rejected(event_type: str) -> None:
    cls = registered_events()[event_type]
    with pytest.raises(ValidationError, match="champ_inconnu"):
        cls.model_validate(_data(event_type, champ_inconnu=1))


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_missing_subject_rejected(event_type: str) -> None:
    cls = registered_events()[event_type]
    data = _data(event_type)
    del data[str(cls.subject_field)]
    with pytest.raises(ValidationError):
        cls.model_validate(data)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_events_are_immutable(event_type: str) -> None:
    event = EXAMPLES[event_type]
    with pytest.raises(ValidationError, match="frozen"):
        setattr(event, str(event.subject_field), None)


def test_entity_events_carry_a_version() -> None:
    entity = [t for t, cls in registered_events().items() if issubclass(cls, EntityEvent)]
    # A revocation is about tokens, not a versioned entity: applied whatever its order.
    # The portail's commands and their answer are applied once each (commande_id), not
    # versions of an entity: the answer names its command.
    assert set(EVENT_TYPES) - set(entity) == {
        "comptes.a_revoir",
        "jeton.revoque",
        "observatoire.chiffres_cles_publies",
        # Attaching a demande: one-off requests (each attempt has its own id).
        "portail.rattachement_demande",
        "portail.demande_rattachee",
        # One per list and period, never changed afterwards.
        "observatoire.liste_diffusee",
        "portail.demande_soumise",
        "portail.modification_demandee",
        "portail.renouvellement_demande",
        "portail.renonciation_demandee",
        "demande.commande_traitee",
    }
    with pytest.raises(ValidationError):
        parse_event(
            CloudEvent(
                source="/t", type="demande.modifiee", data=_data("demande.modifiee", version=0)
            )
        )


def test_unknown_event_type() -> None:
    with pytest.raises(UnknownEventType):
        parse_event(CloudEvent(source="/t", type="demande.inconnue", data={}))


def test_importing_package_registers_catalogue() -> None:
    assert toit_contracts.registered_events() == registered_events()
    assert len(registered_events()) == len(EVENT_TYPES)


def test_declaring_an_event_type_twice_fails() -> None:
    with pytest.raises(TypeError, match="declared twice"):

        class Doublon(IntegrationEvent):
            event_type = "demande.creee"


# --- Demande specifics ------------------------------------------------------------------------


def _snapshot(**changes: Any) -> dict[str, Any]:
    return {**example_snapshot().model_dump(mode="json"), **changes}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"inconnu": True}, "inconnu"),
        ({"personnes": []}, "personnes"),
        (
            {"personnes": [{"role": "OCCUPANT", "date_naissance": "2000-01-01"}]},
            "exactement un demandeur",
        ),
        (
            {
                "personnes": [
                    {"role": "DEMANDEUR", "date_naissance": "2000-01-01"},
                    {"role": "DEMANDEUR", "date_naissance": "2001-01-01"},
                ]
            },
            "exactement un demandeur",
        ),
        (
            {
                "motifs": [
                    {"motif": "SANS_LOGEMENT", "principal": True},
                    {"motif": "HANDICAP", "principal": True},
                ]
            },
            "un seul motif",
        ),
        ({"contact": {"civilite": "M", "nom": "X", "prenoms": "Y"}}, "courrier_papier"),
        ({"ressources_mensuelles_totales": "-1"}, "ressources_mensuelles_totales"),
        ({"ressources_mensuelles_totales": "10.555"}, "ressources_mensuelles_totales"),
        ({"logement_recherche": {"typologies": ["T9"], "communes": ["35238"]}}, "typologies"),
        ({"logement_recherche": {"typologies": ["T2"], "communes": ["20004"]}}, "code INSEE"),
    ],
)
def test_snapshot_invalid(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        DemandeSnapshot.model_validate(_snapshot(**changes))


def test_snapshot_roles() -> None:
    roles = [p.role for p in example_snapshot().personnes]
    assert roles.count(RolePersonne.DEMANDEUR) == 1


@pytest.mark.parametrize(
    ("motif", "sous_motif", "valid"),
    [
        (MotifRadiation.ATTRIBUTION, None, True),
        (MotifRadiation.IRRECEVABILITE, MotifIrrecevabilite.PLAFOND_RESSOURCES, True),
        (MotifRadiation.IRRECEVABILITE, None, False),
        (MotifRadiation.RENONCIATION, MotifIrrecevabilite.SEJOUR_IRREGULIER, False),
    ],
)
def test_radiation_sous_motif(
    motif: MotifRadiation, sous_motif: MotifIrrecevabilite | None, valid: bool
) -> None:
    data = _data("demande.radiee", motif=motif, sous_motif=sous_motif)
    if valid:
        assert DemandeRadiee.model_validate(data).motif is motif
    else:
        with pytest.raises(ValidationError, match="sous-motif"):
            DemandeRadiee.model_validate(data)


def test_enregistree_requires_numero_unique() -> None:
    with pytest.raises(ValidationError, match="numero_unique"):
        DemandeEnregistree.model_validate(_data("demande.enregistree", numero_unique=None))


def test_numero_unique_normalised_in_events() -> None:
    event = DemandeEnregistree.model_validate(
        _data("demande.enregistree", numero_unique="035 01 26 000042 rm035")
    )
    assert event.numero_unique == "0350126000042RM035"


def _walk(schema: Any) -> list[Any]:
    if isinstance(schema, dict):
        return [schema, *(n for v in schema.values() for n in _walk(v))]
    if isinstance(schema, list):
        return [n for v in schema for n in _walk(v)]
    return []


def test_purge_carries_no_personal_data() -> None:
    schema = json_schema(DemandePurgee)
    assert not any(PERSONAL_DATA in node for node in _walk(schema))
    forbidden = {"contact", "numero_unique", "snapshot", "personnes", "date_naissance", "email"}
    assert forbidden.isdisjoint(DemandePurgee.model_fields)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_personal_data_is_marked(event_type: str) -> None:
    """Any field that can hold a name, birth date or email is marked in the schema."""
    text = json.dumps(json_schema(registered_events()[event_type]))
    payload = json.dumps(_data(event_type))
    if "@" in payload or "date_naissance" in payload:
        assert PERSONAL_DATA in text


def test_examples_match_published_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    for event_type in EVENT_TYPES:
        schema = json_schema(registered_events()[event_type])
        validator = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.FormatChecker()
        )
        validator.validate(_data(event_type))
        assert list(validator.iter_errors(_data(event_type, champ_inconnu=1))), event_type


def test_radiation_notice_carries_its_decision_and_answer_by_date() -> None:
    """Irrecevabilité only with a decision (CALEOL or gestionnaire, legal ground); the
    household answers before the radiation takes effect (issue 11 item 1)."""
    data = _data("demande.radiation_preavisee")
    event = DemandeRadiationPreavisee.model_validate(data)
    assert event.decision is not None and event.decision.origine == "GESTIONNAIRE"
    sans_decision = {**data, "decision": None}
    with pytest.raises(ValidationError, match="décision"):
        DemandeRadiationPreavisee.model_validate(sans_decision)
    with pytest.raises(ValidationError, match="date_limite_reponse"):
        DemandeRadiationPreavisee.model_validate({**data, "date_limite_reponse": "2026-06-04"})
    with pytest.raises(ValidationError, match="préavis"):
        DemandeRadiationPreavisee.model_validate({**data, "motif": "RENONCIATION"})
    absence = {**data, "motif": "ABSENCE_DE_REPONSE", "sous_motif": None, "decision": None}
    assert DemandeRadiationPreavisee.model_validate(absence).decision is None


def test_snapshot_v2_holds_several_codemandeurs_and_colocataires() -> None:
    """Issue 11: v1 refused a second codemandeur and knew no colocataire."""
    data = _data("demande.modifiee")
    personnes = data["snapshot"]["personnes"]
    adulte = {**personnes[0], "lien": "ASCENDANT", "situation_professionnelle": "RETRAITE"}
    data["snapshot"]["personnes"] = [
        *personnes,
        {**adulte, "role": "CODEMANDEUR", "lien": "CONJOINT"},
        {**adulte, "role": "CODEMANDEUR"},
        {**adulte, "role": "COLOCATAIRE", "lien": "SANS_LIEN"},
    ]
    event = registered_events()["demande.modifiee"].model_validate(data)
    roles = [p.role.value for p in event.snapshot.personnes]  # type: ignore[attr-defined]
    assert roles.count("CODEMANDEUR") == 2 and roles.count("COLOCATAIRE") == 1
    assert type(event).dataschema() == "urn:toit:event:demande.modifiee:v2"
