"""Sample partner consumer — pull feed with OAuth2 client credentials.

    TOIT_URL=https://toit.example.org TOIT_CLIENT_ID=cli_… TOIT_CLIENT_SECRET=… \
        uv run python examples/abonnements/consommateur_flux.py --abonnement <id>

Keeps its cursor in a file, written only after the page is processed (at-least-once: a
crash replays the page; deduplicate on the event id). 410: the cursor is older than the
retention of the log — restart from the oldest event kept (and resynchronise).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

import httpx


class ConsommateurFlux:
    def __init__(
        self,
        client: httpx.Client,
        client_id: str,
        client_secret: str,
        abonnement: str | None,
        fichier_curseur: Path,
    ) -> None:
        self.http = client
        self.client_id = client_id
        self.client_secret = client_secret
        self.abonnement = abonnement
        self.fichier = fichier_curseur
        self._jeton: tuple[str, float] | None = None
        self.deja_vus: set[str] = set()

    def jeton(self) -> str:
        if self._jeton is None or self._jeton[1] < time.monotonic() + 30:
            r = self.http.post(
                "/api/identite/token",
                data={"grant_type": "client_credentials"},
                auth=(self.client_id, self.client_secret),
            )
            r.raise_for_status()
            body = r.json()
            self._jeton = (body["access_token"], time.monotonic() + body["expires_in"])
        return self._jeton[0]

    def page(self, limite: int = 500) -> tuple[list[dict[str, Any]], bool]:
        params: dict[str, Any] = {"limite": limite}
        if self.abonnement:
            params["abonnement"] = self.abonnement
        if self.fichier.exists():
            params["apres"] = self.fichier.read_text().strip()
        r = self.http.get(
            "/api/abonnements/flux",
            params=params,
            headers={"Authorization": f"Bearer {self.jeton()}"},
        )
        if r.status_code == 410:
            print("curseur hors rétention : reprise au plus ancien événement conservé")
            self.fichier.unlink()
            return [], True
        r.raise_for_status()
        body = r.json()
        nouveaux = [e for e in body["evenements"] if e["id"] not in self.deja_vus]
        for evenement in nouveaux:
            self.appliquer(evenement)
            self.deja_vus.add(evenement["id"])
        self.fichier.write_text(body["curseur_suivant"])  # after processing, never before
        return nouveaux, bool(body["encore"])

    def appliquer(self, evenement: dict[str, Any]) -> None:
        """Your processing here. `demande.purgee`: delete everything about the demande."""
        print(evenement["type"], evenement["subject"], evenement["data"].get("version"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--abonnement", default=None)
    parser.add_argument("--curseur", type=Path, default=Path("curseur.txt"))
    parser.add_argument("--pause", type=float, default=5.0)
    args = parser.parse_args()
    with httpx.Client(base_url=os.environ["TOIT_URL"], timeout=30) as client:
        consommateur = ConsommateurFlux(
            client,
            os.environ["TOIT_CLIENT_ID"],
            os.environ["TOIT_CLIENT_SECRET"],
            args.abonnement,
            args.curseur,
        )
        while True:
            _, encore = consommateur.page()
            if not encore:
                time.sleep(args.pause)


if __name__ == "__main__":
    main()
