"""Bad input answers 422 naming the field, in French; access rules; search; duplicates; pièces."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from toit_demandes.exemples import DEMANDE_EXEMPLE, demande_exemple

from servicekit.runtime import ServiceRuntime
from servicekit.testing_auth import auth_headers

from .conftest import PDF, Evenements, creer_enregistrer

DEMANDEUR = DEMANDE_EXEMPLE["demandeur"]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def champs(reponse: httpx.Response) -> dict[str, str]:
    assert reponse.status_code == 422, reponse.text
    return {e["champ"]: e["message"] for e in reponse.json()["erreurs"]}


@pytest.mark.parametrize(
    ("demande", "champ", "extrait"),
    [
        (
            demande_exemple(demandeur={**DEMANDEUR, "date_naissance": "2999-01-01"}),
            "demandeur.date_naissance",
            "la date est dans le futur",
        ),
        (
            demande_exemple(logement_recherche={"typologies": ["T2"], "communes": ["44999"]}),
            "logement_recherche.communes[0]",
            "commune inconnue",
        ),
        (
            demande_exemple(logement_recherche={"typologies": ["T2"], "communes": ["35238"]}),
            "logement_recherche.communes[0]",
            "n'est pas dans le département 44",
        ),
        (
            demande_exemple(logement_recherche={"typologies": ["T2"], "communes": ["4410"]}),
            "logement_recherche.communes[0]",
            "code INSEE de commune invalide",
        ),
        (
            demande_exemple(
                ressources=[{"personne": "demandeur", "type": "SALAIRE", "montant_mensuel": -5}]
            ),
            "ressources[0].montant_mensuel",
            "supérieur ou égal à 0",
        ),
        (
            demande_exemple(occupants=[{"prenoms": "Léo", "nom": "DURAND", "lien": "ENFANT"}]),
            "occupants[0].date_naissance",
            "champ obligatoire",
        ),
        (
            demande_exemple(
                ressources=[{"personne": "codemandeur", "type": "SALAIRE", "montant_mensuel": 5}]
            ),
            "ressources[0].personne",
            "aucune personne du ménage",
        ),
        (
            demande_exemple(motifs=[{"code": "LOGEMENT_TROP_CHER"}]),
            "motifs",
            "un et un seul motif principal",
        ),
        (demande_exemple(departement="75"), "departement", "hors du fichier partagé"),
        (
            demande_exemple(demandeur={**DEMANDEUR, "nir": "185067510912345"}),
            "demandeur.nir",
            "numéro de sécurité sociale invalide",
        ),
        (
            demande_exemple(demandeur={**DEMANDEUR, "civilite": "DR"}),
            "demandeur.civilite",
            "valeur inconnue",
        ),
        # Dates outside plausible bounds (issue 10 item 7): refused, never stored.
        (
            demande_exemple(
                logement_actuel={"type": "LOCATAIRE_PARC_PRIVE", "depuis": "0001-01-01"}
            ),
            "logement_actuel.depuis",
            "date invraisemblable : antérieure au 01/01/1900",
        ),
        (
            demande_exemple(demandeur={**DEMANDEUR, "date_naissance": "0001-01-01"}),
            "demandeur.date_naissance",
            "date invraisemblable",
        ),
        (demande_exemple(date_depot="0001-01-01"), "date_depot", "date invraisemblable"),
    ],
)
async def test_creation_refusee_avec_le_champ_en_cause(
    client: httpx.AsyncClient,
    agent: dict[str, str],
    demande: dict[str, Any],
    champ: str,
    extrait: str,
) -> None:
    erreurs = champs(await client.post("/api/demandes", json=demande, headers=agent))
    assert champ in erreurs, erreurs
    assert extrait in erreurs[champ]


async def test_patch_invalide_ne_change_rien(
    client: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    cree = (await client.post("/api/demandes", json=demande_exemple(), headers=agent)).json()
    url = f"/api/demandes/{cree['id']}"
    entetes = {**agent, "If-Match": '"1"'}
    erreurs = champs(
        await client.patch(
            url, headers=entetes, json={"demandeur": {"date_naissance": "2999-01-01"}}
        )
    )
    assert erreurs == {"demandeur.date_naissance": "la date est dans le futur"}
    # Never written, or not the agent's: 403 naming the field (issue 10).
    for interdit in ({"statut": "ACTIVE"}, {"date_depot": "2020-01-01"}):
        r = await client.patch(url, headers=entetes, json=interdit)
        assert r.status_code == 403 and [e["champ"] for e in r.json()["erreurs"]] == [*interdit]
    non_json = await client.patch(
        url, headers={**entetes, "Content-Type": "text/plain"}, content=b"x"
    )
    assert non_json.status_code == 415
    vide = await client.patch(url, headers=entetes, json={})
    assert vide.status_code == 200 and vide.json()["version"] == 1
    suppression = await client.patch(
        url, headers=entetes, json={"codemandeurs": [], "occupants": []}
    )
    assert suppression.status_code == 200 and suppression.json()["occupants"] == []
    perime = await client.patch(url, headers=entetes, json={"enfants_a_naitre": 1})
    assert perime.status_code == 412


async def test_handicap_reserve_et_consultation_tracee(
    runtime: ServiceRuntime, client: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    demande = demande_exemple(
        complement_handicap=[
            {"personne": "demandeur", "carte_invalidite": True, "fauteuil_roulant": True}
        ]
    )
    cree = (await client.post("/api/demandes", json=demande, headers=agent)).json()
    assert cree["complement_handicap"][0]["fauteuil_roulant"] is True
    assert cree["derives"]["categorie_menage"] == 3  # the increments do not add up
    reservataire = auth_headers(roles={"RESERVATAIRE"}, departements={"44"})
    lue = await client.get(f"/api/demandes/{cree['id']}", headers=reservataire)
    assert lue.status_code == 200
    assert lue.json()["complement_handicap"] is None
    ailleurs = auth_headers(roles={"AGENT_ENREGISTREUR"}, departements={"35"})
    assert (await client.get(f"/api/demandes/{cree['id']}", headers=ailleurs)).status_code == 404
    import sqlalchemy as sa

    from servicekit.messaging.tables import consultation

    async with runtime.unit_of_work() as uow:
        traces = (
            (
                await uow.session.execute(
                    sa.select(consultation.c.record_id).where(
                        consultation.c.record_type == "demande"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert traces == [cree["id"]]


async def test_recherche_paginee_et_triee(client: httpx.AsyncClient, agent: dict[str, str]) -> None:
    for nom in ("DURAND", "Durand-Le Gall", "MARTIN"):
        await client.post(
            "/api/demandes",
            headers=agent,
            json=demande_exemple(demandeur={**DEMANDEUR, "nom_naissance": nom}),
        )
    page = (
        await client.get(
            "/api/demandes", headers=agent, params={"nom": "durand", "tri": "nom", "par_page": 1}
        )
    ).json()
    assert page["total"] == 2 and len(page["elements"]) == 1
    assert page["elements"][0]["nom"] == "DURAND"
    commune = (
        await client.get(
            "/api/demandes", headers=agent, params={"commune": "44162", "typologie": "T3"}
        )
    ).json()
    assert commune["total"] == 3
    autre_dept = auth_headers(roles={"AGENT_ENREGISTREUR"}, departements={"35"})
    assert (await client.get("/api/demandes", headers=autre_dept)).json()["total"] == 0
    mauvais = await client.get("/api/demandes", headers=agent, params={"numero_unique": "123"})
    assert "numero_unique" in champs(mauvais)


async def test_recherche_par_nom_de_naissance_ou_d_usage(
    client: httpx.AsyncClient, agent: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # (nom de naissance, nom d'usage, prénoms): the prefix "LE" matches the first four,
    # by either name; the fourth by both (listed once); the last by neither.
    personnes = [
        ("LEROY", None, "Zoé"),
        ("MARTIN", "Le Gall", "Anne"),
        ("LEBRUN", None, "Paul"),
        ("LEFEVRE", "Lemaire", "Jean"),
        ("BERNARD", "Martin", "Luc"),
    ]
    for nom, usage, prenoms in personnes:
        demandeur = {**DEMANDEUR, "nom_naissance": nom, "prenoms": prenoms}
        if usage:
            demandeur["nom_usage"] = usage
        cree = await client.post(
            "/api/demandes", headers=agent, json=demande_exemple(demandeur=demandeur)
        )
        assert cree.status_code == 201, cree.text

    async def chercher(**params: Any) -> dict[str, Any]:
        reponse = await client.get("/api/demandes", headers=agent, params=params)
        assert reponse.status_code == 200, reponse.text
        return reponse.json()  # type: ignore[no-any-return]

    # Sorted by nom de naissance, whichever name matched; shown under the nom d'usage.
    page = await chercher(nom="le", tri="nom")
    assert [e["nom"] for e in page["elements"]] == ["LEBRUN", "Lemaire", "LEROY", "Le Gall"]
    assert page["total"] == 4 and page["total_exact"] is True
    # Pages are cut from both names together.
    deuxieme = await chercher(nom="le", tri="nom", par_page=3, page=2)
    assert [e["nom"] for e in deuxieme["elements"]] == ["Le Gall"]
    assert (await chercher(nom="le", tri="nom", par_page=3, page=3))["elements"] == []
    assert [e["nom"] for e in (await chercher(nom="le gal"))["elements"]] == ["Le Gall"]
    assert (await chercher(nom="lez"))["total"] == 0
    par_date = await chercher(nom="le", tri="date_depot")
    assert sorted(e["nom"] for e in par_date["elements"]) == sorted(
        e["nom"] for e in page["elements"]
    )

    # Past the bound, the total is a floor and says so; the pages still come.
    from toit_demandes.adapters.repository import recherche

    monkeypatch.setattr(recherche, "LIMITE_TOTAL", 2)
    borne = await chercher(nom="le", tri="nom", par_page=1, page=4)
    assert (borne["total"], borne["total_exact"]) == (2, False)
    assert [e["nom"] for e in borne["elements"]] == ["Le Gall"]


async def test_doublons_signales_puis_fusionnes(
    client: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    premiere = await creer_enregistrer(client, agent, demande_exemple())
    variante = {**DEMANDEUR, "nom_naissance": "Dûrand", "prenoms": "anne, Marie"}
    seconde = await client.post(
        "/api/demandes", headers=agent, json=demande_exemple(demandeur=variante)
    )
    doublons = seconde.json()["doublons"]
    assert [d["numero_unique"] for d in doublons] == [premiere["numero_unique"]]
    assert premiere["numero_unique"] in doublons[0]["message"]
    par_nom_usage = await client.get(
        "/api/demandes/doublons",
        headers=agent,
        params={
            "departement": "44",
            "nom": "X",
            "nom_usage": "DURAND",
            "prenoms": "Anne",
            "date_naissance": DEMANDEUR["date_naissance"],
        },
    )
    assert len(par_nom_usage.json()) == 2

    gestionnaire = auth_headers(roles={"GESTIONNAIRE_FICHIER"}, departements={"44"})
    url_fusion = f"/api/demandes/{premiere['id']}/doublons/{seconde.json()['id']}/fusion"
    assert (await client.post(url_fusion, headers=agent)).status_code == 403
    fusion = await client.post(url_fusion, headers=gestionnaire)
    assert fusion.status_code == 200, fusion.text
    historique = (
        await client.get(f"/api/demandes/{premiere['id']}/historique", headers=agent)
    ).json()
    assert [h["type"] for h in historique].count("CREATION") == 2
    assert historique[-1]["type"] == "FUSION"


async def test_pieces_type_lu_dans_le_contenu(
    client: httpx.AsyncClient, agent: dict[str, str], evenements: Evenements
) -> None:
    cree = (await client.post("/api/demandes", json=demande_exemple(), headers=agent)).json()
    url = f"/api/demandes/{cree['id']}/pieces"
    faux_pdf = await client.post(
        url,
        headers=agent,
        data={"type": "PIECE_IDENTITE", "personne": "demandeur"},
        files={"fichier": ("cni.pdf", b"MZ\x90\x00", "application/pdf")},
    )
    assert "format non accepté" in champs(faux_pdf)["fichier"]
    inconnu = await client.post(
        url,
        headers=agent,
        data={"type": "PHOTO", "personne": "x"},
        files={"fichier": ("a.png", PNG, "image/png")},
    )
    assert set(champs(inconnu)) == {"type", "personne"}
    png = await client.post(
        url,
        headers=agent,
        data={"type": "BAIL_QUITTANCES"},
        files={"fichier": ("bail.pdf", PNG, "application/pdf")},
    )
    assert png.status_code == 201 and png.json()["media_type"] == "image/png"
    piece_id = png.json()["id"]
    fichier = await client.get(f"{url}/{piece_id}/fichier", headers=agent)
    assert fichier.content == PNG and fichier.headers["content-type"] == "image/png"
    refus = await client.post(
        f"{url}/{piece_id}/decision", headers=agent, json={"statut": "REFUSEE"}
    )
    assert "motif" in champs(refus)
    refusee = await client.post(
        f"{url}/{piece_id}/decision",
        headers=agent,
        json={"statut": "REFUSEE", "motif": "illisible"},
    )
    assert refusee.json()["statut"] == "REFUSEE", refusee.text
    liste = (await client.get(url, headers=agent)).json()
    assert [p["statut"] for p in liste] == ["REFUSEE"]
    # The decision goes to the household's portail: demande.piece_statuee with the motive.
    for _ in range(300):
        statuee = [e for e in evenements.recus if e["type"] == "demande.piece_statuee"]
        if statuee:
            break
        await evenements.attendre(len(evenements.recus) + 1, delai=20)
    assert statuee[0]["data"]["piece_id"] == piece_id
    assert (statuee[0]["data"]["decision"], statuee[0]["data"]["motif_refus"]) == (
        "REFUSEE",
        "illisible",
    )
    assert PDF  # an identity PDF is what registration needs (see the cycle test)


async def test_demandeur_en_ligne_voit_sa_demande_seulement(client: httpx.AsyncClient) -> None:
    demandeur = auth_headers(roles={"DEMANDEUR"}, sub="compte-anne")
    cree = await client.post("/api/demandes", json=demande_exemple(), headers=demandeur)
    assert cree.status_code == 201, cree.text
    assert cree.json()["canal_depot"] == "EN_LIGNE"
    soumise = await client.post(f"/api/demandes/{cree.json()['id']}/soumission", headers=demandeur)
    assert soumise.json()["statut"] == "A_VALIDER"
    historique = await client.get(
        f"/api/demandes/{cree.json()['id']}/historique",
        headers=auth_headers(roles={"AGENT_ENREGISTREUR"}),
    )
    assert historique.json()[0]["intervenant"]["libelle"] == "portail"
    autre = auth_headers(roles={"DEMANDEUR"}, sub="compte-paul")
    assert (
        await client.get(f"/api/demandes/{cree.json()['id']}", headers=autre)
    ).status_code == 404
    assert (await client.get("/api/demandes", headers=autre)).json()["total"] == 0
    assert (await client.get("/api/demandes", headers=demandeur)).json()["total"] == 1


async def test_piece_sensible_reservee(client: httpx.AsyncClient, agent: dict[str, str]) -> None:
    cree = (await client.post("/api/demandes", json=demande_exemple(), headers=agent)).json()
    url = f"/api/demandes/{cree['id']}/pieces"
    depot = await client.post(
        url,
        headers=agent,
        data={"type": "CERTIFICAT_MEDICAL", "personne": "demandeur"},
        files={"fichier": ("c.pdf", PDF, "application/pdf")},
    )
    assert depot.status_code == 201
    reservataire = auth_headers(roles={"RESERVATAIRE"}, departements={"44"})
    assert (await client.get(url, headers=reservataire)).json() == []
    fichier = await client.get(f"{url}/{depot.json()['id']}/fichier", headers=reservataire)
    assert fichier.status_code == 404
    assert len((await client.get(url, headers=agent)).json()) == 1


async def test_modifications_suivies_par_la_recherche_et_l_historique(
    client: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    cree = await client.post("/api/demandes", headers=agent, json=demande_exemple())
    assert cree.status_code == 201, cree.text
    demande_id, etag = cree.json()["id"], cree.headers["etag"]

    async def trouvees(**params: str) -> list[str]:
        page = await client.get("/api/demandes", headers=agent, params=params)
        return [e["id"] for e in page.json()["elements"]]

    async def modifier(patch: dict[str, Any]) -> httpx.Response:
        nonlocal etag
        reponse = await client.patch(
            f"/api/demandes/{demande_id}", headers={**agent, "If-Match": etag}, json=patch
        )
        assert reponse.status_code == 200, reponse.text
        etag = reponse.headers["etag"]
        return reponse

    # A change elsewhere keeps the wished communes and typologies searchable.
    await modifier({"logement_recherche": {"loyer_max_mensuel": 640}})
    assert await trouvees(commune="44162", typologie="T3") == [demande_id]
    # A change of them moves the demande in the search.
    await modifier({"logement_recherche": {"communes": ["44109"], "typologies": ["T4"]}})
    assert await trouvees(commune="44162") == []
    assert await trouvees(typologie="T3") == []
    assert await trouvees(commune="44109", typologie="T4") == [demande_id]
    # And every save left its line in the historique, with its changes.
    historique = (await client.get(f"/api/demandes/{demande_id}/historique", headers=agent)).json()
    assert [e["type"] for e in historique] == ["CREATION", "MODIFICATION", "MODIFICATION"]
    assert {c["champ"] for c in historique[2]["changements"]} == {
        "logement_recherche.communes[1]",  # 44109 stays first, 44162 goes
        "logement_recherche.typologies[0]",
        "logement_recherche.typologies[1]",
    }
    # A stale ETag writes nothing.
    perimee = await client.patch(
        f"/api/demandes/{demande_id}",
        headers={**agent, "If-Match": '"1"'},
        json={"logement_recherche": {"loyer_max_mensuel": 700}},
    )
    assert perimee.status_code == 412
    assert (
        len((await client.get(f"/api/demandes/{demande_id}/historique", headers=agent)).json()) == 3
    )


async def test_caractere_nul_refuse_partout(
    client: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    # PostgreSQL text cannot hold U+0000: a 422, never a 500, wherever it comes in.
    cree = await client.post("/api/demandes", json=demande_exemple(), headers=agent)
    demande_id = cree.json()["id"]
    r = await client.get(f"/api/demandes/{demande_id}", params={"motif": "a\x00b"}, headers=agent)
    assert r.status_code == 422 and r.json()["erreurs"][0]["champ"] == "motif"
    corps = b'{"demandeur": {"prenoms": "A\\u0000"}}'
    r = await client.patch(
        f"/api/demandes/{demande_id}",
        content=corps,
        headers={
            **agent,
            "Content-Type": "application/merge-patch+json",
            "If-Match": cree.headers["etag"],
        },
    )
    assert r.status_code == 422 and r.json()["erreurs"][0]["champ"] == "demandeur.prenoms"
    for data, nom in (
        ({"type": "PIECE_IDENTITE", "personne": "demandeur\x00"}, "cni.pdf"),
        ({"type": "PIECE_IDENTITE\x00", "personne": "demandeur"}, "cni.pdf"),
        ({"type": "PIECE_IDENTITE", "personne": "demandeur"}, "cni\x00.pdf"),
    ):
        r = await client.post(
            f"/api/demandes/{demande_id}/pieces",
            headers=agent,
            data=data,
            files={"fichier": (nom, PDF, "application/pdf")},
        )
        assert r.status_code < 500, (data, nom, r.status_code, r.text)
