"""Create → register → modify → renew → radiate through the API, on PostgreSQL and RabbitMQ."""

from __future__ import annotations

import httpx
from toit_demandes.exemples import demande_exemple

from .conftest import PDF, Evenements, creer_enregistrer


async def test_cycle_complet_emet_les_evenements_dans_l_ordre(
    client: httpx.AsyncClient, agent: dict[str, str], evenements: Evenements
) -> None:
    cree = await client.post("/api/demandes", json=demande_exemple(), headers=agent)
    assert cree.status_code == 201, cree.text
    corps = cree.json()
    assert corps["statut"] == "BROUILLON" and corps["numero_unique"] is None
    assert corps["version"] == 1 and cree.headers["etag"] == '"1"'
    assert corps["derives"]["categorie_menage"] == 3
    demande_id = corps["id"]

    refus = await client.post(f"/api/demandes/{demande_id}/enregistrement", headers=agent)
    assert refus.status_code == 409
    assert "pièce d'identité" in refus.json()["detail"]

    piece = await client.post(
        f"/api/demandes/{demande_id}/pieces",
        headers=agent,
        data={"type": "PIECE_IDENTITE", "personne": "demandeur"},
        files={"fichier": ("scan.png", PDF, "image/png")},
    )
    assert piece.status_code == 201, piece.text
    assert piece.json()["media_type"] == "application/pdf"

    enregistree = await client.post(f"/api/demandes/{demande_id}/enregistrement", headers=agent)
    assert enregistree.status_code == 200, enregistree.text
    numero = enregistree.json()["numero_unique"]
    assert numero[:3] == "044" and numero.endswith("GUI44") and len(numero) == 18

    etag = enregistree.headers["etag"]
    modifiee = await client.patch(
        f"/api/demandes/{demande_id}",
        headers={**agent, "If-Match": etag, "Content-Type": "application/merge-patch+json"},
        content=b'{"demandeur": {"telephone": "06 12 34 56 78"}, "enfants_a_naitre": 1}',
    )
    assert modifiee.status_code == 200, modifiee.text
    assert modifiee.json()["derives"]["taille_menage"] == 3

    renouvelee = await client.post(f"/api/demandes/{demande_id}/renouvellement", headers=agent)
    assert renouvelee.status_code == 200, renouvelee.text
    radiee = await client.post(
        f"/api/demandes/{demande_id}/radiation", headers=agent, json={"motif": "RENONCIATION"}
    )
    assert radiee.status_code == 200, radiee.text
    assert radiee.json()["statut"] == "RADIEE"

    recus = await evenements.attendre(6)
    assert evenements.types() == [
        "demande.creee",
        "demande.piece_deposee",
        "demande.enregistree",
        "demande.modifiee",
        "demande.renouvelee",
        "demande.radiee",
    ]
    versions = [e["data"]["version"] for e in recus]
    assert versions == sorted(versions) and versions[0] == 1
    cycle = [
        v for e, v in zip(recus, versions, strict=True) if e["type"] != "demande.piece_deposee"
    ]
    assert len(set(cycle)) == len(cycle), "each state change has its own version"
    assert recus[2]["data"]["numero_unique"] == numero
    assert recus[3]["data"]["rubriques_modifiees"] == ["demandeur", "enfants_a_naitre"]
    assert recus[5]["data"]["motif"] == "RENONCIATION"
    assert all(e["subject"] == demande_id for e in recus)

    historique = await client.get(f"/api/demandes/{demande_id}/historique", headers=agent)
    assert historique.status_code == 200
    lignes = historique.json()
    assert [ligne["type"] for ligne in lignes] == [
        "CREATION",
        "PIECE",
        "ENREGISTREMENT",
        "MODIFICATION",
        "RENOUVELLEMENT",
        "RADIATION",
    ]
    modification = lignes[3]
    assert modification["intervenant"]["utilisateur"] == "agent-44"
    assert {"champ": "demandeur.telephone", "avant": None, "apres": "06 12 34 56 78"} in (
        modification["changements"]
    )


async def test_deux_patch_avec_le_meme_etag_un_seul_passe(
    client: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    demande = await creer_enregistrer(client, agent, demande_exemple())
    url = f"/api/demandes/{demande['id']}"
    entetes = {**agent, "If-Match": f'"{demande["version"]}"'}
    premiere, seconde = await _concurrentes(
        client.patch(url, headers=entetes, json={"enfants_a_naitre": 1}),
        client.patch(url, headers=entetes, json={"enfants_a_naitre": 2}),
    )
    assert sorted([premiere.status_code, seconde.status_code]) == [200, 412]
    sans = await client.patch(url, headers=agent, json={"enfants_a_naitre": 3})
    assert sans.status_code == 428


async def _concurrentes(*appels):  # type: ignore[no-untyped-def]
    import asyncio

    return await asyncio.gather(*appels)
