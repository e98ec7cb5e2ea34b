"""Item 3 and 9: listes paramétrables over the read models (query builder, grouping,
saved lists, home page, latest result, exports recorded) and bad input (422 in
French naming the field, hostile input never reaching SQL)."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from toit_observatoire.adapters import tables
from toit_observatoire.service import service

from servicekit.testing import RuntimeFactory
from servicekit.testing_auth import assert_access_matrix, auth_headers

from .observatoire_harness import attendre_modeles, publier

pytestmark = pytest.mark.integration

AGENT = {"roles": {"AGENT_ENREGISTREUR"}, "departements": {"35"}, "sub": "agent-rennes"}
OBSERVATEUR = {"roles": {"OBSERVATEUR"}, "departements": {"35"}, "sub": "observateur"}
T2_RENNES = {
    "domaine": "demandes_en_cours",
    "filtres": [
        {"champ": "typologie", "operateur": "egal", "valeur": "T2"},
        {"champ": "commune", "operateur": "egal", "valeur": "35238"},
    ],
    "regroupements": ["typologie"],
}


async def _client(runtime: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=runtime.app(manage_lifespan=False)),
        base_url="http://toit.test",
    )


async def test_lists_embedded(memory_runtime_factory: RuntimeFactory) -> None:
    await _scenario(await memory_runtime_factory(service))


async def test_lists_postgresql_rabbitmq(runtime_factory: RuntimeFactory) -> None:
    """Median in SQL (percentile_cont) there, in Python on SQLite."""
    await _scenario(await runtime_factory(service))


async def _scenario(runtime: Any) -> None:
    total = await publier(runtime, 150)
    await attendre_modeles(runtime, total)
    agent = auth_headers(**AGENT)
    async with await _client(runtime) as http:
        # The allow-list is documented.
        domaines = (await http.get("/api/observatoire/domaines", headers=agent)).json()
        assert {d["nom"] for d in domaines} >= {"demandes_en_cours", "attributions", "cotations"}

        # Preview grouped by typologie with count, percentage, mean and median.
        r = await http.post(
            "/api/observatoire/apercu",
            headers=agent,
            json={
                "domaine": "demandes_en_cours",
                "regroupements": ["typologie"],
                "agregats": [
                    {"fonction": "nombre"},
                    {"fonction": "pourcentage"},
                    {"fonction": "moyenne", "champ": "revenu_annuel_uc"},
                    {"fonction": "mediane", "champ": "revenu_annuel_uc"},
                    {"fonction": "somme", "champ": "taille_menage"},
                ],
            },
        )
        assert r.status_code == 200, r.text
        result = r.json()
        assert result["groupe"] and r.headers["cache-control"] == "no-store"
        async with runtime.db.engine.connect() as conn:
            expected = dict(
                (
                    await conn.execute(
                        sa.select(tables.rm_demande.c.typologie, sa.func.count())
                        .where(tables.rm_demande.c.statut.in_(["ACTIVE", "EXPIREE_GRACE"]))
                        .group_by(tables.rm_demande.c.typologie)
                    )
                ).all()
            )
        assert result["total"] == sum(expected.values())
        for index, line in enumerate(result["lignes"]):
            if index in result["lignes_masquees"]:
                assert line[1:] == [None] * 5
            else:
                assert line[1] == expected[line[0]]
                assert line[2] == pytest.approx(100 * expected[line[0]] / result["total"], 0.01)

        # Two groupings.
        r = await http.post(
            "/api/observatoire/apercu",
            headers=agent,
            json={"domaine": "demandes_radiees", "regroupements": ["motif_radiation", "typologie"]},
        )
        assert r.status_code == 200 and len(r.json()["colonnes"]) == 4

        # Save "Demandes de T2 sur ma commune" to the home page, run it, read it back.
        r = await http.post(
            "/api/observatoire/listes",
            headers=agent,
            json={
                "titre": "Demandes de T2 sur ma commune",
                "reference": "T2",
                "description": "Suivi hebdomadaire",
                "definition": T2_RENNES,
                "destinataires": [{"type": "utilisateur", "id": "collegue"}],
                "dossier": "Suivi",
                "conservation_jours": 7,
                "planification": "hebdomadaire",
                "accueil": True,
            },
        )
        assert r.status_code == 201, r.text
        liste = r.json()
        assert r.headers["etag"] == '"1"'
        url = f"/api/observatoire/listes/{liste['id']}"
        assert (await http.get(f"{url}/resultat", headers=agent)).status_code == 404
        run = await http.post(f"{url}/executions", headers=agent)
        assert run.status_code == 200, run.text
        latest = (await http.get(f"{url}/resultat", headers=agent)).json()
        assert latest["lignes"] == run.json()["lignes"] and latest["execute_le"]
        accueil = (await http.get("/api/observatoire/listes/accueil", headers=agent)).json()
        assert [a["liste"]["titre"] for a in accueil] == ["Demandes de T2 sur ma commune"]
        assert accueil[0]["resultat"]["lignes"] == latest["lignes"]
        # The recipient sees it; another agent does not.
        colleague = auth_headers(**{**AGENT, "sub": "collegue"})
        assert (await http.get(url, headers=colleague)).status_code == 200
        assert (
            await http.get(url, headers=auth_headers(**{**AGENT, "sub": "x"}))
        ).status_code == 404
        # ... but may not change it (modification not allowed to recipients).
        body = {"titre": "x", "reference": "T2", "definition": T2_RENNES}
        r = await http.put(url, headers={**colleague, "If-Match": '"1"'}, json=body)
        assert r.status_code == 403
        # Edits need If-Match, and the current version.
        assert (await http.put(url, headers=agent, json=body)).status_code == 428
        r = await http.put(url, headers={**agent, "If-Match": '"9"'}, json=body)
        assert r.status_code == 412
        r = await http.put(
            url, headers={**agent, "If-Match": '"1"'}, json={**body, "accueil": True}
        )
        assert r.status_code == 200 and r.headers["etag"] == '"2"'

        # Exports: XLSX, CSV with ; and BOM, PDF; each recorded.
        x = await http.get(f"{url}/export", params={"format": "xlsx"}, headers=agent)
        assert x.status_code == 200 and x.headers["content-disposition"].endswith('.xlsx"')
        sheet = load_workbook(io.BytesIO(x.content)).active
        assert sheet is not None and sheet.cell(1, 1).value == "Typologie demandée (la plus petite)"
        c = await http.get(f"{url}/export", params={"format": "csv"}, headers=agent)
        assert c.content.startswith(b"\xef\xbb\xbf") and b";" in c.content.splitlines()[0]
        p = await http.get(f"{url}/export", params={"format": "pdf"}, headers=agent)
        assert p.content.startswith(b"%PDF")
        async with runtime.db.engine.connect() as conn:
            recorded = (await conn.execute(sa.select(tables.export))).all()
        assert sorted(e.format for e in recorded) == ["csv", "pdf", "xlsx"]
        assert {(e.qui, e.quoi) for e in recorded} == {("agent-rennes", f"liste:{liste['id']}")}

        # Bad input: 422 in French naming the field.
        async def refused(
            definition: dict[str, Any], headers: dict[str, str] = agent
        ) -> dict[str, Any]:
            r = await http.post("/api/observatoire/apercu", headers=headers, json=definition)
            assert r.status_code == 422, r.text
            [erreur] = r.json()["erreurs"]
            return erreur

        e = await refused(
            {
                "domaine": "demandes_en_cours",
                "colonnes": ["commune"],
                "filtres": [{"champ": "nom", "operateur": "egal", "valeur": "x"}],
            }
        )
        assert e["champ"] == "definition.filtres[0].champ" and "« nom » inconnu" in e["message"]
        e = await refused(
            {
                "domaine": "demandes_en_cours",
                "colonnes": ["commune"],
                "filtres": [{"champ": "typologie", "operateur": "superieur", "valeur": "T2"}],
            }
        )
        assert e["champ"] == "definition.filtres[0].operateur" and "Typologie" in e["message"]
        e = await refused(
            {"domaine": "demandes_en_cours", "regroupements": ["numero_unique"]},
            auth_headers(**OBSERVATEUR),
        )
        assert e["champ"] == "definition.regroupements[0]" and "nominative" in e["message"]
        e = await refused(
            {"domaine": "demandes_en_cours", "colonnes": ["numero_unique"]},
            auth_headers(**OBSERVATEUR),
        )
        assert e["champ"] == "definition.colonnes[0]"

        # A nominative list for an agent who may read demandes: traced.
        r = await http.post(
            "/api/observatoire/apercu",
            headers=agent,
            json={"domaine": "demandes_en_cours", "colonnes": ["numero_unique", "commune"]},
        )
        assert r.status_code == 200 and r.json()["nominatif"]


HOSTILE = [
    "typologie; DROP TABLE rm_demande; --",
    "typologie) OR 1=1 --",
    'commune" UNION SELECT * FROM liste --',
    "rm_demande.numero_unique",
    "*",
    "__class__",
    "x" * 10_000,
]


async def test_hostile_input_never_reaches_sql(memory_runtime_factory: RuntimeFactory) -> None:
    runtime = await memory_runtime_factory(service)
    total = await publier(runtime, 20)
    await attendre_modeles(runtime, total)
    agent = auth_headers(**AGENT)
    async with await _client(runtime) as http:
        for name in HOSTILE:
            for definition in (
                {"domaine": name, "colonnes": ["commune"]},
                {"domaine": "demandes_en_cours", "colonnes": [name]},
                {"domaine": "demandes_en_cours", "regroupements": [name]},
                {"domaine": "demandes_en_cours", "colonnes": ["commune"], "tri": [{"champ": name}]},
                {
                    "domaine": "demandes_en_cours",
                    "colonnes": ["commune"],
                    "filtres": [{"champ": name, "operateur": "egal", "valeur": "1"}],
                },
                {
                    "domaine": "demandes_en_cours",
                    "colonnes": ["commune"],
                    "filtres": [{"champ": "commune", "operateur": name, "valeur": "1"}],
                },
                {
                    "domaine": "demandes_en_cours",
                    "regroupements": ["commune"],
                    "agregats": [{"fonction": name}],
                },
                {
                    "domaine": "demandes_en_cours",
                    "regroupements": ["commune"],
                    "agregats": [{"fonction": "somme", "champ": name}],
                },
            ):
                r = await http.post("/api/observatoire/apercu", headers=agent, json=definition)
                assert r.status_code == 422, (definition, r.text)
                assert r.json()["erreurs"][0]["message"]
            # As a value it is a bound parameter: refused by the code pattern, or
            # matching nothing.
            filtre = {"champ": "commune", "operateur": "egal", "valeur": name}
            r = await http.post(
                "/api/observatoire/apercu",
                headers=agent,
                json={"domaine": "demandes_en_cours", "colonnes": ["commune"], "filtres": [filtre]},
            )
            assert r.status_code == 422 or r.json()["total"] == 0, r.text
        # Values are bound parameters: a quote in a date or number is refused, in a
        # list of codes it is refused by the code pattern; nothing was dropped.
        r = await http.post(
            "/api/observatoire/apercu",
            headers=agent,
            json={
                "domaine": "demandes_en_cours",
                "colonnes": ["commune"],
                "filtres": [
                    {"champ": "date_depot", "operateur": "egal", "valeur": "2024-01-01' OR '1'='1"}
                ],
            },
        )
        assert r.status_code == 422
    async with runtime.db.engine.connect() as conn:
        assert (
            await conn.execute(sa.select(sa.func.count()).select_from(tables.rm_demande))
        ).scalar() == 20


async def test_access_matrix(memory_runtime_factory: RuntimeFactory) -> None:
    runtime = await memory_runtime_factory(service)
    await assert_access_matrix(
        runtime.app(manage_lifespan=False),
        path_params={"liste_id": "6f1c2a3e-0000-4000-8000-000000000001"},
    )
