"""allauth's adapter, for two things: the lockout's own words, and its line in the audit log.

allauth locks an account's sign-in after repeated failures (settings.ACCOUNT_RATE_LIMITS,
"login_failed"): the form then refuses even the right password until the lock ends. Its
message here says so and points to the way out (a password reset ends the lock); the
lock is written once to the audit log, when it starts, not at every refused attempt.
"""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from alliances.core import audit
from alliances.core.models import AuditAction

from .models import User


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "Too many failed sign-in attempts: signing in to this account is locked for a "
            "while. Try again in a few minutes, or reset your password."
        ),
        "rate_limited": _("Too many requests in a short time: wait a moment, then try again."),
    }

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            self._record_lockout(request, **credentials)
            raise

    def _record_lockout(self, request: HttpRequest, **credentials: Any) -> None:
        from allauth.core.internal.ratelimit import get_rates

        email = str(credentials.get("email", "")).strip()
        user = User.objects.filter(email__iexact=email).first() if email else None
        if user is None:  # an unknown address has no account to lock: nothing to record
            return
        key = self._get_login_attempts_cache_key(request, **credentials)
        rates = get_rates(app="allauth.account", action="login_failed")
        lasts = int(max((rate.duration for rate in rates), default=900))
        if cache.add(f"audit:lockout:{key}", 1, timeout=lasts):
            audit.record(AuditAction.LOGIN_LOCKOUT, target=user, actor=None,
                         target_label=audit.actor_label(user))
