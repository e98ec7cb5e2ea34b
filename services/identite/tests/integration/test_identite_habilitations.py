"""Who may change whose habilitations: never one's own, a gestionnaire's only by a
gestionnaire, an administrator within their organisation; each change journaled."""

from __future__ import annotations

from servicekit.auth import demo_id


async def _changer(identite, qui: str, compte: str, corps: dict) -> object:
    headers = await identite.headers(qui)
    url = f"/api/identite/comptes/{demo_id(compte)}"
    lu = await identite.client.get(url, headers=headers)
    etag = lu.headers.get("etag", '"1"')
    return await identite.client.put(
        f"{url}/habilitation", headers={**headers, "If-Match": etag}, json=corps
    )


async def test_identite_personne_ne_change_ses_propres_habilitations(identite):
    corps = {"roles": ["ADMINISTRATEUR_ORGANISATION", "INSTRUCTEUR"], "departements": ["44"]}
    soi = await _changer(identite, "demo-admin-44", "demo-admin-44", corps)
    assert soi.status_code == 403
    assert "vos propres habilitations" in soi.json()["detail"]
    gestionnaire = await _changer(
        identite,
        "demo-gestionnaire-44",
        "demo-gestionnaire-44",
        {"roles": ["GESTIONNAIRE_FICHIER"], "departements": ["44", "35"]},
    )
    assert gestionnaire.status_code == 403

    # A gestionnaire's account: a gestionnaire only.
    refus = await _changer(
        identite,
        "demo-admin-44",
        "demo-gestionnaire-44",
        {"roles": ["OBSERVATEUR"], "departements": ["44"]},
    )
    assert refus.status_code in (403, 404)
    # Another organisation's account: out of an administrator's scope.
    autre = await _changer(
        identite,
        "demo-admin-44",
        "demo-agent-44",
        {"roles": ["AGENT_ENREGISTREUR", "OBSERVATEUR"], "departements": ["44"]},
    )
    assert autre.status_code == 404
    # A role the organisation cannot hold: the French message names the field.
    capacite = await _changer(
        identite,
        "demo-admin-44",
        "demo-instructeur-44",
        {"roles": ["RESERVATAIRE"], "departements": ["44"]},
    )
    assert capacite.status_code == 422
    assert capacite.json()["erreurs"][0]["champ"] == "roles"
    assert "capacité" in capacite.json()["erreurs"][0]["message"]

    journal = await identite.client.get(
        f"/api/identite/comptes/{demo_id('demo-admin-44')}/journal",
        headers=await identite.headers("demo-gestionnaire-44"),
    )
    assert all(j["auteur"] is None for j in journal.json())  # demo data only: nothing changed
