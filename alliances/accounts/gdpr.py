"""The personal-data export (GDPR art. 15 and 20): everything we hold about one person.

Each app that stores personal data exposes `gdpr_export(user) -> dict` in its own `gdpr.py`;
`user_export` finds them all, so a new app joins the export by adding that one module.
"""

from collections.abc import Callable
from importlib import import_module
from typing import Any

from allauth.account.models import EmailAddress
from django.apps import apps
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from alliances.actors.models import Membership

from .models import User

Exporter = Callable[[User], dict[str, Any]]
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


def exporters() -> dict[str, Exporter]:
    """App label → exporter for our own apps, in INSTALLED_APPS order."""
    found: dict[str, Exporter] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("alliances."):
            continue
        exporter = FALLBACK_EXPORTERS.get(config.label)
        if module_has_submodule(config.module, "gdpr"):
            exporter = getattr(import_module(f"{config.name}.gdpr"), "gdpr_export", exporter)
        if exporter is not None:
            found[config.label] = exporter
    return found


def user_export(user: User) -> dict[str, Any]:
    data: dict[str, Any] = {"format": FORMAT, "exported_at": timezone.now().isoformat()}
    for label, exporter in exporters().items():
        data[label] = exporter(user)
    return data
