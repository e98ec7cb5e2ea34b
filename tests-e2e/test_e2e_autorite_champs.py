"""Nobody gives themselves points (issue 10 item 1), across demandes and cotation on the real
PostgreSQL and RabbitMQ: a household and an agent who forge an earlier `date_depot`, a DALO
decision or a priority already VALIDEE get a 403 naming the field, nothing is written, and
the demande's score does not move; the instructeur and the gestionnaire, who own those
fields, change it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from toit_cotation.seed import grilles_exemple
from toit_cotation.service import service as cotation_service
from toit_demandes.exemples import demande_exemple
from toit_demandes.service import service as demandes_service

from servicekit.testing import RuntimeFactory
from servicekit.testing_auth import auth_headers

pytestmark = pytest.mark.e2e

NANTES = "244400404"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
AGENT = auth_headers(roles={"AGENT_ENREGISTREUR"}, departements={"44"}, guichet="GUI44")
INSTRUCTEUR = auth_headers(roles={"INSTRUCTEUR"}, departements={"44"}, sub="instructeur-44")
GESTIONNAIRE = auth_headers(roles={"GESTIONNAIRE_FICHIER"}, departements={"44"}, sub="g-44")
DEMANDEUR = auth_headers(roles={"DEMANDEUR"}, sub="menage-1")
DALO = {"type": "LOGEMENT", "date_decision": "2025-11-04", "reference": "COMED-44-2025-0042"}
FORGES: dict[str, dict[str, Any]] = {
    "date_depot": {"date_depot": "2014-01-06"},
    "dalo": {"dalo": DALO},
    "priorites[0].statut": {"priorites": [{"categorie": "J", "statut": "VALIDEE"}]},
}


class Clients:
    def __init__(self, demandes: httpx.AsyncClient, cotation: httpx.AsyncClient) -> None:
        self.demandes = demandes
        self.cotation = cotation

    async def cotation_nantes(
        self, demande_id: str, attendue: Callable[[dict[str, Any]], bool] = lambda _c: True
    ) -> dict[str, Any]:
        """The demande's Nantes score, once it is as `attendue` says (the bus is async)."""
        nantes: list[dict[str, Any]] = []
        for _ in range(300):
            r = await self.cotation.get(f"/api/cotation/demandes/{demande_id}", headers=AGENT)
            if r.status_code == 200:
                nantes = [c for c in r.json()["cotations"] if c["epci"] == NANTES]
                if nantes and attendue(nantes[0]):
                    return nantes[0]
            await asyncio.sleep(0.05)
        raise AssertionError(f"cotation attendue non atteinte : {nantes}")


@pytest.fixture
async def clients(runtime_factory: RuntimeFactory, tmp_path: Any) -> AsyncIterator[Clients]:
    demandes = await runtime_factory(demandes_service, data_dir=tmp_path)
    cotation = await runtime_factory(cotation_service)
    transports = [
        httpx.ASGITransport(app=rt.app(manage_lifespan=False)) for rt in (demandes, cotation)
    ]
    async with (
        httpx.AsyncClient(transport=transports[0], base_url="http://toit.test") as d,
        httpx.AsyncClient(transport=transports[1], base_url="http://toit.test") as c,
    ):
        definition = next(g for g in grilles_exemple() if g.epci == NANTES)
        r = await c.post(
            "/api/cotation/grilles", json=definition.model_dump(mode="json"), headers=GESTIONNAIRE
        )
        assert r.status_code == 201, r.text
        r = await c.post(
            f"/api/cotation/grilles/{r.json()['id']}/publication", headers=GESTIONNAIRE
        )
        assert r.status_code == 200, r.text
        yield Clients(d, c)


async def _enregistree(client: httpx.AsyncClient) -> dict[str, Any]:
    cree = await client.post("/api/demandes", json=demande_exemple(), headers=AGENT)
    assert cree.status_code == 201, cree.text
    demande_id = cree.json()["id"]
    piece = await client.post(
        f"/api/demandes/{demande_id}/pieces",
        headers=AGENT,
        data={"type": "PIECE_IDENTITE", "personne": "demandeur"},
        files={"fichier": ("cni.pdf", PDF, "application/pdf")},
    )
    assert piece.status_code == 201, piece.text
    r = await client.post(f"/api/demandes/{demande_id}/enregistrement", headers=AGENT)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _refus(r: httpx.Response, champ: str) -> None:
    assert r.status_code == 403, r.text
    assert champ in {e["champ"] for e in r.json()["erreurs"]}, r.json()
    assert all(e["message"] for e in r.json()["erreurs"])


async def test_e2e_forged_fields_are_refused_and_do_not_score(clients: Clients) -> None:
    d = clients.demandes
    demande = await _enregistree(d)
    demande_id, url = demande["id"], f"/api/demandes/{demande['id']}"
    avant = await clients.cotation_nantes(demande_id)
    assert "DALO_PU" not in {c["code"] for c in avant["criteres"]}

    # Creation: the household (portal) and the agent forge; nothing is created.
    for entetes in (DEMANDEUR, AGENT):
        for champ, forge in FORGES.items():
            _refus(
                await d.post("/api/demandes", json=demande_exemple(**forge), headers=entetes), champ
            )
    assert (await d.get("/api/demandes", headers=DEMANDEUR)).json()["total"] == 0
    assert (await d.get("/api/demandes", headers=AGENT)).json()["total"] == 1

    # Modification (JSON merge patch): the agent forges; nothing is written.
    etag = demande["version"]
    for champ, forge in FORGES.items():
        r = await d.patch(url, json=forge, headers={**AGENT, "If-Match": f'"{etag}"'})
        _refus(r, champ)
    _refus(
        await d.patch(url, json={"statut": "ACTIVE"}, headers={**AGENT, "If-Match": f'"{etag}"'}),
        "statut",
    )
    lue = (await d.get(url, headers=AGENT)).json()
    assert lue["version"] == etag and lue["dalo"] is None and lue["priorites"] == []
    assert lue["date_depot_initial"] == demande["date_depot_initial"]
    historique = (await d.get(f"{url}/historique", headers=AGENT)).json()
    assert [e["type"] for e in historique][-1] == "ENREGISTREMENT"

    # A household's own draft: same refusals on PATCH; a claim is accepted.
    propre = await d.post("/api/demandes", json=demande_exemple(), headers=DEMANDEUR)
    assert propre.status_code == 201, propre.text
    url_propre = f"/api/demandes/{propre.json()['id']}"
    for champ, forge in FORGES.items():
        _refus(
            await d.patch(url_propre, json=forge, headers={**DEMANDEUR, "If-Match": '"1"'}), champ
        )
    claim = {"priorites": [{"categorie": "J", "statut": "DECLAREE"}]}
    r = await d.patch(url_propre, json=claim, headers={**DEMANDEUR, "If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["priorites"] == claim["priorites"]

    # An agent records a paper form received last week; not one of 2014.
    semaine = str(date.today() - timedelta(days=7))
    r = await d.post("/api/demandes", json=demande_exemple(date_depot=semaine), headers=AGENT)
    assert r.status_code == 201 and r.json()["date_depot_initial"] == semaine

    # The score did not move: a legitimate change is scored, and only that change counts.
    r = await d.patch(url, json={"enfants_a_naitre": 1}, headers={**AGENT, "If-Match": f'"{etag}"'})
    assert r.status_code == 200, r.text
    apres = await clients.cotation_nantes(demande_id, lambda c: c["points"] != avant["points"])
    assert Decimal(apres["points"]) - Decimal(avant["points"]) == Decimal(3)  # GROSSESSE
    assert "DALO_PU" not in {c["code"] for c in apres["criteres"]}


async def test_e2e_instruction_and_gestionnaire_own_their_fields(clients: Clients) -> None:
    d = clients.demandes
    demande = await _enregistree(d)
    demande_id, url = demande["id"], f"/api/demandes/{demande['id']}"
    avant = await clients.cotation_nantes(demande_id)
    version = demande["version"]

    # The instructeur records a DALO decision with its reference, never without.
    sans_reference = {"dalo": {k: v for k, v in DALO.items() if k != "reference"}}
    r = await d.patch(url, json=sans_reference, headers={**INSTRUCTEUR, "If-Match": f'"{version}"'})
    assert r.status_code == 422 and r.json()["erreurs"][0]["champ"] == "dalo.reference"
    # It validates a priority and records the decision.
    decision = {"dalo": DALO, "priorites": [{"categorie": "J", "statut": "VALIDEE"}]}
    r = await d.patch(url, json=decision, headers={**INSTRUCTEUR, "If-Match": f'"{version}"'})
    assert r.status_code == 200, r.text
    version = r.json()["version"]
    # ...but does not change what the household declares.
    r = await d.patch(
        url, json={"enfants_a_naitre": 2}, headers={**INSTRUCTEUR, "If-Match": f'"{version}"'}
    )
    _refus(r, "enfants_a_naitre")
    instruite = await clients.cotation_nantes(
        demande_id, lambda c: "DALO_PU" in {x["code"] for x in c["criteres"]}
    )
    codes = {c["code"]: Decimal(c["points"]) for c in instruite["criteres"]}
    assert codes["DALO_PU"] == 300 and codes["EXPULSION"] == 40

    # Only the gestionnaire corrects the dépôt date, with a reason kept in the historique.
    correction = {"date_depot": "2021-03-15", "motif": "Formulaire papier retrouvé au guichet"}
    r = await d.post(
        f"{url}/date-depot", json=correction, headers={**AGENT, "If-Match": f'"{version}"'}
    )
    assert r.status_code == 403
    r = await d.post(
        f"{url}/date-depot", json=correction, headers={**GESTIONNAIRE, "If-Match": f'"{version}"'}
    )
    assert r.status_code == 200, r.text
    assert r.json()["date_depot_initial"] == "2021-03-15"
    assert r.json()["numero_unique"] == demande["numero_unique"]  # never rewritten
    historique = (await d.get(f"{url}/historique", headers=GESTIONNAIRE)).json()
    assert correction["motif"] in historique[-1]["description"]
    assert historique[-1]["changements"][0]["champ"] == "date_depot_initial"
    corrigee = await clients.cotation_nantes(
        demande_id, lambda c: c["points"] != instruite["points"]
    )
    assert Decimal(corrigee["points"]) > Decimal(instruite["points"]) > Decimal(avant["points"])
