"""Demo data (demo mode only): a stock of units in Loire-Atlantique for the demo bailleur,
reservation conventions with the demo réservataires, and a few vacancies. Idempotent:
the stock goes through the same import as a bailleur's file (a re-run changes nothing)."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import toit_referentiel as ref

from servicekit.auth import Principal, demo_id
from servicekit.runtime import ServiceRuntime
from toit_matching.adapters import repository as repo
from toit_matching.bootstrap import dependances
from toit_matching.domain.caleol import Membre, Qualite
from toit_matching.domain.erreurs import Conflit
from toit_matching.domain.import_stock import Format
from toit_matching.domain.patrimoine import COLONNES, Contingent
from toit_matching.service_layer import commissions, conventions, patrimoine, vacances
from toit_matching.service_layer.acces import Acteur

BAILLEUR = demo_id("org-bailleur-44")
ETAT = demo_id("org-etat-44")
NANTES_VILLE = demo_id("org-commune-44")
ACTION_LOGEMENT = "action-logement-44-demo"
NANTES_METROPOLE = "244400404"
UNITES = 400
RESIDENCES = ["Les Tilleuls", "Le Clos", "Les Acacias", "Bellevue", "Le Parc"]

_LOYER_M2 = {
    "PLAI": Decimal("5.6"),
    "PLUS": Decimal("6.4"),
    "PLS": Decimal("9.1"),
    "PLI": Decimal("11.0"),
}
_SURFACE = {"CHAMBRE": 18, "T1": 30, "T2": 47, "T3": 65, "T4": 80, "T5": 95, "T6": 110}


def stock_demo(nombre: int = UNITES, graine: int = 44) -> bytes:
    """A deterministic CSV stock in Loire-Atlantique (three quarters in Nantes Métropole)."""
    hasard = random.Random(graine)
    metropole = [c for c in ref.communes_of_epci(NANTES_METROPOLE)]
    autres = [
        c
        for c in ref.communes_of_departement("44")
        if c.epci_siren != NANTES_METROPOLE and c.population > 5000
    ]
    lignes = [";".join(COLONNES)]
    for i in range(nombre):
        commune = hasard.choice(metropole if i % 4 else autres)
        if commune.insee == "44109" or i % 7 == 0:
            commune = ref.commune("44109") or commune
        typologie = hasard.choices(["T1", "T2", "T3", "T4", "T5"], [10, 30, 35, 20, 5])[0]
        financement = hasard.choices(["PLAI", "PLUS", "PLS"], [25, 60, 15])[0]
        surface = _SURFACE[typologie] + hasard.randint(-6, 8)
        loyer = (_LOYER_M2[financement] * surface).quantize(Decimal("0.01"))
        etage = hasard.randint(0, 8)
        position = ref.rapprochement.position_commune(commune.insee)
        valeurs = {
            "rpls": f"{commune.insee}{i:06d}",
            "programme": f"Programme {i // 25 + 1}",
            "residence": "Résidence " + hasard.choice(RESIDENCES),
            "adresse": f"{hasard.randint(1, 120)} rue des Écoles",
            "code_postal": commune.codes_postaux[0],
            "commune_insee": commune.insee,
            "qpv": "oui" if hasard.random() < 0.3 else "non",
            "typologie": typologie,
            "surface_m2": str(surface),
            "etage": str(etage),
            "ascenseur": "oui" if etage >= 3 or hasard.random() < 0.3 else "non",
            "accessibilite": hasard.choices(
                ["NON", "ADAPTABLE", "ACCESSIBLE", "ADAPTE"], [60, 20, 15, 5]
            )[0],
            "financement": financement,
            "loyer": str(loyer),
            "charges": str(Decimal(40 + surface).quantize(Decimal("0.01"))),
            "chauffage": hasard.choice(["INDIVIDUEL", "COLLECTIF"]),
            "eau": hasard.choice(["INDIVIDUEL", "COLLECTIF"]),
            "contingent": "",
            "latitude": ""
            if position is None
            else f"{position[0] + hasard.uniform(-0.01, 0.01):.5f}",
            "longitude": ""
            if position is None
            else f"{position[1] + hasard.uniform(-0.01, 0.01):.5f}",
        }
        lignes.append(";".join(valeurs[c] for c in COLONNES))
    return ("\n".join(lignes) + "\n").encode()


def _bailleur() -> Acteur:
    return Acteur(
        Principal(
            sub=demo_id("demo-instructeur-44"),
            kind="agent",
            organisation=BAILLEUR,
            organisation_type="BAILLEUR",
            roles=frozenset({"INSTRUCTEUR"}),
            departements=frozenset({"44"}),
        )
    )


async def charger_demo(runtime: ServiceRuntime) -> None:
    deps = dependances(runtime)
    acteur = _bailleur()
    async with runtime.unit_of_work() as uow:
        await patrimoine.importer_stock(
            uow, deps, acteur, stock_demo(), Format.CSV, nom_fichier="stock-demo-44.csv"
        )
    annee = datetime.now(UTC).year
    for reservataire, nom, commune, parts in (
        (
            ETAT,
            "DDETS de Loire-Atlantique (démo)",
            None,
            {Contingent.ETAT_PRIORITAIRES: Decimal(25), Contingent.ETAT_FONCTIONNAIRES: Decimal(5)},
        ),
        (
            ACTION_LOGEMENT,
            "Action Logement Services (démo)",
            None,
            {Contingent.ACTION_LOGEMENT: Decimal(30)},
        ),
        (NANTES_VILLE, "Ville de Nantes (démo)", "44109", {Contingent.COLLECTIVITES: Decimal(15)}),
    ):
        async with runtime.unit_of_work() as uow:
            try:
                await conventions.creer_convention(
                    uow,
                    acteur,
                    bailleur_id=None,
                    reservataire_id=reservataire,
                    reservataire_nom=nom,
                    departement="44",
                    commune=commune,
                    annee=annee,
                    parts=parts,
                )
            except Conflit:
                pass
    await _commission_demo(runtime)
    async with runtime.unit_of_work() as uow:
        if await repo.lister_vacances(uow.session, bailleur_id=BAILLEUR, limite=1):
            return
    debut = datetime.now(UTC).date() + timedelta(days=20)
    rpls = ["44109000000", "44109000007", "44109000014", "44109000021", "44109000028"]
    for index, numero in enumerate(rpls):
        async with runtime.unit_of_work() as uow:
            vacance = await vacances.declarer_vacance(
                uow,
                acteur,
                rpls=numero,
                type=vacances.TypeVacance.PREAVIS,
                date_disponibilite=debut + timedelta(days=7 * index),
            )
        if index < 2:
            async with runtime.unit_of_work() as uow:
                await vacances.orienter(
                    uow,
                    acteur,
                    vacance["id"],
                    version_attendue=None,
                    contingent=Contingent.ETAT_PRIORITAIRES,
                    reservataire_id=ETAT,
                    motif_hors_flux=None,
                )


async def _commission_demo(runtime: ServiceRuntime) -> None:
    """The demo CALEOL of the demo bailleur: Camille presides, Louise represents the tenants,
    Marc is the maire of Nantes (casting vote); one remote session to come."""
    acteur = _bailleur()
    async with runtime.unit_of_work() as uow:
        if await commissions.lister_commissions(uow, acteur):
            return
        commission = await commissions.creer_commission(
            uow,
            acteur,
            nom="CALEOL Atlantique Habitat — Nantes Métropole (démo)",
            departement="44",
            territoire="Nantes Métropole",
            epci_preponderant=False,
        )
    for identifiant, nom, qualite, extra in (
        ("demo-caleol-44", "Camille Commission", Qualite.ADMINISTRATEUR, {"president": True}),
        ("demo-caleol-2-44", "Louise Locataires", Qualite.REPRESENTANT_LOCATAIRES, {}),
        ("demo-caleol-maire-44", "Marc Maire", Qualite.MAIRE, {"commune": "44109"}),
    ):
        async with runtime.unit_of_work() as uow:
            membre = Membre(uuid.uuid4(), demo_id(identifiant), nom, qualite, **extra)
            await commissions.ajouter_membre(uow, acteur, commission["id"], membre)
    async with runtime.unit_of_work() as uow:
        await commissions.creer_seance(
            uow,
            acteur,
            commission["id"],
            reference="CAL-DEMO-44-1",
            date_seance=datetime.now(UTC) + timedelta(days=7),
            mode="NUMERIQUE",
        )


__all__ = ["charger_demo", "date", "stock_demo"]
