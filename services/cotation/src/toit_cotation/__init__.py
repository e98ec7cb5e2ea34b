"""Toit cotation service: Grilles de cotation des EPCI, scores explicables, position."""
