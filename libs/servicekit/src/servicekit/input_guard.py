"""Bounds every input before any parsing: size, nesting depth and characters.

An ASGI middleware that every service gets from `servicekit.http.create_app`:
- **size**: a body larger than `MAX_BODY` (1 MiB; `MAX_MULTIPART` for file uploads) is
  answered 413 before it is read further;
- **depth**: JSON nested deeper than `MAX_DEPTH` is answered 422 before `json.loads` runs
  (the C parser recurses, and fails with RecursionError, a 500, near 1,000 levels); the
  check runs on the raw bytes of every non-form body, so a YAML flow document or a JSON
  body sent under another content type is bounded too (YAML block nesting: `load_yaml`);
- **characters**: control characters (C0 but TAB, LF and CR; DEL; C1) are refused with 422
  and the field path, in query strings, JSON and form bodies. PostgreSQL text cannot hold
  U+0000: such a value would reach the database and fail there, after part of the work.
  Multipart bodies are left to their routes (files legitimately hold any byte; file names
  are display labels, see `display_filename`).
Every answer is the French JSON of `servicekit.errors`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any
from urllib.parse import parse_qsl

import yaml
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit.errors import http_exception_handler, invalid

MAX_BODY = 1024 * 1024
MAX_MULTIPART = 11 * 1024 * 1024  # a pièce of 10 MiB and its form fields
MAX_DEPTH = 32
MAX_FILENAME = 120

NUL = "\x00"
_TOO_LARGE = "Requête trop volumineuse : {limite} au plus"
_TOO_DEEP = f"document trop imbriqué : {MAX_DEPTH} niveaux au plus"

# Characters no text field holds: C0 controls but TAB, LF, CR; DEL; C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ANY_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# In raw JSON, such a character is a \u escape (or \b, \f), or a raw DEL or C1 byte.
_CONTROL_IN_RAW_JSON = re.compile(
    rb"\\u00(?:[01][0-9a-fA-F]|7[fF]|[89][0-9a-fA-F])|\\[bf]|\x7f|\xc2[\x80-\x9f]"
)
# Bidirectional embeddings, overrides and isolates (U+202E shows "cod.exe" as "exe.doc"),
# and the other invisible format characters a file name never needs.
_FORMAT = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
# A JSON string (possessive: linear; an unterminated one runs to the end of the body).
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*+"?', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


def control_message(text: str) -> str:
    found = _CONTROL.search(text)
    assert found is not None
    if found.group() == NUL:
        return "caractère nul (U+0000) interdit"
    return f"caractère de contrôle (U+{ord(found.group()):04X}) interdit"


def control_in_query(query: str) -> tuple[str, str] | None:
    """(parameter, message) of the first parameter of a query string holding a control
    character, if any."""
    for name, value in parse_qsl(query, keep_blank_values=True):
        if _CONTROL.search(name) or _CONTROL.search(value):
            return _CONTROL.sub("", name) or "requête", control_message(name + value)
    return None


def control_in_json(body: bytes) -> tuple[str, str] | None:
    """(path, message) of the first JSON value (or key) holding a control character."""
    if not _CONTROL_IN_RAW_JSON.search(body):
        return None
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None  # invalid JSON: the framework answers 422 itself
    return _path_of_control(document, "")


def _path_of_control(value: Any, path: str) -> tuple[str, str] | None:
    if isinstance(value, str):
        return (path or "requête", control_message(value)) if _CONTROL.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if _CONTROL.search(key):
                return _CONTROL.sub("", child), control_message(key)
            if found := _path_of_control(item, child):
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            if found := _path_of_control(item, f"{path}[{index}]"):
                return found
    return None


def too_deep(body: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether the brackets of a JSON (or YAML flow) text nest deeper than `limit`,
    strings excepted; linear, and the common case (few brackets) costs two counts."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for byte in _JSON_STRING.sub(b"", body).translate(None, _NOT_BRACKET):
        if byte == 0x5B or byte == 0x7B:  # [ {
            depth += 1
            if depth > limit:
                return True
        elif depth:
            depth -= 1
    return False


class DocumentTooDeep(ValueError):
    def __init__(self) -> None:
        super().__init__(_TOO_DEEP)


def load_yaml(text: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """`yaml.safe_load` after a pass over the event stream (iterative, no recursion) that
    refuses nesting deeper than `max_depth` and aliases (whose expansion, "billion
    laughs", is exponential). Raises DocumentTooDeep or yaml.YAMLError."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > max_depth:
                raise DocumentTooDeep()
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            raise yaml.YAMLError("les alias YAML (*nom) ne sont pas acceptés")
    return yaml.safe_load(text)


def display_filename(name: str | None, default: str = "fichier") -> str:
    """A file name as a display label only: NFC, without control or bidirectional
    characters, path or surrounding spaces, at most MAX_FILENAME characters (the
    extension kept). Never a storage key."""
    label = unicodedata.normalize("NFC", name or "")
    label = _FORMAT.sub("", _ANY_CONTROL.sub("", label))
    label = label.replace("\\", "/").rsplit("/", 1)[-1]
    label = " ".join(label.split()).strip(". ")
    if len(label) > MAX_FILENAME:
        stem, dot, extension = label.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            label = stem[: MAX_FILENAME - len(extension) - 1].rstrip() + "." + extension
        else:
            label = label[:MAX_FILENAME].rstrip()
    return label or default


def _human(size: int) -> str:
    return f"{size // (1024 * 1024)} Mo" if size >= 1024 * 1024 else f"{size // 1024} ko"


def _too_large(limit: int) -> HTTPException:
    return HTTPException(status_code=413, detail=_TOO_LARGE.format(limite=_human(limit)))


class InputGuard:
    def __init__(
        self,
        app: ASGIApp,
        max_body: int = MAX_BODY,
        max_multipart: int = MAX_MULTIPART,
        limits: dict[str, int] | None = None,
    ) -> None:
        self._app = app
        self._max_body = max_body
        self._max_multipart = max_multipart
        # Larger bounds for a few declared paths (a landlord's stock file): path → bytes.
        self._limits = dict(limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        refused = control_in_query(scope["query_string"].decode("latin-1"))
        if refused is None and scope["method"] in ("POST", "PUT", "PATCH", "DELETE"):
            headers = Headers(scope=scope)
            content_type = headers.get("content-type", "").lower()
            multipart = content_type.startswith("multipart/")
            limit = self._max_multipart if multipart else self._max_body
            limit = max(limit, self._limits.get(scope["path"], 0))
            length = headers.get("content-length", "")
            if length.isdigit() and int(length) > limit:
                await _answer_too_large(limit, scope, receive, send)
                return
            if multipart:
                receive = _counting(receive, limit)
            else:
                try:
                    body = await _read_body(receive, limit)
                except HTTPException:
                    await _answer_too_large(limit, scope, receive, send)
                    return
                refused = _refusal(body, content_type)
                receive = _replay(body, receive)
        if refused is not None:
            champ, message = refused
            response = invalid([{"champ": champ, "message": message, "code": "value_error"}])
            await response(scope, receive, send)
            return
        await self._app(scope, receive, send)


def _refusal(body: bytes, content_type: str) -> tuple[str, str] | None:
    if "x-www-form-urlencoded" in content_type:
        return control_in_query(body.decode("latin-1"))
    if too_deep(body):
        return "requête", _TOO_DEEP
    if "json" in content_type:
        return control_in_json(body)
    return None


async def _answer_too_large(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    response = await http_exception_handler(Request(scope, receive), _too_large(limit))
    await response(scope, receive, send)


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _counting(receive: Receive, limit: int) -> Receive:
    """A receive that stops a streamed body past `limit` (413, answered by the framework's
    handler: FastAPI lets an HTTPException raised while reading the body through)."""
    size = 0

    async def counted() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise _too_large(limit)
        return message

    return counted


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
