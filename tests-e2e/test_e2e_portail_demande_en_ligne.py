"""The online application across services, in Debian's Chromium (Playwright, axe on every
page): identite, demandes and the portail on the real PostgreSQL and RabbitMQ behind the
embedded router.

A household logs in, fills the steps (an invalid step first: French messages next to the
fields and a summary), leaves and resumes its draft, uploads a refused file then its
identity document, checks the recap and submits: the portail sends
`portail.demande_soumise`, demandes creates and registers the demande and answers; the
portail shows the numéro unique from its read model. Then it modifies its demande,
renews it when the date comes (test clock on both services) and renounces it, each
through a command, the read model showing the result. The same application without
JavaScript."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from toit_ui.testing import (
    NewPage,
    check_page,
    databases_and_vhost,
    free_port,
    serve_services,
)

from servicekit import registry
from servicekit.runtime import ServiceRuntime
from servicekit.testing import (
    settings_for_tests,
)

EMAIL = "demo-demandeur@example.org"
MOT_DE_PASSE = "toit-demo-2026"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SERVICES = ("identite", "demandes", "portail")


@pytest.fixture(scope="module")
async def bases() -> AsyncIterator[tuple[dict[str, str], str]]:
    async with databases_and_vhost(SERVICES) as bases:
        yield bases


@pytest.fixture(scope="module")
def site(bases: tuple[dict[str, str], str], tmp_path_factory: Any) -> Iterator[str]:
    urls, vhost = bases
    port = free_port()
    settings = settings_for_tests(
        bus="amqp",
        amqp_url=vhost,
        mode="demo",
        jwks_url=f"http://127.0.0.1:{port}/api/identite/jwks",
        data_dir=tmp_path_factory.mktemp("donnees"),
    )
    runtimes = [
        ServiceRuntime(registry.load(name), settings, database_url=urls[name]) for name in SERVICES
    ]
    with serve_services(runtimes, port=port, web="portail", timeout=180) as base:
        yield base


async def voir(page: Any, nom: str) -> None:
    await check_page(page, f"portail-{nom}")


async def connecter(page: Any, site: str) -> None:
    await page.goto(f"{site}/connexion")
    await page.locator("#champ-identifiant").fill(EMAIL)
    await page.locator("#champ-mot_de_passe").fill(MOT_DE_PASSE)
    await page.get_by_role("button", name="Se connecter").click()
    await page.get_by_role("heading", level=1, name="Mon espace").wait_for()


async def continuer(page: Any) -> None:
    await page.get_by_role("button", name="Enregistrer et continuer").click()


async def remplir_jusqu_au_document(page: Any, site: str, *, captures: bool) -> str:
    """From /ma-demande to the documents step; returns the draft's path."""
    await page.goto(f"{site}/ma-demande")
    if captures:
        await voir(page, "demande-debut")
    await page.get_by_role("button", name="Commencer ma demande").click()
    await page.get_by_role("heading", level=1, name=re.compile("Votre foyer")).wait_for()
    brouillon = page.url.rsplit("/", 1)[0]

    # An empty step: the French messages of the guichets, next to the fields and on top.
    await continuer(page)
    await page.locator("#resume-erreurs").wait_for()
    assert await page.locator("#champ-demandeur-nom_naissance-erreur").count() == 1
    if captures:
        await voir(page, "demande-foyer-erreurs")
    await page.locator("#champ-demandeur-civilite").select_option("MME")
    await page.locator("#champ-demandeur-nom_naissance").fill("Lemoine")
    await page.locator("#champ-demandeur-prenoms").fill("Inès")
    await page.locator("#champ-demandeur-date_naissance").fill("1991-05-14")
    await page.locator("#champ-demandeur-nationalite").select_option("FRANCAISE")
    await page.locator("#champ-demandeur-situation_familiale").select_option("CELIBATAIRE")
    await page.locator("#champ-demandeur-email").fill(EMAIL)
    await page.locator("#champ-occupants-0-prenoms").fill("Léo")
    await page.locator("#champ-occupants-0-nom").fill("Lemoine")
    await page.locator("#champ-occupants-0-date_naissance").fill("2019-09-02")
    await page.locator("#champ-occupants-0-lien").select_option("ENFANT")
    await page.get_by_label("À votre charge fiscalement").check()
    await continuer(page)

    await page.get_by_role("heading", level=1, name=re.compile("ressources")).wait_for()
    await page.locator("#champ-situation_professionnelle-demandeur").select_option("SALARIE_CDI")
    await page.locator("#champ-ressources-0-personne").select_option("demandeur")
    await page.locator("#champ-ressources-0-type").select_option("SALAIRE")
    await page.locator("#champ-ressources-0-montant_mensuel").fill("1450.00")
    # Leave, then resume the draft from /ma-demande (it survives a browser restart).
    await page.get_by_role("button", name="Enregistrer et reprendre plus tard").click()
    await page.locator(".alert--succes").wait_for()
    await page.get_by_role("link", name="Reprendre la saisie").first.click()
    await page.get_by_role("heading", level=1, name="Récapitulatif de ma demande").wait_for()
    if captures:
        await voir(page, "demande-recapitulatif-incomplet")
    await page.goto(f"{brouillon}/ressources")
    assert await page.locator("#champ-ressources-0-montant_mensuel").input_value() == "1450.00"
    await continuer(page)

    await page.get_by_role("heading", level=1, name=re.compile("logement actuel")).wait_for()
    await page.locator("#champ-logement_actuel-type").select_option("LOCATAIRE_PARC_PRIVE")
    await page.locator("#champ-logement_actuel-commune_insee").fill("44109")
    await page.locator("#champ-logement_actuel-loyer_mensuel").fill("690")
    await continuer(page)

    await page.get_by_role("heading", level=1, name=re.compile("motifs")).wait_for()
    await page.get_by_label("Logement trop cher").check()
    await page.locator("#champ-motif_principal").select_option("LOGEMENT_TROP_CHER")
    await continuer(page)

    await page.get_by_role("heading", level=1, name=re.compile("logement recherché")).wait_for()
    await page.get_by_label("T3", exact=True).check()
    await page.locator("#champ-logement_recherche-communes-0").select_option("44109")
    if captures:
        await voir(page, "demande-logement-recherche")
    await continuer(page)
    await page.get_by_role("heading", level=1, name=re.compile("pièce d'identité")).wait_for()
    return brouillon


async def deposer_et_transmettre(page: Any, tmp_path: Path, *, captures: bool) -> None:
    faux = tmp_path / "photo.pdf"
    faux.write_bytes(b"GIF89a pas un PDF")
    await page.locator("#champ-fichier").set_input_files(str(faux))
    await page.get_by_role("button", name="Déposer la pièce").click()
    await page.locator("#champ-fichier-erreur").wait_for()
    assert "format non accepté" in await page.locator("#champ-fichier-erreur").inner_text()
    if captures:
        await voir(page, "demande-piece-refusee")
    cni = tmp_path / "carte-identite.pdf"
    cni.write_bytes(PDF)
    await page.locator("#champ-fichier").set_input_files(str(cni))
    await page.get_by_role("button", name="Déposer la pièce").click()
    await page.get_by_role("heading", level=1, name="Récapitulatif de ma demande").wait_for()
    texte = await page.locator("main").inner_text()
    assert "Lemoine" in texte and "carte-identite.pdf" in texte and "Nantes" in texte, texte
    if captures:
        await voir(page, "demande-recapitulatif")
    # The sworn statement is required.
    await page.get_by_role("button", name="Transmettre ma demande").click()
    await page.locator("#resume-erreurs").wait_for()
    await page.get_by_label("J'atteste sur l'honneur").check()
    await page.get_by_role("button", name="Transmettre ma demande").click()
    await page.get_by_role("heading", level=1, name="Suivi de ma demande en ligne").wait_for()


async def attendre_texte(page: Any, motif: str, essais: int = 150) -> str:
    for _ in range(essais):
        texte = str(await page.locator("main").inner_text())
        if re.search(motif, texte):
            return texte
        await page.wait_for_timeout(200)
        await page.reload()
    raise AssertionError(f"« {motif} » absent : {texte}")


async def test_un_menage_depose_sa_demande_en_ligne_la_modifie_la_renouvelle_et_y_renonce(
    site: str, new_page: NewPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = await new_page()
    await connecter(page, site)
    await remplir_jusqu_au_document(page, site, captures=True)
    await voir(page, "demande-piece")
    await deposer_et_transmettre(page, tmp_path, captures=True)

    # demandes registers it (numéro unique ending with the online guichet's code) and the
    # portail shows it from its read model.
    texte = await attendre_texte(page, r"044\d{10}WEB00")
    numero = re.search(r"044\d{10}WEB00", texte)
    assert numero and "Demande enregistrée" in texte
    await voir(page, "demande-enregistree")
    await page.goto(f"{site}/mon-espace")
    texte = await attendre_texte(page, numero.group(0))
    assert "Renouveler" not in texte  # a year of validity: renewal not open yet

    # Modify: the wanted home (the fields the household owns), through a command.
    # The demo applicant also has a demande made at a guichet (demandes' demo seed): act
    # on the one applied for here.
    sa_demande = page.locator("section", has_text=numero.group(0))
    await sa_demande.get_by_role("link", name="Modifier").click()
    await page.get_by_role("heading", level=1, name="Modifier ma demande").wait_for()
    await page.get_by_label("T2", exact=True).check()
    await voir(page, "demande-modifier")
    await page.get_by_role("button", name="Enregistrer les modifications").click()
    await page.get_by_role("heading", level=2, name="Mes démarches en ligne").wait_for()
    await attendre_texte(page, "prise en compte")
    await voir(page, "demande-demarches")

    # The test clock moves both services to 10 days before expiry: renewal opens.
    from toit_demandes.entrypoints import events as demandes_events
    from toit_portail.entrypoints import pages_candidature

    expiration = datetime.now(UTC) + timedelta(days=365)
    jour = expiration - timedelta(days=10)
    monkeypatch.setattr(pages_candidature, "maintenant", lambda: jour)
    monkeypatch.setattr(demandes_events, "_maintenant", lambda: jour)
    await page.goto(f"{site}/mon-espace")
    await sa_demande.get_by_role("link", name="Renouveler").click()
    await page.get_by_role("button", name="Renouveler ma demande").click()
    await page.locator("#resume-erreurs").wait_for()  # the confirmation box is required
    await page.get_by_label("Je confirme que ma situation").check()
    await voir(page, "demande-renouveler")
    await page.get_by_role("button", name="Renouveler ma demande").click()
    texte = await attendre_texte(page, r"Renouvellement[^\n]*prise en compte")
    assert numero.group(0) in texte

    await page.goto(f"{site}/mon-espace")
    await sa_demande.get_by_role("link", name="Renoncer").click()
    await voir(page, "demande-renoncer")
    await page.get_by_label("Je confirme renoncer").check()
    await page.get_by_role("button", name="Renoncer à ma demande").click()
    texte = await attendre_texte(page, "Radiée")
    assert "Renonciation" in texte or "renonciation" in texte, texte


async def test_sans_javascript_la_demande_en_ligne_se_fait_de_bout_en_bout(
    site: str, new_page: NewPage, tmp_path: Path
) -> None:
    page = await new_page(javascript=False)
    await connecter(page, site)
    await remplir_jusqu_au_document(page, site, captures=False)
    await deposer_et_transmettre(page, tmp_path, captures=False)
    assert re.search(r"044\d{10}WEB00", await attendre_texte(page, r"044\d{10}WEB00"))
