"""Settings of the portail: servicekit's, plus the département it presents (TOIT_PORTAIL_...).

The defaults are an example (Loire-Atlantique), not the département's real contacts:
an installation sets its own."""

from __future__ import annotations

from servicekit.settings import Settings


class PortailSettings(Settings):
    portail_departement_code: str = "44"
    portail_departement_nom: str = "Loire-Atlantique"
    portail_contact_telephone: str = "02 00 00 00 00 (exemple, à configurer)"
    portail_contact_courriel: str = "contact@exemple.invalid (exemple, à configurer)"
    portail_contact_adresse: str = "Adresse du service (exemple, à configurer)"
