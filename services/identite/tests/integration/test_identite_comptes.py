"""Accounts: creation and activation by link, charte gate, disabled or expired
accounts, refresh rotation, logout, perimeter, review and journal."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa
from toit_identite.adapters.tables import compte as compte_table
from toit_identite.bootstrap import dependances

from servicekit.auth import demo_id
from servicekit.messaging.tables import outbox

from .conftest import DEMO_PASSWORD

BAILLEUR_44 = demo_id("org-bailleur-44")
EPCI_35 = demo_id("org-epci-35")
STRONG = "une phrase de passe assez longue"


def _jeton(url: str) -> str:
    return parse_qs(urlsplit(url).query)["jeton"][0]


async def _refresh(identite, refresh_token: str):
    return await identite.client.post(
        "/api/identite/token", data={"grant_type": "refresh_token", "refresh_token": refresh_token}
    )


async def test_identite_new_agent_activation_and_charte_gate(identite, events):
    admin = await identite.headers("demo-gestionnaire-44")
    created = await identite.client.post(
        "/api/identite/comptes",
        headers=admin,
        json={
            "identifiant": "c.martin",
            "email": "c.martin@example.org",
            "nom": "Martin",
            "prenom": "Claire",
            "organisation_id": BAILLEUR_44,
            "roles": ["ADMINISTRATEUR_ORGANISATION"],
            "departements": ["44"],
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["statut"] == "A_ACTIVER"
    assert created.json()["valide_jusqu_au"] is not None  # rights expire by themselves
    event = await events.next("compte.activation_demandee")
    assert event["email"] == "c.martin@example.org"
    assert event["url_activation"].startswith("https://toit.example/activation?jeton=")
    jeton = _jeton(event["url_activation"])

    assert (await identite.login("c.martin", STRONG)).status_code == 400  # not active yet
    short = await identite.client.post(
        "/api/identite/activation", json={"jeton": jeton, "mot_de_passe": "court"}
    )
    assert short.status_code == 422
    assert short.json()["erreurs"][0]["champ"] == "mot_de_passe"
    ok = await identite.client.post(
        "/api/identite/activation", json={"jeton": jeton, "mot_de_passe": STRONG}
    )
    assert ok.status_code == 204, ok.text
    again = await identite.client.post(
        "/api/identite/activation", json={"jeton": jeton, "mot_de_passe": STRONG}
    )
    assert again.status_code == 422  # single use

    login = await identite.login("c.martin", STRONG)
    assert login.status_code == 200
    assert login.json()["charte_a_accepter"] is True
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert (await identite.client.get("/api/identite/moi", headers=headers)).status_code == 200
    blocked = await identite.client.get("/api/identite/comptes", headers=headers)
    assert blocked.status_code == 403
    assert "charte" in blocked.json()["detail"]
    charte = (await identite.client.get("/api/identite/charte", headers=headers)).json()
    assert charte["acceptee"] is False
    accepted = await identite.client.post(
        "/api/identite/charte/acceptation", headers=headers, json={"version": charte["version"]}
    )
    assert accepted.status_code == 200
    refreshed = await _refresh(identite, login.json()["refresh_token"])
    assert refreshed.json()["charte_a_accepter"] is False
    headers = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
    listing = await identite.client.get("/api/identite/comptes", headers=headers)
    assert listing.status_code == 200
    # An organisation administrator sees the accounts of their organisation only.
    assert {c["organisation_id"] for c in listing.json()} == {BAILLEUR_44}

    # A new version of the charte must be accepted again.
    published = await identite.client.post(
        "/api/identite/chartes", headers=admin, json={"texte": "Charte, version 2 : " + "x" * 30}
    )
    assert published.json()["version"] == charte["version"] + 1
    again = await _refresh(identite, refreshed.json()["refresh_token"])
    assert again.json()["charte_a_accepter"] is True


async def test_identite_disabled_account_cannot_login_nor_refresh(identite, events):
    login = await identite.login("demo-instructeur-44")
    assert login.status_code == 200
    admin = await identite.headers("demo-gestionnaire-44")
    disabled = await identite.client.post(
        f"/api/identite/comptes/{demo_id('demo-instructeur-44')}/desactivation",
        headers=admin,
        json={"motif": "DEPART_ORGANISATION"},
    )
    assert disabled.status_code == 200, disabled.text
    assert (await events.next("compte.desactive"))["motif"] == "DEPART_ORGANISATION"
    refused = await identite.login("demo-instructeur-44")
    assert refused.status_code == 400
    assert "désactivé" in refused.json()["detail"]
    assert (await _refresh(identite, login.json()["refresh_token"])).status_code == 400
    journal = (
        await identite.client.get(
            f"/api/identite/comptes/{demo_id('demo-instructeur-44')}/journal", headers=admin
        )
    ).json()
    assert journal[-1]["operation"] == "COMPTE_DESACTIVE"
    assert journal[-1]["auteur"] == demo_id("demo-gestionnaire-44")


async def test_identite_expired_account_cannot_login_nor_refresh(identite):
    login = await identite.login("demo-caleol-44")
    async with identite.runtime.unit_of_work() as uow:
        await uow.session.execute(
            compte_table.update()
            .where(compte_table.c.identifiant == "demo-caleol-44")
            .values(valide_jusqu_au=date.today() - timedelta(days=2))
        )
        await uow.commit()
    refused = await identite.login("demo-caleol-44")
    assert refused.status_code == 400
    assert "expiré" in refused.json()["detail"]
    assert (await _refresh(identite, login.json()["refresh_token"])).status_code == 400


async def test_identite_refresh_rotation_reuse_and_logout(identite):
    first = (await identite.login("demo-agent-44")).json()
    second = await _refresh(identite, first["refresh_token"])
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    # Replaying a used refresh token revokes the whole session.
    assert (await _refresh(identite, first["refresh_token"])).status_code == 400
    assert (await _refresh(identite, second.json()["refresh_token"])).status_code == 400

    other = (await identite.login("demo-agent-44")).json()
    out = await identite.client.post(
        "/api/identite/deconnexion", json={"refresh_token": other["refresh_token"]}
    )
    assert out.status_code == 204
    assert (await _refresh(identite, other["refresh_token"])).status_code == 400


async def test_identite_perimeter_nothing_leaks(identite):
    gestionnaire_44 = await identite.headers("demo-gestionnaire-44")
    for path in (
        f"/api/identite/organisations/{EPCI_35}",
        f"/api/identite/comptes/{demo_id('demo-agent-35')}",
        f"/api/identite/comptes/{demo_id('demo-agent-35')}/journal",
    ):
        response = await identite.client.get(path, headers=gestionnaire_44)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Ressource introuvable"}
    unknown = await identite.client.get(
        "/api/identite/organisations/00000000-0000-4000-8000-00000000dead", headers=gestionnaire_44
    )
    assert unknown.json() == {"detail": "Ressource introuvable"}
    organisations = (
        await identite.client.get("/api/identite/organisations", headers=gestionnaire_44)
    ).json()
    assert organisations and all(o["departements"] == ["44"] for o in organisations)
    comptes = (await identite.client.get("/api/identite/comptes", headers=gestionnaire_44)).json()
    assert "demo-agent-35" not in {c["identifiant"] for c in comptes}
    assert all("derniere_connexion" in c for c in comptes)
    # Nor can one grant rights outside one's own perimeter.
    outside = await identite.client.post(
        "/api/identite/comptes",
        headers=gestionnaire_44,
        json={
            "identifiant": "intrus",
            "email": "intrus@example.org",
            "nom": "I",
            "prenom": "I",
            "organisation_id": EPCI_35,
            "roles": ["AGENT_ENREGISTREUR"],
            "departements": ["35"],
        },
    )
    assert outside.status_code == 404


async def test_identite_habilitation_change_if_match_and_journal(identite):
    admin = await identite.headers("demo-admin-44")
    url = f"/api/identite/comptes/{demo_id('demo-caleol-44')}"
    current = await identite.client.get(url, headers=admin)
    etag = current.headers["etag"]
    body = {
        "roles": ["INSTRUCTEUR", "MEMBRE_CALEOL"],
        "departements": ["44"],
        "communes": ["44109"],
    }
    assert (
        await identite.client.put(f"{url}/habilitation", headers=admin, json=body)
    ).status_code == 428
    changed = await identite.client.put(
        f"{url}/habilitation", json=body, headers={**admin, "If-Match": etag}
    )
    assert changed.status_code == 200, changed.text
    stale = await identite.client.put(
        f"{url}/habilitation", json=body, headers={**admin, "If-Match": etag}
    )
    assert stale.status_code == 412
    forbidden = await identite.client.put(
        f"{url}/habilitation",
        headers={**admin, "If-Match": changed.headers["etag"]},
        json={"roles": ["GESTIONNAIRE_FICHIER"], "departements": ["44"]},
    )
    assert forbidden.status_code == 422
    assert {e["champ"] for e in forbidden.json()["erreurs"]} == {"roles"}
    journal = (await identite.client.get(f"{url}/journal", headers=admin)).json()
    operations = [(j["operation"], j["details"].get("role"), j["auteur"]) for j in journal]
    assert ("ROLE_ACCORDE", "MEMBRE_CALEOL", None) in operations  # demo data: the system
    assert ("ROLE_ACCORDE", "INSTRUCTEUR", demo_id("demo-admin-44")) in operations
    assert any(op == "PERIMETRE_MODIFIE" for op, _, _ in operations)


async def test_identite_daily_job_disables_inactive_accounts(identite, events):
    assert (await identite.login("demo-observateur-44")).status_code == 200
    long_ago = dependances(identite.runtime).contexte.settings.inactivity_days + 1
    async with identite.runtime.unit_of_work() as uow:
        old = sa.func.now() - timedelta(days=long_ago)
        await uow.session.execute(
            compte_table.update()
            .where(compte_table.c.identifiant == "demo-observateur-44")
            .values(derniere_connexion=old, actif_depuis=old)
        )
        await uow.commit()
    await identite.runtime.run_daily_jobs(date.today())
    event = await events.next("compte.desactive")
    assert event["motif"] == "INACTIVITE"
    assert event["email"] == "demo-observateur-44@example.org"
    assert (await identite.login("demo-observateur-44")).status_code == 400
    assert (await identite.login("demo-agent-44")).status_code == 200  # recently used


async def test_identite_demandeur_registration_and_password_reset(identite, events):
    common = await identite.client.post(
        "/api/identite/demandeurs",
        json={"email": "alice@example.org", "mot_de_passe": "motdepasse123"},
    )
    assert common.status_code == 422
    registered = await identite.client.post(
        "/api/identite/demandeurs", json={"email": "alice@example.org", "mot_de_passe": STRONG}
    )
    assert registered.status_code == 202
    event = await events.next("compte.activation_demandee")
    assert (await identite.login("alice@example.org", STRONG)).status_code == 400
    activated = await identite.client.post(
        "/api/identite/activation", json={"jeton": _jeton(event["url_activation"])}
    )
    assert activated.status_code == 204
    login = await identite.login("alice@example.org", STRONG)
    assert login.status_code == 200
    assert login.json()["charte_a_accepter"] is False
    moi = (
        await identite.client.get(
            "/api/identite/moi", headers={"Authorization": f"Bearer {login.json()['access_token']}"}
        )
    ).json()
    assert moi["type_compte"] == "demandeur" and moi["roles"] == ["DEMANDEUR"]

    forgot = await identite.client.post(
        "/api/identite/mot-de-passe/oubli", json={"identifiant": "alice@example.org"}
    )
    assert forgot.status_code == 202
    unknown = await identite.client.post(
        "/api/identite/mot-de-passe/oubli", json={"identifiant": "personne@example.org"}
    )
    assert unknown.json() == forgot.json()
    reset_event = await events.next("compte.reinitialisation_demandee")
    jeton = _jeton(reset_event["url_reinitialisation"])
    new_password = "un tout nouveau mot de passe"
    reset = await identite.client.post(
        "/api/identite/mot-de-passe/reinitialisation",
        json={"jeton": jeton, "mot_de_passe": new_password},
    )
    assert reset.status_code == 204
    assert (await _refresh(identite, login.json()["refresh_token"])).status_code == 400
    assert (await identite.login("alice@example.org", STRONG)).status_code == 400
    assert (await identite.login("alice@example.org", new_password)).status_code == 200
    replay = await identite.client.post(
        "/api/identite/mot-de-passe/reinitialisation",
        json={"jeton": jeton, "mot_de_passe": STRONG + "!"},
    )
    assert replay.status_code == 422


async def test_identite_change_own_password(identite):
    headers = await identite.headers("demo-reservataire-44")
    wrong = await identite.client.post(
        "/api/identite/moi/mot-de-passe",
        headers=headers,
        json={"mot_de_passe_actuel": "faux-mot-de-passe", "nouveau_mot_de_passe": STRONG},
    )
    assert wrong.status_code == 422
    assert wrong.json()["erreurs"][0]["champ"] == "mot_de_passe_actuel"
    ok = await identite.client.post(
        "/api/identite/moi/mot-de-passe",
        headers=headers,
        json={"mot_de_passe_actuel": DEMO_PASSWORD, "nouveau_mot_de_passe": STRONG},
    )
    assert ok.status_code == 204
    assert (await identite.login("demo-reservataire-44", STRONG)).status_code == 200


async def test_identite_monthly_review_reminder(identite, events):
    async with identite.runtime.unit_of_work() as uow:
        await uow.session.execute(
            compte_table.update()
            .where(compte_table.c.identifiant == "demo-instructeur-44")
            .values(valide_jusqu_au=date(2027, 1, 10))
        )
        await uow.commit()
    await identite.runtime.run_daily_jobs(date(2027, 1, 1))
    event = await events.next("comptes.a_revoir")
    assert event["organisation_id"] == BAILLEUR_44
    assert event["date_limite"] == "2027-01-10"
    assert event["destinataires"] == ["demo-admin-44@example.org"]
    async with identite.runtime.unit_of_work() as uow:
        from toit_identite import service_layer as uc

        ctx = dependances(identite.runtime).contexte
        assert await uc.comptes.rappeler_revues(uow, ctx, date(2027, 1, 1)) == 0  # once a month


async def test_identite_organisations_created_within_perimeter(identite):
    gestionnaire = await identite.headers("demo-gestionnaire-44")
    body = {
        "nom": "CCAS de Saint-Nazaire",
        "type": "COMMUNE",
        "departements": ["44"],
        "guichet_enregistreur": True,
        "code_guichet": "SNZ44",
        "siren": "732829320",
    }
    created = await identite.client.post(
        "/api/identite/organisations", headers=gestionnaire, json=body
    )
    assert created.status_code == 201, created.text
    read = await identite.client.get(
        f"/api/identite/organisations/{created.json()['id']}", headers=gestionnaire
    )
    assert read.json()["code_guichet"] == "SNZ44"
    duplicate = await identite.client.post(
        "/api/identite/organisations", headers=gestionnaire, json={**body, "nom": "Autre"}
    )
    assert duplicate.status_code == 422
    assert duplicate.json()["erreurs"][0]["champ"] == "code_guichet"
    no_code = await identite.client.post(
        "/api/identite/organisations", headers=gestionnaire, json={**body, "code_guichet": None}
    )
    assert no_code.json()["erreurs"][0]["champ"] == "code_guichet"
    bad_siren = await identite.client.post(
        "/api/identite/organisations", headers=gestionnaire, json={**body, "siren": "123456789"}
    )
    assert bad_siren.status_code == 422
    assert bad_siren.json()["erreurs"][0]["champ"] == "siren"
    outside = await identite.client.post(
        "/api/identite/organisations",
        headers=gestionnaire,
        json={**body, "departements": ["35"], "code_guichet": "REN35"},
    )
    assert outside.status_code == 404
    admin = await identite.headers("demo-admin-44")
    assert (
        await identite.client.post("/api/identite/organisations", headers=admin, json=body)
    ).status_code == 403

    # A change needs the current version (If-Match) and stays in the gestionnaire's
    # perimeter; each creation and change is published (the partners' habilitations follow).
    url = f"/api/identite/organisations/{created.json()['id']}"
    assert read.headers["etag"] == '"1"'
    sans = await identite.client.patch(url, headers=gestionnaire, json={"nom": "CCAS SN"})
    assert sans.status_code == 428
    perime = await identite.client.patch(
        url, headers={**gestionnaire, "If-Match": '"7"'}, json={"nom": "CCAS SN"}
    )
    assert perime.status_code == 412
    hors = await identite.client.patch(
        url, headers={**gestionnaire, "If-Match": '"1"'}, json={"departements": ["44", "35"]}
    )
    assert hors.status_code == 403 and "35" in hors.json()["detail"]
    change = await identite.client.patch(
        url, headers={**gestionnaire, "If-Match": '"1"'}, json={"nom": "CCAS SN"}
    )
    assert change.status_code == 200, change.text
    assert change.headers["etag"] == '"2"' and change.json()["nom"] == "CCAS SN"
    async with identite.runtime.unit_of_work() as uow:
        rows = (await uow.session.execute(sa.select(outbox.c.event_type, outbox.c.envelope))).all()
    types = [r.event_type for r in rows if created.json()["id"].encode() in r.envelope]
    assert sorted(types) == ["organisation.enregistree", "organisation.modifiee"]
