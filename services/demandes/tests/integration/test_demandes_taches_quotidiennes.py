"""Daily jobs on PostgreSQL: each notice once, even when run twice or twice at once; then
expiry, radiation for non-renewal and purge, each once with its event."""

from __future__ import annotations

import asyncio
from datetime import date

import httpx
import sqlalchemy as sa
from toit_demandes.adapters.tables import demandes
from toit_demandes.exemples import demande_exemple
from toit_referentiel import add_months as ajouter_mois

from servicekit.runtime import ServiceRuntime

from .conftest import Evenements, creer_enregistrer


async def test_taches_quotidiennes_idempotentes(
    runtime: ServiceRuntime,
    client: httpx.AsyncClient,
    agent: dict[str, str],
    evenements: Evenements,
) -> None:
    demande = await creer_enregistrer(client, agent, demande_exemple())
    autre = await creer_enregistrer(
        client,
        agent,
        demande_exemple(demandeur={**demande_exemple()["demandeur"], "nom_naissance": "MARTIN"}),
    )
    await evenements.attendre(6)
    evenements.recus.clear()
    expiration = date.fromisoformat(demande["date_expiration"])

    jour_du_preavis = ajouter_mois(expiration, -1)
    await runtime.run_daily_jobs(date.fromordinal(jour_du_preavis.toordinal() - 1))
    await runtime.run_daily_jobs(jour_du_preavis)
    await runtime.run_daily_jobs(jour_du_preavis)
    await asyncio.gather(
        runtime.run_daily_jobs(jour_du_preavis), runtime.run_daily_jobs(jour_du_preavis)
    )
    await runtime.relay.publish_pending()
    await evenements.attendre(2)
    await asyncio.sleep(0.5)
    preavis = [e for e in evenements.recus if e["type"] == "demande.renouvellement_a_echeance"]
    assert sorted(e["data"]["demande_id"] for e in preavis) == sorted([demande["id"], autre["id"]])
    assert preavis[0]["data"]["contact"]["email"] == "anne.durand@example.org"

    evenements.recus.clear()

    for _ in range(2):
        await runtime.run_daily_jobs(expiration)
    fin_grace = ajouter_mois(expiration, 1)
    await asyncio.gather(runtime.run_daily_jobs(fin_grace), runtime.run_daily_jobs(fin_grace))
    purge = ajouter_mois(fin_grace, 12)
    await runtime.run_daily_jobs(purge)
    await runtime.run_daily_jobs(purge)
    await evenements.attendre(6)
    await asyncio.sleep(0.5)
    recus = [e for e in evenements.recus if e["data"]["demande_id"] == demande["id"]]
    assert [e["type"] for e in recus] == ["demande.modifiee", "demande.radiee", "demande.purgee"]
    assert recus[0]["data"]["statut"] == "EXPIREE_GRACE"
    assert recus[1]["data"]["motif"] == "NON_RENOUVELLEMENT"
    purgee = recus[2]["data"]
    assert purgee["motif_radiation"] == "NON_RENOUVELLEMENT"
    assert "contact" not in purgee and "snapshot" not in purgee
    versions = [e["data"]["version"] for e in recus]
    assert versions == sorted(set(versions))

    async with runtime.unit_of_work() as uow:
        restantes = (await uow.session.execute(sa.select(demandes.c.id))).scalars().all()
    assert restantes == []
    absente = await client.get(f"/api/demandes/{demande['id']}", headers=agent)
    assert absente.status_code == 404


async def test_delai_anormalement_long_et_fin_de_preavis(
    runtime: ServiceRuntime,
    client: httpx.AsyncClient,
    agent: dict[str, str],
    gestionnaire: dict[str, str],
    evenements: Evenements,
) -> None:
    ancienne = await creer_enregistrer(
        client, gestionnaire, demande_exemple(date_depot="2024-06-01")
    )
    preavis = await creer_enregistrer(
        client,
        agent,
        demande_exemple(demandeur={**demande_exemple()["demandeur"], "nom_naissance": "MARTIN"}),
    )
    radiation = await client.post(
        f"/api/demandes/{preavis['id']}/radiation",
        headers=agent,
        json={"motif": "ABSENCE_DE_REPONSE"},
    )
    assert radiation.json()["statut"] == "ACTIVE"
    effet = date.fromisoformat(radiation.json()["preavis_radiation"]["effet_le"])
    await evenements.attendre(7)
    evenements.recus.clear()

    for _ in range(2):
        await runtime.run_daily_jobs(effet)
    await evenements.attendre(2)
    await asyncio.sleep(0.5)
    par_type = {e["type"]: e["data"] for e in evenements.recus}
    assert sorted(e["type"] for e in evenements.recus) == [
        "demande.delai_anormalement_long_atteint",
        "demande.radiee",
    ]
    dal = par_type["demande.delai_anormalement_long_atteint"]
    assert dal["demande_id"] == ancienne["id"] and dal["delai_mois"] == 24
    assert par_type["demande.radiee"]["motif"] == "ABSENCE_DE_REPONSE"

    reactivee = await client.post(f"/api/demandes/{preavis['id']}/reactivation", headers=agent)
    assert reactivee.status_code == 200, reactivee.text
    assert reactivee.json()["numero_unique"] == preavis["numero_unique"]
