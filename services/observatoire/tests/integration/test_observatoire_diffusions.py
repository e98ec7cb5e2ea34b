"""Session brief item 3: scheduled lists are run by the daily job and sent to their
addresses through notifications (an event in the outbox, no call), once per list and
period, whatever the number of runs; an invalid address is refused in French."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from toit_observatoire.entrypoints import jobs
from toit_observatoire.service import service

from servicekit.messaging.tables import outbox
from servicekit.testing import RuntimeFactory
from servicekit.testing_auth import auth_headers
from toit_contracts import CloudEvent, parse_event
from toit_contracts.events import ListeDiffusee

from .observatoire_harness import attendre_modeles, publier

pytestmark = pytest.mark.integration

AGENT = {"roles": {"AGENT_ENREGISTREUR"}, "departements": {"35"}, "sub": "agent-rennes"}


def _liste(titre: str, planification: str, **extra: object) -> dict[str, object]:
    return {
        "titre": titre,
        "reference": titre[:8],
        "definition": {"domaine": "demandes_en_cours", "regroupements": ["typologie"]},
        "destinataires": [
            {"type": "courriel", "id": "Observatoire@Rennes.example.org "},
            {"type": "utilisateur", "id": "collegue"},
        ],
        "planification": planification,
        **extra,
    }


async def _diffusions(runtime: Any) -> list[ListeDiffusee]:
    async with runtime.db.engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.select(outbox.c.envelope).where(
                    outbox.c.event_type == "observatoire.liste_diffusee"
                )
            )
        ).scalars()
        found = []
        for body in rows:
            event = parse_event(CloudEvent.from_json_bytes(body))
            assert isinstance(event, ListeDiffusee)
            found.append(event)
    return found


async def test_scheduled_lists_are_sent_once_per_period(
    memory_runtime_factory: RuntimeFactory,
) -> None:
    runtime = await memory_runtime_factory(service)
    await attendre_modeles(runtime, await publier(runtime, 60))
    agent = auth_headers(**AGENT)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=runtime.app(manage_lifespan=False)),
        base_url="http://toit.test",
    ) as http:
        hebdo = await http.post(
            "/api/observatoire/listes", headers=agent, json=_liste("Hebdo", "hebdomadaire")
        )
        assert hebdo.status_code == 201, hebdo.text
        mensuelle = await http.post(
            "/api/observatoire/listes", headers=agent, json=_liste("Mensuelle", "mensuelle")
        )
        assert mensuelle.status_code == 201
        sans_courriel = _liste("Sans", "quotidienne")
        sans_courriel["destinataires"] = [{"type": "utilisateur", "id": "collegue"}]
        assert (
            await http.post("/api/observatoire/listes", headers=agent, json=sans_courriel)
        ).status_code == 201
        bad = _liste("Mauvaise", "hebdomadaire")
        bad["destinataires"] = [{"type": "courriel", "id": "pas-une-adresse"}]
        r = await http.post("/api/observatoire/listes", headers=agent, json=bad)
        assert r.status_code == 422
        assert "adresse électronique invalide" in r.text and "destinataires" in r.text

    # Monday 2 March 2026: the weekly list is due, the monthly one is not; the daily list
    # runs but has no address to send to.
    await jobs.listes_planifiees(runtime, date(2026, 3, 2))
    [envoi] = await _diffusions(runtime)
    assert envoi.liste_id == uuid.UUID(hebdo.json()["id"])
    assert envoi.periode == "2026-S10" and envoi.planification == "hebdomadaire"
    assert envoi.destinataires == ["Observatoire@Rennes.example.org"]
    assert envoi.lien.endswith(f"/pro/observatoire/listes/{hebdo.json()['id']}")
    assert envoi.apercu is not None and envoi.apercu.colonnes[0].startswith("Typologie")
    assert 0 < envoi.total <= 60 and not envoi.nominatif

    # The job runs again (restart, second instance) the same day and on Wednesday of the
    # same week: nothing is sent twice. The next Monday is a new period.
    await jobs.listes_planifiees(runtime, date(2026, 3, 2))
    await jobs.listes_planifiees(runtime, date(2026, 3, 4))
    assert len(await _diffusions(runtime)) == 1
    await jobs.listes_planifiees(runtime, date(2026, 3, 9))
    # The 1st of the month: the monthly list goes too.
    await jobs.listes_planifiees(runtime, date(2026, 4, 1))
    periodes = sorted(e.periode for e in await _diffusions(runtime))
    assert periodes == ["2026-04", "2026-S10", "2026-S11"]
