"""A partner subscribed to the demandes of the 44: a demande created and modified through
the demandes API reaches the partner's webhook (signature verified, minimised, in order),
and its API client, with an OAuth2 client-credentials token issued by identite, pulls the
same events from the feed. Real PostgreSQL and RabbitMQ; the sample consumers of
examples/abonnements are the partner."""

from __future__ import annotations

import asyncio
import importlib.util
import socket
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import jsonschema
import pytest
from toit_abonnements.service import service as abonnements
from toit_demandes.exemples import demande_exemple
from toit_demandes.service import service as demandes
from toit_identite.config import IdentiteSettings
from toit_identite.service import build_service

from servicekit.auth import demo_id
from servicekit.runtime import ServiceRuntime
from servicekit.testing import RuntimeFactory
from servicekit.testing_auth import auth_headers
from toit_contracts.profils import PROFILS, schema_enveloppe

pytestmark = pytest.mark.e2e

EXAMPLES = Path(__file__).resolve().parents[1] / "examples/abonnements"
BAILLEUR_44 = demo_id("org-bailleur-44")


def _exemple(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"exemple_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _client(runtime: ServiceRuntime) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=runtime.app(manage_lifespan=False))
    return httpx.AsyncClient(transport=transport, base_url="http://toit.test")


async def _eventually(probe: Any, timeout: float = 30.0) -> Any:
    async with asyncio.timeout(timeout):
        while not (found := await probe()):
            await asyncio.sleep(0.1)
    return found


async def test_e2e_demande_modifiee_arrive_au_partenaire_par_webhook_et_par_flux(
    runtime_factory: RuntimeFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOIT_ABONNEMENTS_INTERVALLE", "0.05")
    identite = await runtime_factory(
        build_service(
            IdentiteSettings(
                public_url="https://toit.example",
                argon2_time_cost=1,
                argon2_memory_kib=1024,
                demo_password="toit-demo-2026",
            )
        ),
        mode="demo",
    )
    rt_demandes = await runtime_factory(demandes)
    rt_abonnements = await runtime_factory(abonnements)
    gestionnaire = auth_headers(roles={"GESTIONNAIRE_FICHIER"}, departements={"44"})

    async with (
        _client(identite) as ident,
        _client(rt_abonnements) as abo,
        _client(rt_demandes) as dem,
    ):
        # The gestionnaire declares the partner, issues its API client, subscribes it.
        token = await ident.post(
            "/api/identite/token",
            data={
                "grant_type": "password",
                "username": "demo-gestionnaire-44",
                "password": "toit-demo-2026",
            },
        )
        assert token.status_code == 200, token.text
        r = await ident.post(
            "/api/identite/clients",
            json={"organisation_id": BAILLEUR_44, "nom": "SI locatif"},
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        )
        assert r.status_code == 201, r.text
        client_id, client_secret = r.json()["client"]["client_id"], r.json()["client_secret"]
        r = await abo.post(
            "/api/abonnements/partenaires",
            json={
                "organisation_id": BAILLEUR_44,
                "nom": "Atlantique Habitat",
                "contact_email": "si@atlantique-habitat.example.org",
                "roles": ["INSTRUCTEUR"],
                "habilitation": {"departements": ["44"]},
            },
            headers=gestionnaire,
        )
        assert r.status_code == 201, r.text
        recepteur = _exemple("consommateur_webhook").RecepteurWebhook(secret="", port=_port())
        r = await abo.post(
            "/api/abonnements/abonnements",
            json={
                "organisation_id": BAILLEUR_44,
                "nom": "SI locatif",
                "types": ["demande.creee", "demande.modifiee"],
                "perimetre": {"departements": ["44"]},
                "profil": "bailleur",
                "mode": "WEBHOOK",
                "url": recepteur.url,
            },
            headers=gestionnaire,
        )
        assert r.status_code == 201, r.text
        abonnement_id = r.json()["abonnement"]["id"]
        recepteur.secret = r.json()["secret"]
        await recepteur.demarrer()
        try:
            # An agent creates then modifies a demande through the demandes API.
            agent = auth_headers(roles={"AGENT_ENREGISTREUR"}, departements={"44"}, guichet="GUI44")
            cree = await dem.post("/api/demandes", json=demande_exemple(), headers=agent)
            assert cree.status_code == 201, cree.text
            demande_id = cree.json()["id"]
            modifiee = await dem.patch(
                f"/api/demandes/{demande_id}",
                headers={**agent, "If-Match": cree.headers["etag"]},
                json={"enfants_a_naitre": 1},
            )
            assert modifiee.status_code == 200, modifiee.text

            async def deux() -> bool:
                return len(recepteur.recus) >= 2

            await _eventually(deux)
            assert [e["type"] for e in recepteur.recus] == ["demande.creee", "demande.modifiee"]
            assert all(e["subject"] == demande_id for e in recepteur.recus)
            for e in recepteur.recus:
                jsonschema.validate(e, schema_enveloppe(e["type"], PROFILS["bailleur"]))
                assert "contact" not in e["data"]["snapshot"]
            assert recepteur.recus[1]["data"]["snapshot"]["enfants_a_naitre"] == 1
        finally:
            await recepteur.arreter()

        # The API client pulls the same events with its client-credentials token.
        jeton = await ident.post(
            "/api/identite/token",
            data={"grant_type": "client_credentials"},
            auth=(client_id, client_secret),
        )
        assert jeton.status_code == 200, jeton.text
        client = {"Authorization": f"Bearer {jeton.json()['access_token']}"}
        flux = await abo.get(
            "/api/abonnements/flux", params={"abonnement": abonnement_id}, headers=client
        )
        assert flux.status_code == 200, flux.text
        assert [e["id"] for e in flux.json()["evenements"]] == [e["id"] for e in recepteur.recus]
        # The client token opens nothing else: not the demande itself.
        lecture = await dem.get(f"/api/demandes/{demande_id}", headers=client)
        assert lecture.status_code == 403
