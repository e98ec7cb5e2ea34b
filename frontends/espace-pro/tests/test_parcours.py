"""The espace professionnel in Debian's Chromium, one journey per role (issue 13, Tests).

Every page visited is checked by axe-core (no serious or critical violation), has no
inline script or style, and the main screens are saved under test-artefacts/screenshots/.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from toit_ui.testing import NewPage, check_page, screenshot

from .conftest import MOT_DE_PASSE, PDF, Stack

pytestmark = pytest.mark.e2e


async def voir(page: Any, nom: str, capture: bool = False) -> None:
    """axe on the current page, no inline script/style, and its screenshot if asked."""
    await check_page(page, f"pro-{nom}", capture=capture)


async def connecter(page: Any, stack: Stack, identifiant: str) -> None:
    await page.goto(f"{stack.pro}/connexion")
    await page.locator("#champ-identifiant").fill(identifiant)
    await page.locator("#champ-mot_de_passe").fill(MOT_DE_PASSE)
    await page.get_by_role("button", name="Se connecter").click()
    bonjour = page.get_by_role("heading", name=re.compile("^Bonjour"))
    charte = page.get_by_role("heading", name=re.compile("Charte déontologique"))
    await bonjour.or_(charte).first.wait_for()
    if not await bonjour.count():
        # A newer charter (test_une_nouvelle_charte…): tests that run after it accept it.
        await page.get_by_label("J'ai lu la charte déontologique").check()
        await page.get_by_role("button", name="Accepter la charte et continuer").click()
        await bonjour.wait_for()


async def flash(page: Any, texte: str) -> str:
    alerte = page.locator(".alert", has_text=texte).first
    await alerte.wait_for()
    return str(await alerte.inner_text())


async def remplir_menage_saint_nazaire(page: Any, nom: str) -> None:
    async def champ(name: str, valeur: str) -> None:
        await page.locator("#champ-" + re.sub(r"[.\[]", "-", name).replace("]", "")).fill(valeur)

    async def choix(name: str, valeur: str) -> None:
        ident = "#champ-" + re.sub(r"[.\[]", "-", name).replace("]", "")
        await page.locator(ident).select_option(valeur)

    await choix("demandeur.civilite", "MME")
    await champ("demandeur.nom_naissance", nom)
    await champ("demandeur.prenoms", "Maëlle")
    await champ("demandeur.date_naissance", "1990-04-12")
    await choix("demandeur.nationalite", "FRANCAISE")
    await choix("demandeur.situation_familiale", "CELIBATAIRE")
    await champ("demandeur.email", "maelle.legoff@example.org")
    await champ("demandeur.adresse.ligne1", "12 rue de la Paix")
    await champ("demandeur.adresse.code_postal", "44600")
    await champ("demandeur.adresse.commune", "Saint-Nazaire")
    await champ("occupants[0].prenoms", "Lou")
    await champ("occupants[0].nom", nom)
    await champ("occupants[0].date_naissance", "2018-06-01")
    await choix("occupants[0].lien", "ENFANT")
    await page.locator("#champ-occupants-0-a_charge").check()
    await choix("situation_professionnelle.demandeur", "SALARIE_CDD_INTERIM")
    await choix("ressources[0].type", "SALAIRE")
    await champ("ressources[0].montant_mensuel", "1450")
    await champ("revenu_fiscal_reference[0].annee", "2024")
    await champ("revenu_fiscal_reference[0].montant", "16200")
    await choix("logement_actuel.type", "LOCATAIRE_PARC_PRIVE")
    await champ("logement_actuel.loyer_mensuel", "690")
    await choix("motifs[0].code", "LOGEMENT_TROP_CHER")
    await page.locator("#typologie-T2").check()
    await page.locator("#typologie-T3").check()
    await champ("logement_recherche.communes", "44184, 44109")


async def deposer_identite(page: Any) -> None:
    await page.locator("#champ-type").select_option("PIECE_IDENTITE")
    await page.locator("#champ-personne").select_option("demandeur")
    await page.locator("#champ-fichier").set_input_files(
        files=[{"name": "cni.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    await page.get_by_role("button", name="Déposer la pièce").click()
    await flash(page, "Pièce déposée")


async def test_un_agent_enregistre_un_menage_de_saint_nazaire(
    stack: Stack, new_page: NewPage
) -> None:
    page = await new_page()
    await connecter(page, stack, "demo-agent-44")
    await voir(page, "accueil", capture=True)

    await page.get_by_role("link", name="Nouvelle demande").click()
    await page.get_by_role("heading", name="Nouvelle demande").wait_for()
    await voir(page, "nouvelle-demande")
    # Nothing filled: the API's French messages, field by field, summed up at the top.
    await page.get_by_role("button", name="Créer la demande").click()
    resume = page.locator("#resume-erreurs")
    await resume.wait_for()
    assert "Nom de naissance" in await resume.inner_text()
    await page.locator("#resume-erreurs a", has_text="Nom de naissance").click()
    assert await page.evaluate("document.activeElement.id") == "champ-demandeur-nom_naissance"
    await voir(page, "saisie-erreurs", capture=True)

    await remplir_menage_saint_nazaire(page, "LE GOFF")
    await page.get_by_role("button", name="Créer la demande").click()
    await flash(page, "Demande créée")
    await voir(page, "pieces-depot")
    await deposer_identite(page)
    await page.get_by_role("button", name="Enregistrer la demande").click()
    message = await flash(page, "numéro unique")
    numero = re.search(r"numéro unique (\d{13}[A-Z0-9]{5})", message)
    assert numero and numero.group(1).startswith("044"), message
    assert numero.group(1) in await page.locator("main").inner_text()
    demande_url = page.url.split("?")[0]
    await voir(page, "consultation", capture=True)

    # The score arrives through the broker (demande.enregistree -> cotation).
    await page.get_by_role("link", name="Cotation", exact=True).click()
    for _ in range(60):
        if await page.get_by_role(
            "heading", name=re.compile("Nantes Métropole : .* points")
        ).count():
            break
        await page.wait_for_timeout(500)
        await page.reload()
    await page.get_by_role("heading", name=re.compile("Nantes Métropole : .* points")).wait_for()
    await voir(page, "cotation", capture=True)

    for onglet in ("Demandeur", "Occupants", "Revenus", "Log. recherché", "Historique"):
        await page.get_by_role("link", name=onglet, exact=True).click()
        await page.get_by_role("heading", name=onglet).wait_for()
        if onglet == "Revenus":  # issue 11: PLAI and PLS ceilings are not the arrêté's
            assert await page.get_by_text("Plafond provisoire, à vérifier").count() == 2
        await voir(page, f"onglet-{onglet}")
    await screenshot(page, "pro-historique")

    # Search by name, with pagination of the results.
    await page.get_by_role("link", name="Rechercher").click()
    await page.locator("#champ-nom").fill("LE GOFF")
    await page.get_by_role("button", name="Rechercher").click()
    await page.get_by_role("link", name=re.compile("LE GOFF Maëlle")).wait_for()
    await voir(page, "recherche", capture=True)

    # Two agents edit at once: the second one is told who changed it and when.
    autre = await page.context.new_page()
    await page.goto(demande_url + "/modifier")
    await autre.goto(demande_url + "/modifier")
    await page.locator("#champ-demandeur-telephone").fill("0612345678")
    await page.get_by_role("button", name="Enregistrer les modifications").click()
    await flash(page, "Demande modifiée")
    await autre.locator("#champ-demandeur-email").fill("maelle.lg@example.org")
    await autre.get_by_role("button", name="Enregistrer les modifications").click()
    await autre.get_by_role("heading", name="Cette demande a été modifiée entre-temps").wait_for()
    conflit = await autre.locator("main").inner_text()
    assert re.search(r"modifiée par .+ le \d\d/\d\d/\d{4} à \d\d:\d\d", conflit), conflit
    await voir(autre, "conflit", capture=True)
    await autre.get_by_role("link", name=re.compile("Recharger la demande")).click()
    assert await autre.locator("#champ-demandeur-telephone").input_value() == "0612345678"
    assert await autre.locator("#champ-demandeur-email").input_value() == (
        "maelle.legoff@example.org"
    )

    # Renewal, radiation with its motif, reactivation refused with its reason.
    await page.goto(demande_url)
    await page.get_by_role("button", name="Renouveler").click()
    await flash(page, "Demande renouvelée")
    await page.get_by_role("link", name="Radier").click()
    await page.get_by_role("button", name="Radier la demande").click()
    await page.locator("#resume-erreurs").wait_for()
    await page.get_by_label("Renonciation écrite du demandeur").check()
    await voir(page, "radiation")
    await page.get_by_role("button", name="Radier la demande").click()
    await flash(page, "Demande radiée")
    # A renunciation cannot be undone (only non-renewal and no-answer radiations can,
    # within 5 months): the page says why.
    await page.get_by_role("button", name="Réactiver").click()
    assert "ne peut pas être" in await flash(page, "Action impossible")


async def test_un_instructeur_valide_et_refuse_des_pieces(stack: Stack, new_page: NewPage) -> None:
    from toit_demandes.exemples import demande_exemple

    demande = await stack.api("POST", "/api/demandes", "demo-agent-44", json=demande_exemple())
    for nom in ("avis-imposition.pdf", "bulletin-salaire.pdf"):
        await stack.api(
            "POST",
            f"/api/demandes/{demande['id']}/pieces",
            "demo-agent-44",
            data={"type": "PIECE_IDENTITE", "personne": "demandeur"},
            files={"fichier": (nom, PDF, "application/pdf")},
        )
    page = await new_page()
    await connecter(page, stack, "demo-instructeur-44")
    await page.goto(f"{stack.pro}/demandes/{demande['id']}/pieces")
    await voir(page, "pieces-a-verifier")
    await page.get_by_role("button", name="Valider la pièce avis-imposition.pdf").click()
    await flash(page, "Pièce validée")
    await page.get_by_label("Motif du refus de bulletin-salaire.pdf").fill("Document illisible")
    await page.get_by_role("button", name="Refuser la pièce bulletin-salaire.pdf").click()
    await flash(page, "Pièce refusée")
    lignes = page.locator("tbody tr")
    assert "Validée" in await lignes.nth(0).inner_text()
    assert "Document illisible" in await lignes.nth(1).inner_text()
    await voir(page, "pieces", capture=True)
    async with page.expect_download() as telechargement:
        await page.get_by_role("link", name="Télécharger avis-imposition.pdf").click()
    fichier = await telechargement.value
    assert fichier.suggested_filename.startswith("piece-")


async def test_un_gestionnaire_cree_une_organisation_un_agent_et_publie_une_grille(
    stack: Stack, new_page: NewPage
) -> None:
    page = await new_page()
    await connecter(page, stack, "demo-gestionnaire-44")
    await page.get_by_role("link", name="Organisations").click()
    await page.locator("#champ-nom").fill("Bailleur de l'Estuaire")
    await page.locator("#champ-type").select_option("BAILLEUR")
    await page.locator("#champ-bailleur").check()
    await page.get_by_role("button", name="Créer l'organisation").click()
    await flash(page, "Organisation « Bailleur de l'Estuaire » créée")
    await voir(page, "organisations", capture=True)

    await page.get_by_role("link", name="Comptes").click()
    await page.locator("#champ-identifiant").fill("agent.estuaire")
    await page.locator("#champ-email").fill("agent.estuaire@example.org")
    await page.locator("#champ-prenom").fill("Erwan")
    await page.locator("#champ-nom").fill("Le Bris")
    await page.locator("#champ-organisation_id").select_option(label="Bailleur de l'Estuaire")
    await page.locator("#champ-role").select_option("INSTRUCTEUR")
    await page.get_by_role("button", name="Créer le compte").click()
    await flash(page, "Compte « agent.estuaire » créé")
    await voir(page, "comptes", capture=True)

    await page.get_by_role("link", name="Grilles de cotation").click()
    await voir(page, "grilles")
    await page.get_by_role("link", name=re.compile("Nantes Métropole")).click()
    await page.get_by_role("button", name="Créer un brouillon à partir de cette grille").click()
    await flash(page, "Brouillon créé")
    await page.locator("#points-0").fill("3")
    await page.get_by_role("button", name="Enregistrer le brouillon").click()
    await flash(page, "Brouillon enregistré")
    assert await page.locator("#points-0").input_value() == "3"
    await page.get_by_role("button", name="Simuler sur les demandes actives").click()
    await page.get_by_role(
        "heading", name=re.compile("Simulation sur .* demandes actives")
    ).wait_for()
    mouvements = page.get_by_role("table", name="Demandes qui bougent le plus")
    assert await mouvements.locator("tbody tr").count() >= 1
    await voir(page, "simulation", capture=True)
    await page.get_by_role("button", name="Publier la grille").click()
    await flash(page, "Grille publiée")
    await voir(page, "grille-publiee")

    # Who read this demande: the consultation trace.
    demandes = await stack.api("GET", "/api/demandes?par_page=1", "demo-gestionnaire-44")
    await page.goto(f"{stack.pro}/demandes/{demandes['elements'][0]['id']}/consultations")
    await page.get_by_role("table", name=re.compile("Qui a consulté cette demande")).wait_for()
    assert "demo-gestionnaire-44" in await page.locator("main").inner_text() or (
        await page.locator("tbody tr").count() >= 1
    )
    await voir(page, "consultations", capture=True)


async def test_un_agent_d_un_autre_departement_ne_voit_pas_la_demande(
    stack: Stack, new_page: NewPage
) -> None:
    demandes = await stack.api("GET", "/api/demandes?par_page=1", "demo-agent-44")
    cible = demandes["elements"][0]
    page = await new_page()
    await connecter(page, stack, "demo-agent-35")
    reponse = await page.goto(f"{stack.pro}/demandes/{cible['id']}")
    assert reponse is not None and reponse.status == 404
    await page.get_by_role(
        "heading", name="Dossier introuvable ou hors de votre périmètre"
    ).wait_for()
    html = await page.content()
    assert "périmètre" in html
    assert cible["nom"] not in html and cible["prenoms"] not in html
    await voir(page, "hors-perimetre", capture=True)


async def test_sans_javascript_un_agent_cree_et_enregistre_une_demande(
    stack: Stack, new_page: NewPage
) -> None:
    page = await new_page(javascript=False)
    await connecter(page, stack, "demo-agent-44")
    await page.get_by_role("link", name="Nouvelle demande").click()
    await remplir_menage_saint_nazaire(page, "KERVELLA")
    await page.locator("#champ-demandeur-courrier_papier").check()
    await page.get_by_role("button", name="Créer la demande").click()
    await flash(page, "Demande créée")
    await deposer_identite(page)
    await page.get_by_role("button", name="Enregistrer la demande").click()
    message = await flash(page, "numéro unique")
    numero = re.search(r"numéro unique (044\d{10}[A-Z0-9]{5})", message)
    assert numero, message

    # The attestation goes by post: it waits among the guichet's courriers to print.
    await page.get_by_role("link", name="Courriers").click()
    ligne = page.locator("tbody tr", has_text=numero.group(1))
    for _ in range(60):
        if await ligne.count():
            break
        await page.wait_for_timeout(500)
        await page.reload()
    async with page.expect_download() as telechargement:
        await ligne.get_by_role("link", name=re.compile("Imprimer")).click()
    assert (await telechargement.value).suggested_filename.endswith(".pdf")
    await ligne.get_by_role("button", name=re.compile("Marquer comme édité")).click()
    await flash(page, "Courrier marqué comme édité")


async def test_csrf_et_en_tetes_de_securite(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.base, timeout=20) as http:
        page = await http.get("/pro/connexion")
        jeton = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert jeton
        sans = await http.post(
            "/pro/connexion", data={"identifiant": "demo-agent-44", "mot_de_passe": MOT_DE_PASSE}
        )
        assert sans.status_code == 403 and "Formulaire refusé" in sans.text
        connecte = await http.post(
            "/pro/connexion",
            data={
                "identifiant": "demo-agent-44",
                "mot_de_passe": MOT_DE_PASSE,
                "csrf_token": jeton.group(1),
            },
        )
        assert connecte.status_code == 303
        cookie = connecte.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        valeur = cookie.split(";")[0].split("=", 1)[1]
        # A Fernet token (encrypted, authenticated), not a readable JWT (which has dots).
        assert valeur.startswith("gAAAAA") and "." not in valeur
        refuse = await http.post("/pro/demandes/nouvelle", data={"departement": "44"})
        assert refuse.status_code == 403
        demandes = await http.get("/pro/demandes")
        ident = re.search(r'href="/pro/demandes/([0-9a-f-]{36})"', demandes.text)
        assert ident
        taille = 0
        for chemin in (
            "/pro/",
            "/pro/connexion",
            "/pro/demandes",
            "/pro/demandes/nouvelle",
            f"/pro/demandes/{ident.group(1)}",
            f"/pro/demandes/{ident.group(1)}/pieces",
            "/pro/grilles",
            "/pro/nulle-part",
        ):
            reponse = await http.get(chemin)
            csp = reponse.headers["content-security-policy"]
            assert "unsafe-inline" not in csp and "script-src 'self'" in csp, chemin
            assert reponse.headers["x-frame-options"] == "DENY", chemin
            assert reponse.headers["x-content-type-options"] == "nosniff", chemin
            assert reponse.headers["cache-control"] == "no-store", chemin
            if chemin == "/pro/demandes/nouvelle":
                taille = len(reponse.content)
                for asset in re.findall(r'(?:href|src)="(/pro/static/[^"]+)"', reponse.text):
                    taille += len((await http.get(asset)).content)
        # The largest page, with its CSS and JavaScript, on a first load.
        assert taille < 100 * 1024, taille
        deconnexion = await http.post("/pro/deconnexion", data={"csrf_token": jeton.group(1)})
        assert deconnexion.status_code in (303, 403)


async def test_une_nouvelle_charte_est_a_accepter_a_la_connexion(
    stack: Stack, new_page: NewPage
) -> None:
    # Last of the module: every account must accept the new version from now on.
    await stack.api(
        "POST",
        "/api/identite/chartes",
        "demo-gestionnaire-44",
        json={
            "texte": "Charte déontologique, version de test.\n\nLes données servent à "
            "la gestion des demandes et des attributions, et à rien d'autre."
        },
    )
    page = await new_page()
    await page.goto(f"{stack.pro}/connexion")
    await page.locator("#champ-identifiant").fill("demo-reservataire-44")
    await page.locator("#champ-mot_de_passe").fill(MOT_DE_PASSE)
    await page.get_by_role("button", name="Se connecter").click()
    await page.get_by_role("heading", name=re.compile("Charte déontologique")).wait_for()
    await voir(page, "charte", capture=True)
    await page.get_by_role("button", name="Accepter la charte et continuer").click()
    await page.locator("#resume-erreurs").wait_for()  # the box is not ticked
    await page.get_by_label("J'ai lu la charte déontologique").check()
    await page.get_by_role("button", name="Accepter la charte et continuer").click()
    await flash(page, "Charte acceptée")
    await page.get_by_role("heading", name=re.compile("^Bonjour")).wait_for()
