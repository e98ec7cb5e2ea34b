"""Browser journey in Debian's Chromium (Playwright, axe): the gestionnaire du fichier of the
44 sees the partners and subscriptions of their perimeter, a subscription's delivery health
(the demo webhook delivers to the sandbox), suspends and resumes it; a partner's
administrator sees its own organisation's only. The whole system runs as `make run` does
(embedded runner, demo data, its own port and data folder); the pages are served by a WebUI
as the espace professionnel serves them, calling that gateway."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from toit_abonnements.entrypoints.pages import pages
from toit_ui.testing import (
    NewPage,
    check_accessibility,
    free_port,
    pages_app,
    run_embedded,
    screenshot,
    serve_in_thread,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def systeme(tmp_path: Path) -> Iterator[str]:
    """The embedded system (all services, SQLite, in-process bus, demo data)."""
    port = free_port()
    # The demo webhook posts to the sandbox of this very system.
    with run_embedded(
        tmp_path,
        "/api/abonnements/readyz",
        port=port,
        TOIT_ABONNEMENTS_URL_PUBLIQUE=f"http://127.0.0.1:{port}",
    ) as base:
        yield base


def application(passerelle: str) -> object:
    # A generous API timeout: a loaded machine.
    return pages_app(passerelle, "toit_abonnements", pages, "/abonnements", api_timeout=60)


async def test_abonnements_ecrans_gestionnaire_et_administrateur(
    new_page: NewPage, systeme: str
) -> None:
    app = application(systeme)
    with serve_in_thread(app) as base:
        page = await new_page()
        await page.goto(f"{base}/pro/essai-connexion?identifiant=demo-gestionnaire-44")
        partenaires = page.get_by_role("table", name="Partenaires")
        await partenaires.get_by_text("Atlantique Habitat (démo)").wait_for()
        assert await partenaires.get_by_text("Rennes Métropole (démo)").count() == 0
        await check_accessibility(page, "abonnements-accueil")
        await screenshot(page, "abonnements-accueil")

        await page.get_by_role(
            "link", name="SI locatif — webhook vers le bac à sable (démo)"
        ).click()
        await page.get_by_role("heading", name="Santé des livraisons").wait_for()
        await check_accessibility(page, "abonnements-abonnement")
        await screenshot(page, "abonnements-abonnement")
        await page.get_by_role("button", name="Suspendre les livraisons").click()
        await page.get_by_text("Livraisons suspendues").first.wait_for()
        await page.get_by_role("button", name="Reprendre les livraisons").click()
        await page.get_by_text("Livraisons reprises").wait_for()

        # Declare a partner, then a subscription wider than its habilitation (refused,
        # the form comes back with the reason), then within it: created.
        await page.goto(f"{base}/pro/abonnements")
        await page.get_by_role("link", name="Déclarer un partenaire").click()
        await page.get_by_label("Organisation").select_option(label="Ville de Nantes (démo)")
        await page.get_by_label("Courriel du contact").fill("donnees@nantes.example.org")
        await page.get_by_label("Observateur (statistiques)").check()
        await page.get_by_label("Départements").fill("44")
        await check_accessibility(page, "abonnements-partenaire-formulaire")
        await page.get_by_role("button", name="Déclarer le partenaire").click()
        await page.get_by_text("Partenaire déclaré : Ville de Nantes (démo)").wait_for()

        await page.get_by_role("link", name="Nouvel abonnement").click()
        await page.get_by_label("Partenaire").select_option(label="Ville de Nantes (démo)")
        await page.get_by_label("Nom de l'abonnement").fill("Tableau de bord")
        await page.get_by_label("Observatoire : données statistiques", exact=False).check()
        await page.get_by_label("demande.enregistree").check()
        await page.get_by_label("Départements").fill("44, 85")
        await page.get_by_role("button", name="Créer l'abonnement").click()
        resume = page.get_by_role("alert").filter(has_text="Le formulaire contient des erreurs")
        await resume.get_by_text("85").wait_for()
        await check_accessibility(page, "abonnements-abonnement-formulaire-refus")
        await screenshot(page, "abonnements-abonnement-formulaire-refus")
        await page.get_by_label("Départements").fill("44")
        await page.get_by_role("button", name="Créer l'abonnement").click()
        await page.get_by_role("heading", name="Abonnement créé").wait_for()
        await page.get_by_text("/api/abonnements/flux?abonnement=").wait_for()

        await page.goto(f"{base}/pro/abonnements/profils")
        await page.get_by_role("heading", name="Profils de données", exact=True).wait_for()
        await check_accessibility(page, "abonnements-profils")

        admin = await new_page()
        await admin.goto(f"{base}/pro/essai-connexion?identifiant=demo-admin-44")
        abonnements = admin.get_by_role("table", name="Abonnements")
        await abonnements.get_by_text("SI locatif — flux (démo)").wait_for()
        assert await abonnements.get_by_text("Observatoire métropolitain (démo)").count() == 0
