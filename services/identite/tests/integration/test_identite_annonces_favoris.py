"""Announcements managed by the gestionnaire (who may write them, who sees them, edits with
If-Match, expiry) and each professional's favourites, on the real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from toit_identite.seed import ANNONCES_DEMO, seed

ANNONCES = "/api/identite/annonces"
FAVORIS = "/api/identite/moi/favoris"


def _annonce(**champs):
    return {
        "departement": "44",
        "titre": "Commission du 12",
        "texte": "La CALEOL du 12 est reportée au 19.",
        **champs,
    }


async def _titres(identite, identifiant):
    reponse = await identite.client.get(
        f"{ANNONCES}/a-afficher", headers=await identite.headers(identifiant)
    )
    assert reponse.status_code == 200, reponse.text
    assert reponse.headers["cache-control"] == "no-store"
    # The demo data's own announcement (test below) is left out of the audiences tested here.
    return {a["titre"] for a in reponse.json()} - {DEMO}


DEMO = ANNONCES_DEMO["44"][0]


async def test_identite_les_donnees_de_demo_publient_une_annonce_par_departement(identite):
    """`make run`'s banner: one announcement per demo département, for every professional
    of it, written once however often the demo data is loaded."""
    await seed(identite.runtime)
    for identifiant in ("demo-agent-44", "demo-observateur-44", "demo-agent-35"):
        reponse = await identite.client.get(
            f"{ANNONCES}/a-afficher", headers=await identite.headers(identifiant)
        )
        assert [a["titre"] for a in reponse.json()] == [DEMO], identifiant


async def test_identite_annonces_publiees_modifiees_expirees_pour_le_bon_public(identite):
    gestionnaire = await identite.headers("demo-gestionnaire-44")
    tous = await identite.client.post(ANNONCES, headers=gestionnaire, json=_annonce(titre="Tous"))
    assert tous.status_code == 201, tous.text
    bailleurs = await identite.client.post(
        ANNONCES,
        headers=gestionnaire,
        json=_annonce(titre="Bailleurs", types_organisation=["BAILLEUR"], niveau="IMPORTANT"),
    )
    guichets = await identite.client.post(
        ANNONCES,
        headers=gestionnaire,
        json=_annonce(titre="Guichets", roles=["AGENT_ENREGISTREUR"]),
    )
    plus_tard = datetime.now(UTC) + timedelta(days=3)
    futur = await identite.client.post(
        ANNONCES,
        headers=gestionnaire,
        json=_annonce(titre="Plus tard", debut=plus_tard.isoformat()),
    )
    assert {bailleurs.status_code, guichets.status_code, futur.status_code} == {201}

    # The right audiences: département, roles, organisation type; not yet started: nobody.
    assert await _titres(identite, "demo-agent-44") == {"Tous", "Guichets"}
    assert await _titres(identite, "demo-instructeur-44") == {"Tous", "Bailleurs"}
    assert await _titres(identite, "demo-agent-35") == set()
    assert await _titres(identite, "demo-observateur-44") == {"Tous"}

    # Only the gestionnaire writes, and for their départements only.
    agent = await identite.headers("demo-agent-44")
    refus = await identite.client.post(ANNONCES, headers=agent, json=_annonce())
    assert refus.status_code == 403
    hors = await identite.client.post(
        ANNONCES, headers=gestionnaire, json=_annonce(departement="35")
    )
    assert hors.status_code == 422
    assert hors.json()["erreurs"][0]["champ"] == "departement"
    assert "périmètre" in hors.json()["erreurs"][0]["message"]
    # French messages naming the field; nothing written.
    mauvais = await identite.client.post(
        ANNONCES,
        headers=gestionnaire,
        json=_annonce(
            titre="x" * 121,
            roles=["ROI"],
            fin=(datetime.now(UTC) - timedelta(days=1)).isoformat(),
        ),
    )
    assert mauvais.status_code == 422
    assert {e["champ"] for e in mauvais.json()["erreurs"]} >= {"titre"}
    invalide = await identite.client.post(
        ANNONCES,
        headers=gestionnaire,
        json=_annonce(roles=["ROI"], fin=(datetime.now(UTC) - timedelta(days=1)).isoformat()),
    )
    assert invalide.status_code == 422
    assert {e["champ"] for e in invalide.json()["erreurs"]} == {"roles", "fin"}
    naive = await identite.client.post(
        ANNONCES, headers=gestionnaire, json=_annonce(fin="2030-01-01T00:00:00")
    )
    assert naive.status_code == 422

    # Edit with If-Match: 428 without, 412 with an old version.
    url = f"{ANNONCES}/{tous.json()['id']}"
    corps = _annonce(titre="Tous les partenaires")
    assert (await identite.client.put(url, headers=gestionnaire, json=corps)).status_code == 428
    modifiee = await identite.client.put(
        url, headers={**gestionnaire, "If-Match": tous.headers["etag"]}, json=corps
    )
    assert modifiee.status_code == 200, modifiee.text
    assert modifiee.json()["version"] == 2
    obsolete = await identite.client.put(
        url, headers={**gestionnaire, "If-Match": tous.headers["etag"]}, json=corps
    )
    assert obsolete.status_code == 412
    assert await _titres(identite, "demo-agent-44") == {"Tous les partenaires", "Guichets"}

    # Expiry takes it off the banners; it stays in the gestionnaire's list.
    expiree = await identite.client.post(f"{url}/expiration", headers=gestionnaire)
    assert expiree.status_code == 200 and expiree.json()["fin"] is not None
    assert (
        await identite.client.post(f"{url}/expiration", headers=gestionnaire)
    ).status_code == 409
    assert await _titres(identite, "demo-agent-44") == {"Guichets"}
    liste = await identite.client.get(ANNONCES, headers=gestionnaire)
    assert {a["titre"] for a in liste.json()} - {DEMO} == {
        "Tous les partenaires",
        "Bailleurs",
        "Guichets",
        "Plus tard",
    }
    assert (await identite.client.get(ANNONCES, headers=agent)).status_code == 403
    assert (await identite.client.get(url, headers=agent)).status_code == 403


async def test_identite_favoris_propres_a_chacun_et_bornes(identite):
    agent = await identite.headers("demo-agent-44")
    demande = "3f1c6a4e-8a0b-4c1e-9a53-0d2f4b9c7e11"
    ajout = await identite.client.post(
        FAVORIS,
        headers=agent,
        json={"type": "DEMANDE", "cible": demande, "libelle": "044… LE GOFF"},
    )
    assert ajout.status_code == 201, ajout.text
    liste = await identite.client.post(
        FAVORIS,
        headers=agent,
        json={"type": "LISTE", "cible": "/demandes?statut=A_VALIDER", "libelle": "À valider"},
    )
    assert liste.status_code == 201
    deja = await identite.client.post(
        FAVORIS, headers=agent, json={"type": "DEMANDE", "cible": demande, "libelle": "Encore"}
    )
    assert deja.status_code == 409 and "déjà" in deja.json()["detail"]
    for cible in ("//evil.example/x", "https://evil.example", "/demandes?<script>", "javascript:x"):
        refus = await identite.client.post(
            FAVORIS, headers=agent, json={"type": "LISTE", "cible": cible, "libelle": "x"}
        )
        assert refus.status_code == 422, cible
        assert refus.json()["erreurs"][0]["champ"] == "cible"
    mauvais = await identite.client.post(
        FAVORIS, headers=agent, json={"type": "DEMANDE", "cible": "pas-un-id", "libelle": "x"}
    )
    assert mauvais.status_code == 422

    mes = await identite.client.get(FAVORIS, headers=agent)
    assert [f["libelle"] for f in mes.json()] == ["044… LE GOFF", "À valider"]
    # Someone else sees none of them and cannot remove them.
    instructeur = await identite.headers("demo-instructeur-44")
    assert (await identite.client.get(FAVORIS, headers=instructeur)).json() == []
    autre = await identite.client.delete(f"{FAVORIS}/{ajout.json()['id']}", headers=instructeur)
    assert autre.status_code == 404
    retrait = await identite.client.delete(f"{FAVORIS}/{ajout.json()['id']}", headers=agent)
    assert retrait.status_code == 204
    assert [f["libelle"] for f in (await identite.client.get(FAVORIS, headers=agent)).json()] == [
        "À valider"
    ]
    # At most 30.
    for i in range(29):
        reponse = await identite.client.post(
            FAVORIS,
            headers=agent,
            json={"type": "LISTE", "cible": f"/demandes?page={i}", "libelle": f"Page {i}"},
        )
        assert reponse.status_code == (201 if i < 29 else 422)
    trop = await identite.client.post(
        FAVORIS, headers=agent, json={"type": "LISTE", "cible": "/demandes?x=1", "libelle": "x"}
    )
    assert trop.status_code == 422 and "30 favoris" in trop.json()["erreurs"][0]["message"]
