"""Several codemandeurs and colocataires through the API (issue 11): creation, JSON merge
patch of the lists, field paths in the refusals, pièces of each person, snapshot events
v2; a client of the one-codemandeur format keeps working; stored demandes are migrated
(Alembic 0005) without any event."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from uuid import uuid4

import httpx
import sqlalchemy as sa
from toit_demandes.adapters.tables import demandes as table_demandes
from toit_demandes.adapters.tables import pieces as table_pieces
from toit_demandes.exemples import demande_exemple
from toit_demandes.service import service

from servicekit.db import Database
from servicekit.migrations import upgrade
from servicekit.testing import create_database, drop_database

from .conftest import PDF, Evenements

CONJOINT = {
    "civilite": "M",
    "nom_naissance": "MARTIN",
    "prenoms": "Paul",
    "date_naissance": "1984-03-03",
    "nationalite": "FRANCAISE",
    "situation_professionnelle": "SALARIE_CDI",
}
MERE = {**CONJOINT, "civilite": "MME", "prenoms": "Jeanne", "date_naissance": "1950-06-01"}
MERE["lien"] = "ASCENDANT"
COLOC = {**CONJOINT, "prenoms": "Yann", "date_naissance": "1998-02-02", "lien": "SANS_LIEN"}


async def test_plusieurs_codemandeurs_et_colocataires_par_l_api(
    client: httpx.AsyncClient, agent: dict[str, str], evenements: Evenements
) -> None:
    corps = demande_exemple(codemandeurs=[CONJOINT, MERE], colocataires=[COLOC], occupants=[])
    cree = await client.post("/api/demandes", json=corps, headers=agent)
    assert cree.status_code == 201, cree.text
    demande = cree.json()
    assert [c["prenoms"] for c in demande["codemandeurs"]] == ["Paul", "Jeanne"]
    assert demande["colocataires"][0]["lien"] == "SANS_LIEN"
    assert demande["derives"]["taille_menage"] == 4
    url = f"/api/demandes/{demande['id']}"

    piece = await client.post(
        f"{url}/pieces",
        headers=agent,
        data={"type": "PIECE_IDENTITE", "personne": "codemandeurs[1]"},
        files={"fichier": ("cni.pdf", PDF, "application/pdf")},
    )
    assert piece.status_code == 201, piece.text
    absente = await client.post(
        f"{url}/pieces",
        headers=agent,
        data={"type": "PIECE_IDENTITE", "personne": "colocataires[1]"},
        files={"fichier": ("cni.pdf", PDF, "application/pdf")},
    )
    assert absente.status_code == 422 and "colocataires[1]" in absente.text

    # A merge patch replaces a whole list; a wrong link is refused with the field's path.
    sans_lien = await client.patch(
        url,
        headers={**agent, "If-Match": '"1"'},
        json={"codemandeurs": [CONJOINT, {**MERE, "lien": "SANS_LIEN"}]},
    )
    assert sans_lien.status_code == 422, sans_lien.text
    assert [e["champ"] for e in sans_lien.json()["erreurs"]] == ["codemandeurs[1].lien"]
    modifiee = await client.patch(
        url, headers={**agent, "If-Match": '"1"'}, json={"colocataires": [], "enfants_a_naitre": 1}
    )
    assert modifiee.status_code == 200, modifiee.text
    assert modifiee.json()["colocataires"] == [] and len(modifiee.json()["codemandeurs"]) == 2

    recus = await evenements.attendre(2)
    [creee] = [e for e in recus if e["type"] == "demande.creee"]
    assert creee["dataschema"] == "urn:toit:event:demande.creee:v2"
    roles = [(p["role"], p["lien"]) for p in creee["data"]["snapshot"]["personnes"]]
    assert roles == [
        ("DEMANDEUR", None),
        ("CODEMANDEUR", "CONJOINT"),
        ("CODEMANDEUR", "ASCENDANT"),
        ("COLOCATAIRE", "SANS_LIEN"),
    ]
    assert "contact" not in json.dumps(creee["data"]["snapshot"]["personnes"])


async def test_un_client_de_l_ancien_format_a_un_codemandeur(
    client: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    ancien = demande_exemple(occupants=[])
    del ancien["codemandeurs"], ancien["colocataires"]
    ancien["codemandeur"] = {k: v for k, v in CONJOINT.items() if k != "situation_professionnelle"}
    ancien["situation_professionnelle"] = {"demandeur": "SALARIE_CDI", "codemandeur": "RETRAITE"}
    cree = await client.post("/api/demandes", json=ancien, headers=agent)
    assert cree.status_code == 201, cree.text
    [codemandeur] = cree.json()["codemandeurs"]
    assert codemandeur["situation_professionnelle"] == "RETRAITE"
    assert "codemandeur" not in cree.json()
    # The two shapes at once: refused in French.
    conflit = await client.patch(
        f"/api/demandes/{cree.json()['id']}",
        headers={**agent, "If-Match": '"1"'},
        json={"codemandeur": CONJOINT},
    )
    assert conflit.status_code == 422 and "ne vont pas ensemble" in conflit.text


async def test_la_migration_reecrit_les_demandes_stockees_sans_evenement() -> None:
    """A database at 0004 holding a demande of the one-codemandeur shape: 0005 rewrites it
    (and its pièce) in place, with the same version and no outbox row."""
    url = await create_database()
    base = Database(url)
    try:
        await upgrade(base, service.migrations, "0004")
        ancien = demande_exemple(occupants=[])
        del ancien["codemandeurs"], ancien["colocataires"]
        ancien["codemandeur"] = {
            k: v for k, v in CONJOINT.items() if k != "situation_professionnelle"
        }
        ancien["situation_professionnelle"] = {"codemandeur": "RETRAITE"}
        ancien["ressources"] = [
            {"personne": "codemandeur", "type": "SALAIRE", "montant_mensuel": 5}
        ]
        identifiant, maintenant = uuid4(), datetime.now(UTC)
        async with base.engine.begin() as conn:
            await conn.execute(
                table_demandes.insert().values(
                    id=identifiant,
                    version=1,
                    statut="BROUILLON",
                    departement="44",
                    nom_naissance="DURAND",
                    prenom="ANNE",
                    date_naissance=date(1990, 1, 1),
                    date_depot_initial=date(2026, 1, 5),
                    delai_anormalement_long_signale=False,
                    doublons_ecartes=[],
                    document=ancien,
                    cree_le=maintenant,
                    modifie_le=maintenant,
                )
            )
            await conn.execute(
                table_pieces.insert().values(
                    id=uuid4(),
                    demande_id=identifiant,
                    type="PIECE_IDENTITE",
                    personne="codemandeur",
                    nom_fichier="cni.pdf",
                    media_type="application/pdf",
                    taille=1,
                    sha256="0" * 64,
                    cle_stockage="x",
                    statut="DEPOSEE",
                    depose_le=maintenant,
                )
            )
        await upgrade(base, service.migrations, "head")
        async with base.engine.connect() as conn:
            document, version = (
                await conn.execute(
                    sa.select(table_demandes.c.document, table_demandes.c.version).where(
                        table_demandes.c.id == identifiant
                    )
                )
            ).one()
            personne = (
                await conn.execute(
                    sa.select(table_pieces.c.personne).where(
                        table_pieces.c.demande_id == identifiant
                    )
                )
            ).scalar_one()
            sortants = (await conn.execute(sa.text("SELECT count(*) FROM outbox"))).scalar_one()
    finally:
        await base.dispose()
        await drop_database(url)
    assert "codemandeur" not in document and version == 1
    assert document["codemandeurs"][0]["situation_professionnelle"] == "RETRAITE"
    assert document["ressources"][0]["personne"] == "codemandeurs[0]"
    assert document["situation_professionnelle"] == {} and document["colocataires"] == []
    assert personne == "codemandeurs[0]"
    assert sortants == 0
