"""One portal per département, in Debian's Chromium (Playwright, axe), the portail on
the real PostgreSQL and RabbitMQ: "/" is the default département's home, "/35/" is
Ille-et-Vilaine's; key figures say "pas encore disponible" until the observatoire's
`observatoire.chiffres_cles_publies` reaches the portail, then show per commune and per
typologie with masked cells; a later publication replaces an earlier one, an older one
does not; questions and guichets near a commune come from configuration; the same
pages without JavaScript."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from toit_ui.testing import (
    NewPage,
    check_page,
    databases_and_vhost,
    free_port,
    serve_services,
)

from servicekit import ServiceDefinition, registry
from servicekit.runtime import ServiceRuntime
from servicekit.testing import (
    settings_for_tests,
)
from toit_contracts.events import ChiffreCle, ChiffresClesPublies

MIGRATIONS = Path(__file__).parents[2] / "src" / "toit_portail" / "migrations"


@pytest.fixture(scope="module")
async def bases() -> AsyncIterator[tuple[dict[str, str], str]]:
    async with databases_and_vhost(("portail", "emetteur")) as bases:
        yield bases


@pytest.fixture(scope="module")
def site(bases: tuple[dict[str, str], str]) -> Iterator[str]:
    urls, vhost = bases
    settings = settings_for_tests(bus="amqp", amqp_url=vhost, mode="demo")
    portail = ServiceRuntime(registry.load("portail"), settings, database_url=urls["portail"])
    with serve_services([portail], port=free_port(), web="portail") as base:
        yield base


async def publier(bases: tuple[dict[str, str], str], *events: Any) -> None:
    urls, vhost = bases
    emetteur = ServiceRuntime(
        ServiceDefinition(name="emetteur", migrations=MIGRATIONS),
        settings_for_tests(bus="amqp", amqp_url=vhost),
        database_url=urls["emetteur"],
    )
    await emetteur.start()
    try:
        for event in events:
            async with emetteur.unit_of_work() as uow:
                uow.publish(event)
                await uow.commit()
        while await emetteur.relay.pending_count():
            await emetteur.relay.publish_pending()
    finally:
        await emetteur.stop()


def chiffres(jour: int, nantes: int) -> ChiffresClesPublies:
    return ChiffresClesPublies(
        publication_id=uuid4(),
        departement="35",
        publie_le=datetime(2026, 12, jour, 3, tzinfo=UTC),
        date_reference=date(2026, 12, jour),
        annee_attributions=2025,
        seuil_secret=5,
        chiffres=[
            ChiffreCle(
                commune="35238",
                demandes_en_cours=nantes,
                attributions_annee_precedente=321,
                delai_median_mois=17.5,
            ),
            ChiffreCle(commune="35238", typologie="T2", demandes_en_cours=1200),
            ChiffreCle(commune="35238", typologie="T6", demandes_en_cours=None),
            ChiffreCle(commune="35288", demandes_en_cours=410),
            ChiffreCle(commune="35001", demandes_en_cours=None),
        ],
    )


async def voir(page: Any, nom: str) -> str:
    return await check_page(page, f"portail-{nom}")


async def test_un_portail_par_departement_chiffres_cles_questions_guichets(
    site: str, bases: tuple[dict[str, str], str], new_page: NewPage
) -> None:
    page = await new_page()
    await page.goto(f"{site}/")
    await page.get_by_role("heading", level=1, name=re.compile("Loire-Atlantique")).wait_for()
    await page.get_by_role("link", name="Ille-et-Vilaine (35)").click()
    await page.get_by_role("heading", level=1, name=re.compile("Ille-et-Vilaine")).wait_for()
    assert page.url == f"{site}/35/"
    texte = await voir(page, "departement-accueil")
    assert "exemple" in texte  # example contacts are shown as such

    await page.get_by_role("link", name="Chiffres clés").click()
    texte = await voir(page, "chiffres-cles-indisponibles")
    assert "pas encore disponibles" in texte

    # A later publication, then an older one (published last): the later one stays.
    await publier(bases, chiffres(3, 2500), chiffres(1, 999))
    for _ in range(150):
        await page.reload()
        if await page.get_by_text("Saint-Malo").count():
            break
        await page.wait_for_timeout(100)
    texte = await voir(page, "chiffres-cles")
    assert "2 500" in texte.replace("\u202f", " ") and "999" not in texte, texte
    assert "secret" in texte and "17,5 mois" in texte
    await page.get_by_role("link", name="Rennes").click()
    await page.get_by_role("rowheader", name="T2").wait_for()
    texte = await voir(page, "chiffres-cles-commune")
    assert "1 200" in texte.replace("\u202f", " ") and "secret" in texte

    await page.get_by_role("link", name="Des questions ?").click()
    await page.get_by_role("heading", name="Combien de demandes dois-je déposer ?").wait_for()
    await voir(page, "questions")

    await page.get_by_role("link", name="Guichets").click()
    await page.locator("#champ-commune").fill("Saint-Malo")
    await page.get_by_role("button", name="Trouver les guichets proches").click()
    titres = await page.get_by_role("heading", level=2).all_inner_texts()
    assert "Saint-Malo" in titres[0], titres
    await voir(page, "guichets")
    await page.locator("#champ-commune").fill("Zzzzz")
    await page.get_by_role("button", name="Trouver les guichets proches").click()
    await page.locator("#champ-commune-erreur").wait_for()


async def test_sans_javascript_et_adresses_inconnues(site: str, new_page: NewPage) -> None:
    page = await new_page(javascript=False)
    await page.goto(f"{site}/44/guichets?commune=Saint-Nazaire")
    titres = await page.get_by_role("heading", level=2).all_inner_texts()
    assert "Saint-Nazaire" in titres[0], titres
    await page.get_by_role("link", name="Chiffres clés").click()
    assert page.url == f"{site}/44/chiffres-cles"
    async with httpx.AsyncClient(base_url=site, timeout=20) as http:
        for chemin in ("/99/", "/99/chiffres-cles", "/35/chiffres-cles?page=abc"):
            reponse = await http.get(chemin)
            assert reponse.status_code in (400, 404), chemin
            assert "text/html" in reponse.headers["content-type"], chemin
        reponse = await http.get("/35/questions")
        assert "unsafe-inline" not in reponse.headers["content-security-policy"]
