"""The HTTP toolkit every service shares: refusals answered in one place, If-Match, pages."""

from __future__ import annotations

from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException

from servicekit import http_toolkit
from servicekit.errors import http_exception_handler, refus_metier_handler
from servicekit.exceptions import (
    AccesRefuse,
    Conflit,
    Erreur,
    Introuvable,
    Invalide,
    RefusMetier,
    VersionObsolete,
)


class DemandeIntrouvable(Introuvable):
    def __init__(self) -> None:
        super().__init__("Demande introuvable")


def _app() -> FastAPI:
    app = FastAPI()
    app.add_exception_handler(RefusMetier, refus_metier_handler)
    app.add_exception_handler(StarletteHTTPException, http_exception_handler)
    refus: dict[str, Exception] = {
        "introuvable": DemandeIntrouvable(),
        "interdit": AccesRefuse("réservé aux gestionnaires"),
        "conflit": Conflit("impossible de radier une demande radiée"),
        "version": VersionObsolete(),
        "invalide": Invalide([Erreur("demandeur.nom", "champ obligatoire", "missing")]),
        "pydantic": Invalide([{"loc": ("criteres[AGE]", "points"), "msg": "x", "type": "missing"}]),
    }

    @app.get("/refus/{nom}")
    async def refuser(nom: str) -> None:
        raise refus[nom]

    @app.put("/version")
    async def version(if_match: http_toolkit.IfMatch = None) -> dict[str, int]:
        return {"version": http_toolkit.required_version(if_match, prefix="g1-r")}

    @app.get("/page")
    async def page(
        p: Annotated[http_toolkit.Pagination, Depends(http_toolkit.pagination(par_page=20))],
    ) -> dict[str, int]:
        return {"page": p.page, "par_page": p.par_page, "debut": p.debut}

    return app


async def _client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://t")


@pytest.mark.parametrize(
    ("nom", "status", "corps"),
    [
        ("introuvable", 404, {"detail": "Demande introuvable"}),
        ("interdit", 403, {"detail": "réservé aux gestionnaires"}),
        ("conflit", 409, {"detail": "impossible de radier une demande radiée"}),
        ("version", 412, {"detail": http_toolkit.VERSION_OBSOLETE}),
        (
            "invalide",
            422,
            {
                "detail": "Données invalides",
                "erreurs": [
                    {"champ": "demandeur.nom", "message": "champ obligatoire", "code": "missing"}
                ],
            },
        ),
        (
            "pydantic",
            422,
            {
                "detail": "Données invalides",
                "erreurs": [
                    {
                        "champ": "criteres[AGE].points",
                        "message": "champ obligatoire",
                        "code": "missing",
                    }
                ],
            },
        ),
    ],
)
async def test_a_use_case_refusal_is_answered_in_french_by_servicekit(
    nom: str, status: int, corps: dict[str, object]
) -> None:
    async with await _client() as client:
        r = await client.get(f"/refus/{nom}")
    assert (r.status_code, r.json()) == (status, corps)


async def test_if_match_428_when_missing_412_when_it_names_no_version() -> None:
    async with await _client() as client:
        missing = await client.put("/version")
        other = await client.put("/version", headers={"If-Match": '"g2-r3"'})
        ok = await client.put("/version", headers={"If-Match": 'W/"g1-r3", "x"'})
    assert (missing.status_code, missing.json()["detail"]) == (
        428,
        http_toolkit.PRECONDITION_REQUISE,
    )
    assert (other.status_code, other.json()["detail"]) == (412, http_toolkit.VERSION_OBSOLETE)
    assert ok.json() == {"version": 3}
    assert http_toolkit.etag(3, prefix="g1-r") == '"g1-r3"'
    assert http_toolkit.if_match_version(None, required=False) is None


async def test_pagination_reads_page_and_par_page_within_bounds() -> None:
    async with await _client() as client:
        default = await client.get("/page")
        third = await client.get("/page", params={"page": 3, "par_page": 10})
        too_many = await client.get("/page", params={"par_page": 201})
    assert default.json() == {"page": 1, "par_page": 20, "debut": 0}
    assert third.json() == {"page": 3, "par_page": 10, "debut": 20}
    assert too_many.status_code == 422
