"""AMQP for large partners: a vhost and a user per partner made through the RabbitMQ
management API; the partner reads its own queue, fed by the minimised log, and can
neither read nor bind to the internal exchange."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from urllib.parse import quote, urlsplit, urlunsplit

import aio_pika
import aiormq
import httpx
import jsonschema
import pytest
from toit_abonnements.service import service

from servicekit.runtime import ServiceRuntime
from servicekit.testing import RuntimeFactory
from servicekit.testing_auth import auth_headers
from toit_contracts.profils import PROFILS, schema_enveloppe

from .abonnements_harness import (
    GESTIONNAIRE_35,
    client,
    creer_abonnement,
    declarer_partenaire,
    modification,
    publier,
)

pytestmark = pytest.mark.integration


def _admin() -> tuple[str, httpx.BasicAuth]:
    import os

    api = os.environ["TOIT_RABBITMQ_API"]
    amqp = urlsplit(os.environ["TOIT_AMQP_URL"])
    return api, httpx.BasicAuth(amqp.username or "guest", amqp.password or "guest")


@pytest.fixture
async def prefixe(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """A random vhost prefix for this test; every vhost and user it made is deleted after."""
    import os

    prefixe = f"toit-test-{uuid.uuid4().hex[:8]}-"
    monkeypatch.setenv("TOIT_ABONNEMENTS_PREFIXE_VHOST", prefixe)
    monkeypatch.setenv("TOIT_ABONNEMENTS_RABBITMQ_API", os.environ["TOIT_RABBITMQ_API"])
    yield prefixe
    api, auth = _admin()
    async with httpx.AsyncClient(auth=auth, timeout=30) as http:
        for vhost in (await http.get(f"{api}/vhosts")).json():
            if vhost["name"].startswith(prefixe):
                await http.delete(f"{api}/vhosts/{quote(vhost['name'], safe='')}")
                organisation = vhost["name"].removeprefix(prefixe)
                await http.delete(f"{api}/users/partenaire-{organisation}")


@pytest.fixture
async def runtime(prefixe: str, runtime_factory: RuntimeFactory) -> ServiceRuntime:
    # `prefixe` first: its clean-up then runs after the runtime (and its publisher) stopped.
    return await runtime_factory(service)


def _url(base: str, user: str, password: str, vhost: str) -> str:
    parts = urlsplit(base)
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{parts.hostname}:{parts.port}"
    return urlunsplit(("amqp", netloc, "/" + quote(vhost, safe=""), "", ""))


async def test_partenaire_amqp_lit_sa_file_et_rien_d_autre(runtime: ServiceRuntime) -> None:
    organisation = str(uuid.uuid4())
    async with client(runtime) as http:
        await declarer_partenaire(http, organisation=organisation)
        creation = await creer_abonnement(http, organisation=organisation, mode="AMQP")
    acces = creation["amqp"]
    assert (
        acces["mot_de_passe"] and acces["file"] == f"toit.abonnement.{creation['abonnement']['id']}"
    )
    demandes = [uuid.uuid4() for _ in range(3)]
    await publier(runtime, *(modification(d, 1) for d in demandes))

    base = runtime.settings.amqp_url
    partenaire_url = _url(base, acces["utilisateur"], acces["mot_de_passe"], acces["vhost"])
    connexion = await aio_pika.connect(partenaire_url, timeout=10)
    try:
        canal = await connexion.channel()
        file = await canal.get_queue(acces["file"], ensure=False)
        recus: list[dict] = []  # type: ignore[type-arg]
        async with asyncio.timeout(20):
            while len(recus) < 3:
                message = await file.get(no_ack=False, fail=False)
                if message is None:
                    await asyncio.sleep(0.1)
                    continue
                body = json.loads(message.body)
                assert message.message_id == body["id"]
                assert message.content_type == "application/cloudevents+json"
                jsonschema.validate(body, schema_enveloppe(body["type"], PROFILS["bailleur"]))
                recus.append(body)
                await message.ack()
        assert sorted(r["subject"] for r in recus) == sorted(str(d) for d in demandes)

        # The partner may not declare, bind or publish in its own vhost…
        refus = []
        for essai in (
            lambda c: c.declare_queue("a-moi", durable=True),
            lambda c: c.declare_exchange("toit.events", aio_pika.ExchangeType.TOPIC, passive=True),
            lambda c: c.get_exchange("amq.topic", ensure=False),
        ):
            c = await connexion.channel()
            try:
                obj = await essai(c)
                if isinstance(obj, aio_pika.abc.AbstractExchange):
                    q = await c.get_queue(acces["file"], ensure=False)
                    await q.bind(obj, routing_key="#")
                refus.append(False)
            except (
                aiormq.exceptions.ChannelAccessRefused,
                aiormq.exceptions.ChannelNotFoundEntity,
            ):
                refus.append(True)
        assert refus == [True, True, True]
    finally:
        await connexion.close()

    # …and has no access at all to the internal vhost, where toit.events lives.
    interne = urlsplit(base).path.lstrip("/")
    with pytest.raises(
        (
            aiormq.exceptions.InvalidFrameError,  # Connection.Close answering Connection.Open
            aiormq.exceptions.ProbableAuthenticationError,
            ConnectionError,
            aiormq.exceptions.ConnectionClosed,
        )
    ):
        c2 = await aio_pika.connect(
            _url(base, acces["utilisateur"], acces["mot_de_passe"], interne), timeout=10
        )
        try:
            ch = await c2.channel()
            await ch.declare_exchange("toit.events", aio_pika.ExchangeType.TOPIC, passive=True)
        finally:
            await c2.close()
    # What the broker says about its permissions.
    api, auth = _admin()
    async with httpx.AsyncClient(auth=auth, timeout=30) as admin:
        permissions = (await admin.get(f"{api}/users/{acces['utilisateur']}/permissions")).json()
    assert [(p["vhost"], p["configure"], p["write"], p["read"]) for p in permissions] == [
        (acces["vhost"], "^$", "^$", r"^toit\.abonnement\..*$")
    ]


async def test_revocation_supprime_la_file_puis_le_vhost_du_partenaire(
    runtime: ServiceRuntime,
) -> None:
    """Revoking an AMQP subscription deletes its queue; revoking the partner's last one
    deletes their vhost and user too, which closes their open connections."""
    organisation = str(uuid.uuid4())
    async with client(runtime) as http:
        await declarer_partenaire(http, organisation=organisation)
        premiere = await creer_abonnement(http, organisation=organisation, mode="AMQP")
        seconde = await creer_abonnement(http, organisation=organisation, mode="AMQP", nom="Bis")
    acces = premiere["amqp"]
    vhost, utilisateur = acces["vhost"], acces["utilisateur"]
    api, auth = _admin()
    connexion = await aio_pika.connect(
        _url(runtime.settings.amqp_url, utilisateur, acces["mot_de_passe"], vhost), timeout=10
    )
    try:
        async with httpx.AsyncClient(auth=auth, timeout=30) as admin:

            async def files() -> set[str]:
                r = await admin.get(f"{api}/queues/{quote(vhost, safe='')}")
                return {q["name"] for q in r.json()} if r.status_code == 200 else set()

            assert files_attendues(premiere, seconde) == await files()
            async with client(runtime) as http:
                r = await http.post(
                    f"/api/abonnements/abonnements/{premiere['abonnement']['id']}/revocation",
                    headers=auth_headers(**GESTIONNAIRE_35),
                )
                assert r.status_code == 200, r.text
                assert r.json()["statut"] == "REVOQUE"
            assert await files() == files_attendues(seconde)
            assert (await admin.get(f"{api}/vhosts/{quote(vhost, safe='')}")).status_code == 200

            async with client(runtime) as http:
                r = await http.post(
                    f"/api/abonnements/abonnements/{seconde['abonnement']['id']}/revocation",
                    headers=auth_headers(**GESTIONNAIRE_35),
                )
                assert r.status_code == 200, r.text
            assert (await admin.get(f"{api}/vhosts/{quote(vhost, safe='')}")).status_code == 404
            assert (await admin.get(f"{api}/users/{utilisateur}")).status_code == 404
        # The broker closed the partner's open connection (CONNECTION_FORCED).
        with pytest.raises(Exception):  # noqa: B017 — aiormq's closed-connection errors vary
            await connexion.channel()
    finally:
        await connexion.close()


def files_attendues(*creations: dict) -> set[str]:  # type: ignore[type-arg]
    return {c["amqp"]["file"] for c in creations}
