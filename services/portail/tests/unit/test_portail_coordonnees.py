"""The JSON merge patch of the contact form: only what changed; an emptied field removed;
the address as a whole, its INSEE code dropped when the postcode changes."""

from __future__ import annotations

from toit_portail.entrypoints.pages_coordonnees import correctif, erreurs_api, valeurs

AVANT = {
    "email": "a@example.org",
    "telephone": "0612345678",
    "ligne1": "1 rue A",
    "ligne2": "",
    "code_postal": "44000",
    "commune": "Nantes",
}


def test_rien_de_change_rien_a_envoyer() -> None:
    assert correctif(dict(AVANT), AVANT) == {}


def test_un_champ_vide_est_retire_et_l_adresse_part_entiere() -> None:
    saisie = {**AVANT, "telephone": "", "code_postal": "44100"}
    assert correctif(saisie, AVANT) == {
        "demandeur": {
            "telephone": None,
            "adresse": {
                "ligne1": "1 rue A",
                "ligne2": None,
                "code_postal": "44100",
                "commune": "Nantes",
                "commune_insee": None,
            },
        }
    }


def test_une_adresse_videe_est_retiree() -> None:
    vide = {**AVANT, "ligne1": "", "code_postal": "", "commune": ""}
    assert correctif(vide, AVANT) == {"demandeur": {"adresse": None}}


def test_les_valeurs_et_les_refus_de_demandes() -> None:
    demande = {"demandeur": {"email": "a@example.org", "adresse": {"ligne1": "1 rue A"}}}
    assert valeurs(demande)["ligne1"] == "1 rue A" and valeurs(demande)["telephone"] == ""

    class Reponse:
        status_code = 422

        def json(self) -> dict[str, object]:
            return {
                "erreurs": [
                    {"champ": "demandeur.adresse.code_postal", "message": "5 chiffres attendus"},
                    {"champ": "demandeur.nir", "message": "autre"},
                ]
            }

    assert erreurs_api(Reponse()) == {"code_postal": "5 chiffres attendus", "__all__": "autre"}


def test_un_document_est_controle_avant_de_partir() -> None:
    from toit_portail.entrypoints.pages_documents import refus

    pdf = b"%PDF-1.4\n%%EOF\n"
    assert refus("AVIS_IMPOSITION", pdf) == {}
    assert set(refus("INCONNU", pdf)) == {"type_piece"}
    assert "vide" in refus("AVIS_IMPOSITION", b"")["fichier"]
    assert "format" in refus("AVIS_IMPOSITION", b"MZ")["fichier"]
    assert "volumineux" in refus("AVIS_IMPOSITION", pdf + b"0" * 5 * 1024 * 1024)["fichier"]


def test_l_attestation_est_un_pdf_stable() -> None:
    from datetime import date

    from toit_portail.adapters.attestation import Attestation, pdf

    a = Attestation(
        numero_unique="0440126000001GU044",
        departement="Loire-Atlantique (44)",
        demandeur="Anne Martin",
        date_depot=date(2026, 1, 5),
        date_enregistrement=date(2026, 1, 6),
        date_expiration=date(2027, 1, 6),
        pieces=["Pièce d'identité"],
        editee_le=date(2026, 3, 1),
    )
    contenu = pdf(a)
    assert contenu.startswith(b"%PDF") and contenu == pdf(a)  # invariant bytes
