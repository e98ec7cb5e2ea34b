"""Radiation notices cross two services (issue 11): demandes publishes the préavis through
its outbox on the real RabbitMQ, notifications (real PostgreSQL) turns it into the
registered letter the guichet prints and an email copy delivered to a real SMTP server;
the household's answer before the deadline lifts it (a second notice, « ne sera pas
radiée »); an irrecevabilité's préavis runs to its radiation date and the demande is
radiated with its own notice."""

from __future__ import annotations

import asyncio
import io
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from pypdf import PdfReader
from toit_demandes.exemples import demande_exemple
from toit_demandes.service import service as demandes_service
from toit_notifications.adapters.boite_dev import BoiteDev
from toit_notifications.domain.model import date_fr
from toit_notifications.service import service as notifications_service

from servicekit.runtime import ServiceRuntime
from servicekit.testing import RuntimeFactory
from servicekit.testing_auth import auth_headers

pytestmark = pytest.mark.e2e

GUICHET = "GUI44"
AGENT = auth_headers(roles={"AGENT_ENREGISTREUR"}, departements={"44"}, guichet=GUICHET)
GESTIONNAIRE = auth_headers(roles={"GESTIONNAIRE_FICHIER"}, departements={"44"}, sub="g-44")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
DECISION = {
    "origine": "GESTIONNAIRE",
    "fondement": "R441-2-8 CCH : revenu fiscal de référence 2024 de 41 200 € pour un plafond "
    "PLUS de 37 584 € (catégorie 3)",
    "date_decision": date.today().isoformat(),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Systeme:
    demandes: ServiceRuntime
    notifications: ServiceRuntime
    http_demandes: httpx.AsyncClient
    http_notifications: httpx.AsyncClient
    boite: BoiteDev


@pytest.fixture
async def systeme(
    runtime_factory: RuntimeFactory, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Systeme]:
    port = _free_port()
    for name, value in {
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "SECURITY": "none",
        "RETRY_INITIAL": "0.2",
        "POLL_INTERVAL": "0.1",
    }.items():
        monkeypatch.setenv(f"TOIT_SMTP_{name}", value)
    boite = BoiteDev(port=port)
    await boite.demarrer()
    demandes = await runtime_factory(demandes_service, data_dir=tmp_path)
    notifications = await runtime_factory(notifications_service)
    transports = [
        httpx.ASGITransport(app=rt.app(manage_lifespan=False)) for rt in (demandes, notifications)
    ]
    try:
        async with (
            httpx.AsyncClient(transport=transports[0], base_url="http://toit.test") as d,
            httpx.AsyncClient(transport=transports[1], base_url="http://toit.test") as n,
        ):
            yield Systeme(demandes, notifications, d, n, boite)
    finally:
        await boite.arreter()


async def _eventually(probe: Callable[[], Awaitable[Any]], timeout: float = 30.0) -> Any:
    async with asyncio.timeout(timeout):
        while not (found := await probe()):
            await asyncio.sleep(0.1)
    return found


async def _enregistree(s: Systeme, nom: str) -> dict[str, Any]:
    corps = demande_exemple()
    corps["demandeur"] = {**corps["demandeur"], "nom_naissance": nom}
    cree = await s.http_demandes.post("/api/demandes", json=corps, headers=AGENT)
    assert cree.status_code == 201, cree.text
    demande_id = cree.json()["id"]
    piece = await s.http_demandes.post(
        f"/api/demandes/{demande_id}/pieces",
        headers=AGENT,
        data={"type": "PIECE_IDENTITE", "personne": "demandeur"},
        files={"fichier": ("cni.pdf", PDF, "application/pdf")},
    )
    assert piece.status_code == 201, piece.text
    r = await s.http_demandes.post(f"/api/demandes/{demande_id}/enregistrement", headers=AGENT)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def _courriels(s: Systeme, fragment: str) -> list[Any]:
    """The emails whose subject holds `fragment`, once there is one (SMTP is async)."""

    async def recus() -> list[Any]:
        return [m for m in s.boite.messages if fragment in str(m.message["Subject"])]

    trouves: list[Any] = await _eventually(recus)
    return trouves


async def _courrier(s: Systeme, type_: str, numero: str) -> dict[str, Any]:
    async def trouve() -> dict[str, Any] | None:
        page = await s.http_notifications.get(
            "/api/notifications/courriers", params={"guichet": GUICHET}, headers=AGENT
        )
        assert page.status_code == 200, page.text
        for c in page.json()["elements"]:
            if c["type"] == type_ and c["numero_unique"] == numero:
                return dict(c)
        return None

    courrier: dict[str, Any] = await _eventually(trouve)
    return courrier


async def _texte_pdf(s: Systeme, courrier: dict[str, Any]) -> str:
    pdf = await s.http_notifications.get(
        f"/api/notifications/courriers/{courrier['id']}/pdf", headers=AGENT
    )
    assert pdf.status_code == 200, pdf.text
    texte = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    return " ".join(texte.split())


async def test_e2e_radiation_notices_reach_the_guichet_and_the_household(
    systeme: Systeme,
) -> None:
    s = systeme
    sans_reponse = await _enregistree(s, "SILENCE")
    irrecevable = await _enregistree(s, "PLAFOND")

    # Absence de réponse: the préavis goes to the guichet as a registered letter to print
    # and to the household by email, both with the answer-by date.
    preavis = await s.http_demandes.post(
        f"/api/demandes/{sans_reponse['id']}/radiation",
        headers=AGENT,
        json={"motif": "ABSENCE_DE_REPONSE"},
    )
    assert preavis.status_code == 200, preavis.text
    effet = date.fromisoformat(preavis.json()["preavis_radiation"]["effet_le"])
    limite = effet - timedelta(days=1)  # the answer-by date: the day before the radiation
    numero = sans_reponse["numero_unique"]
    lettre = await _courrier(s, "preavis_radiation", numero)
    assert lettre["canal"] == "courrier" and lettre["statut"] == "a_editer"
    texte = await _texte_pdf(s, lettre)
    assert "Lettre recommandée avec accusé de réception" in texte
    assert f"jusqu'au {date_fr(limite)} inclus" in texte
    [courriel] = await _courriels(s, "préavis de radiation")
    assert numero in courriel.message["Subject"]
    assert courriel.destinataires == [demande_exemple()["demandeur"]["email"]]

    # The household answers before the deadline: no radiation, and it is told so.
    levee = await s.http_demandes.post(
        f"/api/demandes/{sans_reponse['id']}/reponse-au-preavis",
        headers=AGENT,
        json={"reponse": "réponse reçue au guichet avec les justificatifs"},
    )
    assert levee.status_code == 200 and levee.json()["preavis_radiation"] is None
    [confirmation] = await _courriels(s, "ne sera pas radiée")
    assert numero in confirmation.message["Subject"]
    texte = await _texte_pdf(s, await _courrier(s, "levee_preavis_radiation", numero))
    assert "Ce préavis est levé" in texte

    # Irrecevabilité on the gestionnaire's decision: its ground is on the letter; at the
    # radiation date (daily jobs) the demande is radiated and that is notified too.
    preavis = await s.http_demandes.post(
        f"/api/demandes/{irrecevable['id']}/radiation",
        headers=GESTIONNAIRE,
        json={
            "motif": "IRRECEVABILITE",
            "sous_motif": "PLAFOND_RESSOURCES",
            "decision": DECISION,
        },
    )
    assert preavis.status_code == 200, preavis.text
    effet = date.fromisoformat(preavis.json()["preavis_radiation"]["effet_le"])
    numero_irr = irrecevable["numero_unique"]
    texte = await _texte_pdf(s, await _courrier(s, "preavis_radiation", numero_irr))
    assert "plafond PLUS de 37 584 €" in texte
    await s.demandes.run_daily_jobs(effet)
    radiee = await s.http_demandes.get(f"/api/demandes/{irrecevable['id']}", headers=AGENT)
    assert radiee.json()["statut"] == "RADIEE"
    [avis] = await _courriels(s, f"Radiation de votre demande de logement social n° {numero_irr}")
    assert "Irrecevabilité" in avis.resume()["texte"] or "irrecevab" in avis.resume()["texte"]
    # The first demande, whose notice was lifted, stays active after the same jobs.
    lue = await s.http_demandes.get(f"/api/demandes/{sans_reponse['id']}", headers=AGENT)
    assert lue.json()["statut"] == "ACTIVE"
