"""No 500 on any input (issue 10 items 4 and 7): deep JSON, control and bidi characters in a
pièce's file name, implausible dates. Each gets a French 4xx and nothing is written."""

from __future__ import annotations

import httpx
from toit_demandes.exemples import demande_exemple

from .conftest import PDF


async def _historique(client: httpx.AsyncClient, demande_id: str, agent: dict[str, str]) -> int:
    r = await client.get(f"/api/demandes/{demande_id}/historique", headers=agent)
    return len(r.json())


async def test_un_patch_profond_ou_une_date_invraisemblable_ne_change_rien(
    client: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    cree = await client.post("/api/demandes", json=demande_exemple(), headers=agent)
    demande_id = cree.json()["id"]
    entetes = {
        **agent,
        "Content-Type": "application/merge-patch+json",
        "If-Match": cree.headers["etag"],
    }
    profond = b'{"demandeur": ' * 1000 + b"{}" + b"}" * 1000
    r = await client.patch(f"/api/demandes/{demande_id}", content=profond, headers=entetes)
    assert r.status_code == 422, r.text
    assert r.json()["erreurs"][0]["message"] == "document trop imbriqué : 32 niveaux au plus"
    r = await client.patch(
        f"/api/demandes/{demande_id}",
        json={"logement_actuel": {"depuis": "0001-01-01"}},
        headers=entetes,
    )
    assert r.status_code == 422
    assert r.json()["erreurs"] == [
        {
            "champ": "logement_actuel.depuis",
            "message": "date invraisemblable : antérieure au 01/01/1900",
            "code": "date_invraisemblable",
        }
    ]
    lue = await client.get(f"/api/demandes/{demande_id}", headers=agent)
    assert lue.json()["version"] == 1 and lue.json()["logement_actuel"].get("depuis") is None
    assert await _historique(client, demande_id, agent) == 1


def _multipart(nom: bytes, type_piece: bytes = b"PIECE_IDENTITE") -> tuple[bytes, str]:
    limite = "toit-limite-7f3a"
    corps = b"".join(
        [
            f"--{limite}\r\n".encode(),
            b'Content-Disposition: form-data; name="type"\r\n\r\n' + type_piece + b"\r\n",
            f"--{limite}\r\n".encode(),
            b'Content-Disposition: form-data; name="personne"\r\n\r\ndemandeur\r\n',
            f"--{limite}\r\n".encode(),
            b'Content-Disposition: form-data; name="fichier"; filename="' + nom + b'"\r\n',
            b"Content-Type: application/pdf\r\n\r\n",
            PDF,
            f"\r\n--{limite}--\r\n".encode(),
        ]
    )
    return corps, f"multipart/form-data; boundary={limite}"


async def test_nom_de_fichier_libelle_nettoye_jamais_une_erreur_500(
    client: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    cree = await client.post("/api/demandes", json=demande_exemple(), headers=agent)
    demande_id = cree.json()["id"]
    url = f"/api/demandes/{demande_id}/pieces"
    noms = {
        b"cni\x00.pdf": "cni.pdf",
        "facture\u202efdp.exe".encode(): "facturefdp.exe",  # the bidi override is gone
        b"..\\..\\etc\\passwd\x07": "passwd",
        "Pie\u0300ce.pdf".encode(): "Pi\u00e8ce.pdf",  # NFC
        b"x" * 400 + b".pdf": "x" * 116 + ".pdf",
    }
    for brut, libelle in noms.items():
        corps, type_contenu = _multipart(brut)
        r = await client.post(url, content=corps, headers={**agent, "Content-Type": type_contenu})
        assert r.status_code == 201, (brut, r.text)
        assert r.json()["nom_fichier"] == libelle
    # A control character in a text field of the form: a 4xx, nothing stored.
    corps, type_contenu = _multipart(b"cni.pdf", type_piece=b"PIECE_IDENTITE\x00")
    r = await client.post(url, content=corps, headers={**agent, "Content-Type": type_contenu})
    assert r.status_code == 422 and r.json()["erreurs"][0]["champ"] == "type"
    pieces = (await client.get(url, headers=agent)).json()
    assert sorted(p["nom_fichier"] for p in pieces) == sorted(noms.values())
