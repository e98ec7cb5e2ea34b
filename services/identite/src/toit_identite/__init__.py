"""Toit identite service: Comptes, organisations, rôles, périmètres et jetons."""
