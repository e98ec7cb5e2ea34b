"""Session brief item 2: the choropleth by département, an accessible SVG drawn on the
server (one titled path per département, legend, credit of the CC BY 4.0 shapes) with
the same figures as a table; small cells masked with their secondary cell."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pytest
from toit_observatoire.generateur import enveloppe, evenements
from toit_observatoire.service import service

from servicekit.messaging.transport import OutgoingMessage
from servicekit.testing import RuntimeFactory
from servicekit.testing_auth import auth_headers

from .observatoire_harness import attendre_modeles

pytestmark = pytest.mark.integration

SVG = "{http://www.w3.org/2000/svg}"
GESTIONNAIRE = {
    "roles": {"GESTIONNAIRE_FICHIER"},
    "departements": {"22", "29", "35", "44"},
    "sub": "gestionnaire",
}


async def test_choropleth_by_departement_with_its_table(
    memory_runtime_factory: RuntimeFactory,
) -> None:
    runtime = await memory_runtime_factory(service)
    messages = []
    # Active demandes (the others are radiated): 35 → 11, 22 → 13, 44 → 3.
    for seed, departement, nombre in ((1, "35", 30), (2, "22", 20), (3, "44", 4)):
        for event, at in evenements(nombre, seed=seed, departement=departement):
            envelope = enveloppe(event, at)
            messages.append(OutgoingMessage(envelope.id, envelope.type, envelope.to_json_bytes()))
    await runtime.transport.publish(messages)
    await attendre_modeles(runtime, len(messages))
    headers = auth_headers(**GESTIONNAIRE)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=runtime.app(manage_lifespan=False)),
        base_url="http://toit.test",
    ) as http:
        r = await http.get("/api/observatoire/cartes/departements", headers=headers)
        assert r.status_code == 200, r.text
        table = r.json()
        zones = {z["code"]: z["valeur"] for z in table["zones"]}
        assert set(zones) == {"22", "29", "35", "44"}, "the caller's départements only"
        assert zones["29"] == 0
        # 44 has fewer than 5 demandes en cours: masked, and the smallest other cell with
        # it (35, secondary), or 44 could be found from the total.
        assert zones["44"] is None and zones["35"] is None
        assert zones["22"] == 13
        assert table["cellules_masquees"] == 2

        r = await http.get("/api/observatoire/cartes/departements.svg", headers=headers)
        assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
        assert r.headers["cache-control"] == "no-store"
        root = ET.fromstring(r.text)
        assert root.get("role") == "img" and root.get("aria-labelledby") == "carte-titre carte-desc"
        assert root.find(f"{SVG}title") is not None and root.find(f"{SVG}desc") is not None
        paths = {p.findtext(f"{SVG}title", "").split(" (")[0]: p for p in root.iter(f"{SVG}path")}
        assert set(paths) == {"Côtes-d'Armor", "Finistère", "Ille-et-Vilaine", "Loire-Atlantique"}
        assert "13 demandes en cours" in paths["Côtes-d'Armor"].findtext(f"{SVG}title", "")
        assert "secret statistique" in paths["Loire-Atlantique"].findtext(f"{SVG}title", "")
        assert paths["Loire-Atlantique"].get("fill") == "#bdbdbd"
        assert "CC BY 4.0" in r.text and "<script" not in r.text and "style=" not in r.text

        bad = await http.get(
            "/api/observatoire/cartes/departements", params={"indicateur": "x"}, headers=headers
        )
        assert bad.status_code == 422
        assert (await http.get("/api/observatoire/cartes/departements")).status_code == 401


async def test_choropleth_by_commune_and_epci_of_a_departement(
    memory_runtime_factory: RuntimeFactory,
) -> None:
    """Issue 16 item 4 (choropleth by commune/EPCI): the schematic cells of the communes
    of one département, clipped to its outline, one titled path per zone; EPCI zones
    gather their communes; small cells masked; the same figures as a table."""
    from toit_referentiel import communes_of_departement

    runtime = await memory_runtime_factory(service)
    messages = []
    for event, at in evenements(60, seed=4, departement="35"):
        envelope = enveloppe(event, at)
        messages.append(OutgoingMessage(envelope.id, envelope.type, envelope.to_json_bytes()))
    await runtime.transport.publish(messages)
    await attendre_modeles(runtime, len(messages))
    agent = auth_headers(roles={"AGENT_ENREGISTREUR"}, departements={"35"}, sub="agent-35")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=runtime.app(manage_lifespan=False)),
        base_url="http://toit.test",
    ) as http:
        departements = await http.get("/api/observatoire/cartes/departements", headers=agent)
        [stock] = [z["valeur"] for z in departements.json()["zones"]]
        params = {"departement": "35"}
        r = await http.get("/api/observatoire/cartes/communes", params=params, headers=agent)
        assert r.status_code == 200, r.text
        table = r.json()
        assert {z["code"] for z in table["zones"]} == {
            c.insee for c in communes_of_departement("35")
        }
        valeurs = [z["valeur"] for z in table["zones"]]
        # 60 demandes over 333 communes: most cells are below 5 and masked, with secondary
        # cells so that the département's total reveals none.
        assert table["cellules_masquees"] >= 2 and None in valeurs
        assert sum(v for v in valeurs if v is not None) <= stock

        r = await http.get("/api/observatoire/cartes/communes.svg", params=params, headers=agent)
        assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
        root = ET.fromstring(r.text)
        assert root.get("role") == "img" and root.find(f"{SVG}desc") is not None
        assert root.find(f".//{SVG}clipPath") is not None
        titres = [p.findtext(f"{SVG}title", "") for p in root.iter(f"{SVG}path")]
        assert any(t.startswith("Rennes (35238) : ") for t in titres)
        desc = root.findtext(f"{SVG}desc", "")
        assert "pas les limites communales" in desc and "CC BY 4.0" in desc
        assert "<script" not in r.text and "style=" not in r.text

        r = await http.get("/api/observatoire/cartes/epci", params=params, headers=agent)
        epcis = {z["code"]: z for z in r.json()["zones"]}
        assert epcis["243500139"]["nom"].startswith("Rennes")
        total = sum(z["valeur"] or 0 for z in epcis.values())
        # Every demande of the département is in one EPCI: the visible cells add up to the
        # département's stock unless some are masked (then at least two are).
        masquees = r.json()["cellules_masquees"]
        assert total == stock if masquees == 0 else (masquees >= 2 and total < stock)
        r = await http.get("/api/observatoire/cartes/epci.svg", params=params, headers=agent)
        assert r.status_code == 200 and "Rennes Métropole (243500139)" in r.text

        # Another département, an unknown one, a malformed code.
        for code, status in (("29", 404), ("99", 404), ("3", 422)):
            r = await http.get(
                "/api/observatoire/cartes/communes", params={"departement": code}, headers=agent
            )
            assert r.status_code == status, (code, r.text)
