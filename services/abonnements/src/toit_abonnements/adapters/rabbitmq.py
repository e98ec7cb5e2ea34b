"""AMQP for large partners: one RabbitMQ vhost and user per partner organisation, created
through the management API; the partner may only consume its own queues there (no
configure, no write, read limited to `toit.abonnement.*`), and has no permission at all on
the internal vhost where `toit.events` lives. The service publishes the minimised log into
those queues with publisher confirms.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence
from urllib.parse import quote, urlsplit, urlunsplit

import aio_pika
import httpx
from aio_pika.abc import AbstractRobustConnection

from toit_abonnements.domain.livraisons import Resultat
from toit_abonnements.domain.ports import AccesAmqp, Envoi, vhost_de
from toit_contracts import CONTENT_TYPE

LECTURE_PARTENAIRE = r"^toit\.abonnement\..*$"


def utilisateur_de(organisation_id: str) -> str:
    return f"partenaire-{organisation_id}"


class AdminRabbitMQ:
    """The management API (HTTP) with the service's own broker account."""

    def __init__(
        self,
        api_url: str,
        amqp_url: str,
        public_url: str,
        prefixe_vhost: str = "toit-partenaire-",
        timeout: float = 10,
    ) -> None:
        self._prefixe = prefixe_vhost
        parts = urlsplit(amqp_url)
        self._api = api_url.rstrip("/")
        self._service_user = parts.username or "guest"
        self._auth = httpx.BasicAuth(parts.username or "guest", parts.password or "guest")
        self._public = public_url.rstrip("/")
        self._timeout = timeout

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(auth=self._auth, timeout=self._timeout)

    async def preparer_partenaire(self, organisation_id: str) -> AccesAmqp:
        vhost = vhost_de(organisation_id, self._prefixe)
        user = utilisateur_de(organisation_id)
        v = quote(vhost, safe="")
        password = secrets.token_urlsafe(24)
        async with self._client() as client:
            (await client.put(f"{self._api}/vhosts/{v}")).raise_for_status()
            existing = await client.get(f"{self._api}/users/{quote(user, safe='')}")
            created = existing.status_code == 404
            if created:
                (
                    await client.put(
                        f"{self._api}/users/{quote(user, safe='')}",
                        json={"password": password, "tags": ""},
                    )
                ).raise_for_status()
            (
                await client.put(
                    f"{self._api}/permissions/{v}/{quote(user, safe='')}",
                    json={"configure": "^$", "write": "^$", "read": LECTURE_PARTENAIRE},
                )
            ).raise_for_status()
            (
                await client.put(
                    f"{self._api}/permissions/{v}/{quote(self._service_user, safe='')}",
                    json={"configure": ".*", "write": ".*", "read": ".*"},
                )
            ).raise_for_status()
        return AccesAmqp(
            url=f"{self._public}/{v}",
            vhost=vhost,
            utilisateur=user,
            mot_de_passe=password if created else None,
            file="",
        )

    async def declarer_file(self, vhost: str, file: str) -> None:
        async with self._client() as client:
            (
                await client.put(
                    f"{self._api}/queues/{quote(vhost, safe='')}/{quote(file, safe='')}",
                    json={"durable": True, "arguments": {"x-queue-type": "quorum"}},
                )
            ).raise_for_status()

    async def supprimer_file(self, vhost: str, file: str) -> None:
        """Delete a revoked subscription's queue (already gone: fine)."""
        async with self._client() as client:
            r = await client.delete(
                f"{self._api}/queues/{quote(vhost, safe='')}/{quote(file, safe='')}"
            )
            if r.status_code != 404:
                r.raise_for_status()

    async def supprimer_partenaire(self, vhost: str, utilisateur: str) -> None:
        """Delete the partner's vhost (its queues and open connections go with it) and its
        user (already gone: fine)."""
        async with self._client() as client:
            for url in (
                f"{self._api}/vhosts/{quote(vhost, safe='')}",
                f"{self._api}/users/{quote(utilisateur, safe='')}",
            ):
                r = await client.delete(url)
                if r.status_code != 404:
                    r.raise_for_status()


class PublieurAmqp:
    """Publishes into the partners' queues (default exchange), with publisher confirms;
    one robust connection per partner vhost, with the service's credentials."""

    def __init__(self, amqp_url: str) -> None:
        self._url = urlsplit(amqp_url)
        self._connexions: dict[str, AbstractRobustConnection] = {}
        self._verrou = asyncio.Lock()

    async def _canal(self, vhost: str) -> aio_pika.abc.AbstractChannel:
        async with self._verrou:
            connexion = self._connexions.get(vhost)
            if connexion is None or connexion.is_closed:
                url = urlunsplit(
                    (self._url.scheme, self._url.netloc, "/" + quote(vhost, safe=""), "", "")
                )
                connexion = await aio_pika.connect_robust(url, timeout=10)
                self._connexions[vhost] = connexion
        return await connexion.channel(publisher_confirms=True)

    async def envoyer(
        self, destination: str, secrets_actifs: Sequence[str], envois: Sequence[Envoi]
    ) -> list[Resultat]:
        vhost, _, file = destination.partition("|")
        resultats: list[Resultat] = []
        try:
            channel = await self._canal(vhost)
        except Exception as exc:
            return [Resultat(envois[0].position, False, None, f"courtier : {type(exc).__name__}")]
        try:
            # One channel keeps the order; the confirms are awaited together.
            confirmations = await asyncio.gather(
                *(
                    channel.default_exchange.publish(
                        aio_pika.Message(
                            envoi.corps,
                            message_id=envoi.event_id,
                            content_type=CONTENT_TYPE,
                            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        ),
                        routing_key=file,
                        mandatory=True,
                    )
                    for envoi in envois
                ),
                return_exceptions=True,
            )
            for envoi, confirmation in zip(envois, confirmations, strict=True):
                if isinstance(confirmation, BaseException):
                    erreur = f"courtier : {type(confirmation).__name__}"
                    resultats.append(Resultat(envoi.position, False, None, erreur))
                    break
                resultats.append(Resultat(envoi.position, True))
        finally:
            await channel.close()
        return resultats

    async def fermer(self) -> None:
        for connexion in self._connexions.values():
            await connexion.close()
        self._connexions.clear()
