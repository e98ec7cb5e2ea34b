"""WebUI: templates from several packages, the app factory and the page renderer.

    ui = WebUI(UISettings(), prefix="/pro", packages=["toit_espace_pro"],
               app_name="Espace professionnel", navigation=[NavItem("Accueil", "/")])
    router = ui.router()

    @router.get("/")
    async def accueil(request: Request) -> HTMLResponse:
        return ui.render(request, "accueil.html", {"titre": "Accueil"})

    app = ui.create_app([router])     # session, CSRF, CSP, static files, error pages

Templates are looked up in each package's `templates/` folder, in order, then in
toit_ui's own (`ui/layout.html`, `ui/components.html`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.exceptions import HTTPException as StarletteHTTPException

from toit_ui.formatting import FILTERS
from toit_ui.gateway import Gateway, NotAuthenticated
from toit_ui.security import CsrfRefused, SecurityHeadersMiddleware, verify_csrf
from toit_ui.session import SessionMiddleware, csrf_token, flash, pop_flashes, session_of
from toit_ui.settings import UISettings

STATIC_DIR = Path(str(resources.files("toit_ui") / "static"))
# The optional DSFR skin (TOIT_UI_THEME=dsfr): fetched from npm at build time by
# `make ui-dsfr` (libs/ui/scripts/dsfr-assets.sh), never committed, served only when chosen.
DSFR_DIR = Path(str(resources.files("toit_ui"))) / "dsfr"
DSFR_CSS = "core/core.min.css"


class ThemeIndisponible(RuntimeError):
    """TOIT_UI_THEME=dsfr without the DSFR's files."""


@dataclass(frozen=True)
class NavItem:
    """A link of the main navigation, shown to the given roles (None: everyone logged in)."""

    label: str
    path: str
    roles: frozenset[str] | None = None

    def visible_to(self, roles: Iterable[str]) -> bool:
        return self.roles is None or bool(self.roles & set(roles))


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


class WebUI:
    def __init__(
        self,
        settings: UISettings | None = None,
        *,
        prefix: str = "",
        packages: Sequence[str] = (),
        app_name: str = "Toit",
        navigation: Sequence[NavItem] = (),
        login_path: str = "/connexion",
        gateway_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings or UISettings()
        self.settings.check_production()
        self.prefix = prefix.rstrip("/")
        self.app_name = app_name
        self.navigation = list(navigation)
        self.login_path = login_path
        self.gateway = Gateway(self.settings, gateway_transport)
        if self.settings.theme == "dsfr" and not (DSFR_DIR / DSFR_CSS).is_file():
            raise ThemeIndisponible(
                f"TOIT_UI_THEME=dsfr but {DSFR_DIR / DSFR_CSS} is missing: run `make ui-dsfr` "
                "(the DSFR is fetched from npm at build time; its use is reserved to State "
                "entities)"
            )
        loaders = [
            PackageLoader(p, "templates")
            for p in packages
            if (Path(str(resources.files(p))) / "templates").is_dir()
        ]
        loaders.append(PackageLoader("toit_ui", "templates"))
        self.env = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
            # Templates are package data: no stat() of every template file on each render
            # (a changed template needs a restart).
            auto_reload=False,
        )
        self.env.filters.update(FILTERS)
        self.env.globals.update(
            url=self.url,
            static_url=self.static_url,
            app_name=app_name,
        )
        # The components, in every template as `ui` (also inside blocks rendered alone).
        self.env.globals["ui"] = self.env.get_template("ui/components.html").module
        self.templates = Jinja2Blocks(env=self.env)
        self._static_packages = [
            p for p in packages if (Path(str(resources.files(p))) / "static").is_dir()
        ] + ["toit_ui"]
        self._static_dirs = [
            Path(str(resources.files(p))) / "static" for p in self._static_packages
        ]
        self._static_versions: dict[str, str] = {}
        self.env.globals["theme_styles"] = self._theme_styles()

    # --- URLs -------------------------------------------------------------------------------

    def url(self, path: str = "/", **query: Any) -> str:
        """An absolute path under the app's prefix: url("/demandes", page=2)."""
        full = self.prefix + (path if path.startswith("/") else "/" + path)
        params = {k: v for k, v in query.items() if v not in (None, "")}
        return full + ("?" + urlencode(params, doseq=True) if params else "")

    def static_url(self, path: str) -> str:
        """URL of a static file with a content hash (cached for a year by browsers)."""
        version = self._static_versions.get(path)
        if version is None:
            for base in self._static_dirs:
                candidate = base / path
                if candidate.is_file():
                    version = hashlib.sha256(candidate.read_bytes()).hexdigest()[:12]
                    break
            else:
                raise LookupError(f"static file not found: {path}")
            self._static_versions[path] = version
        return f"{self.prefix}/static/{path}?v={version}"

    def _theme_styles(self) -> list[str]:
        """Style sheets of the chosen skin, after toit.css: none for the default one."""
        if self.settings.theme != "dsfr":
            return []
        version = hashlib.sha256((DSFR_DIR / DSFR_CSS).read_bytes()).hexdigest()[:12]
        return [
            f"{self.prefix}/static/dsfr/{DSFR_CSS}?v={version}",
            self.static_url("toit-dsfr.css"),
        ]

    # --- rendering --------------------------------------------------------------------------

    def context(self, request: Request, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        session = session_of(request)
        user = session.get("user") if session.get("auth") else None
        roles = (user or {}).get("roles", [])
        current = request.url.path
        return {
            "request": request,
            "user": user,
            "csrf_token": csrf_token(request),
            "flashes": pop_flashes(request),
            "navigation": [
                {
                    "label": item.label,
                    "href": self.url(item.path),
                    "current": current == self.url(item.path)
                    or (item.path != "/" and current.startswith(self.url(item.path))),
                }
                for item in self.navigation
                if user and item.visible_to(roles)
            ],
            "theme": self.settings.theme,
            "is_htmx": is_htmx(request),
            **(extra or {}),
        }

    def render(
        self,
        request: Request,
        template: str,
        context: dict[str, Any] | None = None,
        *,
        status_code: int = 200,
        block: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> HTMLResponse:
        """Render a page, or only `block` of it (for htmx: `block if is_htmx(request)`)."""
        response = self.templates.TemplateResponse(
            request,
            template,
            self.context(request, context),
            status_code=status_code,
            block_name=block,
            headers=headers,
        )
        assert isinstance(response, HTMLResponse)
        return response

    def redirect(self, path: str, **query: Any) -> RedirectResponse:
        """303 See Other to a path under the prefix (after a POST)."""
        return RedirectResponse(self.url(path, **query), status_code=303)

    flash = staticmethod(flash)

    # --- app --------------------------------------------------------------------------------

    def router(self, **kwargs: Any) -> APIRouter:
        """A router for pages; include it in the app made by `create_app`."""
        kwargs.setdefault("default_response_class", HTMLResponse)
        return APIRouter(**kwargs)

    def create_app(
        self,
        routers: Sequence[APIRouter],
        *,
        title: str | None = None,
        on_shutdown: Sequence[Callable[[], Any]] = (),
    ) -> FastAPI:
        """A FastAPI app serving the routers under the prefix, with the session cookie,
        CSRF on every unsafe request, the security headers, the static files and French
        error pages."""
        from contextlib import asynccontextmanager

        @asynccontextmanager
        async def lifespan(_app: FastAPI) -> Any:
            yield
            await self.gateway.aclose()
            for callback in on_shutdown:
                await callback()

        app = FastAPI(
            title=title or self.app_name,
            docs_url=None,
            redoc_url=None,
            openapi_url=None,
            dependencies=[Depends(verify_csrf)],
            lifespan=lifespan,
        )
        for router in routers:
            app.include_router(router, prefix=self.prefix)
        if self.settings.theme == "dsfr":  # before /static, which would answer 404
            app.mount(f"{self.prefix}/static/dsfr", StaticFiles(directory=DSFR_DIR), name="dsfr")
        app.mount(
            f"{self.prefix}/static",
            StaticFiles(packages=[(p, "static") for p in self._static_packages]),
            name="static",
        )
        self._install_error_pages(app)
        app.add_middleware(SessionMiddleware, settings=self.settings)
        app.add_middleware(SecurityHeadersMiddleware, static_prefix=f"{self.prefix}/static/")
        return app

    def error_page(self, request: Request, status: int, titre: str, message: str) -> HTMLResponse:
        return self.render(
            request, "ui/erreur.html", {"titre": titre, "message": message}, status_code=status
        )

    def _install_error_pages(self, app: FastAPI) -> None:
        login = self.login_path

        async def csrf_refused(request: Request, _exc: Exception) -> Response:
            return self.error_page(
                request,
                403,
                "Formulaire refusé",
                "Ce formulaire a expiré ou ne vient pas de cette application "
                "(jeton anti-falsification absent ou invalide). Rechargez la page et recommencez.",
            )

        async def not_authenticated(request: Request, exc: Exception) -> Response:
            expired = isinstance(exc, NotAuthenticated) and exc.expired
            if expired:
                flash(request, "info", "Votre session a expiré : reconnectez-vous.")
            suite = request.url.path if request.method == "GET" else None
            target = self.url(login, suite=suite)
            if is_htmx(request):
                return Response(status_code=204, headers={"HX-Redirect": target})
            return RedirectResponse(target, status_code=303)

        async def http_error(request: Request, exc: Exception) -> Response:
            assert isinstance(exc, StarletteHTTPException)
            titles = {404: "Page introuvable", 405: "Action impossible"}
            return self.error_page(
                request,
                exc.status_code,
                titles.get(exc.status_code, "Erreur"),
                exc.detail
                if isinstance(exc.detail, str) and exc.status_code != 404
                else "Cette page n'existe pas ou plus.",
            )

        async def invalid_request(request: Request, _exc: Exception) -> Response:
            return self.error_page(
                request, 400, "Requête invalide", "Les paramètres de cette page sont invalides."
            )

        app.add_exception_handler(CsrfRefused, csrf_refused)
        app.add_exception_handler(NotAuthenticated, not_authenticated)
        app.add_exception_handler(StarletteHTTPException, http_error)
        app.add_exception_handler(RequestValidationError, invalid_request)
