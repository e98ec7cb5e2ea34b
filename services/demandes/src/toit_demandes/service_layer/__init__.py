"""Use cases of the demandes service, one module per sub-domain.

- `commun`: the context of a use case (`Contexte`), its refusals, loading a demande;
- `saisie`: create, read and edit a demande;
- `cycle_de_vie`: register, submit, renew, radiate, reactivate;
- `doublons`: find duplicates, set them aside, merge them;
- `pieces`: the pièces justificatives and their checking;
- `taches`: the daily jobs (notices, expiry, radiation, purge, délai anormalement long);
- `import_masse`: bulk import of already-checked demandes;
- `rattachement`: attaching a guichet demande to a portal account (portail's requests).

Each use case runs in a UnitOfWork: the change, its historique lines and its integration
event commit together. SQL lives in `adapters.repository`.
"""

from toit_demandes.service_layer import (
    commun,
    cycle_de_vie,
    doublons,
    import_masse,
    pieces,
    rattachement,
    saisie,
    taches,
)

__all__ = [
    "commun",
    "cycle_de_vie",
    "doublons",
    "import_masse",
    "pieces",
    "rattachement",
    "saisie",
    "taches",
]
