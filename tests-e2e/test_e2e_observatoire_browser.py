"""Browser journey of issue 16 in Debian's Chromium: an agent builds « Demandes de T2
sur ma commune », groups it by typologie, saves it to the home page and exports it
as XLSX; the indicators dashboard. Real identite (demo accounts) and observatoire
behind the embedded gateway; the espace professionnel with the observatoire's pages
(entry point toit.espace_pro.pages), logged in through its login page; axe on every
page; screenshots."""

from __future__ import annotations

import io
import re

import httpx
import pytest
from openpyxl import load_workbook
from toit_embedded.main import EmbeddedRouter, RateLimiter
from toit_espace_pro.app import create_app
from toit_identite.service import service as identite
from toit_observatoire.service import service as observatoire
from toit_ui import UISettings
from toit_ui.testing import NewPage, check_accessibility, screenshot, serve_in_thread

from servicekit.messaging.transport import OutgoingMessage
from servicekit.testing import RuntimeFactory

pytestmark = pytest.mark.integration


async def test_agent_builds_saves_and_exports_a_list(
    memory_runtime_factory: RuntimeFactory, new_page: NewPage
) -> None:
    from toit_observatoire.generateur import enveloppe, evenements

    ident = await memory_runtime_factory(identite, mode="demo")
    obs = await memory_runtime_factory(observatoire)
    messages = []
    for event, at in evenements(200, seed=5):
        envelope = enveloppe(event, at)
        messages.append(OutgoingMessage(envelope.id, envelope.type, envelope.to_json_bytes()))
    await obs.transport.publish(messages)
    from .observatoire_attente import attendre

    await attendre(obs, len(messages))
    gateway = EmbeddedRouter([ident, obs], token_limiter=RateLimiter(rate=100, burst=100))
    app = create_app(
        UISettings(gateway_url="http://gateway"), transport=httpx.ASGITransport(app=gateway)
    )

    with serve_in_thread(app) as base:
        page = await new_page()
        await page.goto(f"{base}/pro/connexion")
        await page.locator("#champ-identifiant").fill("demo-agent-35")
        await page.locator("#champ-mot_de_passe").fill("toit-demo-2026")
        await page.get_by_role("button", name="Se connecter").click()
        await page.get_by_role("heading", name=re.compile("^Bonjour")).wait_for()
        await page.get_by_role("link", name="Observatoire", exact=True).first.click()
        await page.get_by_role("heading", name="Observatoire").wait_for()
        await check_accessibility(page, "observatoire-accueil-vide")
        await page.get_by_role("link", name="Nouvelle liste").click()
        await page.get_by_role("heading", name="Nouvelle liste paramétrable").wait_for()
        await page.get_by_label("Titre").fill("Demandes de T2 sur ma commune")
        await page.get_by_label("Référence").fill("T2")
        await page.locator("#champ-filtres-0-champ").select_option("typologie")
        await page.locator("#champ-filtres-0-operateur").select_option("egal")
        await page.locator("#champ-filtres-0-valeur").fill("T2")
        await page.locator("#champ-filtres-1-champ").select_option("commune")
        await page.locator("#champ-filtres-1-operateur").select_option("egal")
        await page.locator("#champ-filtres-1-valeur").fill("35238")
        await page.locator("#champ-regroupements-0").select_option("typologie")
        await page.get_by_label("Visible sur la page d'accueil").check()
        await page.get_by_label("Adresses électroniques destinataires").fill(
            "observatoire@exemple.fr"
        )
        await page.get_by_label("Organisations destinataires").fill("org-demo-35")
        await page.get_by_role("button", name="Aperçu").click()
        preview = page.locator("#apercu table")
        await preview.wait_for()
        assert "T2" in await preview.inner_text()
        await check_accessibility(page, "observatoire-editeur")
        await screenshot(page, "observatoire-editeur")

        await page.get_by_role("button", name="Enregistrer").click()
        await page.get_by_role("heading", name="Demandes de T2 sur ma commune").wait_for()
        await page.get_by_text("enregistrée").wait_for()
        await page.get_by_text("observatoire@exemple.fr").wait_for()
        await page.get_by_text("org-demo-35").wait_for()
        await check_accessibility(page, "observatoire-liste")
        await screenshot(page, "observatoire-liste")

        await page.get_by_role("link", name="Observatoire", exact=True).first.click()
        await page.get_by_role("link", name="Demandes de T2 sur ma commune").wait_for()
        await check_accessibility(page, "observatoire-accueil")
        await screenshot(page, "observatoire-accueil")

        # The espace professionnel's home page shows the lists marked « visible sur la page
        # d'accueil » with their last result (issue 13), beside the demo announcement.
        await page.get_by_role("link", name="Accueil", exact=True).first.click()
        await page.get_by_role("heading", name=re.compile("^Bonjour")).wait_for()
        mes_listes = page.get_by_role("region", name="Mes listes")
        assert "Demandes de T2 sur ma commune" in await mes_listes.inner_text()
        assert "T2" in await mes_listes.locator("tbody").first.inner_text()
        annonces = await page.get_by_role("region", name="Annonces").inner_text()
        assert "Bienvenue dans la démonstration de Toit" in annonces
        await check_accessibility(page, "pro-accueil-listes")
        await screenshot(page, "pro-accueil-listes")
        await mes_listes.get_by_role("link", name="Demandes de T2 sur ma commune").click()
        await page.get_by_role("heading", name="Demandes de T2 sur ma commune").wait_for()

        async with page.expect_download() as info:
            await page.get_by_role("link", name="Exporter en XLSX").click()
        download = await info.value
        content = open(await download.path(), "rb").read()  # noqa: ASYNC230
        sheet = load_workbook(io.BytesIO(content)).active
        assert sheet is not None
        assert sheet.cell(1, 1).value == "Typologie demandée (la plus petite)"
        assert sheet.cell(2, 1).value == "T2"

        await page.goto(
            f"{base}/pro/observatoire/indicateurs?niveau=epci&code=243500139&annee=2025"
        )
        await page.get_by_role("heading", name="Obligations d'attribution").wait_for()
        await check_accessibility(page, "observatoire-indicateurs")
        await screenshot(page, "observatoire-indicateurs")

        # A département: its maps by commune and by EPCI (schematic cells), each with its
        # table behind a <details>.
        await page.goto(
            f"{base}/pro/observatoire/indicateurs?niveau=departement&code=35&annee=2025"
        )
        carte = page.get_by_role("img", name=re.compile("Carte schématique : .*par commune"))
        await carte.wait_for()
        assert await carte.evaluate("img => img.complete && img.naturalWidth > 0")
        await page.get_by_text("Tableau : Demandes en cours par EPCI").click()
        await page.get_by_role("table", name=re.compile("par EPCI")).wait_for()
        await check_accessibility(page, "observatoire-cartes-communes")
        await screenshot(page, "observatoire-cartes-communes")
