"""Webhook delivery: Standard Webhooks signature, CloudEvents HTTP binding (structured mode).

Each event is one POST whose body is the CloudEvent JSON (`application/cloudevents+json`)
with the headers `webhook-id` (the stable event id), `webhook-timestamp` and
`webhook-signature` (HMAC-SHA256 over id.timestamp.body, by the `standardwebhooks`
library). A 2xx answer delivers; anything else, a redirect included (never followed),
a timeout or a refused connection is a failure retried later.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Sequence
from datetime import UTC, datetime

import httpx
from standardwebhooks.webhooks import Webhook

from toit_abonnements.adapters.ssrf import Resolveur, resoudre, url_epinglee, verifier_url
from toit_abonnements.domain.exceptions import UrlRefusee
from toit_abonnements.domain.livraisons import Resultat
from toit_abonnements.domain.ports import Envoi
from toit_contracts import CONTENT_TYPE


def nouveau_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def signer(secrets_actifs: Sequence[str], event_id: str, quand: datetime, corps: bytes) -> str:
    """The webhook-signature header: one `v1,…` per active secret (rotation), space-separated."""
    texte = corps.decode()
    return " ".join(Webhook(s).sign(event_id, quand, texte) for s in secrets_actifs)


class ClientWebhook:
    def __init__(
        self,
        *,
        timeout: float,
        production: bool,
        resolveur: Resolveur = resoudre,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._production = production
        self._resolveur = resolveur
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            follow_redirects=False,
            transport=transport,
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
            headers={"user-agent": "Toit-Abonnements/1"},
        )

    async def fermer(self) -> None:
        await self._client.aclose()

    async def envoyer(
        self, url: str, secrets_actifs: Sequence[str], envois: Sequence[Envoi]
    ) -> list[Resultat]:
        """Send in order; stop at the first failure (the rest waits: order per demande)."""
        try:
            adresse = await verifier_url(
                url, production=self._production, resolveur=self._resolveur
            )
        except UrlRefusee as refus:
            return [Resultat(envois[0].position, False, None, refus.message)] if envois else []
        cible, entetes, extensions = (
            url_epinglee(url, adresse) if adresse is not None else (url, {}, {})
        )
        resultats: list[Resultat] = []
        for envoi in envois:
            resultat = await self._un(cible, entetes, extensions, secrets_actifs, envoi)
            resultats.append(resultat)
            if not resultat.livre:
                break
        return resultats

    async def _un(
        self,
        url: str,
        entetes: dict[str, str],
        extensions: dict[str, str],
        secrets_actifs: Sequence[str],
        envoi: Envoi,
    ) -> Resultat:
        quand = datetime.now(UTC)
        headers = {
            **entetes,
            "content-type": CONTENT_TYPE,
            "webhook-id": envoi.event_id,
            "webhook-timestamp": str(int(quand.timestamp())),
            "webhook-signature": signer(secrets_actifs, envoi.event_id, quand, envoi.corps),
        }
        debut = time.perf_counter()
        try:
            response = await self._client.post(
                url, content=envoi.corps, headers=headers, extensions=extensions
            )
        except httpx.TimeoutException:
            return Resultat(envoi.position, False, None, "délai dépassé", _ms(debut))
        except httpx.HTTPError as exc:
            return Resultat(envoi.position, False, None, f"connexion : {type(exc).__name__}")
        duree = _ms(debut)
        if 200 <= response.status_code < 300:
            return Resultat(envoi.position, True, response.status_code, None, duree)
        if 300 <= response.status_code < 400:
            erreur = "redirection refusée (les redirections ne sont jamais suivies)"
        else:
            erreur = f"réponse HTTP {response.status_code}"
        return Resultat(envoi.position, False, response.status_code, erreur, duree)


def _ms(debut: float) -> float:
    return round((time.perf_counter() - debut) * 1000, 2)
