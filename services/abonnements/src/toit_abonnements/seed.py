"""Demo data (demo mode only): two partners of the demo organisations and their
subscriptions, one pulled, one pushed to the demo sandbox receiver."""

from __future__ import annotations

from datetime import UTC, datetime

from servicekit.auth import demo_id
from servicekit.runtime import ServiceRuntime
from toit_abonnements.adapters import repository
from toit_abonnements.adapters.webhooks import nouveau_secret
from toit_abonnements.bootstrap import dependances
from toit_abonnements.domain.abonnements import Abonnement, Mode, Partenaire, Perimetre
from toit_contracts.profils import EVENEMENTS_PARTENAIRES

BAILLEUR = demo_id("org-bailleur-44")
EPCI = demo_id("org-epci-35")
BAC_A_SABLE = "atlantique-habitat"

PARTENAIRES = [
    Partenaire(
        BAILLEUR,
        "Atlantique Habitat (démo)",
        "si@atlantique-habitat.example.org",
        frozenset({"INSTRUCTEUR"}),
        Perimetre(frozenset({"44"})),
    ),
    Partenaire(
        EPCI,
        "Rennes Métropole (démo)",
        "observatoire@rennes-metropole.example.org",
        frozenset({"OBSERVATEUR"}),
        Perimetre(frozenset({"35"}), epcis=frozenset({"243500139"})),
    ),
]


def abonnements(url_publique: str) -> list[Abonnement]:
    tous = tuple(EVENEMENTS_PARTENAIRES)
    return [
        Abonnement(
            demo_id("abonnement-bailleur-44-flux"),
            BAILLEUR,
            "SI locatif — flux (démo)",
            tous,
            Perimetre(frozenset({"44"})),
            "bailleur",
            ("handicap",),
            Mode.FLUX,
        ),
        Abonnement(
            demo_id("abonnement-bailleur-44-webhook"),
            BAILLEUR,
            "SI locatif — webhook vers le bac à sable (démo)",
            tous,
            Perimetre(frozenset({"44"})),
            "bailleur",
            (),
            Mode.WEBHOOK,
            f"{url_publique}/api/abonnements/bac-a-sable/{BAC_A_SABLE}",
        ),
        Abonnement(
            demo_id("abonnement-epci-35-flux"),
            EPCI,
            "Observatoire métropolitain (démo)",
            tous,
            Perimetre(frozenset({"35"}), epcis=frozenset({"243500139"})),
            "statistique",
        ),
    ]


async def seed(runtime: ServiceRuntime) -> None:
    url = dependances(runtime).settings.abonnements_url_publique
    maintenant = datetime.now(UTC)
    async with runtime.unit_of_work() as uow:
        for p in PARTENAIRES:
            if await repository.partenaire_par_id(uow.session, p.organisation_id) is None:
                await repository.enregistrer_partenaire(
                    uow.session, p, maintenant, nouveau=True, demo=True
                )
        for a in abonnements(url):
            if await repository.abonnement_par_id(uow.session, a.id) is None:
                secret = nouveau_secret() if a.mode is Mode.WEBHOOK else None
                await repository.inserer_abonnement(uow.session, a, secret, maintenant)
        await uow.commit()
