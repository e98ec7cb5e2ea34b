"""The embedded default: every service in one process (see main.py)."""
