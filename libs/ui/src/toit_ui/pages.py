"""Pages contributed by other packages to a web application (e.g. the espace professionnel).

A package declares an entry point in the application's group, pointing at a function
that receives the application's WebUI and returns its pages:

    # services/matching/pyproject.toml
    [project.entry-points."toit.espace_pro.pages"]
    matching = "toit_matching.pages:pages"

    # toit_matching/pages.py
    def pages(ui: WebUI) -> PagePackage:
        router = ui.router(prefix="/logements")
        @router.get("")
        async def logements(request: Request) -> HTMLResponse:
            api = await ui.gateway.api(request)      # the user's token, gateway only
            ...
            return ui.render(request, "matching/logements.html", {...})
        return PagePackage(router, navigation=[NavItem("Logements", "/logements")])

Templates of a contributing package live in its `templates/` folder (prefix them with
the package's own sub-folder, e.g. `templates/matching/…`, to avoid collisions) and
its static files in `static/`: the application lists the package in
`template_packages(group)` before building its WebUI.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING

from fastapi import APIRouter

if TYPE_CHECKING:
    from toit_ui.web import NavItem, WebUI


@dataclass
class PagePackage:
    router: APIRouter
    navigation: Sequence[NavItem] = field(default_factory=tuple)


def _entry_points(group: str) -> list[EntryPoint]:
    return sorted(entry_points(group=group), key=lambda ep: ep.name)


def template_packages(group: str) -> list[str]:
    """The top-level packages of the entry points of `group` (their templates/ and static/)."""
    return [ep.value.split(":")[0].split(".")[0] for ep in _entry_points(group)]


def load_pages(group: str, ui: WebUI) -> list[PagePackage]:
    """Call every `group` entry point with the application's WebUI."""
    loaded: list[PagePackage] = []
    for ep in _entry_points(group):
        factory: Callable[[WebUI], PagePackage] = ep.load()
        loaded.append(factory(ui))
    return loaded
