"""Toit notifications service: Courriers et courriels, chacun envoyé une fois."""
