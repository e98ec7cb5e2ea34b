"""Calls to the gateway's public API on behalf of the logged-in user.

The session keeps the user's access and refresh tokens (encrypted, HttpOnly);
`api(request)` gives a client that sends the access token and refreshes it
server-side shortly before it expires (identite's refresh tokens are single-use:
the new pair replaces the old one in the session). Logout revokes the refresh token.

    gateway = Gateway(settings)
    await gateway.login(request, identifiant, mot_de_passe)   # raises LoginRefused
    api = await gateway.api(request)                            # raises NotAuthenticated
    response = await api.get("/api/demandes", params={...})
    await gateway.logout(request)
"""

from __future__ import annotations

import time
from typing import Any

import httpx
from fastapi import Request

from toit_ui.session import Session, session_of
from toit_ui.settings import UISettings
from toit_ui.transport import GatewayTransport

TOKEN_PATH = "/api/identite/token"
LOGOUT_PATH = "/api/identite/deconnexion"
ME_PATH = "/api/identite/moi"
REFRESH_MARGIN = 30.0


class NotAuthenticated(Exception):
    """No valid session: the user must log in (again)."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("connexion requise")
        self.expired = expired


class LoginRefused(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _detail(response: httpx.Response, default: str) -> str:
    try:
        body = response.json()
    except ValueError:
        return default
    detail = body.get("detail") if isinstance(body, dict) else None
    return detail if isinstance(detail, str) else default


def client_headers(request: Request) -> dict[str, str]:
    """Who the browser is, for the gateway's per-client throttling and the logs."""
    headers: dict[str, str] = {}
    if request.client is not None:
        headers["X-Forwarded-For"] = request.client.host
    request_id = request.headers.get("x-request-id")
    if request_id:
        headers["X-Request-Id"] = request_id[:128]
    return headers


class ApiClient:
    """httpx calls to the gateway with the session's bearer token."""

    def __init__(self, http: httpx.AsyncClient, token: str, headers: dict[str, str]) -> None:
        self._http = http
        self._headers = {**headers, "Authorization": f"Bearer {token}"}

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self._headers, **(kwargs.pop("headers", None) or {})}
        response = await self._http.request(method, path, headers=headers, **kwargs)
        if response.status_code == 401:
            raise NotAuthenticated(expired=True)
        return response

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", path, **kwargs)

    async def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PUT", path, **kwargs)

    async def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PATCH", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", path, **kwargs)


class Gateway:
    def __init__(self, settings: UISettings, transport: httpx.AsyncBaseTransport | None = None):
        self.settings = settings
        self.http = httpx.AsyncClient(
            base_url=settings.gateway_url,
            timeout=settings.api_timeout,
            transport=transport or GatewayTransport(),
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    async def login(self, request: Request, username: str, password: str) -> dict[str, Any]:
        """Password grant; on success the session is renewed and holds the tokens and
        the account (`/api/identite/moi`), which is returned."""
        response = await self.http.post(
            TOKEN_PATH,
            data={"grant_type": "password", "username": username, "password": password},
            headers=client_headers(request),
        )
        if response.status_code != 200:
            default = "Identifiant ou mot de passe incorrect"
            if response.status_code == 429:
                default = "Trop de tentatives : réessayez dans une minute"
            raise LoginRefused(_detail(response, default), response.status_code)
        session = session_of(request)
        session.clear()
        session.cleared = False
        session.renew()
        self._store(session, response.json())
        me = await (await self.api(request)).get(ME_PATH)
        me.raise_for_status()
        account = me.json()
        session["user"] = {
            "id": account["id"],
            "identifiant": account["identifiant"],
            "nom": " ".join(p for p in (account.get("prenom"), account.get("nom")) if p)
            or account["identifiant"],
            "organisation": (account.get("organisation") or {}).get("nom"),
            "roles": account.get("roles", []),
            "departements": account.get("departements", []),
            "charte_a_accepter": bool(account.get("charte_a_accepter")),
        }
        return dict(account)

    def _store(self, session: Session, tokens: dict[str, Any]) -> None:
        now = time.time()
        session["auth"] = {
            "access": tokens["access_token"],
            "access_exp": now + float(tokens.get("expires_in", 300)),
            "refresh": tokens.get("refresh_token"),
            "refresh_exp": now + float(tokens.get("refresh_expires_in") or 0),
        }

    async def api(self, request: Request) -> ApiClient:
        session = session_of(request)
        auth = session.get("auth")
        if not isinstance(auth, dict):
            raise NotAuthenticated(expired=session.expired)
        if float(auth["access_exp"]) - time.time() < REFRESH_MARGIN:
            await self._refresh(request, session, auth)
            auth = session["auth"]
        return ApiClient(self.http, auth["access"], client_headers(request))

    async def refresh(self, request: Request) -> None:
        """Get a new token pair now (e.g. after accepting the charter, whose acceptance
        the access token carries)."""
        session = session_of(request)
        auth = session.get("auth")
        if not isinstance(auth, dict):
            raise NotAuthenticated(expired=session.expired)
        await self._refresh(request, session, auth)

    async def _refresh(self, request: Request, session: Session, auth: dict[str, Any]) -> None:
        refresh = auth.get("refresh")
        if not refresh or float(auth.get("refresh_exp", 0)) <= time.time():
            session.clear()
            raise NotAuthenticated(expired=True)
        response = await self.http.post(
            TOKEN_PATH,
            data={"grant_type": "refresh_token", "refresh_token": refresh},
            headers=client_headers(request),
        )
        if response.status_code != 200:
            session.clear()
            raise NotAuthenticated(expired=True)
        self._store(session, response.json())

    async def logout(self, request: Request) -> None:
        """Revoke the refresh token at identite, then forget the session."""
        session = session_of(request)
        auth = session.get("auth")
        if isinstance(auth, dict) and auth.get("refresh"):
            try:
                await self.http.post(
                    LOGOUT_PATH,
                    json={"refresh_token": auth["refresh"]},
                    headers=client_headers(request),
                )
            except httpx.HTTPError:
                pass  # the session is dropped anyway; the token expires on its own
        session.clear()
