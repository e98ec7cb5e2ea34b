"""Toit demandes service: La demande de logement social : données, cycle de vie légal, numéro unique, pièces, historique."""
