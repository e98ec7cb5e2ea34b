"""The pull feed, the habilitation checks and the access matrix (real PostgreSQL, RabbitMQ)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import httpx
import jsonschema
import pytest
from toit_abonnements.service import service
from toit_abonnements.service_layer import retention

from servicekit.runtime import ServiceRuntime
from servicekit.testing import RuntimeFactory
from servicekit.testing_auth import assert_access_matrix, auth_headers
from toit_contracts.profils import PROFILS, schema_enveloppe

from .abonnements_harness import (
    GESTIONNAIRE_35,
    ORGANISATION,
    attendre,
    client,
    creer_abonnement,
    declarer_partenaire,
    jeton_client,
    modification,
    publier,
    publier_dans_l_ordre,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def runtime(runtime_factory: RuntimeFactory) -> ServiceRuntime:
    return await runtime_factory(service)


async def test_flux_dans_l_ordre_rejeu_depuis_un_curseur_et_retention(
    runtime: ServiceRuntime,
) -> None:
    async with client(runtime) as http:
        await declarer_partenaire(http, roles={"OBSERVATEUR"})
        creation = await creer_abonnement(http, profil="statistique")
        abonnement_id = creation["abonnement"]["id"]
        autre = await creer_abonnement(http, profil="statistique", nom="Autre")
        demandes = [uuid.uuid4() for _ in range(2)]
        await publier_dans_l_ordre(
            runtime, [[modification(d, v) for d in demandes] for v in (1, 2, 3)]
        )

        async def lire(**params: object) -> dict:  # type: ignore[type-arg]
            r = await http.get(
                "/api/abonnements/flux",
                params={"abonnement": abonnement_id, **params},
                headers=jeton_client(),
            )
            assert r.status_code == 200, r.text
            assert r.headers["cache-control"] == "no-store"
            return dict(r.json())

        async def six() -> bool:
            return len((await lire(limite=10))["evenements"]) == 6

        await attendre(six)
        page1 = await lire(limite=4)
        assert len(page1["evenements"]) == 4 and page1["encore"] is True
        page2 = await lire(apres=page1["curseur_suivant"], limite=4)
        assert len(page2["evenements"]) == 2 and page2["encore"] is False
        tous = page1["evenements"] + page2["evenements"]
        for e in tous:
            jsonschema.validate(e, schema_enveloppe(e["type"], PROFILS["statistique"]))
            assert "numero_unique" not in e["data"]  # statistical profile: pseudonymous
        for d in demandes:
            assert [e["data"]["version"] for e in tous if e["subject"] == str(d)] == [1, 2, 3]
        # Replay from a cursor: the same events, the same ids.
        rejeu = await lire(apres=page1["curseur_suivant"], limite=4)
        assert [e["id"] for e in rejeu["evenements"]] == [e["id"] for e in page2["evenements"]]
        # Nothing new: the cursor stays.
        vide = await lire(apres=page2["curseur_suivant"])
        assert vide["evenements"] == [] and vide["curseur_suivant"] == page2["curseur_suivant"]

        # A cursor of another subscription: 422, in French.
        r = await http.get(
            "/api/abonnements/flux",
            params={"abonnement": autre["abonnement"]["id"], "apres": page1["curseur_suivant"]},
            headers=jeton_client(),
        )
        assert r.status_code == 422
        assert r.json()["erreurs"][0]["message"] == "Ce curseur appartient à un autre abonnement"
        # Another organisation's client cannot use this cursor either.
        r = await http.get(
            "/api/abonnements/flux",
            params={"apres": page1["curseur_suivant"]},
            headers=jeton_client(str(uuid.uuid4())),
        )
        assert r.status_code == 422
        # A forged cursor: 422.
        r = await http.get(
            "/api/abonnements/flux",
            params={"abonnement": abonnement_id, "apres": "Zm9yZ2U"},
            headers=jeton_client(),
        )
        assert r.status_code == 422 and r.json()["erreurs"][0]["champ"] == "apres"

        # Retention: everything logged before a day far ahead is purged; the old cursor
        # is now out of retention (410), a fresh read starts after the purge.
        async with runtime.unit_of_work() as uow:
            await retention.appliquer(uow, date.today() + timedelta(days=400), 30, 365)
        r = await http.get(
            "/api/abonnements/flux",
            params={"abonnement": abonnement_id, "apres": page1["curseur_suivant"]},
            headers=jeton_client(),
        )
        assert r.status_code == 410
        assert "durée de conservation" in r.json()["detail"]
        assert (await lire())["evenements"] == []


async def test_abonnement_plus_large_que_l_habilitation_403_nommant_la_partie(
    runtime: ServiceRuntime,
) -> None:
    async with client(runtime) as http:
        await declarer_partenaire(http, roles={"RESERVATAIRE"}, epcis=["243500139"])
        base = {
            "organisation_id": ORGANISATION,
            "nom": "Trop large",
            "types": ["demande.modifiee"],
            "profil": "bailleur",
        }
        cas = [
            (
                {"perimetre": {"departements": ["35", "44"], "epcis": ["243500139"]}},
                "département 44",
            ),
            ({"perimetre": {"departements": ["35"]}}, "périmètre"),
            ({"perimetre": {"departements": ["35"], "communes": ["35288"]}}, "commune 35288"),
            (
                {
                    "perimetre": {"departements": ["35"], "epcis": ["243500139"]},
                    "complements": ["handicap"],
                },
                "complément handicap",
            ),
        ]
        for extra, partie in cas:
            r = await http.post(
                "/api/abonnements/abonnements",
                json={**base, **extra},
                headers=auth_headers(**GESTIONNAIRE_35),
            )
            assert r.status_code == 403, (partie, r.text)
            assert r.json()["partie"] == partie
            assert "habilitation" in r.json()["detail"]
        ok = await http.post(
            "/api/abonnements/abonnements",
            json={**base, "perimetre": {"departements": ["35"], "epcis": ["243500139"]}},
            headers=auth_headers(**GESTIONNAIRE_35),
        )
        assert ok.status_code == 201, ok.text
        # A gestionnaire of the 44 does not see (nor manage) the partner of the 35.
        r = await http.get(
            f"/api/abonnements/abonnements/{ok.json()['abonnement']['id']}",
            headers=auth_headers(roles={"GESTIONNAIRE_FICHIER"}, departements={"44"}),
        )
        assert r.status_code == 404
        # The partner's administrator sees its own subscriptions.
        r = await http.get(
            "/api/abonnements/abonnements",
            headers=auth_headers(
                roles={"ADMINISTRATEUR_ORGANISATION"},
                departements={"35"},
                organisation=ORGANISATION,
            ),
        )
        assert [a["nom"] for a in r.json()] == ["Trop large"]
        # A gestionnaire of the 35 cannot declare a partner in the 44.
        r = await http.post(
            "/api/abonnements/partenaires",
            json={
                "organisation_id": str(uuid.uuid4()),
                "nom": "Hors périmètre",
                "contact_email": "x@example.org",
                "roles": ["INSTRUCTEUR"],
                "habilitation": {"departements": ["44"]},
            },
            headers=auth_headers(**GESTIONNAIRE_35),
        )
        assert r.status_code == 403 and r.json()["partie"] == "département 44"


async def test_modification_avec_if_match_effet_au_prochain_evenement(
    runtime: ServiceRuntime,
) -> None:
    async with client(runtime) as http:
        await declarer_partenaire(http, roles={"OBSERVATEUR"})
        creation = await creer_abonnement(http, profil="statistique")
        a = creation["abonnement"]
        url = f"/api/abonnements/abonnements/{a['id']}"
        body = {
            "nom": a["nom"],
            "types": ["demande.radiee"],
            "perimetre": a["perimetre"],
            "profil": "statistique",
        }
        r = await http.put(url, json=body, headers=auth_headers(**GESTIONNAIRE_35))
        assert r.status_code == 428
        r = await http.put(
            url, json=body, headers={**auth_headers(**GESTIONNAIRE_35), "If-Match": '"7"'}
        )
        assert r.status_code == 412
        r = await http.put(
            url, json=body, headers={**auth_headers(**GESTIONNAIRE_35), "If-Match": '"1"'}
        )
        assert r.status_code == 200 and r.headers["etag"] == '"2"'
        await publier(runtime, modification(uuid.uuid4(), 1))
        r = await http.post(f"{url}/revocation", headers=auth_headers(**GESTIONNAIRE_35))
        assert r.json()["statut"] == "REVOQUE"
        r = await http.get(
            "/api/abonnements/flux", params={"abonnement": a["id"]}, headers=jeton_client()
        )
        assert r.status_code == 404


async def test_abonnements_matrice_d_acces(runtime: ServiceRuntime) -> None:
    await assert_access_matrix(
        runtime.app(manage_lifespan=False),
        path_params={"code": "bailleur", "event_type": "demande.modifiee", "cle": "essai"},
    )


async def test_une_habilitation_reduite_vaut_des_l_evenement_suivant(
    runtime: ServiceRuntime,
) -> None:
    """Issue 18 item 3: a narrower habilitation takes effect for the next event, whatever
    the subscriptions were created with: territory (events outside are no longer logged)
    and roles (a profile no longer granted is suspended and fed nothing)."""
    import sqlalchemy as sa
    from toit_abonnements.adapters.tables import journal

    async with client(runtime) as http:
        await declarer_partenaire(http, roles={"INSTRUCTEUR"})
        bailleur = (await creer_abonnement(http))["abonnement"]["id"]
        stats = (await creer_abonnement(http, profil="statistique", nom="Stats"))["abonnement"]
        d_rennes, d_ailleurs = uuid.uuid4(), uuid.uuid4()

        def vers(demande: uuid.UUID, version: int, commune: str):  # type: ignore[no-untyped-def]
            event = modification(demande, version)
            snapshot = event.snapshot.model_copy(
                update={
                    "logement_recherche": event.snapshot.logement_recherche.model_copy(
                        update={"communes": [commune]}
                    )
                }
            )
            return event.model_copy(update={"snapshot": snapshot})

        async def journal_de(abonnement_id: str) -> list[tuple[str, int]]:
            async with runtime.unit_of_work() as uow:
                rows = await uow.session.execute(
                    sa.select(journal.c.sujet, journal.c.position)
                    .where(journal.c.abonnement_id == abonnement_id)
                    .order_by(journal.c.position)
                )
            return [(r.sujet, r.position) for r in rows]

        await publier_dans_l_ordre(
            runtime, [[vers(d_rennes, 1, "35238"), vers(d_ailleurs, 1, "35288")]]
        )
        assert len(await journal_de(bailleur)) == 2

        # The gestionnaire narrows: Rennes only, and a role that grants statistics only.
        courant = await http.get(
            f"/api/abonnements/partenaires/{ORGANISATION}", headers=auth_headers(**GESTIONNAIRE_35)
        )
        r = await http.put(
            f"/api/abonnements/partenaires/{ORGANISATION}",
            json={
                "organisation_id": ORGANISATION,
                "nom": "Bailleur d'essai",
                "contact_email": "si@bailleur.example.org",
                "roles": ["OBSERVATEUR"],
                "habilitation": {"departements": ["35"], "communes": ["35238"]},
            },
            headers={**auth_headers(**GESTIONNAIRE_35), "If-Match": courant.headers["ETag"]},
        )
        assert r.status_code == 200, r.text
        a = await http.get(
            f"/api/abonnements/abonnements/{bailleur}", headers=auth_headers(**GESTIONNAIRE_35)
        )
        assert a.json()["statut"] == "SUSPENDU"

        await publier(runtime, vers(d_rennes, 2, "35238"), vers(d_ailleurs, 2, "35288"))

        async def stats_rennes() -> bool:
            return len(await journal_de(stats["id"])) == 3

        await attendre(stats_rennes)
        # Statistics: the Rennes demande only after the change; bailleur profile: nothing.
        assert [s for s, _ in await journal_de(stats["id"])][-1] == str(d_rennes)
        assert len(await journal_de(bailleur)) == 2


async def test_l_habilitation_suit_l_organisation_dans_identite(runtime: ServiceRuntime) -> None:
    """Issue 18: identite's organisation bounds the partner's habilitation. Its départements
    refuse a wider declaration; when identite narrows them, the partner's habilitation
    follows (for the next event), and is never widened by identite."""
    from toit_contracts.events import OrganisationEnregistree, OrganisationModifiee

    gestionnaire = {"roles": {"GESTIONNAIRE_FICHIER"}, "departements": {"35", "44"}}
    organisation = str(uuid.uuid4())
    commun = {
        "organisation_id": uuid.UUID(organisation),
        "nom": "Bailleur breton",
        "type": "BAILLEUR",
        "guichet_enregistreur": False,
        "reservataire": False,
        "bailleur": True,
    }
    await publier(runtime, OrganisationEnregistree(version=1, departements=["35"], **commun))

    async def partenaire(departements: list[str]) -> httpx.Response:
        return await http.post(
            "/api/abonnements/partenaires",
            json={
                "organisation_id": organisation,
                "nom": "Bailleur breton",
                "contact_email": "si@bailleur.example.org",
                "roles": ["INSTRUCTEUR"],
                "habilitation": {"departements": departements},
            },
            headers=auth_headers(**gestionnaire),
        )

    async with client(runtime) as http:

        async def connue() -> bool:
            from toit_abonnements.adapters import repository

            async with runtime.unit_of_work() as uow:
                return (
                    await repository.organisation_identite_de(uow.session, organisation) is not None
                )

        await attendre(connue)
        r = await partenaire(["35", "44"])
        assert r.json()["partie"] == "département 44", r.text
        assert (await partenaire(["35"])).status_code == 201

        # identite gives the organisation 44 only: nothing of 35 goes to the partner any more.
        abonnement = await creer_abonnement(http, organisation=organisation)
        assert abonnement["abonnement"]["statut"] == "ACTIF"
        await publier(runtime, OrganisationModifiee(version=2, departements=["44"], **commun))

        async def lire() -> dict:  # type: ignore[type-arg]
            r = await http.get(
                f"/api/abonnements/partenaires/{organisation}", headers=auth_headers(**gestionnaire)
            )
            return dict(r.json())

        async def suivie() -> bool:
            return (await lire())["departements_identite"] == ["44"]

        await attendre(suivie)
        assert (await lire())["habilitation"]["departements"] == ["35"]  # as declared
        r = await http.get(
            f"/api/abonnements/abonnements/{abonnement['abonnement']['id']}",
            headers=auth_headers(**gestionnaire),
        )
        assert r.json()["statut"] == "SUSPENDU"
        # An older copy of the organisation changes nothing (version order), and a demande
        # of 35 no longer enters the partner's log.
        import sqlalchemy as sa

        from servicekit.messaging.tables import inbox

        ids = await publier(
            runtime,
            OrganisationEnregistree(version=1, departements=["35"], **commun),
            modification(uuid.uuid4(), 1),
        )

        async def traites() -> bool:
            async with runtime.unit_of_work() as uow:
                n = await uow.session.scalar(
                    sa.select(sa.func.count()).where(inbox.c.event_id.in_(ids))
                )
            return n == 2

        await attendre(traites)
        assert (await lire())["departements_identite"] == ["44"]
        flux = await http.get(
            "/api/abonnements/flux",
            params={"abonnement": abonnement["abonnement"]["id"]},
            headers=jeton_client(organisation),
        )
        assert flux.status_code == 200, flux.text
        assert flux.json()["evenements"] == []
