"""Browser journey in Debian's Chromium (Playwright, axe): the applicant logs in on the
portail, sees their demande and its cotation per EPCI, then logs out; the same login
without JavaScript; CSRF, security headers and `no-store`; a new household creates its
account, activates it, logs in, then deletes it (wrong password first).

identite (demo accounts) and the portail run on the real PostgreSQL and RabbitMQ behind
the embedded router (the routing of `make run`); the demande's and cotation's events
are published on the bus as demandes and cotation publish them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import date
from decimal import Decimal
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
from servicekit.auth import demo_id
from servicekit.messaging.consumer import EventConsumer, HandlerContext
from servicekit.runtime import ServiceRuntime
from servicekit.testing import (
    settings_for_tests,
)
from toit_contracts.enums import StatutDemande
from toit_contracts.events import (
    CompteActivationDemandee,
    CotationCalculee,
    CritereCote,
    DemandeEnregistree,
)
from toit_contracts.examples import example_snapshot

EMAIL = "demo-demandeur@example.org"
MOT_DE_PASSE = "toit-demo-2026"
NUMERO = "0440126000001GU044"
MIGRATIONS = Path(__file__).parents[2] / "src" / "toit_portail" / "migrations"


@pytest.fixture(scope="module")
async def bases() -> AsyncIterator[tuple[dict[str, str], str]]:
    async with databases_and_vhost(("identite", "portail", "emetteur", "boite")) as bases:
        yield bases


@pytest.fixture(scope="module")
def site(bases: tuple[dict[str, str], str]) -> Iterator[str]:
    urls, vhost = bases
    port = free_port()
    settings = settings_for_tests(
        bus="amqp",
        amqp_url=vhost,
        mode="demo",
        jwks_url=f"http://127.0.0.1:{port}/api/identite/jwks",
    )
    runtimes = [
        ServiceRuntime(registry.load(name), settings, database_url=urls[name])
        for name in ("identite", "portail")
    ]
    with serve_services(runtimes, port=port, web="portail") as base:
        yield base


async def publier_la_demande(bases: tuple[dict[str, str], str]) -> None:
    """demandes' and cotation's events for the demo applicant's demande."""
    urls, vhost = bases
    emetteur = ServiceRuntime(
        ServiceDefinition(name="emetteur", migrations=MIGRATIONS),
        settings_for_tests(bus="amqp", amqp_url=vhost),
        database_url=urls["emetteur"],
    )
    await emetteur.start()
    demande_id = uuid4()
    snapshot = example_snapshot().model_copy(
        update={
            "date_depot_initial": date(2026, 1, 5),
            "date_enregistrement": date(2026, 1, 6),
            "date_expiration": date(2027, 1, 6),
        }
    )
    events: list[Any] = [
        DemandeEnregistree(
            demande_id=demande_id,
            version=2,
            departement="44",
            statut=StatutDemande.ACTIVE,
            numero_unique=NUMERO,
            compte_demandeur=demo_id(EMAIL),
            snapshot=snapshot,
        ),
        CotationCalculee(
            demande_id=demande_id,
            version=1,
            demande_version=2,
            epci="244400404",
            grille_id=uuid4(),
            grille_version=1,
            points=Decimal("42.50"),
            criteres=[
                CritereCote(code="ANCIENNETE", libelle="Ancienneté", points=Decimal("12.50")),
                CritereCote(code="SUROCCUPATION", libelle="Suroccupation", points=Decimal("30")),
            ],
            input_hash="h",
        ),
    ]
    try:
        async with emetteur.unit_of_work() as uow:
            for event in events:
                uow.publish(event)
            await uow.commit()
        while await emetteur.relay.pending_count():
            await emetteur.relay.publish_pending()
    finally:
        await emetteur.stop()


async def voir(page: Any, nom: str) -> None:
    await check_page(page, f"portail-{nom}")


async def test_le_demandeur_se_connecte_et_voit_sa_demande_et_sa_cotation(
    site: str, bases: tuple[dict[str, str], str], new_page: NewPage
) -> None:
    await publier_la_demande(bases)
    page = await new_page()
    await page.goto(f"{site}/")
    await page.get_by_role("heading", level=1, name=re.compile("Loire-Atlantique")).wait_for()
    assert await page.get_by_role("link", name="Espace professionnel").get_attribute("href") == (
        "/pro/"
    )
    await voir(page, "accueil")

    # /mon-espace without a session: to the login page, then back.
    await page.goto(f"{site}/mon-espace")
    assert page.url.startswith(f"{site}/connexion")
    await page.locator("#champ-identifiant").fill(EMAIL)
    await page.locator("#champ-mot_de_passe").fill("mauvais-mot-de-passe")
    await page.get_by_role("button", name="Se connecter").click()
    await page.locator(".alert--erreur").wait_for()
    await voir(page, "connexion-refusee")
    await page.locator("#champ-mot_de_passe").fill(MOT_DE_PASSE)
    await page.get_by_role("button", name="Se connecter").click()
    await page.get_by_role("heading", level=1, name="Mon espace").wait_for()

    # The events reach the read model within a few seconds.
    for _ in range(100):
        if await page.get_by_text(NUMERO).count():
            break
        await page.wait_for_timeout(100)
        await page.reload()
    texte = await page.locator("main").inner_text()
    assert NUMERO in texte and "Active" in texte, texte
    assert "42,5" in texte and "Ancienneté" in texte and "Suroccupation" in texte, texte
    assert "06/01/2027" in texte or "6 janvier 2027" in texte, texte
    await voir(page, "mon-espace")

    await page.get_by_role("button", name=re.compile("connecter")).last.click()
    await page.get_by_role("heading", level=1, name=re.compile("Bienvenue")).wait_for()
    await page.goto(f"{site}/mon-espace")
    assert page.url.startswith(f"{site}/connexion")


async def test_sans_javascript_le_demandeur_se_connecte(site: str, new_page: NewPage) -> None:
    page = await new_page(javascript=False)
    await page.goto(f"{site}/connexion")
    await page.locator("#champ-identifiant").fill(EMAIL)
    await page.locator("#champ-mot_de_passe").fill(MOT_DE_PASSE)
    await page.get_by_role("button", name="Se connecter").click()
    await page.get_by_role("heading", level=1, name="Mon espace").wait_for()
    assert page.url == f"{site}/mon-espace"


async def test_pages_du_portail_en_tetes_csrf_et_liens_d_identite(site: str) -> None:
    async with httpx.AsyncClient(base_url=site, timeout=20) as http:
        for chemin in (
            "/",
            "/connexion",
            "/mot-de-passe-oublie",
            "/activation?jeton=abcdefghijkl",
            "/mot-de-passe/reinitialisation?jeton=abcdefghijkl",
        ):
            reponse = await http.get(chemin)
            assert reponse.status_code == 200, chemin
            csp = reponse.headers["content-security-policy"]
            assert "unsafe-inline" not in csp and "script-src 'self'" in csp, chemin
            assert reponse.headers["x-frame-options"] == "DENY", chemin
            assert reponse.headers["cache-control"] == "no-store", chemin
        page = await http.get("/connexion")
        jeton = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert jeton
        sans = await http.post("/connexion", data={"identifiant": EMAIL, "mot_de_passe": "x"})
        assert sans.status_code == 403 and "Formulaire refusé" in sans.text
        # A forgotten password: the same answer for an unknown address.
        oubli = await http.post(
            "/mot-de-passe-oublie",
            data={"identifiant": "personne@example.org", "csrf_token": jeton.group(1)},
        )
        assert oubli.status_code == 200 and "Si un compte correspond" in oubli.text
        # A wrong activation or reset link: a French message, nothing else.
        for chemin in ("/activation", "/mot-de-passe/reinitialisation"):
            refus = await http.post(
                chemin,
                data={
                    "jeton": "jeton-inconnu-123",
                    "mot_de_passe": "Un-mot-de-passe-2026",
                    "csrf_token": jeton.group(1),
                },
            )
            assert refus.status_code == 400, (chemin, refus.text)
            assert 'class="alert alert--erreur"' in refus.text, refus.text
        connecte = await http.post(
            "/connexion",
            data={"identifiant": EMAIL, "mot_de_passe": MOT_DE_PASSE, "csrf_token": jeton.group(1)},
        )
        assert connecte.status_code == 303 and connecte.headers["location"] == "/mon-espace"
        espace = await http.get("/mon-espace")
        assert espace.status_code == 200 and espace.headers["cache-control"] == "no-store"
        # No open redirect after login.
        assert (await http.get("/connexion?suite=//ailleurs.example")).status_code == 200


async def test_un_menage_cree_son_compte_l_active_se_connecte_puis_le_supprime(
    site: str, bases: tuple[dict[str, str], str], new_page: NewPage
) -> None:
    urls, vhost = bases
    liens: list[str] = []
    consumer = EventConsumer("liens")

    @consumer.on(CompteActivationDemandee)
    async def recevoir(_ctx: HandlerContext, event: CompteActivationDemandee) -> None:
        liens.append(event.url_activation)

    boite = ServiceRuntime(
        ServiceDefinition(name="boite", migrations=MIGRATIONS, consumers=[consumer]),
        settings_for_tests(bus="amqp", amqp_url=vhost),
        database_url=urls["boite"],
    )
    await boite.start()
    try:
        page = await new_page()
        await page.goto(f"{site}/")
        await page.get_by_role("link", name="Créer mon compte").click()
        await page.locator("#champ-email").fill("maelle.nouvelle@example.org")
        await page.locator("#champ-mot_de_passe").fill("court")
        await page.locator("#champ-confirmation").fill("court")
        await page.get_by_role("button", name="Créer mon compte").click()
        # identite's password policy, next to the field and in the summary.
        await page.locator("#resume-erreurs").wait_for()
        assert await page.locator("#champ-mot_de_passe-erreur").count() == 1
        await voir(page, "inscription-refusee")
        mot_de_passe = "Une-maison-au-bord-de-Loire"
        await page.locator("#champ-mot_de_passe").fill(mot_de_passe)
        await page.locator("#champ-confirmation").fill(mot_de_passe)
        await page.get_by_role("button", name="Créer mon compte").click()
        await page.get_by_text("Un lien d'activation vient d'être envoyé").wait_for()

        for _ in range(200):
            if liens:
                break
            await page.wait_for_timeout(50)
        (lien,) = liens
        chemin = lien.split("://", 1)[1].split("/", 1)[1]
        assert chemin.startswith("activation?jeton="), lien
        await page.goto(f"{site}/{chemin}")
        await voir(page, "activation")
        await page.get_by_role("button", name="Activer mon compte").click()
        await page.get_by_text("Votre compte est activé").wait_for()
        await page.locator("#champ-identifiant").fill("maelle.nouvelle@example.org")
        await page.locator("#champ-mot_de_passe").fill(mot_de_passe)
        await page.get_by_role("button", name="Se connecter").click()
        await page.get_by_role("heading", level=1, name="Mon espace").wait_for()
        assert "Aucune demande" in await page.locator("main").inner_text()

        # The household deletes its account (not a demande): a wrong password first.
        await page.get_by_role("link", name="Supprimer mon compte").click()
        await voir(page, "supprimer-compte")
        await page.get_by_role("button", name="Supprimer mon compte").click()
        await page.locator("#resume-erreurs").wait_for()  # password and confirmation missing
        assert await page.locator("#champ-confirmation-erreur").count() == 1
        await page.locator("#champ-mot_de_passe").fill("pas-le-bon-mot-de-passe")
        await page.get_by_label("Je confirme supprimer mon compte").check()
        await page.get_by_role("button", name="Supprimer mon compte").click()
        await page.get_by_text("Mot de passe incorrect").first.wait_for()
        await voir(page, "supprimer-compte-refus")
        await page.locator("#champ-mot_de_passe").fill(mot_de_passe)
        await page.get_by_label("Je confirme supprimer mon compte").check()
        await page.get_by_role("button", name="Supprimer mon compte").click()
        await page.get_by_text("Votre compte est supprimé").wait_for()
        await voir(page, "compte-supprime")
        # Logged out, and the account no longer logs in.
        await page.goto(f"{site}/mon-espace")
        await page.get_by_role("heading", level=1, name="Connexion à mon espace").wait_for()
        await page.locator("#champ-identifiant").fill("maelle.nouvelle@example.org")
        await page.locator("#champ-mot_de_passe").fill(mot_de_passe)
        await page.get_by_role("button", name="Se connecter").click()
        await page.locator(".alert").first.wait_for()
        assert (
            await page.get_by_role("heading", level=1, name="Mon espace", exact=True).count() == 0
        )
    finally:
        await boite.stop()
