"""`make up`: the real topology (one process per service, PostgreSQL, RabbitMQ, nginx).

One household's journey crosses four services through the gateway and the broker:
an agent logs in (identite), files and registers a demande (demandes), the demande
is scored for Nantes Métropole (cotation, from `demande.enregistree`) and the
applicant receives the attestation by email (notifications, from the same event).
The gateway's hardening is checked on the way.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from toit_demandes.exemples import demande_exemple

ROOT = Path(__file__).resolve().parents[1]
LOCAL = ROOT / "deploy/local"
# Away from the ports of a developer's own `make up` or `make run`.
PORTS = {"TOIT_SERVICE_PORT_BASE": "18100", "TOIT_GATEWAY_PORT": "18000"}
GATEWAY = f"http://127.0.0.1:{PORTS['TOIT_GATEWAY_PORT']}"
SERVICES = ("identite", "demandes", "cotation", "matching", "observatoire", "portail")
SERVICES += ("notifications",)
SERVICES += ("abonnements",)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

T = TypeVar("T")

pytestmark = pytest.mark.e2e


def _log_dir() -> Path:
    state = Path(os.environ.get("TOIT_STATE_DIR", ROOT / ".data/infra"))
    return state / "logs"


# Where each service log stood before this run (the files are appended to).
LOG_OFFSETS: dict[Path, int] = {}


@pytest.fixture(scope="module")
def topology() -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOIT_DATABASE_URL")}
    env.update(PORTS, TOIT_USE_DOCKER="0", TOIT_MODE="demo", TOIT_COTATION_REPLICAS="2")
    LOG_OFFSETS.update({f: f.stat().st_size for f in _log_dir().glob("*.log")})
    started = subprocess.run(
        [LOCAL / "up.sh"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=240
    )
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield GATEWAY
    finally:
        subprocess.run(
            [LOCAL / "down.sh", "--keep-infra"], env=env, cwd=ROOT, timeout=120, check=False
        )


@pytest.fixture
async def gateway(topology: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=topology, timeout=10) as client:
        yield client


async def eventually(probe: Callable[[], Awaitable[T | None]], timeout: float = 30.0) -> T:
    async with asyncio.timeout(timeout):
        while (found := await probe()) is None:
            await asyncio.sleep(0.2)
    return found


async def test_every_service_answers_through_nginx_with_security_headers(
    gateway: httpx.AsyncClient,
) -> None:
    for service in SERVICES:
        response = await gateway.get(f"/api/{service}/healthz")
        assert response.status_code == 200, service
        assert response.headers["server"].startswith("nginx")
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "access-control-allow-origin" not in response.headers
    too_big = await gateway.post("/api/demandes", content=b"x" * (13 * 1024 * 1024))
    assert too_big.status_code == 413


async def test_a_registration_is_scored_and_attested_across_services(
    gateway: httpx.AsyncClient,
) -> None:
    token = await gateway.post(
        "/api/identite/token",
        data={"grant_type": "password", "username": "demo-agent-44", "password": "toit-demo-2026"},
    )
    assert token.status_code == 200, token.text
    agent = {"Authorization": f"Bearer {token.json()['access_token']}"}

    demande = demande_exemple()
    demande["demandeur"]["email"] = "anne.durand.e2e@example.org"
    created = await gateway.post("/api/demandes", json=demande, headers=agent)
    assert created.status_code == 201, created.text
    demande_id = created.json()["id"]
    piece = await gateway.post(
        f"/api/demandes/{demande_id}/pieces",
        headers=agent,
        data={"type": "PIECE_IDENTITE", "personne": "demandeur"},
        files={"fichier": ("cni.pdf", PDF, "application/pdf")},
    )
    assert piece.status_code == 201, piece.text
    registered = await gateway.post(f"/api/demandes/{demande_id}/enregistrement", headers=agent)
    assert registered.status_code == 200, registered.text
    numero_unique = registered.json()["numero_unique"]
    assert numero_unique.startswith("044")

    async def scored() -> list[dict[str, Any]] | None:
        response = await gateway.get(f"/api/cotation/demandes/{demande_id}", headers=agent)
        return response.json()["cotations"] or None if response.status_code == 200 else None

    cotations = await eventually(scored)
    nantes = next(c for c in cotations if c["epci"] == "244400404")
    assert Decimal(nantes["points"]) == sum(Decimal(str(c["points"])) for c in nantes["criteres"])
    assert nantes["grille_version"] >= 1

    # The demo mailbox: a gestionnaire's token, demo mode only (test_e2e_gateway).
    login = await gateway.post(
        "/api/identite/token",
        data={
            "grant_type": "password",
            "username": "demo-gestionnaire-44",
            "password": "toit-demo-2026",
        },
    )
    assert login.status_code == 200, login.text
    gestionnaire = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert (await gateway.get("/api/notifications/dev/boite")).status_code == 401

    async def attested() -> dict[str, Any] | None:
        boite = (await gateway.get("/api/notifications/dev/boite", headers=gestionnaire)).json()
        return next(
            (m for m in boite["messages"] if numero_unique in m["sujet"]),
            None,
        )

    message = await eventually(attested)
    assert message["a"] == ["anne.durand.e2e@example.org"]


async def test_the_espace_professionnel_is_served_under_pro(gateway: httpx.AsyncClient) -> None:
    # `/` is the portail's home, with a link to the espace professionnel.
    entrees = await gateway.get("/")
    assert entrees.status_code == 200 and 'href="/pro/"' in entrees.text
    assert "Loire-Atlantique" in entrees.text
    assert 'name="csrf_token"' in (await gateway.get("/connexion")).text
    connexion = await gateway.get("/pro/connexion")
    assert connexion.status_code == 200
    assert connexion.headers["server"].startswith("nginx")
    assert "unsafe-inline" not in connexion.headers["content-security-policy"]
    assert 'name="csrf_token"' in connexion.text
    jeton = connexion.text.split('name="csrf_token" value="')[1].split('"')[0]
    connecte = await gateway.post(
        "/pro/connexion",
        data={
            "identifiant": "demo-agent-44",
            "mot_de_passe": "toit-demo-2026",
            "csrf_token": jeton,
        },
    )
    assert connecte.status_code == 303, connecte.text
    accueil = await gateway.get("/pro/")
    assert accueil.status_code == 200 and "Bonjour" in accueil.text


async def test_token_endpoint_is_rate_limited_by_nginx(gateway: httpx.AsyncClient) -> None:
    statuses = [
        (
            await gateway.post(
                "/api/identite/token",
                data={"grant_type": "password", "username": "personne", "password": "x" * 12},
            )
        ).status_code
        for _ in range(12)
    ]
    assert 429 in statuses


async def test_the_logs_of_the_run_hold_no_names_nor_emails(gateway: httpx.AsyncClient) -> None:
    """Last of the module: everything the services logged during this run (demo data of
    every service, the journey above with its emails, the refused logins) is scanned
    for the demo households' names and for any email address."""
    from toit_demandes.entrypoints.seed import NOMS, PRENOMS_F, PRENOMS_M

    # A failing and a refused request with personal data, for good measure.
    await gateway.post(
        "/api/identite/token",
        data={"grant_type": "password", "username": "anne.durand@example.org", "password": "x"},
    )
    await gateway.post("/api/demandes", json={"demandeur": {"nom_naissance": "DURAND"}})
    await asyncio.sleep(1.0)  # let the services flush their last lines
    text = ""
    for path in sorted(_log_dir().glob("*.log")):
        with path.open("rb") as f:
            f.seek(LOG_OFFSETS.get(path, 0))
            for line in f.read().decode("utf-8", "replace").splitlines():
                try:  # JSON lines escape accents: "L\u00e9a"
                    text += json.dumps(json.loads(line), ensure_ascii=False) + "\n"
                except ValueError:
                    text += line + "\n"
    assert "http.request" in text, "no service log found"
    emails = set(re.findall(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+", text))
    assert not emails, sorted(emails)[:10]
    names = [n for n in (*NOMS, *PRENOMS_F, *PRENOMS_M) if re.search(rf"\b{n}\b", text)]
    assert not names, names
