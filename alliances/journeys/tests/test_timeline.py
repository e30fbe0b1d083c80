"""The timeline picture of the cohort space: an inline SVG laid out from the cohort's data."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from alliances.journeys.models import Assignment, Session
from alliances.journeys.selectors import timeline_picture

PARIS = ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.django_db


def url(cohort):
    return reverse("journeys:cohort", args=[cohort.slug])


def at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=PARIS)


def svg_of(html: str) -> str:
    match = re.search(r"<svg class=\"tl-svg\".*?</svg>", html, re.S)
    assert match, "no timeline picture"
    return match.group(0)


def picture_for(cohort, today):
    return timeline_picture(
        cohort,
        list(cohort.phases.all()),
        list(cohort.sessions.select_related("kind")),
        list(cohort.assignments.select_related("kind")),
        today=today,
    )


def test_the_picture_lays_out_months_phases_sessions_and_due_dates(cohort):
    picture = picture_for(cohort, cohort.start - datetime.timedelta(days=10))
    assert [t.number for t in picture.ticks] == list(range(1, 10))
    assert picture.ticks[1].date == datetime.date(2027, 2, 4)
    assert len(picture.bands) == cohort.phases.count() == 4
    xs = [band.x for band in picture.bands]
    assert xs == sorted(xs) and xs[0] == 12
    assert all(0 <= m.x <= picture.width for m in picture.markers)
    sessions = [m for m in picture.markers if m.kind == "session"]
    dues = [m for m in picture.markers if m.kind == "due"]
    assert len(sessions) == cohort.sessions.count()
    assert len(dues) == cohort.assignments.count() and {m.shape for m in dues} == {"diamond"}
    # The kinds have their own shapes, each in the legend once.
    assert len({m.shape for m in sessions}) > 1
    assert len(picture.legend) == len({m.shape for m in sessions})
    assert picture.today_x is None  # before the start


@pytest.mark.parametrize(
    ("offset", "states", "today_shown"),
    [
        (-10, ["upcoming", "upcoming", "upcoming", "upcoming"], False),
        (70, ["past", "current", "upcoming", "upcoming"], True),
        (400, ["past", "past", "past", "past"], False),
    ],
    ids=["before-the-start", "in-phase-2", "after-the-end"],
)
def test_the_page_marks_past_current_and_future_phases(
    client, cohort, participant, offset, states, today_shown
):
    with time_machine.travel(at(cohort.start + datetime.timedelta(days=offset)), tick=False):
        client.force_login(participant)
        response = client.get(url(cohort))
    svg = svg_of(response.content.decode())
    found = re.findall(r'class="tl-band tl-band-\d tl-(\w+)"', svg)
    assert found == states
    assert ('class="tl-today"' in svg) is today_shown
    past_sessions = len(re.findall(r'class="tl-marker tl-session tl-past"', svg))
    if offset < 0:
        assert past_sessions == 0
    elif offset > 300:
        assert past_sessions == cohort.sessions.count()
    else:
        assert 0 < past_sessions < cohort.sessions.count()


def test_the_svg_is_accessible_and_safe_for_the_csp(client, cohort, participant):
    client.force_login(participant)
    html = client.get(url(cohort)).content.decode()
    svg = svg_of(html)
    assert '<g class="tl-drawing" role="img" aria-labelledby="tl-title tl-desc">' in svg
    assert '<title id="tl-title">' in svg and "<desc" in svg
    assert "shown as a list below" in svg or "liste" in svg
    assert "style=" not in svg
    assert not re.search(r"\son\w+=", svg)
    assert 'viewBox="0 0 720 144"' in svg
    # Coordinates are not localised (a French decimal comma breaks SVG lengths).
    assert not re.search(r'(x|y|x1|x2|width|cx)="\d+,\d', svg)
    assert not re.search(r"translate\(\d+,\d+ ", svg)
    # Every marker is a link to its page, with a tooltip.
    session = cohort.sessions.first()
    assignment = cohort.assignments.first()
    assert f'href="{reverse("journeys:session", args=[session.pk])}"' in svg
    assert f'href="{reverse("journeys:assignment", args=[assignment.pk])}"' in svg
    assert svg.count("<a ") == svg.count("<title>") - len(re.findall(r"tl-band tl-band", svg)) - (
        1 if 'class="tl-today"' in svg else 0
    )
    # The list alternative is still there.
    assert 'class="journey-timeline"' in html


def test_anonymous_visitors_see_the_picture_of_a_public_cohort(client, public_cohort):
    html = client.get(url(public_cohort)).content.decode()
    svg = svg_of(html)
    assert 'role="img"' in svg
    # Sessions link to their public pages; work is for members: no link to it.
    assert reverse("journeys:session", args=[public_cohort.sessions.first().pk]) in svg
    assert "/parcours/travaux/" not in svg
    assert svg.count('class="tl-marker tl-due') == public_cohort.assignments.count()


def test_a_session_outside_the_phases_stays_on_the_picture(cohort):
    session = Session.objects.filter(cohort=cohort).first()
    session.phase = None
    session.save()
    Assignment.objects.filter(cohort=cohort).update(phase=None)
    picture = picture_for(cohort, cohort.start)
    assert len([m for m in picture.markers if m.kind == "session"]) == cohort.sessions.count()
