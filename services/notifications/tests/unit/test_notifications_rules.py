"""Pure rules: channel, masks, retry policy, triggers, templates, PDF."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from toit_notifications.adapters.gabarits import Gabarits
from toit_notifications.adapters.pdf import attestation_pdf, courrier_pdf
from toit_notifications.domain.declencheurs import DECLENCHEURS, PAR_EVENEMENT
from toit_notifications.domain.model import (
    Canal,
    Destinataire,
    PolitiqueEnvoi,
    choisir_canal,
    date_fr,
    masquer_email,
    masquer_nom,
    message_id,
)
from toit_notifications.service_layer import delai_anormalement_long, donnees_attestation

from toit_contracts.enums import CanalDepot
from toit_contracts.examples import NUMERO_UNIQUE, example_contact, example_events


def test_email_only_when_an_address_is_known_and_post_was_not_asked() -> None:
    assert choisir_canal(Destinataire(email="a@b.fr")) is Canal.EMAIL
    assert choisir_canal(Destinataire(email=None)) is Canal.COURRIER
    assert choisir_canal(Destinataire(email="a@b.fr", courrier_papier=True)) is Canal.COURRIER


def test_masks_keep_initials_only() -> None:
    assert masquer_email("camille.exemple@example.org") == "c***@e***.org"
    assert masquer_email(None) is None
    assert masquer_nom("Madame Camille EXEMPLE") == "Madame C*** E***"


def test_message_id_is_deterministic_per_key() -> None:
    assert message_id("k", "toit.fr") == message_id("k", "toit.fr")
    assert message_id("k", "toit.fr") != message_id("l", "toit.fr")
    assert message_id("k", "toit.fr").endswith("@toit.fr>")


def test_backoff_doubles_up_to_the_maximum_then_gives_up() -> None:
    policy = PolitiqueEnvoi(timedelta(seconds=5), timedelta(seconds=60), timedelta(hours=1))
    now = datetime(2026, 1, 1, tzinfo=UTC)
    delays = [(policy.prochain_essai(n, now) - now).total_seconds() for n in range(1, 7)]
    assert delays == [5, 10, 20, 40, 60, 60]
    assert not policy.abandonner(now, now + timedelta(minutes=59))
    assert policy.abandonner(now, now + timedelta(hours=1))


def test_french_dates_and_months() -> None:
    assert date_fr(date(2026, 3, 1)) == "1er mars 2026"


def test_every_trigger_has_a_template_with_three_parts() -> None:
    gabarits = Gabarits()
    events = example_events()
    for declencheur in DECLENCHEURS:
        assert declencheur.type in gabarits.versions, declencheur.type
        for avis in declencheur.avis(events[declencheur.evenement.event_type]):
            rendu = gabarits.rendre(avis.type, {**avis.contexte, "canal": avis.canal.value})
            assert rendu.sujet and "\n" not in rendu.sujet
            assert rendu.texte.strip() and "<html" in rendu.html


def test_html_part_is_escaped() -> None:
    event = example_events()["demande.renouvellement_a_echeance"]
    contact = example_contact().model_copy(update={"nom": "<script>x</script>"})
    event = event.model_copy(update={"contact": contact})
    avis = PAR_EVENEMENT[event.event_type].avis(event)[0]
    rendu = Gabarits().rendre(avis.type, {**avis.contexte, "canal": "email"})
    assert "<script>" not in rendu.html and "&lt;script&gt;" in rendu.html
    assert "<script>" in rendu.texte


def test_accounts_to_review_go_to_each_administrator_once() -> None:
    event = example_events()["comptes.a_revoir"]
    event = event.model_copy(update={"destinataires": ["a@x.fr", "b@x.fr", "a@x.fr"]})
    avis = PAR_EVENEMENT["comptes.a_revoir"].avis(event)
    assert [a.destinataire.email for a in avis] == ["a@x.fr", "b@x.fr"]
    assert {a.cle("e1") for a in avis} == {a.cle("e1") for a in avis[::-1]}
    assert len({a.cle("e1") for a in avis}) == 2


def test_renewal_notice_without_post_preference_is_an_email() -> None:
    event = example_events()["demande.renouvellement_a_echeance"]
    event = event.model_copy(update={"en_ligne": True})
    [avis] = PAR_EVENEMENT[event.event_type].avis(event)
    assert avis.canal is Canal.EMAIL and avis.type == "preavis_renouvellement"
    assert avis.contexte["date_expiration"] == date(2027, 1, 12)


def test_dal_is_the_shortest_of_the_typologies_asked() -> None:
    assert (dal := delai_anormalement_long("35", ["T3", "T4"])) and dal.mois == 24
    assert (dal := delai_anormalement_long("35", ["T2"])) and dal.mois == 30
    assert delai_anormalement_long("2A", []) is None


def test_attestation_pdf_holds_what_the_law_lists() -> None:
    event = example_events()["demande.enregistree"]
    [avis] = PAR_EVENEMENT[event.event_type].avis(event)
    data = donnees_attestation(avis, "RM035")
    content = attestation_pdf(data, date(2026, 1, 15))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert NUMERO_UNIQUE in text
    assert "12 janvier 2026" in text  # dépôt
    assert "RM035" in text
    assert "24 mois" in text and "12 janvier 2028" in text  # DAL and DALO date
    # Every DAL of the packaged referentiel is a placeholder: never "fixé par le préfet".
    assert "Délai indicatif : arrêté préfectoral à confirmer" in " ".join(text.split())
    assert "fixé par le préfet" not in text
    assert "Avis d'impôt sur le revenu" in text  # annex of pièces
    assert "R441-2-6" in text  # data-protection notice
    assert attestation_pdf(data, date(2026, 1, 15)) == content  # invariant bytes


def test_courrier_pdf_prints_address_and_body() -> None:
    destinataire = PAR_EVENEMENT["demande.radiee"].avis(example_events()["demande.radiee"])[0]
    content = courrier_pdf(
        destinataire.destinataire, "Objet", "Bonjour,\n\nTexte & suite.", date(2026, 6, 30)
    )
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "35000 RENNES" in text and "Texte & suite." in text


def test_unique_key_differs_by_event_and_type() -> None:
    event = example_events()["demande.enregistree"]
    [avis] = PAR_EVENEMENT[event.event_type].avis(event)
    assert avis.cle("e1") != avis.cle("e2")


def test_dalo_information_says_a_placeholder_dal_is_indicative() -> None:
    event = example_events()["demande.delai_anormalement_long_atteint"]
    [avis] = PAR_EVENEMENT[event.event_type].avis(event)
    rendu = Gabarits().rendre(avis.type, {**avis.contexte, "canal": "email"})
    assert "délai indicatif : arrêté préfectoral à confirmer" in rendu.texte


@pytest.mark.parametrize(
    ("en_ligne", "courrier_papier", "email", "canaux"),
    [
        # Never registered nor renewed online: post, plus email when known.
        (False, False, "a@b.fr", {Canal.COURRIER, Canal.EMAIL}),
        (False, True, "a@b.fr", {Canal.COURRIER, Canal.EMAIL}),
        (False, False, None, {Canal.COURRIER}),
        (False, True, None, {Canal.COURRIER}),
        # Registered or renewed online: email only, or email and post when post was asked.
        (True, False, "a@b.fr", {Canal.EMAIL}),
        (True, True, "a@b.fr", {Canal.EMAIL, Canal.COURRIER}),
        (True, False, None, {Canal.COURRIER}),
        (True, True, None, {Canal.COURRIER}),
    ],
)
def test_renewal_notice_channel_follows_filing_channel_and_choice(
    en_ligne: bool, courrier_papier: bool, email: str | None, canaux: set[Canal]
) -> None:
    """R441-2-7 CCH, primer §5.2 (issue 11 item 2)."""
    event = example_events()["demande.renouvellement_a_echeance"]
    contact = example_contact().model_copy(
        update={"email": email, "courrier_papier": courrier_papier}
    )
    event = event.model_copy(update={"contact": contact, "en_ligne": en_ligne})
    avis = PAR_EVENEMENT[event.event_type].avis(event)
    assert [a.canal for a in avis] == sorted(canaux, key=[Canal.COURRIER, Canal.EMAIL].index)
    assert len({a.cle("e1") for a in avis}) == len(avis)  # each channel exists once


def test_radiation_notice_is_a_registered_letter_with_the_answer_by_date() -> None:
    event = example_events()["demande.radiation_preavisee"]
    avis = PAR_EVENEMENT[event.event_type].avis(event)
    assert [a.canal for a in avis] == [Canal.COURRIER, Canal.EMAIL]
    gabarits = Gabarits()
    courrier = gabarits.rendre("preavis_radiation", {**avis[0].contexte, "canal": "courrier"})
    assert courrier.sujet.startswith("Lettre recommandée avec accusé de réception")
    assert "jusqu'au 3 juin 2026 inclus" in courrier.texte
    assert "radiée le 4 juin 2026" in courrier.texte
    assert "plafond PLUS de 37 584 €" in courrier.texte  # the legal ground is stated
    sans_email = event.model_copy(
        update={"contact": example_contact().model_copy(update={"email": None})}
    )
    assert [a.canal for a in PAR_EVENEMENT[event.event_type].avis(sans_email)] == [Canal.COURRIER]


def test_a_migrated_demande_gets_no_attestation() -> None:
    event = example_events()["demande.enregistree"]
    assert PAR_EVENEMENT[event.event_type].avis(event)
    migree = event.model_copy(update={"migree": True})
    assert PAR_EVENEMENT[event.event_type].avis(migree) == []


def test_rejected_online_demande_notice_states_the_motif() -> None:
    event = example_events()["demande.rejetee"]
    [avis] = PAR_EVENEMENT[event.event_type].avis(event)
    rendu = Gabarits().rendre(avis.type, {**avis.contexte, "canal": avis.canal.value})
    assert "pièce d'identité déposée est illisible" in rendu.texte


def test_subjects_never_start_or_end_with_spaces() -> None:
    """Issue 11 item 9: every template, on every channel, gives a clean one-line subject."""
    gabarits = Gabarits()
    events = example_events()
    for declencheur in DECLENCHEURS:
        for avis in declencheur.avis(events[declencheur.evenement.event_type]):
            for canal in ("email", "courrier"):
                sujet = gabarits.rendre(avis.type, {**avis.contexte, "canal": canal}).sujet
                assert sujet == sujet.strip() and "  " not in sujet, (avis.type, sujet)


@pytest.mark.parametrize("evenement", ["demande.enregistree", "demande.renouvelee"])
@pytest.mark.parametrize(
    ("canal_depot", "courrier_papier", "email", "canaux"),
    [
        # Filed at a guichet: the printed attestation (handed over or posted), plus a copy
        # by email when an address is known.
        ("GUICHET", False, "a@b.fr", [Canal.COURRIER, Canal.EMAIL]),
        ("GUICHET", True, "a@b.fr", [Canal.COURRIER, Canal.EMAIL]),
        ("GUICHET", False, None, [Canal.COURRIER]),
        ("GUICHET", True, None, [Canal.COURRIER]),
        # Filed online: emailed, and posted too when the applicant asked for post.
        ("EN_LIGNE", False, "a@b.fr", [Canal.EMAIL]),
        ("EN_LIGNE", True, "a@b.fr", [Canal.EMAIL, Canal.COURRIER]),
        ("EN_LIGNE", False, None, [Canal.COURRIER]),
        ("EN_LIGNE", True, None, [Canal.COURRIER]),
    ],
)
def test_attestation_channel_follows_filing_channel_and_choice(
    evenement: str, canal_depot: str, courrier_papier: bool, email: str | None, canaux: list[Canal]
) -> None:
    """L441-2-1 and R441-2-4 CCH, primer §4.4 and §13.2 (issue 11, the attestation's rule)."""
    event = example_events()[evenement]
    contact = example_contact().model_copy(
        update={"email": email, "courrier_papier": courrier_papier}
    )
    snapshot = event.snapshot.model_copy(
        update={"contact": contact, "canal_depot": CanalDepot(canal_depot)}
    )
    avis = PAR_EVENEMENT[event.event_type].avis(event.model_copy(update={"snapshot": snapshot}))
    assert [a.canal for a in avis] == canaux
    assert all(a.attestation for a in avis)  # the attestation PDF goes on every channel
    assert len({a.cle("e1") for a in avis}) == len(avis)


def test_the_attachment_code_goes_to_the_email_on_file_only() -> None:
    """Issue 15: the one-time code attaching a guichet demande to a portal account is
    emailed to the address of the demande, never posted; no address, nothing sent."""
    event = example_events()["demande.code_rattachement"]
    [avis] = PAR_EVENEMENT[event.event_type].avis(event)
    assert (avis.canal, avis.destinataire.email) == (Canal.EMAIL, event.contact.email)
    rendu = Gabarits().rendre(avis.type, {**avis.contexte, "canal": "email"})
    assert event.code in rendu.texte and event.code in rendu.html
    assert NUMERO_UNIQUE in rendu.texte
    sans_courriel = event.model_copy(
        update={"contact": event.contact.model_copy(update={"email": None})}
    )
    assert PAR_EVENEMENT[event.event_type].avis(sans_courriel) == []


def test_a_lifted_notice_is_confirmed_the_ways_the_notice_went() -> None:
    """Issue 11, item 3: the household answered in time, the radiation will not happen."""
    event = example_events()["demande.radiation_levee"]
    avis = PAR_EVENEMENT[event.event_type].avis(event)
    assert [a.canal for a in avis] == [Canal.COURRIER, Canal.EMAIL]
    rendu = Gabarits().rendre(avis[1].type, {**avis[1].contexte, "canal": "email"})
    assert rendu.sujet == (
        f"Votre demande n° {NUMERO_UNIQUE} ne sera pas radiée : préavis du 4 mai 2026 levé"
    )
    assert "serait radiée le 4 juillet 2026" in rendu.texte
    assert "réponse le 20 mai 2026 (renouvellement de la demande)" in rendu.texte
    assert "Ce préavis est levé" in rendu.texte


def test_suspended_subscription_notice_goes_to_the_partner_contact() -> None:
    event = example_events()["abonnement.suspendu"]
    [avis] = PAR_EVENEMENT["abonnement.suspendu"].avis(event)
    assert avis.canal is Canal.EMAIL
    assert avis.destinataire.email == event.contact_email
    rendu = Gabarits().rendre(avis.type, {**avis.contexte, "canal": "email"})
    assert event.nom in rendu.sujet and "suspendues" in rendu.sujet
    assert event.raison in rendu.texte and "reprise" in rendu.texte
