"""Refuses the NUL character (U+0000) in query strings and in JSON or form bodies.

PostgreSQL text cannot hold U+0000: a value carrying one would reach the database and
fail there with a 500, after part of the work was done. This ASGI middleware answers
422 with the field path instead, before any handler runs. Multipart bodies are left
alone (files legitimately hold NUL bytes; their text fields are enumerations).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit.errors import invalid

NUL = "\x00"
_MESSAGE = "caractère nul (U+0000) interdit"


def nul_in_query(query: str) -> str | None:
    """The name of the first parameter of a query string that holds a NUL, if any."""
    for name, value in parse_qsl(query, keep_blank_values=True):
        if NUL in name or NUL in value:
            return name.replace(NUL, "") or "requête"
    return None


def nul_in_json(body: bytes) -> str | None:
    """The path of the first JSON value (or key) that holds a NUL, if any."""
    if b"\\u0000" not in body:  # the only way to write U+0000 in valid JSON
        return None
    try:
        document = json.loads(body)
    except ValueError:
        return None  # invalid JSON: the framework answers 422 itself
    return _path_of_nul(document, "")


def _path_of_nul(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return (path or "requête") if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if NUL in key:
                return child.replace(NUL, "")
            if found := _path_of_nul(item, child):
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            if found := _path_of_nul(item, f"{path}[{index}]"):
                return found
    return None


class NulCharacterGuard:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        champ = nul_in_query(scope["query_string"].decode("latin-1"))
        if champ is None and scope["method"] in ("POST", "PUT", "PATCH"):
            content_type = Headers(scope=scope).get("content-type", "")
            if "json" in content_type or "x-www-form-urlencoded" in content_type:
                body = await _read_body(receive)
                if "json" in content_type:
                    champ = nul_in_json(body)
                else:
                    champ = nul_in_query(body.decode("latin-1"))
                receive = _replay(body, receive)
        if champ is not None:
            response = invalid([{"champ": champ, "message": _MESSAGE, "code": "value_error"}])
            await response(scope, receive, send)
            return
        await self._app(scope, receive, send)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the already-read body over once, then the real channel."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
