"""The audit log: who changed roles, published, deleted an account, or did anything in the
Django admin — and when the sign-in of an account was locked.

Services call `record(...)` inside their own transaction: the line commits or rolls back
with the act. Who acted and from where come from the request being served
(`AuditContextMiddleware` keeps it for the duration of the request), so the services need no
extra arguments; outside a request (a command, a task) the actor is "system" unless given.

Every Django admin addition, change and deletion is mirrored from the admin's own LogEntry
(`mirror_admin_log`, installed by CoreConfig.ready): LogEntryManager.log_actions is the one
place every ModelAdmin logs through, bulk deletions included (they bypass post_save).

Lines are kept AUDIT_RETENTION_DAYS (730 by default); `prune` drops older ones.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Value
from django.db.models.functions import Replace
from django.http import HttpRequest
from django.utils import timezone, translation

from .models import AuditAction, AuditEvent
from .ratelimit import client_ip

_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)

# Never stored in `changes`, at any depth: a key containing one of these words.
SECRET_WORDS = ("password", "token", "secret", "key", "hash", "otp", "code")
LABEL_MAX = 300
SYSTEM = "system"
DELETED = "deleted account"


class AuditContextMiddleware:
    """Keeps the request being served for `record` (actor and client address)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def _current_user():
    request = _request.get()
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


def _current_ip() -> str | None:
    request = _request.get()
    if request is None:
        return None
    try:
        return client_ip(request) or None
    except ImproperlyConfigured:  # a proxy header that does not match: the act still counts
        return None


def _label(value: Any) -> str:
    return str(value)[:LABEL_MAX]


def actor_label(user) -> str:
    """The actor as the log keeps it once the account is gone: address and number."""
    return _label(f"{user.email} (#{user.pk})") if user is not None else SYSTEM


def _clean(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            str(k): _clean(v) for k, v in value.items()
            if not any(word in str(k).lower() for word in SECRET_WORDS)
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean(v) for v in value]
    return value


_UNSET: Any = object()


def record(
    action: str,
    *,
    target: models.Model | None = None,
    target_label: str = "",
    changes: Mapping[str, Any] | None = None,
    actor: Any = _UNSET,
) -> AuditEvent:
    """Write one line of the audit log. `actor` defaults to the signed-in user of the request
    being served (None: the system); `target_label` defaults to str(target)."""
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action: {action!r}")
    if actor is _UNSET:
        actor = _current_user()
    cleaned = DjangoJSONEncoder().encode(_clean(dict(changes or {})))
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor_label(actor),
        action=action,
        target_type=(
            ContentType.objects.get_for_model(target, for_concrete_model=False)
            if target is not None else None
        ),
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_label=_label(target_label or (target if target is not None else "")),
        changes=json.loads(cleaned),
        ip=_current_ip(),
    )


def forget_person(user) -> int:
    """On an account's deletion, its e-mail address leaves the log's labels; the lines stay,
    with the account's number (#pk). Returns how many lines changed."""
    email = user.email
    if not email:
        return 0
    changed = AuditEvent.objects.filter(
        models.Q(actor_label__contains=email) | models.Q(target_label__contains=email)
    )
    return changed.update(
        actor_label=Replace("actor_label", Value(email), Value(DELETED)),
        target_label=Replace("target_label", Value(email), Value(DELETED)),
    )


# -- the Django admin ---------------------------------------------------------------------

# The User fields whose change through the admin is a change of platform role.
USER_ROLE_FIELDS = ("role", "is_staff", "is_superuser", "is_active", "groups",
                    "user_permissions")


def _changed_labels(change_message: str | list) -> list[str]:
    try:
        messages = (json.loads(change_message) if isinstance(change_message, str)
                    else change_message)
    except ValueError:
        return []
    labels: list[str] = []
    for message in messages if isinstance(messages, list) else []:
        changed = message.get("changed", {}) if isinstance(message, dict) else {}
        labels.extend(str(f) for f in changed.get("fields", []))
    return labels


def _admin_line(entry, obj) -> tuple[str, dict[str, Any]]:
    from django.contrib.admin.models import ADDITION, DELETION

    from alliances.accounts.models import User

    fields = _changed_labels(entry.change_message)
    changes: dict[str, Any] = {"fields": fields} if fields else {}
    if entry.action_flag == ADDITION:
        action = AuditAction.ADMIN_ADDITION
    elif entry.action_flag == DELETION:
        action = AuditAction.ADMIN_DELETION
    else:
        action = AuditAction.ADMIN_CHANGE
    if isinstance(obj, User) and entry.action_flag != DELETION:
        # The change message names the changed fields by their untranslated labels.
        with translation.override(None):
            role_labels = {
                str(getattr(User._meta.get_field(f), "verbose_name", f)).lower(): f
                for f in USER_ROLE_FIELDS
            }
        touched = [role_labels[label.lower()] for label in fields if label.lower() in role_labels]
        if touched or (entry.action_flag == ADDITION and obj.role != User.Role.PARTICIPANT):
            action = AuditAction.PLATFORM_ROLE
            changes.update({"role": obj.role, "is_staff": obj.is_staff,
                            "is_superuser": obj.is_superuser, "is_active": obj.is_active})
    return action, changes


def record_admin_entries(entries: Sequence, objects: Sequence[models.Model]) -> None:
    """One audit line per admin LogEntry (entries and objects in the same order)."""
    from alliances.accounts.models import User

    actors: dict[int, Any] = {}
    for entry, obj in zip(entries, objects, strict=True):
        if entry.user_id not in actors:
            actors[entry.user_id] = User.objects.filter(pk=entry.user_id).first()
        action, changes = _admin_line(entry, obj)
        # Deletions are logged before the delete: the object still has its pk.
        record(action, target=obj, target_label=entry.object_repr, changes=changes,
               actor=actors[entry.user_id])


def mirror_admin_log() -> None:
    """Wrap LogEntryManager.log_actions so that each admin LogEntry gets its audit line."""
    from django.contrib.admin.models import LogEntryManager

    original = LogEntryManager.log_actions
    if getattr(original, "audit_mirror", False):
        return

    @functools.wraps(original)
    def log_actions(self, user_id, queryset, action_flag, change_message="", *,
                    single_object=False):
        objects = list(queryset)
        result = original(self, user_id, objects, action_flag, change_message,
                          single_object=single_object)
        record_admin_entries([result] if single_object else list(result), objects)
        return result

    log_actions.audit_mirror = True  # type: ignore[attr-defined]
    LogEntryManager.log_actions = log_actions  # type: ignore[method-assign]


# -- retention ----------------------------------------------------------------------------


def retention_days() -> int:
    return int(getattr(settings, "AUDIT_RETENTION_DAYS", 730))


def prune(*, now: datetime.datetime | None = None) -> int:
    """Delete the lines older than AUDIT_RETENTION_DAYS; returns how many went."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=retention_days())
    deleted, _ = AuditEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def events_for(target: models.Model) -> Iterable[AuditEvent]:
    """The lines about one object, newest first."""
    return AuditEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        target_id=str(target.pk),
    )
