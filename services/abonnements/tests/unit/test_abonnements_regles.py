"""Pure rules of abonnements: retries over a day, cursors, SSRF guard, perimeter matching."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from toit_abonnements.adapters.ssrf import adresse_publique, url_epinglee, verifier_url
from toit_abonnements.adapters.webhooks import ClientWebhook
from toit_abonnements.domain import curseurs
from toit_abonnements.domain.abonnements import (
    Abonnement,
    Partenaire,
    Perimetre,
    Statut,
    concerne,
    verifier_abonnement,
)
from toit_abonnements.domain.exceptions import (
    CurseurExpire,
    CurseurInvalide,
    HorsHabilitation,
    UrlRefusee,
)
from toit_abonnements.domain.livraisons import PolitiqueRelance, Resultat, decider
from toit_abonnements.domain.ports import Envoi

T0 = datetime(2026, 3, 1, 8, tzinfo=UTC)


def test_abonnements_relances_exponentielles_avec_gigue_sur_plus_de_24_heures() -> None:
    politique = PolitiqueRelance()
    assert politique.delai(1, 0.5) == timedelta(seconds=30)
    assert politique.delai(2, 0.5) == timedelta(seconds=60)
    assert politique.delai(20, 0.5) == timedelta(hours=1)  # capped
    assert timedelta(seconds=24) <= politique.delai(1, 0.0) < politique.delai(1, 0.99)
    assert politique.delai(1, 0.99) <= timedelta(seconds=36)
    # Abandon only after the whole window (>= 24 h): a partner down for a day loses nothing.
    assert politique.abandon_apres >= timedelta(hours=24)
    assert not politique.abandonner(T0, T0 + timedelta(hours=24))
    assert politique.abandonner(T0, T0 + politique.abandon_apres)
    # About 30 attempts fit in the window (jitter at its minimum: 0.8 h apart at most).
    assert politique.duree_minimale(30) >= timedelta(hours=16)


def test_abonnements_decision_en_ordre_lettre_morte_et_suspension() -> None:
    politique = PolitiqueRelance()
    ok = [Resultat(1, True), Resultat(2, True), Resultat(3, False, 503, "réponse HTTP 503")]
    d = decider(politique, ok, 0, 0, None, T0, 0.5)
    assert (d.livre_jusqu_a, d.echecs, d.premier_echec) == (2, 1, T0)
    assert d.prochain_essai == T0 + timedelta(seconds=30) and d.lettre_morte is None
    plus_tard = T0 + timedelta(hours=27)
    d = decider(politique, [Resultat(3, False, 503)], 2, 40, T0, plus_tard, 0.5)
    assert d.lettre_morte is not None and d.suspendre and d.livre_jusqu_a == 3


def test_abonnements_curseurs_signes_lies_a_l_abonnement() -> None:
    cle = b"cle-de-test"
    texte = curseurs.encoder(curseurs.Curseur("a-1", 42), cle)
    assert curseurs.decoder(texte, cle) == curseurs.Curseur("a-1", 42)
    with pytest.raises(CurseurInvalide):
        curseurs.decoder(texte, b"autre-cle")
    with pytest.raises(CurseurInvalide):
        curseurs.decoder(texte[:-2] + "AA", cle)
    with pytest.raises(CurseurInvalide):
        curseurs.verifier(curseurs.Curseur("a-2", 42), "a-1", 0, 30)
    with pytest.raises(CurseurExpire):
        curseurs.verifier(curseurs.Curseur("a-1", 42), "a-1", 100, 30)
    curseurs.verifier(curseurs.Curseur("a-1", 100), "a-1", 100, 30)


async def test_abonnements_garde_ssrf() -> None:
    async def resout(vers: list[str]):  # type: ignore[no-untyped-def]
        async def resolveur(_host: str, _port: int) -> list[str]:
            return vers

        return resolveur

    for adresse in (
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.1",
        "169.254.169.254",
        "::1",
        "fd00::1",
        "::ffff:10.0.0.1",
        "0.0.0.0",
        "100.64.0.1",
    ):
        assert not adresse_publique(adresse), adresse
        with pytest.raises(UrlRefusee):
            await verifier_url(
                "https://partenaire.example.org/hook",
                production=True,
                resolveur=await resout([adresse]),
            )
    assert adresse_publique("93.184.216.34")
    await verifier_url(
        "https://partenaire.example.org/hook",
        production=True,
        resolveur=await resout(["93.184.216.34"]),
    )
    # One private answer among public ones is enough to refuse.
    with pytest.raises(UrlRefusee):
        await verifier_url(
            "https://partenaire.example.org/hook",
            production=True,
            resolveur=await resout(["93.184.216.34", "10.0.0.8"]),
        )
    for url in (
        "http://partenaire.example.org/hook",
        "https://u:p@partenaire.example.org/",
        "ftp://partenaire.example.org/",
        "https:///sans-hote",
    ):
        with pytest.raises(UrlRefusee):
            await verifier_url(url, production=True, resolveur=await resout(["93.184.216.34"]))
    # Outside production a local receiver is accepted (demo sandbox, tests).
    await verifier_url("http://127.0.0.1:9000/hook", production=False)


async def test_abonnements_pas_de_fenetre_de_rebinding_dns() -> None:
    """The name is resolved once per delivery: the connection goes to the checked address,
    with the original Host header and SNI name, even if DNS now answers a private address."""
    reponses = iter([["93.184.216.34"], ["127.0.0.1"], ["127.0.0.1"]])
    appels: list[str] = []

    async def resolveur(host: str, _port: int) -> list[str]:
        appels.append(host)
        return next(reponses)

    vus: list[httpx.Request] = []

    def recepteur(request: httpx.Request) -> httpx.Response:
        vus.append(request)
        return httpx.Response(204)

    client = ClientWebhook(
        timeout=5,
        production=True,
        resolveur=resolveur,
        transport=httpx.MockTransport(recepteur),
    )
    try:
        envois = [Envoi(1, "e-1", b"{}"), Envoi(2, "e-2", b"{}")]
        resultats = await client.envoyer(
            "https://partenaire.example.org:8443/hook?x=1", ["whsec_" + "A" * 44], envois
        )
        assert [r.livre for r in resultats] == [True, True]
        assert appels == ["partenaire.example.org"]  # one resolution for the batch
        for request in vus:
            assert request.url.host == "93.184.216.34" and request.url.port == 8443
            assert request.url.path == "/hook" and request.url.query == b"x=1"
            assert request.headers["host"] == "partenaire.example.org:8443"
            assert request.extensions["sni_hostname"] == "partenaire.example.org"
        # The next delivery resolves again and refuses the rebound private address.
        [refus] = await client.envoyer(
            "https://partenaire.example.org:8443/hook", ["whsec_" + "A" * 44], envois
        )
        assert not refus.livre and "127.0.0.1" in (refus.erreur or "")
        assert len(vus) == 2
    finally:
        await client.fermer()
    assert url_epinglee("https://h.example/x", "2001:db8::1")[0] == "https://[2001:db8::1]/x"


def _partenaire(roles: set[str], **hab: frozenset[str]) -> Partenaire:
    return Partenaire(
        "org", "P", "p@example.org", frozenset(roles), Perimetre(frozenset({"35"}), **hab)
    )


def _abonnement(perimetre: Perimetre, **kw: object) -> Abonnement:
    values: dict[str, object] = {"types": ("demande.modifiee",), **kw}
    return Abonnement("a", "org", "A", perimetre=perimetre, profil="bailleur", **values)  # type: ignore[arg-type]


def test_abonnements_habilitation_et_perimetre() -> None:
    instructeur = _partenaire({"INSTRUCTEUR"})
    verifier_abonnement(
        _abonnement(Perimetre(frozenset({"35"})), complements=("handicap",)), instructeur
    )
    with pytest.raises(HorsHabilitation) as refus:
        verifier_abonnement(_abonnement(Perimetre(frozenset({"35"}))), _partenaire({"OBSERVATEUR"}))
    assert refus.value.partie == "profil"
    reservataire = _partenaire({"RESERVATAIRE"})
    with pytest.raises(HorsHabilitation) as refus:
        verifier_abonnement(
            _abonnement(Perimetre(frozenset({"35"})), complements=("violences",)), reservataire
        )
    assert refus.value.partie == "complément violences"


def test_abonnements_evenement_dans_le_perimetre() -> None:
    rennes = Perimetre(frozenset({"35"}), epcis=frozenset({"243500139"}))
    a = _abonnement(rennes)
    data = {"departement": "35", "snapshot": {"logement_recherche": {"communes": ["35047"]}}}
    assert concerne(a, "demande.modifiee", data)
    assert not concerne(a, "demande.radiee", data)  # type not subscribed
    ailleurs = {"departement": "35", "snapshot": {"logement_recherche": {"communes": ["35288"]}}}
    assert not concerne(a, "demande.modifiee", ailleurs)
    assert not concerne(a, "demande.modifiee", {**data, "departement": "44"})
    purge = {"departement": "35", "commune_souhaitee": "35238"}
    assert concerne(_abonnement(rennes, types=("demande.purgee",)), "demande.purgee", purge)
    revoque = _abonnement(Perimetre(frozenset({"35"})), statut=Statut.REVOQUE)
    assert not concerne(revoque, "demande.modifiee", data)


def test_le_pool_suit_les_livreurs() -> None:
    """One connection per parallel deliverer, the consumer's workers, the relay, ten for HTTP."""
    from toit_abonnements.settings import AbonnementsSettings

    complet = AbonnementsSettings(abonnements_livreurs=20, consumer_workers=2)
    api = AbonnementsSettings(
        abonnements_livreurs=20, consumer_workers=2, abonnements_livraison=False
    )
    assert complet.taille_pool() == 20 + 2 + 1 + 10
    assert api.taille_pool() == 2 + 1 + 10


@pytest.mark.parametrize("complements", [(), ("handicap",)])
def test_l_enveloppe_preparee_hors_verrou_est_celle_de_json_dumps(
    complements: tuple[str, ...],
) -> None:
    """The fan-out minimises and serialises before locking the subscriptions, then only
    inserts the position: the text is exactly what one json.dumps of the envelope gives."""
    import json

    from toit_abonnements.service_layer.journal import enveloppe_partenaire

    from toit_contracts.examples import example_events
    from toit_contracts.profils import SOURCE, minimiser, profil

    a = _abonnement(Perimetre(frozenset({"35"})), complements=complements)
    envelope = example_events()["demande.modifiee"].to_cloudevent(source="/toit/demandes")
    p = profil(a.profil)
    attendu = {
        "specversion": "1.0",
        "id": "e-1",
        "source": SOURCE,
        "type": envelope.type,
        "time": envelope.time.isoformat().replace("+00:00", "Z"),
        "subject": envelope.subject,
        "datacontenttype": "application/json",
        "dataschema": p.dataschema_avec(set(a.complements) & set(p.complements)),
        "sequence": "12345",
        "data": minimiser(envelope.data, p, a.complements),
    }
    texte = enveloppe_partenaire(a, envelope, "e-1", 12345)
    assert texte == json.dumps(attendu, ensure_ascii=False, separators=(",", ":"))
