"""PLAI and PLS ceilings not read in the arrêté are flagged provisional in the API answer
(issue 11, item 6); PLUS, read in the arrêté, is not."""

from __future__ import annotations

import httpx
from toit_demandes.exemples import demande_exemple


async def test_the_eligibility_says_which_ceilings_are_provisional(
    client: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    cree = await client.post("/api/demandes", json=demande_exemple(), headers=agent)
    assert cree.status_code == 201, cree.text
    eligibilites = {e["financement"]: e for e in cree.json()["derives"]["eligibilites"]}
    assert set(eligibilites) == {"PLAI", "PLUS", "PLS"}
    for financement in ("PLAI", "PLS"):
        assert eligibilites[financement]["plafond"] is not None
        assert eligibilites[financement]["plafond_provisoire"] is True
        assert "provisoire" in eligibilites[financement]["mention"]
    assert eligibilites["PLUS"]["plafond_provisoire"] is False
    assert eligibilites["PLUS"]["mention"] is None
    lue = await client.get(f"/api/demandes/{cree.json()['id']}", headers=agent)
    assert {
        e["financement"]: e["plafond_provisoire"] for e in lue.json()["derives"]["eligibilites"]
    } == {"PLAI": True, "PLUS": False, "PLS": True}
