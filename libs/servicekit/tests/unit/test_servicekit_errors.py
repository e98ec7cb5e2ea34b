from datetime import date

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, Field, ValidationError, field_validator

from servicekit import exceptions
from servicekit.errors import error_items, field_path, refus_metier_handler
from servicekit.input_guard import InputGuard, control_in_json, control_in_query


class Adresse(BaseModel):
    code_postal: str = Field(min_length=5, max_length=5)


class Personne(BaseModel):
    date_naissance: date
    adresse: Adresse

    @field_validator("date_naissance")
    @classmethod
    def pas_dans_le_futur(cls, value: date) -> date:
        if value > date(2100, 1, 1):
            raise ValueError("la date est dans le futur")
        return value


class Demande(BaseModel):
    demandeur: Personne
    occupants: list[Personne] = []
    revenu: int = Field(ge=0)


def errors_of(payload: dict[str, object]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        Demande.model_validate(payload)
    return {e["champ"]: e["message"] for e in error_items(caught.value.errors())}


def test_messages_are_french_and_name_the_field_path() -> None:
    errors = errors_of(
        {
            "demandeur": {"date_naissance": "2999-01-01", "adresse": {"code_postal": "44"}},
            "occupants": [{"adresse": {"code_postal": "44000"}}],
            "revenu": -1,
        }
    )
    assert errors == {
        "demandeur.date_naissance": "la date est dans le futur",
        "demandeur.adresse.code_postal": "doit contenir au moins 5 caractère(s)",
        "occupants[0].date_naissance": "champ obligatoire",
        "revenu": "doit être supérieur ou égal à 0",
    }


def test_malformed_date_is_explained() -> None:
    errors = errors_of(
        {
            "demandeur": {"date_naissance": "02/06/1985", "adresse": {"code_postal": "44000"}},
            "revenu": 0,
        }
    )
    assert errors["demandeur.date_naissance"].startswith("date invalide")


@pytest.mark.parametrize(
    ("loc", "path"),
    [
        (("body", "a", "b"), "a.b"),
        (("body", "a", 0, "b"), "a[0].b"),
        (("query", "nom"), "nom"),
        (("body",), "requête"),
    ],
)
def test_field_path(loc: tuple[object, ...], path: str) -> None:
    assert field_path(loc) == path


class TropTard(exceptions.Expire):
    pass


class Verrou(exceptions.TropDeTentatives):
    def complements(self) -> dict[str, str]:
        return {"error": "temporarily_unavailable"}


class ChampsInterdits(exceptions.AccesRefuse):
    detail = "Vous n'avez pas le droit d'écrire ce champ"

    def __init__(self) -> None:
        super().__init__("nom : interdit")
        self.erreurs = [exceptions.Erreur("nom", "interdit", "champ_interdit")]


class StockageEnPanne(exceptions.Indisponible):
    journal = "test.stockage_indisponible"
    message = "Le stockage ne répond pas"


@pytest.mark.parametrize(
    ("refus", "status", "corps", "retry_after"),
    [
        (TropTard("Curseur expiré"), 410, {"detail": "Curseur expiré"}, None),
        (exceptions.Irrecevable("Plafonds non configurés"), 422, None, None),
        (
            Verrou("Trop de tentatives", 120),
            429,
            {"detail": "Trop de tentatives", "error": "temporarily_unavailable"},
            "120",
        ),
        (
            ChampsInterdits(),
            403,
            {
                "detail": "Vous n'avez pas le droit d'écrire ce champ",
                "erreurs": [{"champ": "nom", "message": "interdit", "code": "champ_interdit"}],
            },
            None,
        ),
        (exceptions.VersionObsolete("id-7"), 412, None, None),
        (StockageEnPanne("s3 : NoSuchBucket"), 503, {"detail": "Le stockage ne répond pas"}, "30"),
        (exceptions.Incident("cle"), 500, {"detail": "Erreur interne"}, None),
    ],
)
async def test_one_mapping_answers_every_refusal_and_failure(
    refus: Exception, status: int, corps: dict[str, object] | None, retry_after: str | None
) -> None:
    app = FastAPI()
    app.add_exception_handler(exceptions.RefusMetier, refus_metier_handler)
    app.add_exception_handler(exceptions.Defaillance, refus_metier_handler)

    @app.get("/x")
    async def lever() -> None:
        raise refus

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        r = await client.get("/x")
    assert r.status_code == status
    if corps is not None:
        assert r.json() == corps
    assert r.json()["detail"]
    if status == 412:
        assert r.json()["detail"].startswith("La ressource a été modifiée")
    assert r.headers.get("retry-after") == retry_after


def test_a_failure_is_not_a_refusal() -> None:
    """A command catching refusals must not swallow a store's failure (it is retried)."""
    assert not issubclass(exceptions.Defaillance, exceptions.RefusMetier)


@pytest.mark.parametrize(
    ("body", "champ"),
    [
        (b'{"demandeur": {"nom": "DU\\u0000RAND"}}', "demandeur.nom"),
        (b'{"occupants": [{"prenoms": "L"}, {"prenoms": "\\u0000"}]}', "occupants[1].prenoms"),
        (b'{"ok": "DURAND"}', None),
        (b'{"ok": "\\\\u0000 is text, not a NUL"}', None),
    ],
)
def test_nul_in_json_names_the_field(body: bytes, champ: str | None) -> None:
    found = control_in_json(body)
    assert (found and found[0]) == champ
    if found:
        assert found[1] == "caractère nul (U+0000) interdit"


def test_nul_in_query_names_the_parameter() -> None:
    assert control_in_query("nom=durand&motif=%C3%80p%00x") == (
        "motif",
        "caractère nul (U+0000) interdit",
    )
    assert control_in_query("nom=durand") is None


async def test_a_nul_character_gets_a_422_not_a_500() -> None:
    app = FastAPI()

    @app.post("/echo")
    async def echo(corps: dict[str, str]) -> dict[str, str]:
        return corps

    @app.get("/lire")
    async def lire(motif: str = "") -> dict[str, str]:
        return {"motif": motif}

    app.add_middleware(InputGuard)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        r = await client.get("/lire", params={"motif": "a\x00b"})
        assert r.status_code == 422
        assert r.json()["erreurs"][0]["champ"] == "motif"
        r = await client.post("/echo", content=b'{"nom": "a\\u0000"}', headers=JSON)
        assert r.status_code == 422 and r.json()["erreurs"][0]["champ"] == "nom"
        # The body read by the guard still reaches the endpoint.
        r = await client.post("/echo", content=b'{"nom": "DURAND"}', headers=JSON)
        assert r.status_code == 200 and r.json() == {"nom": "DURAND"}


JSON = {"content-type": "application/json"}
