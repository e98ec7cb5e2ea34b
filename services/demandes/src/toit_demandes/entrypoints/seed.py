"""Demo data (mode demo): a few dozen fictitious demandes in Loire-Atlantique and
Ille-et-Vilaine, in every status, created through the use cases so that their historique
and events are the real ones. Idempotent: does nothing when demandes exist."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
import structlog
import toit_referentiel

from servicekit.auth import demo_id
from servicekit.runtime import ServiceRuntime
from toit_contracts.enums import MotifIrrecevabilite, MotifRadiation, OrigineDecision
from toit_demandes import service_layer as uc
from toit_demandes.adapters.tables import demandes
from toit_demandes.domain.autorite import Autorite
from toit_demandes.domain.demande import DecisionIrrecevabilite, Intervenant, TypeIntervenant
from toit_demandes.domain.saisie import DemandeSaisie
from toit_demandes.entrypoints.http import TAILLE_MAX_PIECE, stockage
from toit_demandes.exemples import demande_exemple

log = structlog.get_logger(__name__)

NOMBRE_PAR_DEPARTEMENT = 20
# identite's demo applicant (toit_identite.seed.DEMANDEUR_EMAIL): owns one demo demande.
DEMANDEUR_DEMO = "demo-demandeur@example.org"
GUICHETS = {"44": "NMH44", "35": "ARH35"}
NOMS = [
    "MARTIN",
    "BERNARD",
    "LE GALL",
    "THOMAS",
    "PETIT",
    "GUEGUEN",
    "ROBERT",
    "RICHARD",
    "DURAND",
    "LE ROUX",
    "MOREAU",
    "SIMON",
    "LAURENT",
    "LEFEBVRE",
    "MICHEL",
    "GARCIA",
    "DAVID",
    "BERTRAND",
    "ROUX",
    "VINCENT",
    "FOURNIER",
    "MOREL",
    "GIRARD",
    "ANDRE",
]
PRENOMS_F = ["Anne", "Marie", "Léa", "Camille", "Nathalie", "Sophie", "Inès", "Chloé"]
PRENOMS_M = ["Jean", "Yann", "Lucas", "Mohamed", "Pierre", "Erwan", "Hugo", "Karim"]
LOGEMENTS = [
    "LOCATAIRE_PARC_PRIVE",
    "HEBERGE_CHEZ_PARENTS",
    "LOCATAIRE_HLM",
    "HEBERGE_CHEZ_TIERS",
    "STRUCTURE_HEBERGEMENT",
    "PROPRIETAIRE",
]
MOTIFS = [
    "LOGEMENT_TROP_CHER",
    "LOGEMENT_TROP_PETIT",
    "DIVORCE_SEPARATION",
    "SANS_LOGEMENT",
    "RAPPROCHEMENT_TRAVAIL",
    "LOGEMENT_NON_DECENT",
    "DECOHABITATION",
    "HANDICAP",
]
# Statuses drawn for the demo demandes, with their weights.
PARCOURS = [
    ("BROUILLON", 2),
    ("A_VALIDER", 1),
    ("ACTIVE", 10),
    ("RENOUVELEE", 3),
    ("EXPIREE", 1),
    ("PREAVIS", 1),
    ("RADIEE", 2),
]
PDF_DEMO = b"%PDF-1.4\n% document de demonstration\n%%EOF\n"


def _demande(
    hasard: random.Random, departement: str, communes: list[str], depot: date
) -> dict[str, Any]:
    femme = hasard.random() < 0.6
    nom = hasard.choice(NOMS)
    naissance = date(hasard.randint(1950, 2004), hasard.randint(1, 12), hasard.randint(1, 28))
    enfants = hasard.choice([0, 0, 1, 2, 3])
    couple = hasard.random() < 0.35
    salaire = hasard.randrange(0, 2600, 50)
    typologie = min(1 + enfants + couple, 5)
    return demande_exemple(
        departement=departement,
        date_depot=depot.isoformat(),
        demandeur={
            "civilite": "MME" if femme else "M",
            "nom_naissance": nom,
            "prenoms": hasard.choice(PRENOMS_F if femme else PRENOMS_M),
            "date_naissance": naissance.isoformat(),
            "nationalite": "FRANCAISE",
            "situation_familiale": "MARIE"
            if couple
            else hasard.choice(["CELIBATAIRE", "DIVORCE", "SEPARE"]),
            "email": f"{nom.lower().replace(' ', '')}.{hasard.randint(1, 999)}@example.org",
            "adresse": {
                "ligne1": f"{hasard.randint(1, 90)} rue des Tilleuls",
                "code_postal": "44000" if departement == "44" else "35000",
                "commune_insee": communes[0],
            },
        },
        codemandeurs=[
            {
                "civilite": "M" if femme else "MME",
                "nom_naissance": hasard.choice(NOMS),
                "prenoms": hasard.choice(PRENOMS_M if femme else PRENOMS_F),
                "date_naissance": naissance.replace(year=naissance.year - 1).isoformat(),
                "nationalite": "FRANCAISE",
            }
        ]
        if couple
        else [],
        occupants=[
            {
                "prenoms": "Enfant",
                "nom": nom,
                "date_naissance": date(hasard.randint(2008, 2024), 6, 1).isoformat(),
                "lien": "ENFANT",
                "a_charge": True,
            }
            for _ in range(enfants)
        ],
        ressources=[
            {
                "personne": "demandeur",
                "type": "SALAIRE" if salaire else "RSA",
                "montant_mensuel": salaire or 640,
            }
        ],
        revenu_fiscal_reference=[{"annee": depot.year - 2, "montant": salaire * 11}],
        logement_actuel={
            "type": hasard.choice(LOGEMENTS),
            "loyer_mensuel": hasard.randrange(300, 900, 10),
        },
        motifs=[{"code": hasard.choice(MOTIFS), "principal": True}],
        logement_recherche={
            "typologies": [f"T{typologie}", f"T{typologie + 1}"],
            "type": "INDIFFERENT",
            "communes": hasard.sample(communes[:8], 2),
        },
    )


async def charger_demo(runtime: ServiceRuntime) -> None:
    async with runtime.unit_of_work() as uow:
        if (await uow.session.execute(sa.select(demandes.c.id).limit(1))).first():
            return
    hasard = random.Random(44035)
    aujourd_hui = date.today()
    for departement, guichet in GUICHETS.items():
        communes = [
            c.insee
            for c in sorted(
                toit_referentiel.communes_of_departement(departement), key=lambda c: -c.population
            )
        ]
        agent = Intervenant(
            TypeIntervenant.AGENT, f"agent-demo-{departement}", f"bailleur-demo-{departement}"
        )
        for _ in range(NOMBRE_PAR_DEPARTEMENT):
            depot = aujourd_hui - timedelta(days=hasard.randint(20, 330))
            parcours = hasard.choices([p for p, _ in PARCOURS], [w for _, w in PARCOURS])[0]
            if parcours == "EXPIREE":
                depot = aujourd_hui - timedelta(days=hasard.randint(370, 390))
            elif parcours == "A_VALIDER":
                # Online submissions wait days, not months: older ones are purged
                # (a_valider.conservation_mois); some are past the validation delay.
                depot = aujourd_hui - timedelta(days=(aujourd_hui - depot).days % 45 + 1)
            await _parcourir(
                runtime,
                _demande(hasard, departement, communes, depot),
                parcours,
                agent,
                guichet,
                depot,
            )
    await _demande_du_demandeur_demo(runtime, aujourd_hui)
    log.info("demandes.demo_chargee", nombre=NOMBRE_PAR_DEPARTEMENT * len(GUICHETS) + 1)


async def _demande_du_demandeur_demo(runtime: ServiceRuntime, aujourd_hui: date) -> None:
    """The demo applicant's own demande (identite's demo account demo-demandeur): made at
    a guichet of Loire-Atlantique, registered, attached to the account, so that the
    portail's espace personnel shows it (issue 15)."""
    agent = Intervenant(TypeIntervenant.AGENT, "agent-demo-44", "bailleur-demo-44")
    depot = aujourd_hui - timedelta(days=200)
    donnees = demande_exemple(
        date_depot=depot.isoformat(),
        demandeur={
            **demande_exemple()["demandeur"],
            "nom_naissance": "DEMO",
            "prenoms": "Camille",
            "email": DEMANDEUR_DEMO,
        },
    )
    await _parcourir(
        runtime,
        donnees,
        "ACTIVE",
        agent,
        GUICHETS["44"],
        depot,
        proprietaire=demo_id(DEMANDEUR_DEMO),
    )


async def _parcourir(
    runtime: ServiceRuntime,
    donnees: dict[str, Any],
    parcours: str,
    agent: Intervenant,
    guichet: str,
    depot: date,
    proprietaire: str | None = None,
) -> None:
    def ctx(jour: date) -> uc.commun.Contexte:
        return uc.commun.Contexte(agent, datetime.combine(jour, time(10), tzinfo=UTC))

    def libre(_demande: Any) -> None:
        return None

    saisie = DemandeSaisie.model_validate(donnees)
    async with runtime.unit_of_work() as uow:
        demande, _ = await uc.saisie.creer(
            uow, saisie, ctx(depot), proprietaire, libre, Autorite.totale()
        )
    if parcours == "BROUILLON":
        return
    if parcours == "A_VALIDER":
        async with runtime.unit_of_work() as uow:
            await uc.cycle_de_vie.soumettre(uow, demande.id, ctx(depot), libre)
        return
    async with runtime.unit_of_work() as uow:
        await uc.pieces.deposer_piece(
            uow,
            stockage(runtime),
            demande.id,
            "PIECE_IDENTITE",
            "demandeur",
            uc.pieces.Fichier("identite.pdf", PDF_DEMO),
            TAILLE_MAX_PIECE,
            ctx(depot),
            libre,
        )
    async with runtime.unit_of_work() as uow:
        await uc.cycle_de_vie.enregistrer(uow, demande.id, guichet, ctx(depot), libre)
    suite = depot + timedelta(days=20)
    if parcours == "RENOUVELEE" and suite < date.today():
        async with runtime.unit_of_work() as uow:
            await uc.cycle_de_vie.renouveler(uow, demande.id, ctx(suite), libre)
    elif parcours == "EXPIREE":
        await uc.taches.taches_quotidiennes(runtime.unit_of_work, date.today(), stockage(runtime))
    elif parcours == "PREAVIS":
        async with runtime.unit_of_work() as uow:
            await uc.cycle_de_vie.radier(
                uow,
                demande.id,
                MotifRadiation.IRRECEVABILITE,
                MotifIrrecevabilite.PLAFOND_RESSOURCES,
                ctx(date.today()),
                libre,
                DecisionIrrecevabilite(
                    OrigineDecision.CALEOL,
                    "R441-2-8 CCH : ressources du ménage supérieures au plafond PLUS",
                    date.today(),
                    "CALEOL-DEMO-1",
                ),
            )
    elif parcours == "RADIEE":
        motif = random.Random(str(demande.id)).choice(
            [MotifRadiation.ATTRIBUTION, MotifRadiation.RENONCIATION]
        )
        async with runtime.unit_of_work() as uow:
            await uc.cycle_de_vie.radier(
                uow, demande.id, motif, None, ctx(max(suite, depot)), libre
            )
