"""The home page's announcements banner, managed by the gestionnaire, and the user's
favourites, in Chromium (axe on every page)."""

from __future__ import annotations

import re

import pytest
from toit_ui.testing import NewPage

from .conftest import Stack
from .test_parcours import connecter, flash, voir

pytestmark = pytest.mark.e2e


async def test_le_gestionnaire_publie_une_annonce_que_les_guichets_voient(
    stack: Stack, new_page: NewPage
) -> None:
    page = await new_page()
    await connecter(page, stack, "demo-gestionnaire-44")
    await page.get_by_role("link", name="Annonces").click()
    await page.get_by_role("heading", name="Annonces", exact=True).wait_for()
    # Nothing filled: French messages, field by field.
    await page.get_by_role("button", name="Publier l'annonce").click()
    resume = page.locator("#resume-erreurs")
    await resume.wait_for()
    assert "Titre" in await resume.inner_text()
    await page.locator("#champ-titre").fill("Fermeture du guichet de Saint-Nazaire")
    await page.locator("#champ-texte").fill("Le guichet est fermé le lundi 14 : accueil à Nantes.")
    await page.locator("#champ-niveau").select_option("IMPORTANT")
    await page.locator("#role-AGENT_ENREGISTREUR").check()
    await page.get_by_role("button", name="Publier l'annonce").click()
    await flash(page, "Annonce « Fermeture du guichet de Saint-Nazaire » publiée")
    ligne = page.locator("tbody tr", has_text="Fermeture du guichet")
    assert "Affichée" in await ligne.inner_text()
    assert "Agent enregistreur" in await ligne.inner_text()
    await voir(page, "annonces", capture=True)

    # Edit: the form comes back filled, the change is sent with If-Match.
    await ligne.get_by_role("link", name=re.compile("Modifier")).click()
    assert await page.locator("#champ-titre").input_value() == (
        "Fermeture du guichet de Saint-Nazaire"
    )
    await voir(page, "annonce-modifier")
    await page.locator("#champ-titre").fill("Guichet de Saint-Nazaire fermé lundi")
    await page.get_by_role("button", name="Enregistrer l'annonce").click()
    await flash(page, "Annonce « Guichet de Saint-Nazaire fermé lundi » modifiée")

    # The guichet agent sees it on the home page; the instructor does not (not addressed).
    agent = await new_page()
    await connecter(agent, stack, "demo-agent-44")
    bandeau = agent.get_by_role("region", name="Annonces")
    assert "Guichet de Saint-Nazaire fermé lundi" in await bandeau.inner_text()
    await voir(agent, "accueil-annonce", capture=True)
    instructeur = await new_page()
    await connecter(instructeur, stack, "demo-instructeur-44")
    assert "Saint-Nazaire fermé" not in await instructeur.locator("body").inner_text()

    # Expired: off the banner at once, still in the gestionnaire's list.
    await page.get_by_role(
        "button", name="Faire expirer Guichet de Saint-Nazaire fermé lundi"
    ).click()
    await flash(page, "expirée")
    assert "Expirée" in await page.locator("tbody tr", has_text="fermé lundi").inner_text()
    await agent.reload()
    assert "fermé lundi" not in await agent.locator("body").inner_text()

    # An agent has no announcements screen.
    reponse = await agent.goto(f"{stack.pro}/annonces")
    assert reponse is not None and reponse.status == 403


async def test_un_agent_epingle_une_recherche_et_une_demande(
    stack: Stack, new_page: NewPage
) -> None:
    page = await new_page()
    await connecter(page, stack, "demo-agent-44")
    assert "Aucun favori" in await page.get_by_role("navigation", name="Mes favoris").inner_text()

    await page.get_by_role("link", name="Rechercher").click()
    await page.locator("#champ-statut").select_option("ACTIVE")
    await page.get_by_role("button", name="Rechercher").click()
    await page.locator("#champ-libelle").fill("Mes demandes actives")
    await page.get_by_role("button", name="Épingler cette recherche sur ma page d'accueil").click()
    await flash(page, "« Mes demandes actives » ajouté à vos favoris")
    premiere = page.locator("tbody tr th a").first
    await premiere.click()
    await page.get_by_role("button", name="Épingler sur ma page d'accueil").click()
    await flash(page, "ajouté à vos favoris")
    demande_url = page.url.split("?")[0]
    # Twice: said so, nothing doubled.
    await page.get_by_role("button", name="Épingler sur ma page d'accueil").click()
    await flash(page, "Déjà dans vos favoris")

    await page.get_by_role("link", name="Accueil", exact=True).first.click()
    favoris = page.get_by_role("navigation", name="Mes favoris")
    liens = favoris.get_by_role("link")
    assert await liens.count() == 2
    await voir(page, "accueil-favoris", capture=True)
    await favoris.get_by_role("link", name="Mes demandes actives").click()
    await page.get_by_role("heading", name="Rechercher une demande").wait_for()
    assert await page.locator("#champ-statut").input_value() == "ACTIVE"
    await page.get_by_role("link", name="Accueil", exact=True).first.click()
    await favoris.get_by_role("link").nth(1).click()
    assert page.url.split("?")[0].startswith(demande_url)

    await page.get_by_role("link", name="Accueil", exact=True).first.click()
    await page.get_by_role("button", name="Retirer Mes demandes actives des favoris").click()
    await flash(page, "Favori retiré")
    assert await favoris.get_by_role("link").count() == 1
    # Another user does not see them.
    autre = await new_page()
    await connecter(autre, stack, "demo-gestionnaire-44")
    assert "Aucun favori" in await autre.get_by_role("navigation", name="Mes favoris").inner_text()
