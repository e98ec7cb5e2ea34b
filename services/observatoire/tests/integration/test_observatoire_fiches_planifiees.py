"""Issue 16 item 6 (fiches territoriales on schedule): the daily job makes the fiche of
every département for the last complete month, once: running it again the same day or
later in the month makes nothing twice, and a second job run for the next month makes
the next ones. The stored PDFs are listed and read within the caller's territory."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
import sqlalchemy as sa
from toit_observatoire.adapters import tables
from toit_observatoire.entrypoints import jobs
from toit_observatoire.service import service
from toit_observatoire.service_layer.publications import couverture, territoires

from servicekit.testing import RuntimeFactory
from servicekit.testing_auth import auth_headers

from .observatoire_harness import attendre_modeles, publier

pytestmark = pytest.mark.integration


def test_a_fiche_covers_the_year_to_the_last_complete_month() -> None:
    assert couverture(date(2026, 3, 1)).periode == "2026-02"
    assert couverture(date(2026, 3, 31)).fin == date(2026, 2, 28)
    january = couverture(date(2027, 1, 15))
    assert (january.annee, january.periode, january.fin) == (2026, "2026-12", date(2026, 12, 31))
    assert len(territoires(("departement",))) == 9
    assert ("epci", "243500139") in territoires(("departement", "epci"))


async def _lignes(runtime: object) -> list[tuple[str, str, str]]:
    async with runtime.db.engine.connect() as conn:  # type: ignore[attr-defined]
        t = tables.fiche_publiee
        rows = await conn.execute(sa.select(t.c.niveau, t.c.code, t.c.periode))
        return sorted((r.niveau, r.code, r.periode) for r in rows)


async def test_scheduled_fiches_are_made_once_per_territory_and_month(
    memory_runtime_factory: RuntimeFactory,
) -> None:
    runtime = await memory_runtime_factory(service)
    await attendre_modeles(runtime, await publier(runtime, 40))

    await jobs.fiches_planifiees(runtime, date(2026, 3, 1))
    faites = await _lignes(runtime)
    assert faites == sorted(("departement", d, "2026-02") for _, d in territoires(("departement",)))
    # Again the same day (restart, second instance), then later in the month: nothing new.
    await jobs.fiches_planifiees(runtime, date(2026, 3, 1))
    await jobs.fiches_planifiees(runtime, date(2026, 3, 17))
    assert await _lignes(runtime) == faites

    agent_35 = auth_headers(roles={"AGENT_ENREGISTREUR"}, departements={"35"}, sub="agent-35")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=runtime.app(manage_lifespan=False)),
        base_url="http://toit.test",
    ) as http:
        r = await http.get("/api/observatoire/fiches/publiees", headers=agent_35)
        assert r.status_code == 200, r.text
        [fiche] = r.json()
        assert (fiche["niveau"], fiche["code"], fiche["periode"], fiche["annee"]) == (
            "departement",
            "35",
            "2026-02",
            2026,
        )
        assert fiche["taille"] > 1000
        r = await http.get(
            "/api/observatoire/fiches/publiees/departement/35/2026-02.pdf", headers=agent_35
        )
        assert r.status_code == 200 and r.content.startswith(b"%PDF")
        assert r.headers["cache-control"] == "no-store"
        # Another département's fiche is outside this agent's territory.
        r = await http.get(
            "/api/observatoire/fiches/publiees/departement/29/2026-02.pdf", headers=agent_35
        )
        assert r.status_code == 404
        r = await http.get(
            "/api/observatoire/fiches/publiees/departement/35/2026-2.pdf", headers=agent_35
        )
        assert r.status_code == 422 and "periode" in r.text
        # Every read of a fiche is recorded as an export.
        async with runtime.db.engine.connect() as conn:
            quoi = (await conn.execute(sa.select(tables.export.c.quoi))).scalars().all()
        assert "fiche:departement:35:2026-02" in quoi
