"""toit_ui without a browser: session cookie, CSRF, headers, error pages, formatting."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest
from fastapi import Form, Request
from fastapi.responses import HTMLResponse
from toit_ui import UISettings, WebUI, csrf_token, session_of
from toit_ui.formatting import date_fr, datetime_fr, euros, number_fr
from toit_ui.session import Session, SessionCodec


def exemple_app(**settings: Any) -> tuple[WebUI, Any]:
    ui = WebUI(UISettings(**settings), prefix="/essai", app_name="Essai")
    router = ui.router()

    @router.get("/exemple")
    async def page(request: Request) -> HTMLResponse:
        return ui.render(
            request,
            "ui/exemple.html",
            {
                "titre": "Composants",
                "erreurs": [],
                "messages": {},
                "valeurs": {},
                "page_url": lambda p: ui.url("/exemple", page=p),
            },
        )

    @router.post("/exemple")
    async def poster(request: Request, nom: str = Form("")) -> HTMLResponse:
        erreurs = [] if nom else [{"champ": "nom", "message": "saisie obligatoire"}]
        return ui.render(
            request,
            "ui/exemple.html",
            {
                "titre": "Composants",
                "erreurs": erreurs,
                "messages": {e["champ"]: e["message"] for e in erreurs},
                "valeurs": {"nom": nom},
                "page_url": lambda p: ui.url("/exemple", page=p),
            },
            status_code=422 if erreurs else 200,
        )

    @router.post("/connecter")
    async def connecter(request: Request) -> HTMLResponse:
        session = session_of(request)
        session.renew()
        session["auth"] = {"access": "x", "access_exp": time.time() + 300}
        session["user"] = {"nom": "Anne Durand", "roles": []}
        return HTMLResponse("ok")

    @router.get("/jeton")
    async def jeton(request: Request) -> HTMLResponse:
        return HTMLResponse(csrf_token(request))

    return ui, ui.create_app([router])


def client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_pages_carry_strict_security_headers_and_are_not_cached() -> None:
    _, app = exemple_app()
    async with client(app) as http:
        page = await http.get("/essai/exemple")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    html = page.text
    assert '<html lang="fr">' in html
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
    assert 'href="#contenu"' in html


async def test_static_files_are_versioned_and_cached() -> None:
    ui, app = exemple_app()
    url = ui.static_url("vendor/htmx/htmx.min.js")
    assert re.fullmatch(r"/essai/static/vendor/htmx/htmx\.min\.js\?v=[0-9a-f]{12}", url)
    async with client(app) as http:
        response = await http.get(url)
    assert response.status_code == 200
    assert b"htmx" in response.content[:2000]
    assert "immutable" in response.headers["cache-control"]


async def test_a_form_posted_without_its_csrf_token_is_refused() -> None:
    _, app = exemple_app()
    async with client(app) as http:
        token = (await http.get("/essai/jeton")).text
        refused = await http.post("/essai/exemple", data={"nom": "Durand"})
        assert refused.status_code == 403
        assert "Formulaire refusé" in refused.text
        forged = await http.post("/essai/exemple", data={"nom": "Durand", "csrf_token": "x" * 43})
        assert forged.status_code == 403
        accepted = await http.post("/essai/exemple", data={"nom": "Durand", "csrf_token": token})
        assert accepted.status_code == 200
        by_header = await http.post(
            "/essai/exemple", data={"nom": "Durand"}, headers={"X-CSRF-Token": token}
        )
        assert by_header.status_code == 200
    async with client(app) as other:  # another browser: no session, no token of its own
        assert (await other.post("/essai/exemple", data={"csrf_token": token})).status_code == 403


async def test_error_summary_links_to_the_field_and_marks_it_invalid() -> None:
    _, app = exemple_app()
    async with client(app) as http:
        token = (await http.get("/essai/jeton")).text
        page = await http.post("/essai/exemple", data={"nom": "", "csrf_token": token})
    assert page.status_code == 422
    assert 'href="#champ-nom"' in page.text
    assert 'id="champ-nom"' in page.text and 'aria-invalid="true"' in page.text
    assert 'aria-describedby="champ-nom-erreur"' in page.text


async def test_session_cookie_is_httponly_samesite_and_secure_in_production() -> None:
    _, app = exemple_app()
    async with client(app) as http:
        cookie = (await http.get("/essai/jeton")).headers["set-cookie"]
    assert cookie.startswith("toit-session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    _, app = exemple_app(mode="production", secret="s" * 32)
    async with client(app) as http:
        cookie = (await http.get("/essai/jeton")).headers["set-cookie"]
    assert cookie.startswith("__Host-toit-session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "Path=/" in cookie


async def test_an_unchanged_session_is_written_back_only_once_a_minute(monkeypatch) -> None:
    """No Fernet encryption nor Set-Cookie on most pages: only when the session changed,
    or when the browser's copy is a minute old (the idle expiry's precision)."""
    import toit_ui.session as module

    horloge = [1_000_000.0]
    monkeypatch.setattr(module.time, "time", lambda: horloge[0])
    _, app = exemple_app()
    async with client(app) as http:
        assert "set-cookie" in (await http.get("/essai/jeton")).headers  # token created
        horloge[0] += 30
        assert "set-cookie" not in (await http.get("/essai/jeton")).headers
        horloge[0] += 31  # the copy read is 61 s old: "seen" is refreshed
        assert "set-cookie" in (await http.get("/essai/jeton")).headers
        horloge[0] += 1
        assert "set-cookie" not in (await http.get("/essai/jeton")).headers
        horloge[0] += 31 * 60  # idle: dropped, the browser's cookie is deleted
        reponse = await http.get("/essai/jeton")
        assert "set-cookie" in reponse.headers


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(RuntimeError, match="TOIT_UI_SECRET"):
        WebUI(UISettings(mode="production"))


def test_the_cookie_is_encrypted_signed_and_expires_when_idle_or_too_old() -> None:
    codec = SessionCodec(UISettings(session_idle_minutes=30, session_absolute_hours=10))
    session = Session({"auth": {"access": "jeton-secret"}, "created": 1_000_000.0})
    now = 1_000_000.0
    value = codec.encode(session, now)
    assert "jeton-secret" not in value
    assert codec.decode(value, now + 60)["auth"] == {"access": "jeton-secret"}
    # idle: 31 minutes without a request
    assert codec.decode(value, now + 31 * 60) == {}
    assert codec.decode(value, now + 31 * 60).expired
    # absolute: still active, but logged in 11 hours ago
    old = Session({"created": now - 11 * 3600})
    assert codec.decode(codec.encode(old, now), now + 60).expired
    # tampered or forged with another key
    assert codec.decode(value[:-4] + "AAAA", now).expired
    other = SessionCodec(UISettings(secret="une-autre-cle-secrete-de-test"))
    assert other.decode(value, now).expired
    rotated = SessionCodec(
        UISettings(secret="une-autre-cle-secrete-de-test", previous_secrets=[UISettings().secret])
    )
    assert rotated.decode(value, now + 60)["auth"] == {"access": "jeton-secret"}


async def test_logged_in_pages_show_the_account_and_a_logout_form() -> None:
    _, app = exemple_app()
    async with client(app) as http:
        await http.get("/essai/jeton")
        token = (await http.get("/essai/jeton")).text
        assert (await http.post("/essai/connecter", data={"csrf_token": token})).status_code == 200
        page = await http.get("/essai/exemple")
    assert "Anne Durand" in page.text
    assert 'action="/essai/deconnexion"' in page.text


async def test_unknown_pages_get_a_french_404_page() -> None:
    _, app = exemple_app()
    async with client(app) as http:
        page = await http.get("/essai/nulle-part")
    assert page.status_code == 404
    assert "Page introuvable" in page.text


def test_french_formatting() -> None:
    assert date_fr("2026-03-12") == "12/03/2026"
    assert date_fr("2026-03-12", "long") == "12 mars 2026"
    assert datetime_fr("2026-03-12T13:05:00Z") == "12/03/2026 14:05"
    assert number_fr(1234.5) == "1\u202f234,5"
    assert euros("1234.5") == "1\u202f234,50\xa0€"
    assert euros(None) == ""
