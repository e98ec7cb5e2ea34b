"""The duplicate warning and its decision in Chromium: an agent creating a household that
already has a demande is sent to the duplicates page and declares them distinct; the
gestionnaire merges a real duplicate (axe on every page)."""

from __future__ import annotations

import pytest
from toit_ui.testing import NewPage

from .conftest import Stack
from .test_parcours import connecter, flash, remplir_menage_saint_nazaire, voir

pytestmark = pytest.mark.e2e


def _meme_personne(nom: str) -> dict:
    from toit_demandes.exemples import demande_exemple

    demande = demande_exemple()
    demande["departement"] = "44"
    demande["demandeur"] |= {
        "nom_naissance": nom,
        "prenoms": "Maëlle",
        "date_naissance": "1990-04-12",
    }
    demande["demandeur"].pop("nir", None)
    return demande


async def test_un_doublon_est_signale_puis_declare_distinct_ou_fusionne(
    stack: Stack, new_page: NewPage
) -> None:
    premiere = await stack.api(
        "POST", "/api/demandes", "demo-agent-44", json=_meme_personne("KERGUELEN")
    )
    page = await new_page()
    await connecter(page, stack, "demo-agent-44")
    await page.goto(f"{stack.pro}/demandes/nouvelle")
    await remplir_menage_saint_nazaire(page, "KERGUELEN")
    await page.get_by_role("button", name="Créer la demande").click()
    await flash(page, "Doublon potentiel")
    doublons_url = page.url.split("?")[0]
    assert doublons_url.endswith("/doublons")
    table = page.get_by_role("table", name="Doublons potentiels")
    assert await table.locator("tbody tr").count() == 1
    assert premiere["id"] in await table.get_by_role("link").first.get_attribute("href") or ""
    # Only the gestionnaire merges: the agent is told so, and gets no merge button.
    assert await page.get_by_role("button", name="Fusionner dans cette demande").count() == 0
    assert "Seul le gestionnaire du fichier fusionne" in await page.locator("main").inner_text()
    await voir(page, "doublons", capture=True)
    await page.get_by_role("button", name="Ce sont deux personnes distinctes").click()
    await flash(page, "Demandes déclarées distinctes")
    await page.goto(doublons_url)
    assert "Aucun doublon potentiel signalé" in await page.locator("main").inner_text()

    # A real duplicate: the gestionnaire merges it into the demande they keep.
    doublon = await stack.api(
        "POST", "/api/demandes", "demo-agent-44", json=_meme_personne("LE DANTEC")
    )
    gardee = await stack.api(
        "POST", "/api/demandes", "demo-agent-44", json=_meme_personne("LE DANTEC")
    )
    gestionnaire = await new_page()
    await connecter(gestionnaire, stack, "demo-gestionnaire-44")
    await gestionnaire.goto(f"{stack.pro}/demandes/{gardee['id']}/doublons")
    ligne = gestionnaire.get_by_role("table", name="Doublons potentiels").locator(
        "tbody tr", has=gestionnaire.locator(f'a[href$="{doublon["id"]}"]')
    )
    await voir(gestionnaire, "doublons-gestionnaire")
    await ligne.get_by_role("button", name="Fusionner dans cette demande").click()
    await flash(gestionnaire, "Doublon fusionné")
    fusionnee = await stack.api("GET", f"/api/demandes/{doublon['id']}", "demo-gestionnaire-44")
    assert fusionnee["fusionnee_dans"] == gardee["id"]
