"""SSRF guard for partner webhook URLs.

In production: HTTPS only, no credentials in the URL, and every address the host resolves
to must be public (no loopback, private, link-local, multicast or reserved address);
redirects are never followed (adapters/webhooks.py). The check runs when the subscription
is saved and again before each delivery (the DNS answer may change). Outside production
(demo, tests) plain HTTP and loopback are accepted so that a local receiver works.

DNS rebinding: a host that answers a public address to the check and a private one to the
connection would slip through if the HTTP client resolved the name again. Delivery
therefore connects to the very address that was checked (`verifier_url` returns it): the
request goes to that IP, with the original `Host` header and, for HTTPS, the original name
for SNI and certificate verification (httpx's `sni_hostname` request extension).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from toit_abonnements.domain.exceptions import UrlRefusee

Resolveur = Callable[[str, int], Awaitable[list[str]]]


async def resoudre(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def adresse_publique(adresse: str) -> bool:
    ip = ipaddress.ip_address(adresse.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def verifier_forme(url: str, *, production: bool) -> tuple[str, int]:
    """Refuse what is wrong in the URL itself; returns (host, port)."""
    if len(url) > 2048:
        raise UrlRefusee("L'adresse du webhook dépasse 2048 caractères")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UrlRefusee("Adresse du webhook invalide") from None
    allowed = ("https",) if production else ("https", "http")
    if parts.scheme not in allowed:
        raise UrlRefusee(
            "Le webhook doit être en HTTPS" if production else "Adresse HTTP(S) attendue"
        )
    if not parts.hostname:
        raise UrlRefusee("L'adresse du webhook n'a pas d'hôte")
    if parts.username or parts.password:
        raise UrlRefusee("L'adresse du webhook ne doit pas contenir d'identifiants")
    if parts.fragment:
        raise UrlRefusee("L'adresse du webhook ne doit pas contenir de fragment (#)")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


async def verifier_url(
    url: str, *, production: bool, resolveur: Resolveur = resoudre
) -> str | None:
    """Check the URL; in production return the checked address to connect to (pinning)."""
    host, port = verifier_forme(url, production=production)
    if not production:
        return None
    try:
        adresses = await resolveur(host, port)
    except OSError:
        raise UrlRefusee(f"L'hôte {host} ne se résout pas") from None
    if not adresses:
        raise UrlRefusee(f"L'hôte {host} ne se résout pas")
    for adresse in adresses:
        if not adresse_publique(adresse):
            raise UrlRefusee(
                f"L'hôte {host} désigne une adresse privée ou locale ({adresse}) : refusé"
            )
    return adresses[0]


def url_epinglee(url: str, adresse: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """The URL rewritten to the checked address, the Host header and the TLS extensions,
    so that the connection goes where the check looked (no second DNS resolution)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    hote_ip = f"[{adresse}]" if ":" in adresse else adresse
    netloc = f"{hote_ip}:{parts.port}" if parts.port else hote_ip
    entete_host = f"{host}:{parts.port}" if parts.port else host
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return parts._replace(netloc=netloc).geturl(), {"host": entete_host}, extensions
