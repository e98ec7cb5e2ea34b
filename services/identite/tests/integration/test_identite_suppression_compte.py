"""An applicant deletes their own account (issue 15): confirmed by the password, nothing of
the account stays in identite, its tokens stop working, `compte.supprime` is published (no
personal data), and the address may register again. A professional cannot."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from toit_identite.adapters import tables as t

STRONG = "une phrase de passe assez longue"
SUPPRESSION = "/api/identite/moi/suppression"


async def test_identite_un_demandeur_supprime_son_compte(identite, events):
    registered = await identite.client.post(
        "/api/identite/demandeurs", json={"email": "alice@example.org", "mot_de_passe": STRONG}
    )
    assert registered.status_code == 202
    lien = (await events.next("compte.activation_demandee"))["url_activation"]
    jeton = lien.split("jeton=")[1]
    assert (
        await identite.client.post("/api/identite/activation", json={"jeton": jeton})
    ).status_code == 204
    connexion = await identite.login("alice@example.org", STRONG)
    assert connexion.status_code == 200
    jetons = connexion.json()
    entetes = {"Authorization": f"Bearer {jetons['access_token']}"}
    compte_id = (await identite.client.get("/api/identite/moi", headers=entetes)).json()["id"]

    # A wrong password: refused next to the field, nothing deleted.
    refus = await identite.client.post(
        SUPPRESSION, json={"mot_de_passe": "pas le bon"}, headers=entetes
    )
    assert refus.status_code == 422, refus.text
    assert [e["champ"] for e in refus.json()["erreurs"]] == ["mot_de_passe"]
    assert (await identite.login("alice@example.org", STRONG)).status_code == 200

    supprime = await identite.client.post(
        SUPPRESSION, json={"mot_de_passe": STRONG}, headers=entetes
    )
    assert supprime.status_code == 204, supprime.text
    evenement = await events.next("compte.supprime")
    assert UUID(evenement["compte_id"]) == UUID(compte_id)
    assert "@" not in str(evenement)  # nothing personal in the event

    # Nothing of the account stays; its login and refresh token no longer work.
    async with identite.runtime.db.session() as session:
        for table in (t.compte, t.refresh_token, t.lien_usage_unique):
            colonne = table.c.id if table is t.compte else table.c.compte_id
            reste = await session.execute(sa.select(sa.func.count()).where(colonne == compte_id))
            assert reste.scalar_one() == 0, table.name
    assert (await identite.login("alice@example.org", STRONG)).status_code in (400, 401)
    rafraichi = await identite.client.post(
        "/api/identite/token",
        data={"grant_type": "refresh_token", "refresh_token": jetons["refresh_token"]},
    )
    assert rafraichi.status_code in (400, 401)
    # The address may open a new account.
    again = await identite.client.post(
        "/api/identite/demandeurs", json={"email": "alice@example.org", "mot_de_passe": STRONG}
    )
    assert again.status_code == 202
    assert await events.next("compte.activation_demandee")


async def test_identite_un_compte_professionnel_ne_se_supprime_pas_lui_meme(identite):
    entetes = await identite.headers("demo-agent-44")
    refus = await identite.client.post(SUPPRESSION, json={"mot_de_passe": "x"}, headers=entetes)
    assert refus.status_code == 403, refus.text
    assert "administrateur" in refus.json()["detail"]
    assert (await identite.login("demo-agent-44")).status_code == 200
