"""Item 4 of the session brief: matching's events feed the vacancies, propositions and
attributions read models through the archive; an attribution counts once whether the
demande's radiation comes before or after matching's attribution.prononcee."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from toit_observatoire.adapters import tables
from toit_observatoire.bootstrap import dependances
from toit_observatoire.generateur import enveloppe
from toit_observatoire.service import service
from toit_observatoire.service_layer import modeles

from servicekit.messaging.transport import OutgoingMessage
from servicekit.testing import RuntimeFactory
from toit_contracts.events import IntegrationEvent
from toit_contracts.examples import EXAMPLE_TIME, example_events

from .observatoire_harness import arreter_suivi, attendre_modeles, photo

pytestmark = pytest.mark.integration


def _pour(event: IntegrationEvent, demande_id: uuid.UUID, **update: Any) -> IntegrationEvent:
    return event.model_copy(update={"demande_id": demande_id, **update})


async def test_matching_events_feed_vacancies_propositions_and_attributions_once(
    memory_runtime_factory: RuntimeFactory,
) -> None:
    runtime = await memory_runtime_factory(service)
    ex = example_events()
    avant, apres = uuid.uuid4(), uuid.uuid4()
    attribution = ex["attribution.prononcee"]
    chain: list[IntegrationEvent] = [
        ex["vacance.declaree"],
        ex["vacance.orientee"],
        ex["caleol.decision_prise"],
        ex["offre.emise"],
        ex["offre.acceptee"],
        # Radiation first, then matching's attribution.
        _pour(ex["demande.enregistree"], avant),
        _pour(ex["demande.radiee"], avant),
        _pour(attribution, avant, attribution_id=uuid.uuid4()),
        # Matching's attribution first, then the radiation it causes.
        _pour(ex["demande.enregistree"], apres),
        _pour(attribution, apres, attribution_id=uuid.uuid4()),
        _pour(ex["demande.radiee"], apres),
    ]
    messages = []
    for event in chain:
        envelope = enveloppe(event, EXAMPLE_TIME)
        messages.append(OutgoingMessage(envelope.id, envelope.type, envelope.to_json_bytes()))
    await runtime.transport.publish(messages)
    await attendre_modeles(runtime, len(chain))

    async with runtime.db.engine.connect() as conn:
        vacance = (await conn.execute(sa.select(tables.rm_logement_vacant))).mappings().one()
        propositions = (
            (await conn.execute(sa.select(tables.rm_proposition).order_by("proposition_id")))
            .mappings()
            .all()
        )
        attributions = (await conn.execute(sa.select(tables.rm_attribution))).mappings().all()
    assert (vacance["statut"], vacance["reservataire"], vacance["epci"]) == (
        "ATTRIBUEE",
        "ddets-44",
        "244400404",
    )
    assert sorted((p["decision_caleol"], p["decision"]) for p in propositions) == [
        ("ATTRIBUTION_RANG", "A_PROPOSER"),
        ("ATTRIBUTION_SOUS_CONDITION", "ACCEPTEE"),
        ("IRRECEVABILITE", "SANS_OFFRE"),
    ]
    par_demande = {a["demande_id"]: a for a in attributions}
    assert len(attributions) == 2 and set(par_demande) == {avant, apres}, "each counted once"
    for row in attributions:
        assert row["source"] == "matching"
        assert row["typologie_attribuee"] == "T3"
        # Completed from the observatoire's own copy of the demande.
        assert row["typologie_demandee"] is not None
        assert row["revenu_annuel_uc"] is not None

    # The same models rebuilt from the archive.
    live = await photo(runtime)
    await arreter_suivi(runtime)
    deps = dependances(runtime)
    assert await modeles.reconstruire(deps.db, deps.archive, deps.territoire, limite=3) == len(
        chain
    )
    assert await photo(runtime) == live
