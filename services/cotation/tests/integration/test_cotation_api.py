"""HTTP API: grids (create, edit with If-Match, validate, publish, archive, export,
import, simulate), bulk re-scoring progress, the scores of a demande with its
position, and the role × endpoint matrix."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import httpx
import pytest
from toit_cotation.bootstrap import dependances
from toit_cotation.domain.echange import exporter
from toit_cotation.seed import grilles_exemple
from toit_cotation.service import service

from servicekit.runtime import ServiceRuntime
from servicekit.testing import RuntimeFactory
from servicekit.testing_auth import assert_access_matrix, auth_headers
from toit_contracts.enums import TypeLogementActuel

from .cotation_harness import (
    NANTES,
    attendre_demandes,
    creee,
    emetteur,
    modifiee,
    nouvel_id,
    publier,
    publier_grille_nantes,
    snapshot,
)

GESTIONNAIRE = auth_headers(roles={"GESTIONNAIRE_FICHIER"}, departements={"44"})
INSTRUCTEUR = auth_headers(roles={"INSTRUCTEUR"}, departements={"44"})
INSTRUCTEUR_35 = auth_headers(roles={"INSTRUCTEUR"}, departements={"35"})


@pytest.fixture
async def env(
    memory_runtime_factory: RuntimeFactory,
) -> AsyncIterator[tuple[ServiceRuntime, ServiceRuntime, httpx.AsyncClient]]:
    cotation = await memory_runtime_factory(service, start=False)
    dependances(cotation).settings.cotation_recalcul_attente_secondes = 0.05
    await cotation.start(seed=False)
    source = await memory_runtime_factory(emetteur)
    transport = httpx.ASGITransport(app=cotation.app(manage_lifespan=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://toit.test") as client:
        yield cotation, source, client


def _nantes() -> dict[str, Any]:
    definition = next(g for g in grilles_exemple() if g.epci == NANTES)
    return definition.model_dump(mode="json")


async def _attendre(client: httpx.AsyncClient, url: str, predicat: Any) -> Any:
    for _ in range(200):
        r = await client.get(url, headers=GESTIONNAIRE)
        if r.status_code == 200 and predicat(r.json()):
            return r.json()
        await asyncio.sleep(0.05)
    raise AssertionError(f"{url}: condition non atteinte ({r.status_code} {r.text[:300]})")


async def test_grid_life_cycle_and_scores(
    env: tuple[ServiceRuntime, ServiceRuntime, httpx.AsyncClient],
) -> None:
    cotation, source, client = env
    # Demandes arrive before any grid: followed, not scored.
    ids = [nouvel_id() for _ in range(3)]
    logements = [
        TypeLogementActuel.SANS_ABRI,
        TypeLogementActuel.HEBERGE_CHEZ_TIERS,
        TypeLogementActuel.LOCATAIRE_PARC_PRIVE,
    ]
    await publier(
        source, *(creee(i, snapshot(logement=lg)) for i, lg in zip(ids, logements, strict=True))
    )
    await attendre_demandes(cotation, 3)

    # Invalid grid: 422 naming the criterion and the field.
    mauvaise = _nantes()
    mauvaise["criteres"][1]["conditions"][0]["champ"] = "nom_de_famille"
    r = await client.post("/api/cotation/grilles", json=mauvaise, headers=GESTIONNAIRE)
    assert r.status_code == 422
    erreur = r.json()["erreurs"][0]
    assert erreur["champ"] == "criteres[DALO_PU].conditions[0]"
    assert "champ inconnu : « nom_de_famille »" in erreur["message"]

    r = await client.post("/api/cotation/grilles", json=_nantes(), headers=GESTIONNAIRE)
    assert r.status_code == 201, r.text
    grille = r.json()
    url = f"/api/cotation/grilles/{grille['id']}"
    assert grille["etat"] == "BROUILLON" and grille["version"] == 1
    etag = r.headers["etag"]

    # Edit the draft: If-Match required, stale ETag refused.
    modifiee_def = _nantes()
    modifiee_def["libelle"] = "Exemple modifié (non officiel)"
    assert (await client.put(url, json=modifiee_def, headers=GESTIONNAIRE)).status_code == 428
    r = await client.put(url, json=modifiee_def, headers={**GESTIONNAIRE, "If-Match": etag})
    assert r.status_code == 200 and r.json()["revision"] == 2
    r2 = await client.put(url, json=modifiee_def, headers={**GESTIONNAIRE, "If-Match": etag})
    assert r2.status_code == 412
    etag = r.headers["etag"]

    r = await client.post(f"{url}/validation", headers=GESTIONNAIRE)
    assert r.json() == {"publiable": True, "erreurs": []}

    # Simulation of the draft on the current demandes: nothing published.
    r = await client.post(f"{url}/simulation", headers=GESTIONNAIRE)
    assert r.status_code == 200, r.text
    simulation = r.json()
    assert simulation["demandes"] == 3 and simulation["distribution_actuelle"] == {"nombre": 0}
    assert simulation["distribution_simulee"]["nombre"] == 3
    # Points are decimal strings in every answer, statistics included (issue 11 item 9).
    simulee = simulation["distribution_simulee"]
    assert all(isinstance(simulee[k], str) for k in ("minimum", "maximum", "moyenne", "mediane"))
    assert all(isinstance(q, str) for q in simulee["quartiles"])
    assert len(simulation["plus_grands_mouvements"]) == 3

    # Publish: the re-scoring job scores the three demandes; progress visible.
    r = await client.post(f"{url}/publication", headers={**GESTIONNAIRE, "If-Match": etag})
    assert r.status_code == 200 and r.json()["etat"] == "PUBLIEE"
    assert (
        await client.put(
            url, json=modifiee_def, headers={**GESTIONNAIRE, "If-Match": r.headers["etag"]}
        )
    ).status_code == 409
    jobs = await _attendre(
        client, "/api/cotation/recalculs", lambda js: js and js[0]["etat"] == "TERMINE"
    )
    assert jobs[0]["motif"] == "PUBLICATION" and jobs[0]["traitees"] == 3
    assert jobs[0]["modifiees"] == 3 and jobs[0]["progression_pct"] == 100

    # Scores of a demande, with the position among the active demandes of the EPCI.
    r = await client.get(f"/api/cotation/demandes/{ids[0]}", headers=INSTRUCTEUR)
    assert r.status_code == 200, r.text
    (cotation_nantes,) = r.json()["cotations"]
    assert cotation_nantes["epci"] == NANTES and cotation_nantes["grille_version"] == 1
    assert cotation_nantes["position"] == {"rang": 1, "sur": 3, "percentile": 67, "typologie": "T3"}
    assert cotation_nantes["delai_attente"]["disponible"] is False
    codes = {c["code"]: c["points"] for c in cotation_nantes["criteres"]}
    assert codes["SANS_LOGEMENT"] == "50.00"
    assert isinstance(cotation_nantes["points"], str)
    assert cotation_nantes["calculee_le"].endswith(("Z", "+00:00"))  # with its UTC offset
    schema = (await client.get("/api/cotation/openapi.json")).json()["components"]["schemas"]
    assert schema["CotationEpciOut"]["properties"]["points"]["type"] == "string"
    r = await client.get(f"/api/cotation/demandes/{ids[2]}", headers=INSTRUCTEUR)
    assert r.json()["cotations"][0]["position"]["rang"] == 3
    # Outside the agent's perimeter: as if it did not exist.
    r = await client.get(f"/api/cotation/demandes/{ids[0]}", headers=INSTRUCTEUR_35)
    assert r.status_code == 404

    # A new version replaces the published one, which is archived.
    r = await client.post(
        "/api/cotation/grilles/import?format=yaml",
        content=exporter(next(g for g in grilles_exemple() if g.epci == NANTES), "yaml"),
        headers={**GESTIONNAIRE, "Content-Type": "application/yaml"},
    )
    assert r.status_code == 201 and r.json()["version"] == 2
    v2 = r.json()["id"]
    assert (
        await client.post(f"/api/cotation/grilles/{v2}/publication", headers=GESTIONNAIRE)
    ).status_code == 200
    r = await client.get(url, headers=INSTRUCTEUR)
    assert r.json()["etat"] == "ARCHIVEE"
    await _attendre(
        client,
        f"/api/cotation/demandes/{ids[0]}",
        lambda body: body["cotations"][0]["grille_version"] == 2,
    )

    # Export in both formats; unreadable import.
    r = await client.get(f"/api/cotation/grilles/{v2}/export?format=yaml", headers=INSTRUCTEUR)
    assert r.status_code == 200 and "Nantes Métropole (non officielle)" in r.text
    r = await client.get(f"/api/cotation/grilles/{v2}/export", headers=INSTRUCTEUR)
    assert r.json()["epci"] == NANTES
    r = await client.post(
        "/api/cotation/grilles/import",
        content=b"{pas du json",
        headers={**GESTIONNAIRE, "Content-Type": "application/json"},
    )
    assert r.status_code == 422 and r.json()["erreurs"][0]["champ"] == "document"

    # Archive the published grid: its scores go away.
    r = await client.post(f"/api/cotation/grilles/{v2}/archivage", headers=GESTIONNAIRE)
    assert r.status_code == 200
    await _attendre(
        client, f"/api/cotation/demandes/{ids[0]}", lambda body: body["cotations"] == []
    )


async def test_instructor_cannot_edit_grids(
    env: tuple[ServiceRuntime, ServiceRuntime, httpx.AsyncClient],
) -> None:
    _cotation, _source, client = env
    r = await client.post("/api/cotation/grilles", json=_nantes(), headers=INSTRUCTEUR)
    assert r.status_code == 403
    r = await client.post(
        "/api/cotation/grilles",
        json=_nantes(),
        headers=auth_headers(roles={"GESTIONNAIRE_FICHIER"}, departements={"35"}),
    )
    assert r.status_code == 404  # Nantes Métropole is outside a gestionnaire 35's perimeter


def _admin(organisation_type: str, epcis: set[str], departements: set[str] | None = None) -> Any:
    return auth_headers(
        roles={"ADMINISTRATEUR_ORGANISATION"},
        departements=departements or {"44"},
        organisation_type=organisation_type,
        epcis=epcis,
    )


async def test_epci_administrator_manages_only_their_own_epci_grids(
    env: tuple[ServiceRuntime, ServiceRuntime, httpx.AsyncClient],
) -> None:
    cotation, source, client = env
    await publier(source, creee(nouvel_id(), snapshot()))
    await attendre_demandes(cotation, 1)
    admin_nantes = _admin("EPCI", {NANTES})

    # Nantes Métropole's administrator: create, edit, simulate, publish, archive.
    r = await client.post("/api/cotation/grilles", json=_nantes(), headers=admin_nantes)
    assert r.status_code == 201, r.text
    url = f"/api/cotation/grilles/{r.json()['id']}"
    r = await client.get(url, headers=admin_nantes)
    assert r.status_code == 200
    modifiee_def = {**_nantes(), "libelle": "Grille de Nantes Métropole (brouillon)"}
    r = await client.put(
        url, json=modifiee_def, headers={**admin_nantes, "If-Match": r.headers["etag"]}
    )
    assert r.status_code == 200, r.text
    etag = r.headers["etag"]
    r = await client.post(f"{url}/simulation", headers=admin_nantes)
    assert r.status_code == 200 and r.json()["demandes"] == 1
    r = await client.post(f"{url}/publication", headers={**admin_nantes, "If-Match": etag})
    assert r.status_code == 200 and r.json()["etat"] == "PUBLIEE"
    r = await client.post(f"{url}/archivage", headers=admin_nantes)
    assert r.status_code == 200 and r.json()["etat"] == "ARCHIVEE"

    # Someone else's grid: as if it did not exist.
    r = await client.post("/api/cotation/grilles", json=_nantes(), headers=GESTIONNAIRE)
    brouillon, etag_brouillon = f"/api/cotation/grilles/{r.json()['id']}", r.headers["etag"]
    autre_epci = {**_nantes(), "epci": "200067346"}  # Pornic Agglo, also in Loire-Atlantique
    interdits = {
        # Another EPCI's administrator, even in the same département.
        "autre EPCI": _admin("EPCI", {"200067346"}),
        # An EPCI administrator whose account is not attached to an EPCI.
        "EPCI sans rattachement": _admin("EPCI", set()),
        # A bailleur's administrator, even restricted to Nantes Métropole.
        "bailleur": _admin("BAILLEUR", {NANTES}),
        # Attached to Nantes Métropole but outside its département.
        "hors département": _admin("EPCI", {NANTES}, {"35"}),
    }
    for nom, headers in interdits.items():
        r = await client.post("/api/cotation/grilles", json=_nantes(), headers=headers)
        assert r.status_code == 404, nom
        r = await client.put(
            brouillon, json=_nantes(), headers={**headers, "If-Match": etag_brouillon}
        )
        assert r.status_code == 404, nom
        for action in ("simulation", "publication", "archivage"):
            r = await client.post(f"{brouillon}/{action}", headers=headers)
            assert r.status_code == 404, (nom, action)
    r = await client.post("/api/cotation/grilles", json=autre_epci, headers=admin_nantes)
    assert r.status_code == 404
    # Grids are public within the perimeter; scores stay for the roles that read them.
    r = await client.get("/api/cotation/grilles", headers=interdits["bailleur"])
    assert r.status_code == 200
    r = await client.get(f"/api/cotation/demandes/{UUID(int=9)}", headers=admin_nantes)
    assert r.status_code == 403


async def test_unknown_demande_is_404(
    env: tuple[ServiceRuntime, ServiceRuntime, httpx.AsyncClient],
) -> None:
    _cotation, source, client = env
    demande_id = nouvel_id()
    await publier(source, creee(demande_id, snapshot()), modifiee(demande_id, 2, snapshot()))
    r = await client.get(f"/api/cotation/demandes/{UUID(int=7)}", headers=INSTRUCTEUR)
    assert r.status_code == 404


async def test_demandeur_reads_only_their_own_cotation(
    env: tuple[ServiceRuntime, ServiceRuntime, httpx.AsyncClient],
) -> None:
    cotation, source, client = env
    compte, autre_compte = nouvel_id(), nouvel_id()
    a_moi, au_guichet, a_un_autre = nouvel_id(), nouvel_id(), nouvel_id()
    await publier_grille_nantes(cotation)
    await publier(
        source,
        creee(a_moi, snapshot(), compte_demandeur=str(compte)),
        creee(au_guichet, snapshot()),  # filed at a guichet: no portal account
        creee(a_un_autre, snapshot(), compte_demandeur=str(autre_compte)),
    )
    # The applicant's account comes with every event: a later modification keeps it.
    await publier(
        source,
        modifiee(
            a_moi,
            2,
            snapshot(logement=TypeLogementActuel.SANS_ABRI),
            compte_demandeur=str(compte),
        ),
    )
    for demande_id in (au_guichet, a_un_autre):
        await _attendre(
            client, f"/api/cotation/demandes/{demande_id}", lambda body: body["cotations"]
        )
    await _attendre(
        client,
        f"/api/cotation/demandes/{a_moi}",
        lambda body: body["cotations"] and body["cotations"][0]["grille_version"] == 1,
    )

    moi = auth_headers(roles={"DEMANDEUR"}, sub=str(compte))
    r = await client.get(f"/api/cotation/demandes/{a_moi}", headers=moi)
    assert r.status_code == 200, r.text
    (mienne,) = r.json()["cotations"]
    assert mienne["epci"] == NANTES
    assert {c["code"] for c in mienne["criteres"]} >= {"ANCIENNETE", "SANS_LOGEMENT"}
    assert mienne["position"]["sur"] == 3

    # Another applicant's demande, one filed at a guichet, an unknown one: the same 404,
    # so that nothing tells them apart.
    introuvable = (await client.get(f"/api/cotation/demandes/{UUID(int=9)}", headers=moi)).json()
    for demande_id in (au_guichet, a_un_autre):
        r = await client.get(f"/api/cotation/demandes/{demande_id}", headers=moi)
        assert r.status_code == 404 and r.json() == introuvable
    # The owner is checked against the token's subject, not against anything in the request.
    r = await client.get(
        f"/api/cotation/demandes/{a_moi}",
        headers=auth_headers(roles={"DEMANDEUR"}, sub=str(autre_compte)),
    )
    assert r.status_code == 404 and r.json() == introuvable
    # A demandeur never manages grids.
    r = await client.post("/api/cotation/grilles", json=_nantes(), headers=moi)
    assert r.status_code == 403


async def test_cotation_access_matrix(memory_runtime_factory: RuntimeFactory) -> None:
    runtime = await memory_runtime_factory(service)
    await assert_access_matrix(runtime.app(manage_lifespan=False))


async def test_demo_seed_publishes_labelled_example_grids(
    memory_runtime_factory: RuntimeFactory,
) -> None:
    runtime = await memory_runtime_factory(service, mode="demo")
    await runtime.definition.seed(runtime)  # type: ignore[misc]  # idempotent
    transport = httpx.ASGITransport(app=runtime.app(manage_lifespan=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://toit.test") as client:
        r = await client.get("/api/cotation/grilles?etat=PUBLIEE", headers=INSTRUCTEUR)
    grilles = r.json()
    assert sorted(g["epci"] for g in grilles) == ["242900314", "243500139", "244400404"]
    for grille in grilles:
        assert grille["exemple"] is True and "non officielle" in grille["definition"]["libelle"]
        assert len(grille["definition"]["criteres"]) == 26


@pytest.mark.parametrize(
    ("contenu", "format", "champ"),
    [
        (b'{"epci": ' * 1000 + b"1" + b"}" * 1000, "json", "requête"),
        (b"[" * 1000 + b"]" * 1000, "yaml", "requête"),
        ("".join(f"{'  ' * i}n{i}:\n" for i in range(200)).encode(), "yaml", "document"),
        (b"a: &x [1, 2]\nb: [*x, *x, *x]\n", "yaml", "document"),
        (b"epci: '\x00'\n", "yaml", "document"),
    ],
)
async def test_deep_or_hostile_documents_are_refused_in_french(
    env: tuple[ServiceRuntime, ServiceRuntime, httpx.AsyncClient],
    contenu: bytes,
    format: str,
    champ: str,
) -> None:
    _cotation, _source, client = env
    r = await client.post(
        f"/api/cotation/grilles/import?format={format}",
        content=contenu,
        headers={**GESTIONNAIRE, "Content-Type": f"application/{format}"},
    )
    assert r.status_code == 422, r.text
    erreur = r.json()["erreurs"][0]
    assert erreur["champ"] == champ and erreur["message"].startswith("document"), erreur
    assert (await client.get("/api/cotation/grilles", headers=GESTIONNAIRE)).json() == []
