"""The matching screens of the espace professionnel (contributed pages, libs/ui)."""
