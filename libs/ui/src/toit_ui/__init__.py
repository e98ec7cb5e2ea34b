"""Toit's web foundation (see libs/ui/README.md)."""

from toit_ui.formatting import date_fr, datetime_fr, euros, number_fr
from toit_ui.gateway import ApiClient, Gateway, LoginRefused, NotAuthenticated
from toit_ui.security import CONTENT_SECURITY_POLICY, CsrfRefused, verify_csrf
from toit_ui.session import Session, csrf_token, flash, session_of
from toit_ui.settings import UISettings
from toit_ui.web import NavItem, WebUI, is_htmx

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "ApiClient",
    "CsrfRefused",
    "Gateway",
    "LoginRefused",
    "NavItem",
    "NotAuthenticated",
    "Session",
    "UISettings",
    "WebUI",
    "csrf_token",
    "date_fr",
    "datetime_fr",
    "euros",
    "flash",
    "is_htmx",
    "number_fr",
    "session_of",
    "verify_csrf",
]
