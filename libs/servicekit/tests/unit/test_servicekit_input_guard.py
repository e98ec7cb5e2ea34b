"""Every input is bounded before it is parsed: size, depth, characters; every framework
error answers in French JSON."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import yaml
from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from servicekit.errors import http_exception_handler, request_validation_handler
from servicekit.input_guard import (
    MAX_DEPTH,
    MAX_FILENAME,
    DocumentTooDeep,
    InputGuard,
    control_in_json,
    display_filename,
    load_yaml,
    too_deep,
)

JSON = {"content-type": "application/json"}


def _deep(levels: int) -> bytes:
    return b'{"a": ' * levels + b"1" + b"}" * levels


def test_depth_is_measured_outside_strings() -> None:
    assert not too_deep(_deep(MAX_DEPTH))
    assert too_deep(_deep(MAX_DEPTH + 1))
    assert too_deep(b"[" * 1000)  # unbalanced: json.loads would recurse before failing
    assert not too_deep(b'{"texte": "' + b"[" * 1000 + b'"}')
    assert not too_deep(b'{"t": "\\"' + b"{" * 100 + b'"}')  # escaped quote stays in
    assert not too_deep(b'"' + b"[" * 100_000)  # an unterminated string runs to the end


def test_control_characters_are_found_with_their_path() -> None:
    assert control_in_json(b'{"a": [{"b": "x\\u0007"}]}') == (
        "a[0].b",
        "caractère de contrôle (U+0007) interdit",
    )
    assert control_in_json('{"a": "x\u0085"}'.encode()) == (
        "a",
        "caractère de contrôle (U+0085) interdit",
    )
    assert control_in_json(b'{"a": "ligne\\nligne\\ttab"}') is None


def test_yaml_is_bounded_before_it_is_built() -> None:
    assert load_yaml("a:\n  b: [1, 2]\n") == {"a": {"b": [1, 2]}}
    bloc = "".join(f"{'  ' * i}n{i}:\n" for i in range(MAX_DEPTH + 5)) + "  " * 40 + "x: 1\n"
    with pytest.raises(DocumentTooDeep):
        load_yaml(bloc)
    with pytest.raises(DocumentTooDeep):
        load_yaml("[" * 5000)
    with pytest.raises(yaml.YAMLError):
        load_yaml("a: &x [1, 2]\nb: [*x, *x]\n")


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("cni.pdf", "cni.pdf"),
        ("photo\u202egnp.exe", "photognp.exe"),
        ("a\x00b\r\n.pdf", "ab.pdf"),
        ("C:\\Users\\x\\..\\secret.pdf", "secret.pdf"),
        ("../../etc/passwd", "passwd"),
        ("cafe\u0301.pdf", "caf\u00e9.pdf"),  # NFC
        ("\u202e\u200b", "fichier"),
        (None, "fichier"),
    ],
)
def test_filenames_become_display_labels(name: str | None, label: str) -> None:
    assert display_filename(name) == label


def test_long_filenames_keep_their_extension() -> None:
    label = display_filename("x" * 500 + ".pdf")
    assert len(label) == MAX_FILENAME and label.endswith(".pdf")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.add_exception_handler(RequestValidationError, request_validation_handler)
    app.add_exception_handler(HTTPException, http_exception_handler)

    @app.post("/echo")
    async def echo(corps: dict[str, Any]) -> dict[str, Any]:
        return corps

    @app.patch("/brut")
    async def brut(request: Request) -> dict[str, int]:
        return {"taille": len(await request.body())}

    @app.post("/fichier")
    async def fichier(nom: str = Form(), fichier: UploadFile = File()) -> dict[str, Any]:
        return {"nom": nom, "taille": len(await fichier.read())}

    app.add_middleware(InputGuard, max_body=10_000, max_multipart=20_000)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


async def test_deep_json_is_a_french_422_not_a_500(client: httpx.AsyncClient) -> None:
    for url, method in (("/echo", "POST"), ("/brut", "PATCH")):
        r = await client.request(method, url, content=_deep(1000), headers=JSON)
        assert r.status_code == 422, r.text
        assert r.json()["erreurs"][0]["message"].startswith("document trop imbriqué")
    r = await client.post("/echo", content=_deep(5), headers=JSON)
    assert r.status_code == 200


async def test_bodies_are_bounded(client: httpx.AsyncClient) -> None:
    r = await client.post("/echo", content=b'{"a": "' + b"x" * 20_000 + b'"}', headers=JSON)
    assert r.status_code == 413 and r.json()["detail"].startswith("Requête trop volumineuse")

    async def flux() -> AsyncIterator[bytes]:  # chunked: no Content-Length
        for _ in range(30):
            yield b"x" * 1000

    r = await client.patch("/brut", content=flux(), headers=JSON)
    assert r.status_code == 413 and "volumineuse" in r.json()["detail"]
    fichier = {"fichier": ("a.pdf", b"%PDF" + b"x" * 30_000, "application/pdf")}
    r = await client.post("/fichier", data={"nom": "a"}, files=fichier)
    assert r.status_code == 413 and "volumineuse" in r.json()["detail"]
    fichier = {"fichier": ("a.pdf", b"%PDF\x00\x01", "application/pdf")}
    r = await client.post("/fichier", data={"nom": "a"}, files=fichier)
    assert r.status_code == 200 and r.json()["taille"] == 6


async def test_control_characters_are_refused_in_json_form_and_query(
    client: httpx.AsyncClient,
) -> None:
    r = await client.post("/echo", content=b'{"nom": "A\\u001bB"}', headers=JSON)
    assert r.status_code == 422 and r.json()["erreurs"][0]["champ"] == "nom"
    r = await client.post("/echo?motif=a%07b", json={})
    assert r.status_code == 422 and r.json()["erreurs"][0]["champ"] == "motif"
    r = await client.post("/echo", content=b"nom=a%00b", headers={"content-type": FORM})
    assert r.status_code == 422 and r.json()["erreurs"][0]["champ"] == "nom"


FORM = "application/x-www-form-urlencoded"


async def test_framework_errors_answer_in_french(client: httpx.AsyncClient) -> None:
    r = await client.post("/echo", content=b'{"a": ', headers=JSON)
    assert r.status_code == 422 and r.json()["erreurs"][0]["message"] == "JSON invalide"
    r = await client.get("/echo")
    assert r.status_code == 405 and r.json() == {"detail": "Méthode non autorisée"}
    r = await client.post("/nulle-part", json={})
    assert r.status_code == 404 and r.json() == {"detail": "Ressource introuvable"}
    r = await client.post(
        "/fichier", content=b"--x\r\nnimporte\r\n", headers={"content-type": "multipart/form-data"}
    )
    assert r.status_code in (400, 422) and "anglais" not in r.text
    assert r.json()["detail"] in (
        "Formulaire multipart illisible ou trop grand (champs, fichiers ou taille)",
        "Données invalides",
    )
