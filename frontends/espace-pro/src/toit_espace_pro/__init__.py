"""Toit's espace professionnel (frontends/espace-pro)."""
