"""The DSFR skin is optional (TOIT_UI_THEME=dsfr, for State-run instances): the default
pages carry none of it, and the skin loads its DSFR files (fetched from npm at build time
by `make ui-dsfr`) when chosen."""

from __future__ import annotations

import re

import pytest
from toit_ui import UISettings, WebUI
from toit_ui.web import DSFR_CSS, DSFR_DIR, ThemeIndisponible

from .test_ui import client, exemple_app


async def test_the_default_theme_has_nothing_of_the_dsfr() -> None:
    assert UISettings().theme == "toit"
    _, app = exemple_app()
    async with client(app) as http:
        page = await http.get("/essai/exemple")
        css = [await http.get(href) for href in re.findall(r'href="([^"]+\.css[^"]*)"', page.text)]
        # Even when a build fetched the DSFR, the default theme does not serve it.
        servi = await http.get(f"/essai/static/dsfr/{DSFR_CSS}")
    assert page.status_code == 200
    assert "dsfr" not in page.text.lower() and "marianne" not in page.text.lower()
    assert css and all(r.status_code == 200 for r in css)
    assert not any(b"Marianne" in r.content or b"dsfr" in r.content.lower() for r in css)
    assert servi.status_code == 404


async def test_the_dsfr_skin_loads_its_files_when_chosen() -> None:
    if not (DSFR_DIR / DSFR_CSS).is_file():
        pytest.fail(f"{DSFR_DIR} is missing: `make ui-dsfr` fetches it (make test does)")
    assert "Licence Ouverte" in (DSFR_DIR / "LICENSE.md").read_text() or (
        "LICENCE OUVERTE" in (DSFR_DIR / "LICENSE.md").read_text()
    )
    _, app = exemple_app(theme="dsfr")
    async with client(app) as http:
        page = await http.get("/essai/exemple")
        hrefs = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.text)
        feuilles = {href: await http.get(href) for href in hrefs}
        police = await http.get("/essai/static/dsfr/fonts/Marianne-Regular.woff2")
    assert page.status_code == 200
    assert [h.split("?")[0] for h in hrefs] == [
        "/essai/static/toit.css",
        f"/essai/static/dsfr/{DSFR_CSS}",
        "/essai/static/toit-dsfr.css",
    ]
    assert all(r.status_code == 200 for r in feuilles.values())
    assert b"Marianne" in feuilles[hrefs[1]].content
    assert police.status_code == 200 and police.headers["content-type"] == "font/woff2"
    # The same strict CSP: the DSFR's files are served by the app itself.
    assert "unsafe-inline" not in page.headers["content-security-policy"]


def test_the_dsfr_skin_without_its_files_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    import toit_ui.web

    monkeypatch.setattr(toit_ui.web, "DSFR_DIR", DSFR_DIR.parent / "absent")
    with pytest.raises(ThemeIndisponible, match="make ui-dsfr"):
        WebUI(UISettings(theme="dsfr"))
