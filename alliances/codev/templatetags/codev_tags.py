"""The co-development panel of a session page, and the countdown's format."""

from typing import Any

from django import template

from alliances.journeys.models import CohortMember, CohortRole

from ..forms import RoundCreateForm
from ..models import Round
from ..services import CODEV_KIND

register = template.Library()


@register.filter
def countdown(seconds: int | None) -> str:
    """Seconds as minutes:seconds; over time, with a minus sign (−02:05)."""
    if seconds is None:
        return ""
    sign = "\u2212" if seconds < 0 else ""
    minutes, rest = divmod(abs(int(seconds)), 60)
    return f"{sign}{minutes:02d}:{rest:02d}"


@register.inclusion_tag("codev/_session_panel.html", takes_context=True)
def codev_session_panel(context: template.Context, session: Any) -> dict[str, Any]:
    """The rounds of a co-development session, and for its animateurs a form to start one.

    Two queries: the cohort's members (the viewer's role and the possible clients), and
    the rounds with their clients. Other kinds of session show nothing and cost nothing.
    """
    user: Any = context.get("user")
    result: dict[str, Any] = {"session": session, "shown": False}
    if session.kind_id != CODEV_KIND or not getattr(user, "is_authenticated", False):
        return result
    members = list(CohortMember.objects.filter(cohort_id=session.cohort_id).select_related("user"))
    role = next((m.role for m in members if m.user_id == user.pk), None)
    admin = bool(user.is_active and user.is_platform_admin)
    if not (admin or (user.is_active and role is not None)):
        return result
    result.update(
        shown=True,
        rounds=list(Round.objects.filter(session=session).select_related("client")),
        request=context.get("request"),
        csrf_token=context.get("csrf_token"),
    )
    if admin or role == CohortRole.ANIMATEUR:
        participants = sorted(
            (m.user for m in members if m.role == CohortRole.PARTICIPANT),
            key=lambda u: (u.display_name, u.pk),
        )
        result["form"] = RoundCreateForm(participants=participants, auto_id="codev-new-%s")
    return result
