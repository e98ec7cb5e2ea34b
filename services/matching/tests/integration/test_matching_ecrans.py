"""Browser journey in Debian's Chromium (Playwright, axe): a bailleur imports stock,
declares a vacancy and orients it; a réservataire searches, compares three candidates
and designates them. The whole system runs as `make run` does (embedded runner, demo
data, its own port and data folder); the matching pages are served by a WebUI as the
espace professionnel serves them, calling that gateway."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from toit_matching.web.pages import pages
from toit_ui.testing import (
    DEMO_PASSWORD,
    NewPage,
    check_accessibility,
    pages_app,
    run_embedded,
    screenshot,
    serve_in_thread,
)

EXEMPLES = Path(__file__).parents[2] / "exemples"
MOT_DE_PASSE = DEMO_PASSWORD


@pytest.fixture
def systeme(tmp_path: Path) -> Iterator[str]:
    """The embedded system (all services, SQLite, in-process bus, demo data)."""
    with run_embedded(tmp_path, "/api/matching/readyz") as base:
        yield base


def application(passerelle: str) -> object:
    return pages_app(passerelle, "toit_matching", pages, "/matching/vacances")


async def test_matching_parcours_navigateur(new_page: NewPage, systeme: str) -> None:
    app = application(systeme)
    with serve_in_thread(app) as base:
        # The bailleur imports a file with errors, then the example stock.
        bailleur = await new_page()
        await bailleur.goto(f"{base}/pro/essai-connexion?identifiant=demo-instructeur-44")
        await bailleur.goto(f"{base}/pro/matching/patrimoine")
        await bailleur.get_by_label("Fichier de logements").set_input_files(
            str(EXEMPLES / "patrimoine-erreurs.csv")
        )
        await bailleur.get_by_role("button", name="Importer").click()
        await bailleur.get_by_text("Import refusé").wait_for()
        lignes = bailleur.get_by_role("table", name="Lignes rejetées").get_by_role("row")
        assert await lignes.count() == 5  # header + 4 rejected lines
        await check_accessibility(bailleur, "matching-import-refuse")
        await screenshot(bailleur, "matching-import-refuse")
        await bailleur.get_by_label("Fichier de logements").set_input_files(
            str(EXEMPLES / "patrimoine.csv")
        )
        await bailleur.get_by_role("button", name="Importer").click()
        await bailleur.get_by_text("Import accepté").wait_for()
        await check_accessibility(bailleur, "matching-import")
        await screenshot(bailleur, "matching-import")

        # It declares a vacancy and orients it to the DDETS (État, publics prioritaires).
        await bailleur.goto(f"{base}/pro/matching/vacances")
        await bailleur.get_by_label("Identifiant RPLS du logement").fill("44109000101")
        dispo = date.today() + timedelta(days=25)
        dispo = min(dispo, date(date.today().year, 12, 31))
        await bailleur.get_by_label("Date de disponibilité").fill(dispo.isoformat())
        await bailleur.get_by_role("button", name="Déclarer la vacance").click()
        await bailleur.get_by_role("heading", name="Vacance du logement 44109000101").wait_for()
        await bailleur.get_by_label("Réservataire et contingent").select_option(
            label="DDETS de Loire-Atlantique (démo) — État — publics prioritaires"
        )
        await check_accessibility(bailleur, "matching-vacance")
        await screenshot(bailleur, "matching-vacance")
        await bailleur.get_by_role("button", name="Orienter").click()
        await bailleur.get_by_text("Vacance orientée").wait_for()
        page_vacance = bailleur.url
        await bailleur.goto(f"{base}/pro/matching/flux")
        await check_accessibility(bailleur, "matching-flux")
        await screenshot(bailleur, "matching-flux")

        # The réservataire searches (widened to the EPCI), compares three, designates them.
        reservataire = await new_page()
        await reservataire.goto(f"{base}/pro/essai-connexion?identifiant=demo-reservataire-44")
        await reservataire.get_by_role(
            "link", name="Rechercher des candidats pour le logement 44109000101"
        ).click()
        await reservataire.get_by_label("Élargir à l'intercommunalité").check()
        await reservataire.get_by_label(
            "Montrer aussi les candidats qui ne les respectent pas"
        ).check()
        await reservataire.get_by_role("button", name="Rechercher").click()
        await reservataire.get_by_role("heading", name="Exclusions par motif").wait_for()
        classes = reservataire.get_by_role("table", name="Candidats classés").get_by_role("row")
        assert await classes.count() >= 4, await reservataire.content()
        await check_accessibility(reservataire, "matching-candidats")
        await screenshot(reservataire, "matching-candidats")
        await reservataire.get_by_role("button", name="Comparer les candidats cochés").click()
        await reservataire.get_by_role("heading", name="Comparateur").wait_for()
        comparaison = reservataire.get_by_role("table", name="Candidats comparés pour ce logement")
        assert await comparaison.get_by_role("columnheader").count() == 4
        await reservataire.locator(".leaflet-container").wait_for()
        await check_accessibility(reservataire, "matching-comparateur")
        await screenshot(reservataire, "matching-comparateur")
        await reservataire.get_by_role("button", name="Désigner").click()
        await reservataire.get_by_text("Candidats désignés").first.wait_for()
        designes = reservataire.get_by_role("table", name="Candidats désignés").get_by_role("row")
        assert await designes.count() == 4
        await check_accessibility(reservataire, "matching-designation")
        await screenshot(reservataire, "matching-designation")

        # The outgoing tenant withdraws the notice: the bailleur withdraws the vacancy,
        # "autre" first without its precision (the API's French refusal beside the field).
        await bailleur.goto(page_vacance)
        await bailleur.get_by_label("Motif du retrait").select_option(label="Autre motif")
        await bailleur.get_by_role("button", name="Retirer la vacance").click()
        await bailleur.get_by_text("précisez le motif « autre »").first.wait_for()
        await check_accessibility(bailleur, "matching-retrait-refuse")
        await bailleur.get_by_label("Motif du retrait").select_option(
            label="Préavis annulé par le locataire sortant"
        )
        await bailleur.get_by_role("button", name="Retirer la vacance").click()
        await bailleur.get_by_text("Vacance retirée").first.wait_for()
        await bailleur.get_by_text("Motif : Préavis annulé par le locataire sortant").wait_for()
        assert await bailleur.get_by_role("button", name="Retirer la vacance").count() == 0
        await check_accessibility(bailleur, "matching-vacance-retiree")
        await screenshot(bailleur, "matching-vacance-retiree")

        # Without JavaScript, the comparateur keeps its table (the map is an enhancement).
        sans_js = await new_page(javascript=False)
        await sans_js.goto(f"{base}/pro/essai-connexion?identifiant=demo-reservataire-44")
        await sans_js.goto(f"{base}/pro/matching/flux")
        await sans_js.get_by_role("heading", name="Conventions et flux").first.wait_for()
