"""Migration from another fichier (issue 11 item 7): 1,000 demandes keep their numéro unique,
dépôt date and ancienneté, are marked as migrated (notifications sends no attestation), and
the line report says which lines were refused and why."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from toit_demandes.adapters.tables import demandes
from toit_demandes.entrypoints.import_masse import migrer
from toit_demandes.exemples import DEMANDE_EXEMPLE, demande_exemple
from toit_referentiel import anciennete_mois

from servicekit.messaging.tables import outbox
from servicekit.runtime import ServiceRuntime
from toit_contracts import CloudEvent

from .conftest import creer_enregistrer

NOMBRE = 1000


def ligne(i: int, **changements: Any) -> dict[str, Any]:
    depot = date(2023 + i % 3, 1 + i % 12, 1 + i % 28)
    return {
        "numero_unique": f"044{depot.month:02d}{depot.year % 100:02d}{i + 1:06d}ANC44",
        **demande_exemple(
            date_depot=depot.isoformat(),
            demandeur={**DEMANDE_EXEMPLE["demandeur"], "nom_naissance": f"REPRISE{i}"},
        ),
        **changements,
    }


async def test_migration_de_1000_demandes_garde_numeros_et_ne_notifie_rien(
    runtime: ServiceRuntime,
    client: httpx.AsyncClient,
    agent: dict[str, str],
    gestionnaire: dict[str, str],
    tmp_path: Path,
) -> None:
    existante = await creer_enregistrer(client, agent, demande_exemple())
    lignes = [json.dumps(ligne(i)) for i in range(NOMBRE)]
    lignes += [
        json.dumps(ligne(NOMBRE, numero_unique="044-ABC")),  # format
        json.dumps(
            {**ligne(0), "demandeur": {**DEMANDE_EXEMPLE["demandeur"], "nom_naissance": "DOUBLE"}}
        ),
        json.dumps(
            ligne(
                NOMBRE + 2,
                numero_unique=existante["numero_unique"],
                date_depot=existante["date_depot_initial"],
            )
        ),
        json.dumps(ligne(NOMBRE + 3, numero_unique="035" + ligne(3)["numero_unique"][3:])),
        json.dumps({**ligne(NOMBRE + 4), "codemandeur": {"lien": "SANS_LIEN"}}),
        "{pas du json",
    ]
    fichier = tmp_path / "reprise.jsonl"
    fichier.write_text("\n".join(lignes), encoding="utf-8")
    rapport = tmp_path / "refus.csv"

    bilan = await migrer(runtime, fichier, taille_lot=250, rapport=rapport)

    assert bilan.importees == NOMBRE
    refus = list(csv.DictReader(rapport.open(encoding="utf-8"), delimiter=";"))
    assert [int(r["ligne"]) for r in refus] == list(range(NOMBRE + 1, NOMBRE + 7))
    motifs = [r["motif"] for r in refus]
    assert "numéro unique invalide" in motifs[0]
    assert motifs[1].startswith("numéro unique déjà attribué")  # line 1, an earlier batch
    assert motifs[2] == "numéro unique déjà attribué dans Toit"
    assert "département 35" in motifs[3]
    assert motifs[4].startswith("codemandeur")
    assert "JSON illisible" in motifs[5]

    async with runtime.unit_of_work() as uow:
        stockees = {
            r.numero_unique: r.date_depot_initial
            for r in (
                await uow.session.execute(
                    sa.select(demandes.c.numero_unique, demandes.c.date_depot_initial).where(
                        demandes.c.nom_naissance.like("REPRISE%")
                    )
                )
            ).all()
        }
        enveloppes = (
            await uow.session.execute(
                sa.select(outbox.c.envelope).where(outbox.c.event_type == "demande.enregistree")
            )
        ).scalars()
        migrees = [CloudEvent.model_validate_json(e).data["migree"] for e in enveloppes]
    attendues = {
        ligne(i)["numero_unique"]: date.fromisoformat(ligne(i)["date_depot"]) for i in range(NOMBRE)
    }
    assert stockees == attendues  # numbers and dépôt dates kept
    assert migrees.count(True) == NOMBRE  # no attestation: notifications skips them
    assert migrees.count(False) == 1  # the demande registered at the guichet

    page = await client.get(
        "/api/demandes", headers=agent, params={"nom": "reprise7", "tri": "nom", "par_page": 1}
    )
    [resume] = page.json()["elements"]
    detail = (await client.get(f"/api/demandes/{resume['id']}", headers=agent)).json()
    depot = date.fromisoformat(ligne(7)["date_depot"])
    assert detail["numero_unique"] == ligne(7)["numero_unique"]
    assert detail["date_depot_initial"] == depot.isoformat()
    assert detail["derives"]["anciennete_mois"] == anciennete_mois(depot, date.today())

    # Toit's next numbers of a migrated (département, year) come after the migrated ones.
    # (A dépôt date of 2025 is the gestionnaire's to record: servicekit.authz_fields.)
    suivante = await creer_enregistrer(
        client, gestionnaire, demande_exemple(date_depot="2025-03-02")
    )
    plus_haute_2025 = max(i + 1 for i in range(NOMBRE) if ligne(i)["date_depot"] >= "2025")
    assert int(suivante["numero_unique"][7:13]) > plus_haute_2025
