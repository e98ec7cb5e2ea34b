"""Toit observatoire service: Statistiques, listes paramétrables, rapports territoriaux."""
