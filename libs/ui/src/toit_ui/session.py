"""The user's session in one cookie, encrypted and signed (Fernet: AES-128-CBC + HMAC-SHA256).

The browser holds an opaque blob: tokens and account details are never readable by
its JavaScript (HttpOnly) nor by anyone without the server's secret. The cookie is
SameSite=Lax, Secure in production (then named with the `__Host-` prefix: no Domain,
Path=/), and expires server-side after `session_idle_minutes` without a request and
`session_absolute_hours` after login, whatever the browser does with it.

    session = session_of(request)     # a dict; changes are written back on the response
    session["x"] = 1
    session.clear()                   # logout: the cookie is deleted
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import secrets
import time
from http.cookies import SimpleCookie
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from toit_ui.settings import UISettings

SCOPE_KEY = "toit_ui.session"
MAX_COOKIE_BYTES = 4000
# An unchanged session is written back (its "seen" time refreshed, Fernet-encrypted again)
# only when the browser's copy is older than this: the idle expiry is then counted from
# at most a minute before the last request, and most pages send no Set-Cookie at all.
SEEN_REFRESH_SECONDS = 60.0


class Session(dict[str, Any]):
    """The decrypted session. `expired` tells that an older one was dropped for age."""

    def __init__(self, data: dict[str, Any] | None = None, *, expired: bool = False) -> None:
        super().__init__(data or {})
        self.expired = expired
        self.cleared = False

    def clear(self) -> None:
        super().clear()
        self.cleared = True

    def renew(self) -> None:
        """A new session id and CSRF token (at login: no session fixation)."""
        self["sid"] = secrets.token_urlsafe(16)
        self["csrf"] = secrets.token_urlsafe(32)
        self["created"] = time.time()


def _fernet_key(secret: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest())


class SessionCodec:
    def __init__(self, settings: UISettings) -> None:
        keys = [settings.secret, *settings.previous_secrets]
        self.fernet = MultiFernet([Fernet(_fernet_key(k)) for k in keys])
        self.idle = settings.session_idle_minutes * 60
        self.absolute = settings.session_absolute_hours * 3600
        self.secure = settings.cookies_secure
        self.cookie_name = "__Host-toit-session" if self.secure else "toit-session"

    def encode(self, session: Session, now: float) -> str:
        payload = dict(session)
        payload["seen"] = now
        return self.fernet.encrypt(json.dumps(payload, separators=(",", ":")).encode()).decode()

    def decode(self, value: str, now: float) -> Session:
        try:
            data = json.loads(self.fernet.decrypt(value.encode(), ttl=self.absolute))
        except (InvalidToken, ValueError):
            return Session(expired=True)
        if not isinstance(data, dict):
            return Session(expired=True)
        if (
            now - float(data.get("seen", 0)) > self.idle
            or now - float(data.get("created", 0)) > self.absolute
        ):
            return Session(expired=True)
        return Session(data)

    def set_cookie_header(self, value: str) -> bytes:
        parts = [f"{self.cookie_name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
        if self.secure:
            parts.append("Secure")
        return "; ".join(parts).encode("latin-1")

    def delete_cookie_header(self) -> bytes:
        parts = [f"{self.cookie_name}=", "Path=/", "Max-Age=0", "HttpOnly", "SameSite=Lax"]
        if self.secure:
            parts.append("Secure")
        return "; ".join(parts).encode("latin-1")


class SessionMiddleware:
    """Pure ASGI middleware: decrypt the cookie into scope, write it back on the answer."""

    def __init__(self, app: ASGIApp, settings: UISettings) -> None:
        self.app = app
        self.codec = SessionCodec(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        now = time.time()
        session = Session()
        had_cookie = False
        as_read: dict[str, Any] = {}
        raw = HTTPConnection(scope).headers.get("cookie")
        if raw:
            cookie = SimpleCookie()
            try:
                cookie.load(raw)
            except Exception:
                cookie = SimpleCookie()
            morsel = cookie.get(self.codec.cookie_name)
            if morsel is not None and morsel.value:
                had_cookie = True
                session = self.codec.decode(morsel.value, now)
                as_read = copy.deepcopy(dict(session))
        scope[SCOPE_KEY] = session

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if session.cleared and not session:
                    headers.append((b"set-cookie", self.codec.delete_cookie_header()))
                elif session and (
                    session != as_read
                    or now - float(session.get("seen", 0)) >= SEEN_REFRESH_SECONDS
                ):
                    value = self.codec.encode(session, now)
                    if len(value) > MAX_COOKIE_BYTES:
                        raise RuntimeError(f"session cookie too large ({len(value)} bytes)")
                    headers.append((b"set-cookie", self.codec.set_cookie_header(value)))
                elif had_cookie and not session:
                    headers.append((b"set-cookie", self.codec.delete_cookie_header()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def session_of(conn: HTTPConnection) -> Session:
    session = conn.scope.get(SCOPE_KEY)
    if not isinstance(session, Session):
        raise RuntimeError("SessionMiddleware is not installed")
    return session


def csrf_token(conn: HTTPConnection) -> str:
    """The session's CSRF token, created on first use (forms render it in a hidden field)."""
    session = session_of(conn)
    token = session.get("csrf")
    if not isinstance(token, str):
        if "created" not in session:
            session["created"] = time.time()
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def flash(conn: HTTPConnection, kind: str, message: str) -> None:
    """A message shown once on the next page (kind: succes, info, avertissement, erreur)."""
    session = session_of(conn)
    session.setdefault("created", time.time())
    session.setdefault("flash", []).append([kind, message])


def pop_flashes(conn: HTTPConnection) -> list[tuple[str, str]]:
    session = session_of(conn)
    messages = session.pop("flash", None) or []
    return [(str(k), str(m)) for k, m in messages]
