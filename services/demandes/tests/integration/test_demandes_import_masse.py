"""Bulk import: registered demandes with distinct numéros, their historique and events."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import sqlalchemy as sa
from toit_demandes.adapters.tables import demandes
from toit_demandes.entrypoints.import_masse import importer
from toit_demandes.exemples import DEMANDE_EXEMPLE, demande_exemple

from servicekit.messaging.tables import outbox
from servicekit.runtime import ServiceRuntime


async def test_import_en_masse(
    runtime: ServiceRuntime, client: httpx.AsyncClient, agent: dict[str, str], tmp_path: Path
) -> None:
    fichier = tmp_path / "demandes.jsonl"
    lignes = [
        demande_exemple(
            date_depot=f"202{4 + i % 2}-0{1 + i % 9}-15",
            demandeur={**DEMANDE_EXEMPLE["demandeur"], "nom_naissance": f"IMPORT{i}"},
        )
        for i in range(25)
    ]
    fichier.write_text("\n".join(json.dumps(ligne) for ligne in lignes))
    assert await importer(runtime, fichier, taille_lot=10) == 25
    async with runtime.unit_of_work() as uow:
        numeros = (
            await uow.session.execute(sa.select(demandes.c.numero_unique, demandes.c.statut))
        ).all()
        evenements = (
            await uow.session.execute(
                sa.select(sa.func.count())
                .select_from(outbox)
                .where(outbox.c.event_type == "demande.enregistree")
            )
        ).scalar_one()
    assert len({n for n, _ in numeros}) == 25 and {s for _, s in numeros} == {"ACTIVE"}
    assert evenements == 25
    page = (
        await client.get("/api/demandes", headers=agent, params={"nom": "import1", "tri": "nom"})
    ).json()
    assert page["total"] == 11  # IMPORT1, IMPORT10..IMPORT19
