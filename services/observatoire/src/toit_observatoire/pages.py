"""The observatoire's screens in the espace professionnel (entry point
`toit.espace_pro.pages`): home-page lists, saved lists, the list editor with its
preview, a list's result (table, cross table, chart) and exports, the indicators
dashboard with the obligations and the fiche territoriale.

Pages call the public API through the gateway with the user's token
(`ui.gateway.api`); files and charts are fetched the same way and passed on, since
the browser holds no token. Work without JavaScript; htmx swaps the preview."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from toit_ui import NavItem, WebUI
from toit_ui.pages import PagePackage

from toit_observatoire.domain.resultats import Resultat, pivot

API = "/api/observatoire"
ROLES_STATS = frozenset(
    {
        "GESTIONNAIRE_FICHIER",
        "ADMINISTRATEUR_ORGANISATION",
        "AGENT_ENREGISTREUR",
        "INSTRUCTEUR",
        "RESERVATAIRE",
        "OBSERVATEUR",
    }
)
NB_FILTRES = 3
PLANIFICATIONS = [
    ("quotidienne", "Quotidienne"),
    ("hebdomadaire", "Hebdomadaire"),
    ("mensuelle", "Mensuelle"),
]
NIVEAUX = [
    ("commune", "Commune"),
    ("epci", "EPCI"),
    ("departement", "Département"),
    ("region", "Région"),
]


# The editor's recipient fields, one per type of `Destinataire`: (form field, type).
DESTINATAIRES = (
    ("destinataires_organisations", "organisation"),
    ("destinataires_utilisateurs", "utilisateur"),
    ("destinataires_courriels", "courriel"),
)


def _erreurs(
    response: Any, destinataires: list[dict[str, str]] | None = None
) -> list[dict[str, str]]:
    """The API's 422 as the error summary's entries, field names as the form's: a
    recipient's error (`destinataires[2].id`) goes to the field of its type."""
    body = response.json()
    champs_destinataires = {type_: champ for champ, type_ in DESTINATAIRES}
    found = []
    for e in body.get("erreurs", []):
        champ = str(e.get("champ", "")).removeprefix("definition.")
        champ = champ.replace("[", "-").replace("]", "").replace(".", "-")
        rang = champ.split("-")
        if rang[0] == "destinataires" and destinataires:
            index = int(rang[1]) if len(rang) > 1 and rang[1].isdigit() else -1
            type_ = destinataires[index]["type"] if 0 <= index < len(destinataires) else ""
            champ = champs_destinataires.get(type_, DESTINATAIRES[0][0])
        found.append({"champ": champ, "message": e.get("message", "")})
    return found or [{"champ": "titre", "message": body.get("detail", "Erreur")}]


def _destinataires(form: Any) -> list[dict[str, str]]:
    """Recipients from the editor's three fields (comma, semicolon or newline
    separated), organisations first, in the order typed, each once."""
    found: list[dict[str, str]] = []
    for champ, type_ in DESTINATAIRES:
        texte = str(form.get(champ, "")).replace(";", ",").replace("\n", ",")
        for valeur in (v.strip() for v in texte.split(",")):
            if valeur and {"type": type_, "id": valeur} not in found:
                found.append({"type": type_, "id": valeur})
    return found


def _definition(form: Any) -> dict[str, Any]:
    filtres = []
    for i in range(NB_FILTRES):
        champ = form.get(f"filtres-{i}-champ")
        if not champ:
            continue
        operateur = form.get(f"filtres-{i}-operateur") or "egal"
        valeur: Any = form.get(f"filtres-{i}-valeur", "")
        if operateur in ("parmi", "entre"):
            valeur = [v.strip() for v in str(valeur).split(",") if v.strip()]
        elif valeur in ("oui", "non"):
            valeur = valeur == "oui"
        filtres.append({"champ": champ, "operateur": operateur, "valeur": valeur})
    regroupements = [g for g in (form.get("regroupements-0"), form.get("regroupements-1")) if g]
    return {
        "domaine": form.get("domaine") or "demandes_en_cours",
        "filtres": filtres,
        "colonnes": form.getlist("colonnes"),
        "regroupements": regroupements,
    }


def _liste(form: Any) -> dict[str, Any]:
    destinataires = _destinataires(form)
    try:
        conservation = int(form.get("conservation_jours") or 7)
    except ValueError:
        conservation = 0
    return {
        "titre": form.get("titre", ""),
        "reference": form.get("reference", ""),
        "description": form.get("description") or None,
        "definition": _definition(form),
        "destinataires": destinataires,
        "modification_destinataires": form.get("modification_destinataires") == "oui",
        "dossier": form.get("dossier") or None,
        "conservation_jours": conservation,
        "planification": form.get("planification") or None,
        "accueil": form.get("accueil") == "oui",
    }


def pages(ui: WebUI) -> PagePackage:
    router = ui.router(prefix="/observatoire")

    async def domaines(request: Request) -> list[dict[str, Any]]:
        api = await ui.gateway.api(request)
        response = await api.get(f"{API}/domaines")
        response.raise_for_status()
        return list(response.json())

    def resultat_ctx(data: dict[str, Any] | None) -> dict[str, Any]:
        if data is None:
            return {"resultat": None, "croise": None}
        resultat = Resultat.from_dict({k: v for k, v in data.items() if k != "execute_le"})
        return {
            "resultat": resultat,
            "croise": pivot(resultat),
            "execute_le": data.get("execute_le"),
        }

    @router.get("")
    async def accueil(request: Request) -> HTMLResponse:
        api = await ui.gateway.api(request)
        response = await api.get(f"{API}/listes/accueil")
        response.raise_for_status()
        items = [{"liste": a["liste"], **resultat_ctx(a["resultat"])} for a in response.json()]
        return ui.render(request, "observatoire/accueil.html", {"items": items})

    @router.get("/listes")
    async def mes_listes(request: Request) -> HTMLResponse:
        api = await ui.gateway.api(request)
        response = await api.get(f"{API}/listes")
        response.raise_for_status()
        par_dossier: dict[str, list[dict[str, Any]]] = {}
        for liste in response.json():
            par_dossier.setdefault(liste["dossier"] or "Sans dossier", []).append(liste)
        return ui.render(request, "observatoire/listes.html", {"dossiers": par_dossier})

    async def editeur(
        request: Request,
        valeurs: dict[str, Any],
        *,
        erreurs: list[dict[str, str]] | None = None,
        apercu: dict[str, Any] | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        catalogue = await domaines(request)
        nom = valeurs.get("definition", {}).get("domaine") or "demandes_en_cours"
        domaine = next((d for d in catalogue if d["nom"] == nom), catalogue[0])
        context = {
            "catalogue": catalogue,
            "domaine": domaine,
            "valeurs": valeurs,
            "erreurs": erreurs or [],
            "messages": {e["champ"]: e["message"] for e in erreurs or []},
            "nb_filtres": NB_FILTRES,
            "planifications": PLANIFICATIONS,
            **resultat_ctx(apercu),
        }
        block = "apercu" if request.headers.get("hx-target") == "apercu" else None
        if block is not None:
            status_code = 200  # htmx swaps only 2xx: the errors show in the block
        return ui.render(
            request, "observatoire/editeur.html", context, status_code=status_code, block=block
        )

    @router.get("/listes/nouvelle")
    async def nouvelle(request: Request, domaine: str = "demandes_en_cours") -> HTMLResponse:
        return await editeur(request, {"definition": {"domaine": domaine}, "conservation_jours": 7})

    @router.post("/listes/nouvelle")
    async def enregistrer(request: Request) -> Response:
        form = await request.form()
        valeurs = _liste(form)
        api = await ui.gateway.api(request)
        if form.get("action") == "apercu":
            response = await api.post(f"{API}/apercu", json=valeurs["definition"])
            if response.status_code != 200:
                return await editeur(request, valeurs, erreurs=_erreurs(response), status_code=422)
            return await editeur(request, valeurs, apercu=response.json())
        if form.get("action") == "domaine":
            return await editeur(request, valeurs)
        response = await api.post(f"{API}/listes", json=valeurs)
        if response.status_code != 201:
            erreurs = _erreurs(response, valeurs["destinataires"])
            return await editeur(request, valeurs, erreurs=erreurs, status_code=422)
        liste = response.json()
        await api.post(f"{API}/listes/{liste['id']}/executions")
        ui.flash(request, "succes", f"Liste « {liste['titre']} » enregistrée")
        return ui.redirect(f"/observatoire/listes/{liste['id']}")

    @router.get("/listes/{liste_id}")
    async def liste(request: Request, liste_id: str) -> HTMLResponse:
        api = await ui.gateway.api(request)
        response = await api.get(f"{API}/listes/{liste_id}")
        if response.status_code != 200:
            return ui.render(
                request,
                "ui/erreur.html",
                {
                    "titre": "Liste introuvable",
                    "message": "Cette liste n'existe pas ou ne vous est pas destinée.",
                },
                status_code=404,
            )
        last = await api.get(f"{API}/listes/{liste_id}/resultat")
        data = last.json() if last.status_code == 200 else None
        return ui.render(
            request,
            "observatoire/liste.html",
            {"liste": response.json(), **resultat_ctx(data)},
        )

    @router.post("/listes/{liste_id}/executer")
    async def executer(request: Request, liste_id: str) -> Response:
        api = await ui.gateway.api(request)
        await api.post(f"{API}/listes/{liste_id}/executions")
        ui.flash(request, "succes", "Liste exécutée")
        return ui.redirect(f"/observatoire/listes/{liste_id}")

    async def _passer(request: Request, path: str, **params: Any) -> Response:
        api = await ui.gateway.api(request)
        upstream = await api.get(path, params=params)
        headers = {
            k: v
            for k, v in upstream.headers.items()
            if k.lower() in ("content-type", "content-disposition")
        }
        return Response(upstream.content, status_code=upstream.status_code, headers=headers)

    @router.get("/listes/{liste_id}/export")
    async def exporter(request: Request, liste_id: str, format: str = "csv") -> Response:
        return await _passer(request, f"{API}/listes/{liste_id}/export", format=format)

    @router.get("/listes/{liste_id}/graphique.svg")
    async def graphique_liste(request: Request, liste_id: str) -> Response:
        return await _passer(request, f"{API}/listes/{liste_id}/graphique.svg")

    @router.get("/indicateurs")
    async def tableau_de_bord(
        request: Request, niveau: str = "", code: str = "", annee: int | None = None
    ) -> HTMLResponse:
        annee = annee or date.today().year
        context: dict[str, Any] = {
            "niveaux": NIVEAUX,
            "valeurs": {"niveau": niveau, "code": code, "annee": annee},
            "jeu": None,
            "erreurs": [],
            "carte": None,
            "cartes_departement": [],
        }
        api = await ui.gateway.api(request)
        carte = await api.get(f"{API}/cartes/departements")
        if carte.status_code == 200:
            context["carte"] = carte.json()
        if niveau and code:
            response = await api.get(
                f"{API}/indicateurs", params={"niveau": niveau, "code": code, "annee": annee}
            )
            if response.status_code == 200:
                context["jeu"] = response.json()
                if niveau == "departement":
                    for chemin, libelle in (("communes", "Commune"), ("epci", "EPCI")):
                        found = await api.get(
                            f"{API}/cartes/{chemin}", params={"departement": code}
                        )
                        if found.status_code == 200:
                            context["cartes_departement"].append(
                                {
                                    "chemin": chemin,
                                    "libelle": libelle,
                                    "departement": code,
                                    "carte": found.json(),
                                }
                            )
                if niveau in ("departement", "epci"):
                    publiees = await api.get(
                        f"{API}/fiches/publiees", params={"niveau": niveau, "code": code}
                    )
                    if publiees.status_code == 200:
                        context["fiches_publiees"] = publiees.json()
            else:
                context["erreurs"] = [
                    {"champ": "code", "message": e.get("message", "")}
                    for e in response.json().get("erreurs", [])
                ] or [{"champ": "code", "message": "Territoire invalide"}]
        return ui.render(request, "observatoire/indicateurs.html", context)

    @router.get("/indicateurs/graphique.svg")
    async def graphique_indicateurs(
        request: Request, niveau: str, code: str, annee: int
    ) -> Response:
        return await _passer(
            request, f"{API}/indicateurs/graphique.svg", niveau=niveau, code=code, annee=annee
        )

    @router.get("/cartes/departements.svg")
    async def carte_departements(request: Request) -> Response:
        return await _passer(request, f"{API}/cartes/departements.svg")

    @router.get("/cartes/communes.svg")
    async def carte_communes(request: Request, departement: str) -> Response:
        return await _passer(request, f"{API}/cartes/communes.svg", departement=departement)

    @router.get("/cartes/epci.svg")
    async def carte_epci(request: Request, departement: str) -> Response:
        return await _passer(request, f"{API}/cartes/epci.svg", departement=departement)

    @router.get("/fiches/publiees/{niveau}/{code}/{periode}.pdf")
    async def fiche_publiee(request: Request, niveau: str, code: str, periode: str) -> Response:
        return await _passer(request, f"{API}/fiches/publiees/{niveau}/{code}/{periode}.pdf")

    @router.get("/fiches/{niveau}/{code}.pdf")
    async def fiche(request: Request, niveau: str, code: str, annee: int) -> Response:
        return await _passer(request, f"{API}/fiches/{niveau}/{code}.pdf", annee=annee)

    return PagePackage(
        router,
        navigation=[
            NavItem("Observatoire", "/observatoire", ROLES_STATS),
            NavItem("Indicateurs", "/observatoire/indicateurs", ROLES_STATS),
        ],
    )
