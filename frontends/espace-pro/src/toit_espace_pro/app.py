"""The espace professionnel: a stateless FastAPI app of server-rendered pages under /pro/.

It has no database and no privileged path: every page calls the gateway's public API
(`TOIT_UI_GATEWAY_URL`) with the logged-in user's own token, kept in the encrypted
session cookie (libs/ui). Run alone: `toit-espace-pro --port 8109`; `make run` mounts
it in the embedded router, `make up` runs it as a process behind nginx.
"""

from __future__ import annotations

import argparse

import httpx
from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from toit_ui import NavItem, UISettings, WebUI
from toit_ui.pages import load_pages, template_packages

from toit_espace_pro.pages import (
    accueil,
    admin,
    annonces,
    auth,
    demandes,
    favoris,
    grilles,
    habilitations,
    pieces,
)

PREFIX = "/pro"
PAGES_GROUP = "toit.espace_pro.pages"
GESTION = frozenset({"GESTIONNAIRE_FICHIER", "ADMINISTRATEUR_ORGANISATION"})
GRILLES = frozenset({"GESTIONNAIRE_FICHIER", "ADMINISTRATEUR_ORGANISATION", "OBSERVATEUR"})
NOMINATIFS = frozenset(
    {
        "GESTIONNAIRE_FICHIER",
        "AGENT_ENREGISTREUR",
        "INSTRUCTEUR",
        "MEMBRE_CALEOL",
        "RESERVATAIRE",
    }
)

NAVIGATION = [
    NavItem("Accueil", "/"),
    NavItem("Rechercher", "/demandes", NOMINATIFS),
    NavItem("Nouvelle demande", "/demandes/nouvelle", frozenset({"AGENT_ENREGISTREUR"})),
    NavItem("Courriers", "/courriers", frozenset({"AGENT_ENREGISTREUR", "GESTIONNAIRE_FICHIER"})),
    NavItem("Grilles de cotation", "/grilles", GRILLES),
    NavItem("Organisations", "/organisations", frozenset({"GESTIONNAIRE_FICHIER"})),
    NavItem("Comptes", "/comptes", GESTION),
    NavItem("Annonces", "/annonces", frozenset({"GESTIONNAIRE_FICHIER"})),
]


def create_app(
    settings: UISettings | None = None, transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """The app; `transport` replaces the network to the gateway (the embedded runner
    passes its own router, in process)."""
    ui = WebUI(
        settings or UISettings(),
        prefix=PREFIX,
        packages=["toit_espace_pro", *template_packages(PAGES_GROUP)],
        app_name="Toit — espace professionnel",
        navigation=list(NAVIGATION),
        gateway_transport=transport,
    )
    routers = [
        auth.routes(ui),
        accueil.routes(ui),
        demandes.routes(ui),
        demandes.courriers_routes(ui),
        pieces.routes(ui),
        # Before admin's /comptes/{id}/{action}: /comptes/{id}/habilitation is its own page.
        habilitations.routes(ui),
        admin.routes(ui),
        grilles.routes(ui),
        annonces.routes(ui),
        favoris.routes(ui),
    ]
    for contributed in load_pages(PAGES_GROUP, ui):
        routers.append(contributed.router)
        ui.navigation.extend(contributed.navigation)
    app = ui.create_app(routers)
    app.include_router(_entrees(ui))
    return app


def _entrees(ui: WebUI) -> APIRouter:
    """The health probe (the gateway's `/` is the portail's home)."""
    router = ui.router()

    @router.get(f"{PREFIX}/healthz")
    async def healthz() -> JSONResponse:
        return JSONResponse({"statut": "ok"})

    return router


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="toit-espace-pro", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8109)
    args = parser.parse_args()
    # Behind the gateway: the browser's address comes from X-Forwarded-For (set by nginx).
    uvicorn.run(
        create_app(),
        host=args.host,
        port=args.port,
        log_config=None,
        access_log=False,
        proxy_headers=True,  # trusted from FORWARDED_ALLOW_IPS (default 127.0.0.1)
    )
