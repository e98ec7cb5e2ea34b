"""Attaching a demande made at a guichet to a portal account (issue 15 item 4) and
setting how notices are received, in
Debian's Chromium (Playwright, axe) across identite, demandes, notifications and the
portail on the real PostgreSQL and RabbitMQ, with a real local SMTP server.

A guichet registers a demande (demandes' use cases). The demo applicant logs in on
the portail and asks to attach it: a badly typed numéro is refused next to the field;
an unknown numéro, a wrong date of birth and the right pair all get the same page;
only the right pair makes demandes publish `demande.code_rattachement`, which
notifications emails to the address on file (read from the SMTP server); a wrong code
is refused in the words of an unknown numéro; the right code attaches the demande
(the espace shows it, and demandes records the account as owner through
`portail.demande_rattachee`); a fourth code for the same numéro within the hour is
refused (rate limit). The household then chooses to receive its notices by post as
well (written on the demande through demandes' API), and changes its contact details
there (a bad phone refused next to the field, a change made meanwhile in another session
explained, then a new address saved), then its monthly resources (a negative amount
refused next to the field by demandes, then an allowance added) and the persons living
with it (a child without a date of birth refused, then added), and deposits a tax
notice in « Mes documents » (a non-PDF refused by the portail, demandes' refusal next to
the field, then listed from the read model and downloaded back). The same first step
without JavaScript."""

from __future__ import annotations

import email
import os
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from email.message import Message
from typing import Any

import pytest
from toit_demandes import service_layer as uc
from toit_demandes.adapters.repository import DemandeRepository
from toit_demandes.domain.autorite import Autorite
from toit_demandes.domain.demande import Intervenant, TypeIntervenant
from toit_demandes.domain.saisie import DemandeSaisie
from toit_demandes.entrypoints.http import TAILLE_MAX_PIECE, stockage
from toit_demandes.exemples import demande_exemple
from toit_notifications.adapters.boite_dev import BoiteDev
from toit_ui.testing import (
    NewPage,
    check_page,
    databases_and_vhost,
    free_port,
    serve_services,
)

from servicekit import registry
from servicekit.auth import demo_id
from servicekit.runtime import ServiceRuntime
from servicekit.testing import (
    settings_for_tests,
)

SERVICES = ("identite", "demandes", "notifications", "portail")
DEMANDEUR = "demo-demandeur@example.org"
MOT_DE_PASSE = "toit-demo-2026"
NAISSANCE = date(1985, 6, 2)
PDF = b"%PDF-1.4\n% piece d'identite de test\n%%EOF\n"


@pytest.fixture(scope="module")
async def bases() -> AsyncIterator[tuple[dict[str, str], str]]:
    async with databases_and_vhost(SERVICES) as bases:
        yield bases


@pytest.fixture(scope="module")
async def boite() -> AsyncIterator[BoiteDev]:
    serveur = BoiteDev(port=free_port())
    await serveur.demarrer()
    yield serveur
    await serveur.arreter()


@pytest.fixture(scope="module")
def site(bases: tuple[dict[str, str], str], boite: BoiteDev) -> Iterator[str]:
    urls, vhost = bases
    smtp = {
        "TOIT_SMTP_HOST": "127.0.0.1",
        "TOIT_SMTP_PORT": str(boite.port),
        "TOIT_SMTP_SECURITY": "none",
        "TOIT_SMTP_RETRY_INITIAL": "0.2",
        "TOIT_SMTP_POLL_INTERVAL": "0.1",
    }
    avant = {k: os.environ.get(k) for k in smtp}
    os.environ.update(smtp)
    port = free_port()
    jwks = f"http://127.0.0.1:{port}/api/identite/jwks"
    runtimes = [
        ServiceRuntime(
            registry.load(name),
            # identite's demo accounts; no demo demandes (the test registers its own).
            settings_for_tests(
                bus="amqp",
                amqp_url=vhost,
                mode="demo" if name == "identite" else "test",
                jwks_url=jwks,
            ),
            database_url=urls[name],
        )
        for name in SERVICES
    ]
    try:
        with serve_services(runtimes, port=port, web="portail", timeout=180) as base:
            yield base
    finally:
        for k, v in avant.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="module")
async def guichet(bases: tuple[dict[str, str], str], site: str) -> AsyncIterator[ServiceRuntime]:
    """demandes' use cases on its database, as a guichet's agent uses them (the site's
    demandes instance relays the events)."""
    urls, vhost = bases
    runtime = ServiceRuntime(
        registry.load("demandes"),
        settings_for_tests(bus="amqp", amqp_url=vhost, mode="test"),
        database_url=urls["demandes"],
    )
    await runtime.start(migrate=False, relay=False, consume=False, seed=False)
    yield runtime
    await runtime.stop()


async def enregistrer_au_guichet(runtime: ServiceRuntime) -> str:
    agent = Intervenant(TypeIntervenant.AGENT, "agent-e2e", "bailleur-e2e")
    ctx = uc.commun.Contexte(agent, datetime.now(UTC))

    def libre(_demande: Any) -> None:
        return None

    saisie = DemandeSaisie.model_validate(
        demande_exemple(
            demandeur={
                **demande_exemple()["demandeur"],
                "date_naissance": NAISSANCE.isoformat(),
                "email": "menage.guichet@example.org",
            }
        )
    )
    async with runtime.unit_of_work() as uow:
        demande, _ = await uc.saisie.creer(uow, saisie, ctx, None, libre, Autorite.totale())
    async with runtime.unit_of_work() as uow:
        await uc.pieces.deposer_piece(
            uow,
            stockage(runtime),
            demande.id,
            "PIECE_IDENTITE",
            "demandeur",
            uc.pieces.Fichier("identite.pdf", PDF),
            TAILLE_MAX_PIECE,
            ctx,
            libre,
        )
    async with runtime.unit_of_work() as uow:
        demande, _ = await uc.cycle_de_vie.enregistrer(uow, demande.id, "GP44A", ctx, libre)
    assert demande.numero_unique is not None
    return demande.numero_unique


async def voir(page: Any, nom: str) -> str:
    return await check_page(page, f"portail-{nom}")


def codes_recus(boite: BoiteDev) -> list[str]:
    """The attachment codes emailed to the household (other messages: the attestation)."""
    codes = []
    for message in boite.messages:
        if "menage.guichet@example.org" not in message.destinataires:
            continue
        lu: Message = email.message_from_bytes(message.contenu)
        for partie in lu.walk():
            if partie.get_content_type() == "text/plain":
                texte = partie.get_payload(decode=True).decode()  # type: ignore[union-attr]
                trouve = re.search(r"Votre code : (\d{8})", texte)
                if trouve:
                    codes.append(trouve.group(1))
    return codes


async def demander(page: Any, site: str, numero: str, naissance: str) -> str:
    await page.goto(f"{site}/mon-espace/rattacher")
    await page.locator("#champ-numero_unique").fill(numero)
    await page.locator("#champ-date_naissance").fill(naissance)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Recevoir un code").click()
    return str(await page.locator("main").inner_text())


async def test_le_menage_rattache_sa_demande_du_guichet_avec_le_code_recu_par_courriel(
    site: str, guichet: ServiceRuntime, boite: BoiteDev, new_page: NewPage
) -> None:
    numero = await enregistrer_au_guichet(guichet)
    page = await new_page()
    await page.goto(f"{site}/connexion")
    await page.locator("#champ-identifiant").fill(DEMANDEUR)
    await page.locator("#champ-mot_de_passe").fill(MOT_DE_PASSE)
    await page.get_by_role("button", name="Se connecter").click()
    await page.get_by_role("heading", level=1, name="Mon espace").wait_for()
    await page.get_by_role("link", name="Rattacher une demande déposée à un guichet").click()
    await voir(page, "rattacher")

    # A badly typed numéro: next to the field and in the summary.
    texte = await demander(page, site, "0440126", NAISSANCE.isoformat())
    assert "18 caractères" in texte and await page.locator("#resume-erreurs").count() == 1
    await voir(page, "rattacher-refuse")

    # An unknown numéro, then the right numéro with a wrong date: the same page.
    inconnu = await demander(page, site, "0441225999999GP44A", NAISSANCE.isoformat())
    await page.locator("#champ-code").fill("12345678")
    await page.get_by_role("button", name="Rattacher ma demande").click()
    await page.locator("#champ-code-erreur").wait_for()
    refus_inconnu = await page.locator("#champ-code-erreur").inner_text()
    mauvaise_date = await demander(page, site, numero, "1990-01-01")
    assert mauvaise_date == inconnu, (mauvaise_date, inconnu)

    # The right pair: the same page again, and a code in the household's mailbox.
    bonne = await demander(page, site, numero, NAISSANCE.isoformat())
    assert bonne == inconnu
    await voir(page, "rattacher-code")
    for _ in range(300):
        if codes_recus(boite):
            break
        await page.wait_for_timeout(100)
    # Only the right pair sent a code.
    (code,) = codes_recus(boite)

    faux = f"{(int(code) + 1) % 10**8:08d}"
    await page.locator("#champ-code").fill(faux)
    await page.get_by_role("button", name="Rattacher ma demande").click()
    await page.locator("#champ-code-erreur").wait_for()
    assert await page.locator("#champ-code-erreur").inner_text() == refus_inconnu
    await voir(page, "rattacher-code-refuse")
    await page.locator("#champ-code").fill(code)
    await page.get_by_role("button", name="Rattacher ma demande").click()
    await page.get_by_text("Votre demande est rattachée à votre compte.").wait_for()
    assert numero in await voir(page, "mon-espace-rattachee")

    # The suivi of the demande: avancement, documents and historique from demandes' events.
    await page.get_by_role("link", name=re.compile("Le suivi de ma demande")).click()
    await page.get_by_role("heading", level=2, name="L'historique de ma demande").wait_for()
    texte = await voir(page, "suivi")
    assert f"Demande enregistrée, numéro unique {numero}" in texte, texte
    assert "Pièce d'identité" in texte or "identité" in texte, texte
    assert "Pas encore de cotation" in texte  # no cotation service in this test

    # demandes records the account as the demande's owner (portail.demande_rattachee).
    for _ in range(300):
        async with guichet.unit_of_work() as uow:
            repo = uow.repository(DemandeRepository)
            demande_id = await repo.id_par_numero(numero)
            assert demande_id is not None
            demande = await repo.get(demande_id)
        if demande is not None and demande.proprietaire == demo_id(DEMANDEUR):
            break
        await page.wait_for_timeout(100)
    else:
        raise AssertionError("demandes n'a pas rattaché la demande au compte")

    # Notification preferences: written on the demande through demandes' API.
    await page.goto(f"{site}/mon-espace/demande/{demande_id}/preferences")
    await page.get_by_role("button", name="Enregistrer mon choix").click()
    await page.locator("#resume-erreurs").wait_for()
    await voir(page, "preferences-refusees")
    await page.get_by_label("Par courriel et par courrier postal").check()
    await page.get_by_role("button", name="Enregistrer mon choix").click()
    await page.get_by_text("Votre choix est enregistré").wait_for()
    async with guichet.unit_of_work() as uow:
        demande = await uow.repository(DemandeRepository).get(demande_id)
    assert demande is not None and demande.saisie.demandeur.courrier_papier

    # Contact details, through demandes' API: its French refusal next to the field...
    await page.goto(f"{site}/mon-espace/demande/{demande_id}/coordonnees")
    await page.locator("#champ-telephone").fill("pas un numéro")
    await page.get_by_role("button", name="Enregistrer mes coordonnées").click()
    await page.locator("#champ-telephone-erreur").wait_for()
    await voir(page, "coordonnees-refusees")
    # ...a change made meanwhile elsewhere (another session) explained (If-Match: 412)...
    autre = await page.context.new_page()
    await autre.goto(f"{site}/mon-espace/demande/{demande_id}/coordonnees")
    await autre.locator("#champ-telephone").fill("06 12 34 56 78")
    await autre.get_by_role("button", name="Enregistrer mes coordonnées").click()
    await autre.get_by_text("Vos coordonnées sont enregistrées").wait_for()
    await autre.close()
    await page.locator("#champ-telephone").fill("07 00 00 00 00")
    await page.get_by_role("button", name="Enregistrer mes coordonnées").click()
    await page.get_by_text("modifiée entre-temps").wait_for()
    assert await page.locator("#champ-telephone").input_value() == "06 12 34 56 78"
    # ...then a new address saved on the demande.
    await page.locator("#champ-ligne1").fill("5 rue des Lilas")
    await page.locator("#champ-code_postal").fill("44000")
    await page.locator("#champ-commune").fill("Nantes")
    await page.get_by_role("button", name="Enregistrer mes coordonnées").click()
    await page.get_by_text("Vos coordonnées sont enregistrées").wait_for()
    async with guichet.unit_of_work() as uow:
        demande = await uow.repository(DemandeRepository).get(demande_id)
    assert demande is not None and demande.saisie.demandeur.adresse is not None
    assert demande.saisie.demandeur.telephone == "06 12 34 56 78"
    assert demande.saisie.demandeur.adresse.ligne1 == "5 rue des Lilas"

    # Resources, the same way (the household's own field): demandes' refusal of a
    # negative amount next to it, then a family allowance added to the salary.
    await page.goto(f"{site}/mon-espace/demande/{demande_id}/ressources")
    assert await page.locator("#champ-ressources-0-montant_mensuel").input_value() == "1650"
    await page.locator("#champ-ressources-1-personne").select_option("demandeur")
    await page.locator("#champ-ressources-1-type").select_option("PRESTATIONS_FAMILIALES")
    await page.locator("#champ-ressources-1-montant_mensuel").fill("-12")
    await page.get_by_role("button", name="Enregistrer mes ressources").click()
    await page.locator("#champ-ressources-1-montant_mensuel-erreur").wait_for()
    await voir(page, "ressources-refusees")
    await page.locator("#champ-ressources-1-montant_mensuel").fill("120,50")
    await page.get_by_role("button", name="Enregistrer mes ressources").click()
    await page.get_by_text("Vos ressources sont enregistrées").wait_for()
    async with guichet.unit_of_work() as uow:
        demande = await uow.repository(DemandeRepository).get(demande_id)
    assert demande is not None
    assert [(r.type.value, str(r.montant_mensuel)) for r in demande.saisie.ressources] == [
        ("SALAIRE", "1650"),
        ("PRESTATIONS_FAMILIALES", "120.50"),
    ]
    # The household's composition, the same way: a person without a date of birth refused
    # by demandes next to the field, then a second child added.
    await page.goto(f"{site}/mon-espace/demande/{demande_id}/composition")
    assert await page.locator("#champ-occupants-0-prenoms").input_value() == "Léo"
    await page.locator("#champ-occupants-1-prenoms").fill("Lina")
    await page.locator("#champ-occupants-1-nom").fill("DURAND")
    await page.locator("#champ-occupants-1-lien").select_option("ENFANT")
    await page.locator("#champ-occupants-1-a_charge").check()
    await page.get_by_role("button", name="Enregistrer la composition").click()
    await page.locator("#champ-occupants-1-date_naissance-erreur").wait_for()
    await voir(page, "composition-refusee")
    await page.locator("#champ-occupants-1-date_naissance").fill("2019-04-12")
    await page.get_by_role("button", name="Enregistrer la composition").click()
    await page.get_by_text("La composition de votre ménage est enregistrée").wait_for()
    async with guichet.unit_of_work() as uow:
        demande = await uow.repository(DemandeRepository).get(demande_id)
    assert demande is not None
    assert [(o.prenoms, o.a_charge) for o in demande.saisie.occupants] == [
        ("Léo", True),
        ("Lina", True),
    ]

    # Mes documents: a file that is not a PDF/image refused before it leaves the portail,
    # demandes' refusal shown next to the field, then a tax notice deposited through
    # demandes' API, listed from the portail's read model once demandes' event arrives,
    # and downloaded back.
    await page.goto(f"{site}/mon-espace/demande/{demande_id}/documents")
    await page.locator("#champ-type_piece").select_option("AVIS_IMPOSITION")
    await page.locator("#champ-fichier").set_input_files(
        files=[{"name": "avis.pdf", "mimeType": "application/pdf", "buffer": b"MZ pas un pdf"}]
    )
    await page.get_by_role("button", name="Déposer la pièce").click()
    await page.locator("#champ-fichier-erreur").wait_for()
    await voir(page, "documents-refus")
    avis = b"%PDF-1.4\n% avis d'imposition de test\n%%EOF\n"
    await page.locator("#champ-type_piece").select_option("AVIS_IMPOSITION")
    await page.locator("#champ-fichier").set_input_files(
        files=[{"name": "avis.pdf", "mimeType": "application/pdf", "buffer": avis}]
    )
    await page.get_by_role("button", name="Déposer la pièce").click()
    # demandes' own refusal (this pièce concerns a person), next to the field.
    await page.locator("#champ-personne-erreur").wait_for()
    await page.locator("#champ-personne").select_option("demandeur")
    await page.locator("#champ-fichier").set_input_files(
        files=[{"name": "avis.pdf", "mimeType": "application/pdf", "buffer": avis}]
    )
    await page.get_by_role("button", name="Déposer la pièce").click()
    await page.get_by_text("Pièce déposée").wait_for()
    for _ in range(100):
        if await page.get_by_role("link", name="Télécharger : Avis d'impôt").count():
            break
        await page.wait_for_timeout(200)
        await page.reload()
    await voir(page, "documents")
    lien = page.get_by_role("link", name="Télécharger : Avis d'impôt").first
    fichier = await page.request.get(f"{site}{await lien.get_attribute('href')}")
    assert fichier.status == 200 and await fichier.body() == avis
    assert fichier.headers["cache-control"] == "no-store"
    # The attestation d'enregistrement, a PDF built by the portail.
    attestation = await page.request.get(f"{site}/mon-espace/demande/{demande_id}/attestation")
    assert attestation.status == 200, await attestation.text()
    assert attestation.headers["content-type"] == "application/pdf"
    assert (await attestation.body()).startswith(b"%PDF")

    # A third code for this numéro passes, a fourth within the hour is refused.
    await demander(page, site, numero, "1991-02-03")
    texte = await demander(page, site, numero, NAISSANCE.isoformat())
    assert "Trop de demandes de code" in texte, texte
    await voir(page, "rattacher-limite")


async def test_sans_javascript_la_demande_de_code(site: str, new_page: NewPage) -> None:
    page = await new_page(javascript=False)
    await page.goto(f"{site}/connexion?suite=/mon-espace/rattacher")
    await page.locator("#champ-identifiant").fill(DEMANDEUR)
    await page.locator("#champ-mot_de_passe").fill(MOT_DE_PASSE)
    await page.get_by_role("button", name="Se connecter").click()
    await page.get_by_role("heading", level=1, name=re.compile("Rattacher")).wait_for()
    await page.locator("#champ-numero_unique").fill("0441225999998GP44A")
    await page.locator("#champ-date_naissance").fill("1980-01-01")
    await page.get_by_role("button", name="Recevoir un code").click()
    await page.get_by_role("heading", level=1, name="Saisir le code reçu par courriel").wait_for()
