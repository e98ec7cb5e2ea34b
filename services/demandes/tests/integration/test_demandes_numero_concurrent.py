"""Numéro unique: 50 concurrent registrations on PostgreSQL get 50 distinct numbers."""

from __future__ import annotations

import asyncio
import re

import httpx
from toit_demandes.exemples import demande_exemple

from .conftest import PDF

CONCURRENCE = 50


async def test_cinquante_enregistrements_concurrents(
    client: httpx.AsyncClient, agent: dict[str, str], gestionnaire: dict[str, str]
) -> None:
    ids = []
    for index in range(CONCURRENCE):
        demandeur = {**demande_exemple()["demandeur"], "nom_naissance": f"PERSONNE{index}"}
        cree = await client.post(
            "/api/demandes",
            headers=gestionnaire,  # a dépôt date months ago: the gestionnaire's
            json=demande_exemple(demandeur=demandeur, date_depot="2026-03-02"),
        )
        assert cree.status_code == 201, cree.text
        ids.append(cree.json()["id"])
        piece = await client.post(
            f"/api/demandes/{ids[-1]}/pieces",
            headers=agent,
            data={"type": "PIECE_IDENTITE", "personne": "demandeur"},
            files={"fichier": ("cni.pdf", PDF, "application/pdf")},
        )
        assert piece.status_code == 201

    reponses = await asyncio.gather(
        *[client.post(f"/api/demandes/{i}/enregistrement", headers=agent) for i in ids]
    )
    assert [r.status_code for r in reponses] == [200] * CONCURRENCE
    numeros = [r.json()["numero_unique"] for r in reponses]
    assert len(set(numeros)) == CONCURRENCE
    for numero in numeros:
        assert re.fullmatch(r"0440326\d{6}GUI44", numero), numero
    assert sorted(int(n[7:13]) for n in numeros) == list(range(1, CONCURRENCE + 1))
