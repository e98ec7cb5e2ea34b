"""The consultation trace is readable (issue 11 item 6): the gestionnaire reads who read which
demande, when and why; the applicant reads it for their own demande; nominative searches are
traced; the trace is purged after its retention period."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import sqlalchemy as sa
from toit_demandes.exemples import demande_exemple

from servicekit.messaging.tables import consultation
from servicekit.runtime import ServiceRuntime
from servicekit.testing_auth import auth_headers

GESTIONNAIRE = auth_headers(roles={"GESTIONNAIRE_FICHIER"}, departements={"44"}, sub="gest-44")
DEMANDEUR = auth_headers(roles={"DEMANDEUR"}, sub="compte-demandeur-1")


async def test_trace_lisible_par_le_gestionnaire_et_le_demandeur_et_purgee(
    runtime: ServiceRuntime, client: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    creee = await client.post(
        "/api/demandes", json=demande_exemple(canal_depot="EN_LIGNE"), headers=DEMANDEUR
    )
    assert creee.status_code == 201, creee.text
    demande_id = creee.json()["id"]

    lue = await client.get(
        f"/api/demandes/{demande_id}", headers=agent, params={"motif": "instruction"}
    )
    assert lue.status_code == 200, lue.text
    historique = await client.get(f"/api/demandes/{demande_id}/historique", headers=agent)
    assert historique.status_code == 200, historique.text
    recherche = await client.get("/api/demandes", headers=agent, params={"nom": "durand"})
    assert demande_id in [d["id"] for d in recherche.json()["elements"]]

    trace = await client.get(
        "/api/demandes/consultations", headers=GESTIONNAIRE, params={"dossier": demande_id}
    )
    assert trace.status_code == 200, trace.text
    lignes = trace.json()["elements"]
    assert {(ligne["compte"], ligne["motif"]) for ligne in lignes} >= {
        ("agent-44", "instruction"),
        ("agent-44", "recherche"),
    }
    assert all(ligne["date"].endswith(("Z", "+00:00")) for ligne in lignes)

    sienne = await client.get(f"/api/demandes/{demande_id}/consultations", headers=DEMANDEUR)
    assert sienne.status_code == 200, sienne.text
    vues = sienne.json()
    assert {v["motif"] for v in vues} >= {"instruction", "recherche"}
    assert "demande.historique" in {v["type_dossier"] for v in vues}
    assert all("AGENT_ENREGISTREUR" in v["roles"] for v in vues)
    assert "agent-44" not in sienne.text  # the agent's account stays internal

    autre = auth_headers(roles={"DEMANDEUR"}, sub="compte-demandeur-2")
    assert (
        await client.get(f"/api/demandes/{demande_id}/consultations", headers=autre)
    ).status_code == 404
    assert (
        await client.get(f"/api/demandes/{demande_id}/consultations", headers=agent)
    ).status_code == 403

    # Retention (TOIT_CONSULTATION_RETENTION_DAYS, one year by default): old lines go.
    async with runtime.unit_of_work() as uow:
        await uow.session.execute(
            consultation.insert().values(
                consulted_at=datetime.now(UTC) - timedelta(days=400),
                account_id="ancien",
                account_kind="agent",
                roles="AGENT_ENREGISTREUR",
                record_type="demande",
                record_id=demande_id,
                departement="44",
            )
        )
        await uow.commit()
    await runtime.run_daily_jobs(date.today())
    async with runtime.unit_of_work() as uow:
        comptes = set(
            (
                await uow.session.execute(
                    sa.select(consultation.c.account_id).where(
                        consultation.c.record_id == demande_id
                    )
                )
            ).scalars()
        )
    assert "ancien" not in comptes and "agent-44" in comptes
