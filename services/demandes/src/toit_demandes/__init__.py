"""Toit demandes service: the demande de logement social, its legal lifecycle, numéro
unique, pièces and historique."""
