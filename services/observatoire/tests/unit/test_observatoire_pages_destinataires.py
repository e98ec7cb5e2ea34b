"""The list editor's recipient fields (issue 16, item 3: recipients of a saved list):
the three typed fields become the API's `destinataires`, and the API's refusal of one
recipient lands on the field of its type."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from toit_observatoire.pages import _destinataires, _erreurs, _liste


class _Reponse:
    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body

    def json(self) -> dict[str, Any]:
        return self.body


def test_three_fields_become_typed_recipients_each_once() -> None:
    form = FormData(
        [
            ("destinataires_organisations", "org-35, org-29;org-35"),
            ("destinataires_utilisateurs", " agent-35 "),
            ("destinataires_courriels", "a@exemple.fr\nb@exemple.fr,"),
        ]
    )
    assert _destinataires(form) == [
        {"type": "organisation", "id": "org-35"},
        {"type": "organisation", "id": "org-29"},
        {"type": "utilisateur", "id": "agent-35"},
        {"type": "courriel", "id": "a@exemple.fr"},
        {"type": "courriel", "id": "b@exemple.fr"},
    ]
    valeurs = _liste(FormData([("titre", "T"), ("conservation_jours", "30"), *form.multi_items()]))
    assert valeurs["conservation_jours"] == 30
    assert [d["type"] for d in valeurs["destinataires"]] == ["organisation"] * 2 + [
        "utilisateur"
    ] + ["courriel"] * 2


def test_a_refused_recipient_is_reported_on_its_field() -> None:
    destinataires = [
        {"type": "organisation", "id": "org-35"},
        {"type": "courriel", "id": "pas-une-adresse"},
    ]
    reponse = _Reponse(
        {
            "erreurs": [
                {"champ": "destinataires[1].id", "message": "adresse invalide"},
                {"champ": "conservation_jours", "message": "au plus 366"},
            ]
        }
    )
    assert _erreurs(reponse, destinataires) == [
        {"champ": "destinataires_courriels", "message": "adresse invalide"},
        {"champ": "conservation_jours", "message": "au plus 366"},
    ]
