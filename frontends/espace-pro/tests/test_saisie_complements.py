"""The creation form's titre de séjour, complément handicap, priorities and DALO decision,
each offered to the roles servicekit/authz_fields.py lets write it; a forged field is
refused in French, field by field, and nothing is written (Chromium, axe)."""

from __future__ import annotations

import re

import pytest
from toit_ui.testing import NewPage

from .conftest import Stack
from .test_parcours import connecter, flash, remplir_menage_saint_nazaire, voir

pytestmark = pytest.mark.e2e

AJOUTER_DALO = """() => {
  const form = document.querySelector('form[action$="/demandes/nouvelle"]');
  for (const [name, value] of [["dalo.type", "LOGEMENT"], ["dalo.date_decision", "2026-01-15"],
                               ["dalo.reference", "COMED-44-2026-001"]]) {
    const input = document.createElement("input");
    input.type = "hidden"; input.name = name; input.value = value;
    form.appendChild(input);
  }
}"""


async def test_un_agent_saisit_titre_de_sejour_handicap_et_priorites(
    stack: Stack, new_page: NewPage
) -> None:
    page = await new_page()
    await connecter(page, stack, "demo-agent-44")
    await page.goto(f"{stack.pro}/demandes/nouvelle")
    # An agent claims a priority (declared only) and records no DALO decision.
    statuts = page.locator("#champ-priorites-A option")
    assert await statuts.all_inner_texts() == ["Non invoquée", "Déclarée, sans justificatif"]
    assert await page.locator("#champ-dalo-type").count() == 0
    assert (
        "l'instructeur et le gestionnaire du fichier"
        in await page.get_by_role(
            "group", name="Décision DALO (commission de médiation)"
        ).inner_text()
    )

    await remplir_menage_saint_nazaire(page, "OKAFOR")
    await page.locator("#champ-demandeur-nationalite").select_option("HORS_UNION_EUROPEENNE")
    await page.locator("#champ-demandeur-titre_sejour-type").fill("Carte de résident")
    await page.locator("#champ-demandeur-titre_sejour-valide_jusqu_au").fill("2031-05-31")
    await page.locator("#champ-complement_handicap-0-personne").select_option("demandeur")
    await page.locator("#nature-MOTEUR").check()
    await page.locator("#adaptation-ASCENSEUR").check()
    await page.locator("#champ-complement_handicap-0-fauteuil_roulant").check()
    await page.locator("#champ-priorites-A").select_option("DECLAREE")
    await voir(page, "saisie-complements", capture=True)

    # A DALO decision slipped into the form: refused, named, nothing written.
    await page.evaluate(AJOUTER_DALO)
    await page.get_by_role("button", name="Créer la demande").click()
    resume = page.locator("#resume-erreurs")
    await resume.wait_for()
    texte = await resume.inner_text()
    assert "Décision DALO" in texte and "gestionnaire du fichier" in texte, texte
    assert await page.locator("#champ-demandeur-titre_sejour-type").input_value() == (
        "Carte de résident"
    )
    await voir(page, "saisie-champ-interdit")
    recherche = await stack.api("GET", "/api/demandes?nom=OKAFOR", "demo-agent-44")
    assert recherche["total"] == 0

    # Without it, the demande is created with its complements.
    await page.get_by_role("button", name="Créer la demande").click()
    await flash(page, "Demande créée")
    demande_url = page.url.split("/pieces")[0]
    await page.goto(demande_url + "/complements")
    complements = await page.locator("main").inner_text()
    assert "A : Déclarée" in complements
    assert "moteur, fauteuil roulant" in complements and "ascenseur" in complements
    await voir(page, "onglet-complements")
    await page.goto(demande_url + "/demandeur")
    assert re.search(
        r"Carte de résident, valide jusqu'au 31/05/2031", await page.locator("main").inner_text()
    )


async def test_le_gestionnaire_enregistre_une_decision_dalo_avec_sa_reference(
    stack: Stack, new_page: NewPage
) -> None:
    page = await new_page()
    await connecter(page, stack, "demo-gestionnaire-44")
    await page.goto(f"{stack.pro}/demandes/nouvelle")
    statuts = await page.locator("#champ-priorites-I option").all_inner_texts()
    assert any(s.startswith("Validée") for s in statuts)
    await remplir_menage_saint_nazaire(page, "DALO-TEST")
    await page.locator("#champ-dalo-type").select_option("LOGEMENT")
    await page.locator("#champ-dalo-date_decision").fill("2026-01-15")
    await page.locator("#champ-priorites-I").select_option("VALIDEE")
    await page.get_by_role("button", name="Créer la demande").click()
    resume = page.locator("#resume-erreurs")
    await resume.wait_for()
    assert "Référence de la décision DALO" in await resume.inner_text()
    await page.locator("#champ-dalo-reference").fill("COMED-44-2026-017")
    await page.get_by_role("button", name="Créer la demande").click()
    await flash(page, "Demande créée")
    await page.goto(page.url.split("/pieces")[0] + "/complements")
    texte = await page.locator("main").inner_text()
    assert "référence COMED-44-2026-017" in texte
    assert re.search(r"I : Validée", texte)
