"""The personal-data export (GDPR art. 15 and 20): everything we hold about one person.

Each app that stores personal data exposes `gdpr_export(user) -> dict` in its own `gdpr.py`;
`user_export` finds them all, so a new app joins the export by adding that one module. The
same module may expose `gdpr_erase(user)`: what the app removes when the account is deleted
(art. 17) beyond the anonymised account itself.
"""

import re
from collections.abc import Callable
from importlib import import_module
from typing import Any

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.utils import timezone, translation
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext

from alliances.actors.models import Membership

from .models import User

Exporter = Callable[[User], dict[str, Any]]
Eraser = Callable[[User], None]
FORMAT = "alliances-personal-data/1"


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def gdpr_export(user: User) -> dict[str, Any]:
    """The accounts app's part: the account itself (never the password hash) and e-mails."""
    commune = user.home_commune
    return {
        "account": {
            "id": user.pk,
            "email": user.email,
            "display_name": user.display_name,
            "platform_role": user.role,
            "home_commune": (
                {"insee_code": commune.code, "name": commune.name} if commune else None
            ),
            "is_active": user.is_active,
            "is_staff": user.is_staff,
            "has_usable_password": user.has_usable_password(),
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "email_addresses": [
            {"email": address.email, "primary": address.primary, "verified": address.verified}
            for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
    }


def actors_memberships_export(user: User) -> dict[str, Any]:
    """Stand-in for actors until it ships its own gdpr.py (which then replaces this one)."""
    memberships = (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )
    return {
        "memberships": [
            {
                "organisation_id": membership.organisation_id,
                "organisation": membership.organisation.name,
                "role": membership.role,
                "position": membership.title,
            }
            for membership in memberships
        ]
    }


FALLBACK_EXPORTERS: dict[str, Exporter] = {"actors": actors_memberships_export}


def _gdpr_modules() -> dict[str, Any]:
    """App label → the app's `gdpr` module, for our own apps, in INSTALLED_APPS order."""
    return {
        config.label: import_module(f"{config.name}.gdpr")
        for config in apps.get_app_configs()
        if config.name.startswith("alliances.") and module_has_submodule(config.module, "gdpr")
    }


def exporters() -> dict[str, Exporter]:
    """App label → exporter for our own apps, in INSTALLED_APPS order."""
    modules = _gdpr_modules()
    found: dict[str, Exporter] = {}
    for config in apps.get_app_configs():
        exporter = FALLBACK_EXPORTERS.get(config.label)
        if config.label in modules:
            exporter = getattr(modules[config.label], "gdpr_export", exporter)
        if exporter is not None:
            found[config.label] = exporter
    return found


def erasers() -> dict[str, Eraser]:
    """App label → what the app erases when an account is deleted."""
    return {
        label: module.gdpr_erase
        for label, module in _gdpr_modules().items()
        if hasattr(module, "gdpr_erase")
    }


def scrub(text: str, user: User) -> str:
    """`text` with the person's name and e-mail address (any case) replaced by "Deleted
    account" in the site's language: for the texts that stay when their account is deleted
    (what the platform wrote about them in others' notifications, their own work kept as the
    cohort's). Erasers run before the account is anonymised, so the name is still there."""
    names = sorted({name for name in (user.display_name, user.email, str(user)) if name},
                   key=len, reverse=True)
    if not text or not names:
        return text
    with translation.override(settings.LANGUAGE_CODE):
        label = gettext("Deleted account")
    pattern = re.compile("|".join(re.escape(name) for name in names), re.IGNORECASE)
    return pattern.sub(label, text)


def user_export(user: User) -> dict[str, Any]:
    data: dict[str, Any] = {"format": FORMAT, "exported_at": timezone.now().isoformat()}
    for label, exporter in exporters().items():
        data[label] = exporter(user)
    return data
