"""require()/authorize() in a service, the test tokens, the access matrix helper,
and the consultation trace, on the real PostgreSQL and RabbitMQ."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI

from servicekit import ServiceDefinition
from servicekit.audit import consultation_router, record_consultation
from servicekit.auth import Principal, authorize, public, require
from servicekit.testing_auth import assert_access_matrix, auth_headers, route_access

MIGRATIONS = Path(__file__).parents[1] / "auth_service" / "migrations"
router = APIRouter(prefix="/api/essai")
RECORDS = {"d44": "44", "d35": "35"}


@router.get("/dossiers/{dossier}")
async def lire(dossier: str, principal: Principal = Depends(require("demande.lire"))) -> dict:
    departement = RECORDS.get(dossier)
    if departement is None:
        raise _absent()
    authorize(principal, "demande.lire", departement=departement)
    return {"dossier": dossier, "nom": "Donnée nominative"}


@router.get("/public", dependencies=[Depends(public("essai"))])
async def ouvert() -> dict:
    return {}


def _absent() -> Exception:
    from fastapi import HTTPException

    return HTTPException(status_code=404, detail="Ressource introuvable")


definition = ServiceDefinition(
    name="essai", migrations=MIGRATIONS, routers=[router, consultation_router("/api/essai")]
)


async def test_servicekit_require_authorize_and_trace(runtime_factory):
    runtime = await runtime_factory(definition)
    app = runtime.app(manage_lifespan=False)
    accesses = await assert_access_matrix(app)
    assert {(a.method, a.path, a.action) for a in accesses} >= {
        ("GET", "/api/essai/dossiers/{dossier}", "demande.lire"),
        ("GET", "/api/essai/consultations", "trace.consulter"),
        ("GET", "/api/essai/public", None),
    }
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://essai") as client:
        agent_44 = auth_headers(roles={"AGENT_ENREGISTREUR"}, departements={"44"})
        assert (await client.get("/api/essai/dossiers/d44", headers=agent_44)).status_code == 200
        outside = await client.get("/api/essai/dossiers/d35", headers=agent_44)
        assert outside.status_code == 404
        assert outside.json() == {"detail": "Ressource introuvable"}
        not_charte = auth_headers(roles={"AGENT_ENREGISTREUR"}, charte=False)
        assert (await client.get("/api/essai/dossiers/d44", headers=not_charte)).status_code == 403

        reader = Principal(
            sub="agent-1",
            kind="agent",
            organisation="org-1",
            roles=frozenset({"INSTRUCTEUR"}),
            departements=frozenset({"44"}),
        )
        now = datetime.now(UTC)
        async with runtime.unit_of_work() as uow:
            await record_consultation(
                uow.session,
                reader,
                "demande",
                "d44",
                "CALEOL du 3",
                departement="44",
                at=now - timedelta(days=2),
            )
            await record_consultation(uow.session, reader, "demande", "d44", departement="44")
            await record_consultation(uow.session, reader, "demande", "d35", departement="35")
            await uow.commit()
        gestionnaire_44 = auth_headers(roles={"GESTIONNAIRE_FICHIER"}, departements={"44"})
        page = (
            await client.get(
                "/api/essai/consultations", headers=gestionnaire_44, params={"dossier": "d44"}
            )
        ).json()
        assert page["total"] == 2
        assert page["elements"][1]["motif"] == "CALEOL du 3"
        assert page["elements"][0]["compte"] == "agent-1"
        recent = (
            await client.get(
                "/api/essai/consultations",
                headers=gestionnaire_44,
                params={"du": (now - timedelta(days=1)).isoformat()},
            )
        ).json()
        assert recent["total"] == 1
        everything = (await client.get("/api/essai/consultations", headers=gestionnaire_44)).json()
        assert {e["dossier"] for e in everything["elements"]} == {"d44"}  # 35: not theirs
        paged = (
            await client.get(
                "/api/essai/consultations",
                headers=gestionnaire_44,
                params={"par_page": 1, "page": 2},
            )
        ).json()
        assert len(paged["elements"]) == 1 and paged["total"] == 2


def test_servicekit_route_without_declared_action_fails():
    app = FastAPI()
    bare = APIRouter(prefix="/api/essai")

    @bare.get("/oubli")
    async def oubli() -> dict:
        return {}

    app.include_router(bare)
    with pytest.raises(pytest.fail.Exception, match="GET /api/essai/oubli"):
        route_access(app)
