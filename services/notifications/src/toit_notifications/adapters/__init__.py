"""Adapters: database tables, templates, PDF, SMTP."""
