"""The attestation's one-month deadline is monitored (issue 11 item 3): a daily job counts the
attestations d'enregistrement neither sent nor printed one month after the dépôt (metric),
and the gestionnaire lists them."""

from __future__ import annotations

from datetime import date

import pytest
from prometheus_client import REGISTRY
from toit_notifications.adapters.boite_dev import BoiteDev

from servicekit.runtime import ServiceRuntime
from servicekit.testing_auth import auth_headers

from .test_notifications_delivery import client, publish, registration, rows, wait_for

pytestmark = pytest.mark.integration

GESTIONNAIRE = auth_headers(roles={"GESTIONNAIRE_FICHIER"}, departements={"35"})


def en_retard() -> float | None:
    return REGISTRY.get_sample_value("toit_attestations_en_retard", {"service": "notifications"})


async def test_attestation_not_printed_a_month_after_the_depot_is_listed_and_counted(
    runtime: ServiceRuntime, boite: BoiteDev
) -> None:
    event = registration(email=None)  # a courrier: waits for the guichet to print it
    await publish(runtime, event)

    async def recorded() -> bool:
        return len(await rows(runtime, demande_id=event.demande_id)) == 1

    await wait_for(recorded)
    [row] = await rows(runtime, demande_id=event.demande_id)
    assert row["echeance"] == date(2026, 2, 12)  # dépôt 12 January 2026 + one month

    await runtime.run_daily_jobs(date(2026, 2, 11))
    assert en_retard() == 0
    await runtime.run_daily_jobs(date(2026, 2, 12))
    assert en_retard() == 1

    async with client(runtime) as http:
        liste = await http.get("/api/notifications/attestations/en-retard", headers=GESTIONNAIRE)
        assert liste.status_code == 200, liste.text
        [ligne] = [a for a in liste.json() if a["demande_id"] == str(event.demande_id)]
        assert ligne["numero_unique"] == event.numero_unique
        assert ligne["canal"] == "courrier" and ligne["echeance"] == "2026-02-12"
        ailleurs = await http.get(
            "/api/notifications/attestations/en-retard",
            headers=auth_headers(roles={"GESTIONNAIRE_FICHIER"}, departements={"44"}),
        )
        assert [a for a in ailleurs.json() if a["demande_id"] == str(event.demande_id)] == []

        editee = await http.post(
            f"/api/notifications/courriers/{row['id']}/edite",
            headers=auth_headers(roles={"AGENT_ENREGISTREUR"}, departements={"35"}),
        )
        assert editee.status_code == 200, editee.text
    await runtime.run_daily_jobs(date(2026, 2, 13))
    assert en_retard() == 0
