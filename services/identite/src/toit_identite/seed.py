"""Demo data (demo mode only): organisations in 44 and 35, one account per role."""

from __future__ import annotations

from servicekit.auth import demo_id
from servicekit.runtime import ServiceRuntime
from toit_contracts.enums import Role, TypeOrganisation
from toit_identite import service_layer as uc
from toit_identite.adapters import annonces as depot_annonces
from toit_identite.adapters import repository as repo
from toit_identite.bootstrap import dependances
from toit_identite.domain.annonces import Annonce, NiveauAnnonce
from toit_identite.domain.model import Compte, Habilitation, Organisation, StatutCompte, TypeCompte

ORGANISATIONS = [
    Organisation(
        demo_id("org-gestionnaire-44"),
        "Gestionnaire du fichier 44 (démo)",
        TypeOrganisation.GESTIONNAIRE_FICHIER,
        ["44"],
        demo=True,
    ),
    Organisation(
        demo_id("org-bailleur-44"),
        "Atlantique Habitat (démo)",
        TypeOrganisation.BAILLEUR,
        ["44"],
        guichet_enregistreur=True,
        bailleur=True,
        code_guichet="BAT44",
        demo=True,
    ),
    Organisation(
        demo_id("org-commune-44"),
        "Ville de Nantes (démo)",
        TypeOrganisation.COMMUNE,
        ["44"],
        guichet_enregistreur=True,
        reservataire=True,
        code_guichet="NTE44",
        demo=True,
    ),
    Organisation(
        demo_id("org-etat-44"),
        "DDETS de Loire-Atlantique (démo)",
        TypeOrganisation.SERVICE_ETAT,
        ["44"],
        reservataire=True,
        demo=True,
    ),
    Organisation(
        demo_id("org-departement-44"),
        "Département de Loire-Atlantique (démo)",
        TypeOrganisation.DEPARTEMENT,
        ["44"],
        demo=True,
    ),
    Organisation(
        demo_id("org-epci-35"),
        "Rennes Métropole (démo)",
        TypeOrganisation.EPCI,
        ["35"],
        guichet_enregistreur=True,
        reservataire=True,
        code_guichet="REM35",
        demo=True,
    ),
]

# identifiant -> (organisation, role, département, nom, prénom)
AGENTS = {
    "demo-gestionnaire-44": (
        "org-gestionnaire-44",
        Role.GESTIONNAIRE_FICHIER,
        "44",
        "Gestion",
        "Gaëlle",
    ),
    "demo-admin-44": ("org-bailleur-44", Role.ADMINISTRATEUR_ORGANISATION, "44", "Admin", "Adrien"),
    "demo-agent-44": ("org-commune-44", Role.AGENT_ENREGISTREUR, "44", "Guichet", "Agathe"),
    "demo-instructeur-44": ("org-bailleur-44", Role.INSTRUCTEUR, "44", "Instruit", "Inès"),
    "demo-caleol-44": ("org-bailleur-44", Role.MEMBRE_CALEOL, "44", "Commission", "Camille"),
    # Two more members of the demo CALEOL (matching's seed): remote vote needs a quorum.
    "demo-caleol-2-44": ("org-bailleur-44", Role.MEMBRE_CALEOL, "44", "Locataires", "Louise"),
    # (the maire sits for the commune; his demo account hangs on the bailleur, which holds
    # the CALEOL capacity)
    "demo-caleol-maire-44": ("org-bailleur-44", Role.MEMBRE_CALEOL, "44", "Maire", "Marc"),
    "demo-reservataire-44": ("org-etat-44", Role.RESERVATAIRE, "44", "Réserve", "Rémi"),
    "demo-observateur-44": ("org-departement-44", Role.OBSERVATEUR, "44", "Statistique", "Odile"),
    "demo-agent-35": ("org-epci-35", Role.AGENT_ENREGISTREUR, "35", "Guichet", "Armel"),
}
DEMANDEUR_EMAIL = "demo-demandeur@example.org"
# The banner of the home page, as a gestionnaire would have published it (one per
# département of the demo): every professional of the département sees it.
ANNONCES_DEMO = {
    departement: (
        "Bienvenue dans la démonstration de Toit",
        "Cette annonce a été publiée par le gestionnaire du fichier (menu « Annonces ») : "
        "elle s'affiche sur la page d'accueil de chaque professionnel du département "
        f"{departement} jusqu'à son expiration.",
    )
    for departement in ("44", "35")
}


async def seed(runtime: ServiceRuntime) -> None:
    """Idempotent: what exists is left alone."""
    ctx = dependances(runtime).contexte
    password = ctx.settings.demo_password
    async with runtime.unit_of_work() as uow:
        charte = await repo.current_charte(uow.session)
        now = uc.contexte.maintenant_utc()
        for organisation in ORGANISATIONS:
            if await repo.get_organisation(uow.session, organisation.id) is None:
                await repo.add_organisation(uow.session, organisation, now)
        await uow.commit()
    for identifiant, (org, role, departement, nom, prenom) in AGENTS.items():
        async with runtime.unit_of_work() as uow:
            if await repo.identifiant_taken(uow.session, identifiant):
                continue
            await uc.comptes.creer_agent(
                uow,
                ctx,
                None,
                uc.comptes.NouveauCompte(
                    identifiant=identifiant,
                    email=f"{identifiant}@example.org",
                    nom=nom,
                    prenom=prenom,
                    organisation_id=demo_id(org),
                    habilitation=Habilitation(frozenset({role.value}), frozenset({departement})),
                ),
                password=password,
                demo=True,
                compte_id=demo_id(identifiant),
                weak_ok=True,
            )
    async with runtime.unit_of_work() as uow:
        # Demo accounts have accepted the charte: the demo shows the work, not the gate.
        for identifiant in AGENTS:
            compte = await repo.find_compte(uow.session, identifiant)
            if compte is not None and charte is not None and compte.charte_version is None:
                compte.charte_version = charte["version"]
                await repo.save_compte(uow.session, compte, expected_version=compte.version)
        if not await repo.identifiant_taken(uow.session, DEMANDEUR_EMAIL):
            await repo.add_compte(
                uow.session,
                Compte(
                    id=demo_id(DEMANDEUR_EMAIL),
                    kind=TypeCompte.DEMANDEUR,
                    identifiant=DEMANDEUR_EMAIL,
                    email=DEMANDEUR_EMAIL,
                    nom="Demandeur",
                    prenom="Dominique",
                    roles=[Role.DEMANDEUR.value],
                    statut=StatutCompte.ACTIF,
                    password_hash=ctx.hasher.hash(password),
                    cree_le=now,
                    actif_depuis=now,
                    demo=True,
                ),
            )
        for departement, (titre, texte) in ANNONCES_DEMO.items():
            annonce_id = demo_id(f"annonce-{departement}")
            if await depot_annonces.obtenir(uow.session, annonce_id) is None:
                auteur = demo_id("demo-gestionnaire-44")
                await depot_annonces.ajouter(
                    uow.session,
                    Annonce(
                        id=annonce_id,
                        departement=departement,
                        titre=titre,
                        texte=texte,
                        niveau=NiveauAnnonce.INFORMATION,
                        roles=frozenset(),
                        types_organisation=frozenset(),
                        debut=now,
                        fin=None,
                        cree_le=now,
                        cree_par=auteur,
                        modifie_le=now,
                        modifie_par=auteur,
                    ),
                )
        await uow.commit()
