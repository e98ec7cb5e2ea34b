"""The attribution chain across five services on the real PostgreSQL, RabbitMQ and SMTP
(issue 17): demandes registered → matching designates → CALEOL decision (b, two ranks) →
offer to rank 1 → silence past the deadline (daily job) → offer to rank 2, accepted →
lease signed → demandes radiates with motif attribution → cotation shows the average
waiting time for a similar demande → notifications sent once each (offers, decisions,
attribution confirmation)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import toit_matching
from toit_cotation.seed import seed as grilles_exemple
from toit_cotation.service import service as cotation_service
from toit_demandes.exemples import demande_exemple
from toit_demandes.service import service as demandes_service
from toit_matching.entrypoints.jobs import echeances_des_offres
from toit_matching.service import service as matching_service
from toit_notifications.adapters.boite_dev import BoiteDev
from toit_notifications.service import service as notifications_service

from servicekit.runtime import ServiceRuntime
from servicekit.testing import RuntimeFactory
from servicekit.testing_auth import auth_headers

pytestmark = pytest.mark.e2e

AGENT = auth_headers(roles={"AGENT_ENREGISTREUR"}, departements={"44"}, guichet="GUI44")
BAILLEUR = auth_headers(roles={"INSTRUCTEUR"}, organisation="bailleur-44", departements={"44"})
ETAT = auth_headers(roles={"RESERVATAIRE"}, organisation="etat-44", departements={"44"})
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
STOCK = Path(toit_matching.__file__).parents[2] / "exemples" / "patrimoine.csv"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Systeme:
    demandes: httpx.AsyncClient
    matching: httpx.AsyncClient
    cotation: httpx.AsyncClient
    runtime_matching: ServiceRuntime
    boite: BoiteDev


@pytest.fixture
async def systeme(
    runtime_factory: RuntimeFactory, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Systeme]:
    port = _free_port()
    for name, value in {"HOST": "127.0.0.1", "PORT": str(port), "SECURITY": "none"}.items():
        monkeypatch.setenv(f"TOIT_SMTP_{name}", value)
    monkeypatch.setenv("TOIT_SMTP_POLL_INTERVAL", "0.1")
    boite = BoiteDev(port=port)
    await boite.demarrer()
    demandes = await runtime_factory(demandes_service, data_dir=tmp_path)
    cotation = await runtime_factory(cotation_service)
    await grilles_exemple(cotation)
    matching = await runtime_factory(matching_service)
    await runtime_factory(notifications_service)
    clients = [
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=rt.app(manage_lifespan=False)),
            base_url="http://toit.test",
        )
        for rt in (demandes, matching, cotation)
    ]
    try:
        yield Systeme(*clients, matching, boite)
    finally:
        for c in clients:
            await c.aclose()
        await boite.arreter()


async def _eventually(probe: Callable[[], Awaitable[Any]], timeout: float = 40.0) -> Any:
    async with asyncio.timeout(timeout):
        while not (found := await probe()):
            await asyncio.sleep(0.1)
    return found


async def _enregistree(s: Systeme, nom: str, typologies: list[str]) -> dict[str, Any]:
    corps = demande_exemple()
    corps["demandeur"] = {**corps["demandeur"], "nom_naissance": nom}
    corps["logement_recherche"] = {**corps["logement_recherche"], "typologies": typologies}
    cree = await s.demandes.post("/api/demandes", json=corps, headers=AGENT)
    assert cree.status_code == 201, cree.text
    demande_id = cree.json()["id"]
    piece = await s.demandes.post(
        f"/api/demandes/{demande_id}/pieces",
        headers=AGENT,
        data={"type": "PIECE_IDENTITE", "personne": "demandeur"},
        files={"fichier": ("cni.pdf", PDF, "application/pdf")},
    )
    assert piece.status_code == 201, piece.text
    r = await s.demandes.post(f"/api/demandes/{demande_id}/enregistrement", headers=AGENT)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _sujets(s: Systeme, fragment: str) -> list[str]:
    return [
        str(m.message["Subject"]) for m in s.boite.messages if fragment in str(m.message["Subject"])
    ]


async def test_e2e_decision_offre_bail_radiation_delai_attente(systeme: Systeme) -> None:
    s = systeme
    premier = await _enregistree(s, "PREMIER", ["T3"])
    second = await _enregistree(s, "SECOND", ["T3"])

    # Matching: stock, convention, vacancy oriented to the État, designation in ranking order.
    r = await s.matching.post(
        "/api/matching/patrimoine/imports?format=csv", content=STOCK.read_bytes(), headers=BAILLEUR
    )
    assert r.status_code == 201, r.text
    annee = datetime.now(UTC).year
    r = await s.matching.post(
        "/api/matching/conventions",
        json={
            "reservataire_id": "etat-44",
            "reservataire_nom": "DDETS 44",
            "departement": "44",
            "annee": annee,
            "parts": {"ETAT_PRIORITAIRES": "25"},
        },
        headers=BAILLEUR,
    )
    assert r.status_code == 201, r.text
    dispo = min(date.today() + timedelta(days=30), date(annee, 12, 31))
    r = await s.matching.post(
        "/api/matching/vacances",
        json={"rpls": "44109000101", "type": "PREAVIS", "date_disponibilite": dispo.isoformat()},
        headers=BAILLEUR,
    )
    vacance = r.json()["id"]
    r = await s.matching.post(
        f"/api/matching/vacances/{vacance}/orientation",
        json={"contingent": "ETAT_PRIORITAIRES", "reservataire_id": "etat-44"},
        headers={**BAILLEUR, "If-Match": '"1"'},
    )
    assert r.status_code == 200, r.text

    async def deux_candidats() -> list[str] | None:
        r = await s.matching.get(f"/api/matching/vacances/{vacance}/candidats", headers=ETAT)
        ids = [c["demande_id"] for c in r.json()["candidats"]]
        return ids if {premier["id"], second["id"]} <= set(ids) else None

    classement = await _eventually(deux_candidats)
    r = await s.matching.post(
        f"/api/matching/vacances/{vacance}/designation",
        json={"candidats": classement[:2], "exception": "PAS_ASSEZ_DE_CANDIDATS"}
        if len(classement) == 2
        else {"candidats": classement[:3]},
        headers=ETAT,
    )
    assert r.status_code == 201, r.text
    rang1, rang2 = classement[0], classement[1]

    # CALEOL in a physical session: decision b, two ranks; the offer goes to rank 1.
    r = await s.matching.post(
        "/api/matching/commissions", json={"nom": "CALEOL", "departement": "44"}, headers=BAILLEUR
    )
    commission = r.json()["id"]
    r = await s.matching.post(
        f"/api/matching/commissions/{commission}/seances",
        json={
            "reference": "E2E-1",
            "date_seance": datetime.now(UTC).isoformat(),
            "mode": "PRESENTIELLE",
        },
        headers=BAILLEUR,
    )
    seance = r.json()["id"]
    r = await s.matching.post(
        f"/api/matching/seances/{seance}/dossiers", json={"vacance_id": vacance}, headers=BAILLEUR
    )
    dossier = r.json()["id"]
    r = await s.matching.post(
        f"/api/matching/dossiers/{dossier}/decision",
        json={
            "decisions": [
                {"demande_id": rang1, "sens": "ATTRIBUTION_RANG", "rang": 1},
                {"demande_id": rang2, "sens": "ATTRIBUTION_RANG", "rang": 2},
            ]
        },
        headers=BAILLEUR,
    )
    assert r.status_code == 200, r.text
    offre_1 = r.json()["offre"]

    # Silence past the deadline: the daily job refuses it and offers to rank 2.
    lendemain = date.fromisoformat(offre_1["date_limite"]) + timedelta(days=1)
    await echeances_des_offres(s.runtime_matching, lendemain)
    r = await s.matching.get("/api/matching/offres", headers=BAILLEUR)
    offre_2 = next(o for o in r.json() if o["rang"] == 2)
    r = await s.matching.post(
        f"/api/matching/offres/{offre_2['id']}/reponse",
        json={"accepte": True, "date_reponse": offre_2["date_notification"]},
        headers=BAILLEUR,
    )
    assert r.status_code == 200, r.text
    bail = date.fromisoformat(offre_2["date_notification"]) + timedelta(days=3)
    r = await s.matching.post(
        f"/api/matching/offres/{offre_2['id']}/bail",
        json={"date_signature": bail.isoformat()},
        headers=BAILLEUR,
    )
    assert r.status_code == 201, r.text

    # demandes radiates rank 2 with motif attribution (its consumer, not a call).
    async def radiee() -> bool:
        r = await s.demandes.get(f"/api/demandes/{rang2}", headers=AGENT)
        return bool(r.json()["statut"] == "RADIEE")

    await _eventually(radiee)
    r = await s.demandes.get(f"/api/demandes/{rang2}", headers=AGENT)
    assert r.json()["motif_radiation"] == "ATTRIBUTION"

    # cotation: a similar demande (same EPCI, T3) now has an average waiting time.
    similaire = await _enregistree(s, "SIMILAIRE", ["T3"])

    async def delai() -> dict[str, Any] | None:
        r = await s.cotation.get(f"/api/cotation/demandes/{similaire['id']}", headers=BAILLEUR)
        if r.status_code != 200 or not r.json()["cotations"]:
            return None
        d = r.json()["cotations"][0]["delai_attente"]
        return dict(d) if d["disponible"] else None

    attente = await _eventually(delai)
    assert attente["attributions"] == 1 and attente["typologie"] == "T3"

    # notifications: each notice once (two offers, two decision letters, the confirmation).
    async def tout_envoye() -> bool:
        return (
            len(_sujets(s, "proposition de logement")) >= 2
            and len(_sujets(s, "Décision de la commission")) >= 2
            and len(_sujets(s, "Radiation de votre demande")) >= 1
        )

    await _eventually(tout_envoye)
    await asyncio.sleep(1)
    assert len(_sujets(s, "proposition de logement")) == 2
    assert len(_sujets(s, "Décision de la commission")) == 2
    assert len(_sujets(s, "Radiation de votre demande")) == 1
