"""Editing the habilitations of an existing account in Chromium: roles and perimeter
sent with If-Match, identite's refusals in French, the history with authors (axe)."""

from __future__ import annotations

import re

import pytest
from toit_ui.testing import NewPage

from .conftest import Stack
from .test_parcours import connecter, flash, voir

pytestmark = pytest.mark.e2e


async def test_un_administrateur_change_les_habilitations_d_un_compte(
    stack: Stack, new_page: NewPage
) -> None:
    page = await new_page()
    await connecter(page, stack, "demo-admin-44")
    await page.get_by_role("link", name="Comptes").click()
    await page.get_by_role("link", name=re.compile("^demo-caleol-44")).click()
    await page.get_by_role("heading", name="Rôles et périmètre").wait_for()
    assert await page.locator("#role-MEMBRE_CALEOL").is_checked()
    # Only a gestionnaire grants GESTIONNAIRE_FICHIER: not offered to an administrator.
    assert await page.locator("#role-GESTIONNAIRE_FICHIER").count() == 0
    await voir(page, "habilitations", capture=True)
    edition_url = page.url

    # A role the organisation cannot hold: identite's French message on the field.
    await page.locator("#role-RESERVATAIRE").check()
    await page.get_by_role("button", name="Enregistrer les habilitations").click()
    resume = page.locator("#resume-erreurs")
    await resume.wait_for()
    assert "capacité requise pour le rôle RESERVATAIRE" in await resume.inner_text()
    await voir(page, "habilitations-erreur")

    # Meanwhile another tab read the account: its change will come too late.
    autre = await page.context.new_page()
    await autre.goto(edition_url)

    await page.locator("#role-RESERVATAIRE").uncheck()
    await page.locator("#role-INSTRUCTEUR").check()
    await page.locator("#champ-communes").fill("44109, 44184")
    await page.get_by_role("button", name="Enregistrer les habilitations").click()
    await flash(page, "Habilitations enregistrées")
    historique = page.get_by_role("table", name=re.compile("Attributions et retraits"))
    texte = await historique.inner_text()
    assert "Rôle accordé" in texte and "Instructeur" in texte
    assert "demo-admin-44" in texte  # the author
    assert "44109, 44184" in texte
    await voir(page, "habilitations-historique", capture=True)

    await autre.locator("#role-OBSERVATEUR").check()
    await autre.get_by_role("button", name="Enregistrer les habilitations").click()
    await flash(autre, "modifié entre-temps")
    assert await autre.locator("#role-INSTRUCTEUR").is_checked()  # reloaded, not overwritten
    assert not await autre.locator("#role-OBSERVATEUR").is_checked()

    # Nobody changes their own habilitations.
    await page.get_by_role("link", name="Comptes", exact=True).first.click()
    await page.get_by_role("link", name=re.compile("^demo-admin-44")).click()
    assert "vos propres habilitations" in await page.locator("main").inner_text()
    await page.locator("#role-INSTRUCTEUR").check()
    await page.get_by_role("button", name="Enregistrer les habilitations").click()
    await page.get_by_role("heading", name="Accès refusé").wait_for()
    assert "vos propres habilitations" in await page.locator("main").inner_text()
