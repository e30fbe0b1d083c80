"""Writes on the parcours: every one named, typed and atomic.

Dates: a programme step sits at a number of days from the start and a wall-clock time in
Europe/Paris. Each session's datetime is built from its own date with zoneinfo, so a
09:30 session stays at 09:30 local time on both sides of a summer/winter time change
(adding a timedelta to one aware datetime would drift by an hour).
"""

import datetime
import re
import secrets
from collections.abc import Iterable
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from alliances.accounts.models import User
from alliances.actors.models import Organisation
from alliances.core import audit
from alliances.core.models import AuditAction
from alliances.core.tasks import deliver_email
from alliances.territories.models import Commune, Departement

from .models import (
    REGISTERING_ROLES,
    Assignment,
    Attendance,
    CalendarToken,
    Cohort,
    CohortMember,
    CohortPhase,
    CohortRole,
    CohortStatus,
    CohortVisibility,
    Feedback,
    Invitation,
    PilotTerritory,
    Programme,
    Registration,
    Session,
    SessionMaterial,
    SessionMode,
    StepCategory,
    StepKind,
    Submission,
    SubmissionStatus,
)
from .pagecache import cohort_pages_changed

PARIS = ZoneInfo("Europe/Paris")
SESSION_FIELDS = {
    "phase",
    "kind",
    "title",
    "mode",
    "place",
    "link",
    "start",
    "end",
    "agenda",
    "capacity",
    "replay_url",
    "speakers_text",
}


def paris_datetime(day: datetime.date, at: datetime.time) -> datetime.datetime:
    """The aware datetime of a wall-clock time in Europe/Paris on a given day."""
    return datetime.datetime.combine(day, at, tzinfo=PARIS)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:90] or "promotion"
    slug, n = base, 1
    while Cohort.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def cohort_create_from_programme(
    *,
    programme: Programme,
    name: str,
    start: datetime.date,
    created_by: User | None,
    status: str = CohortStatus.BROUILLON,
    visibility: str = CohortVisibility.PRIVATE,
) -> Cohort:
    """A cohort with its phases, sessions and assignments computed from the programme.

    The creator becomes the cohort's animateur.
    """
    phases = list(programme.phases.prefetch_related("steps__kind"))
    if not phases:
        raise ValidationError({"programme": _("This programme has no phase.")})
    last_day = max(p.start_offset_days + p.duration_days for p in phases) - 1
    cohort = Cohort(
        programme=programme,
        name=name,
        slug=_unique_slug(name),
        start=start,
        end=start + datetime.timedelta(days=last_day),
        status=status,
        visibility=visibility,
    )
    cohort.full_clean()
    cohort.save()
    sessions: list[Session] = []
    assignments: list[Assignment] = []
    for template in phases:
        phase = CohortPhase(
            cohort=cohort,
            position=template.position,
            name=template.name,
            start=start + datetime.timedelta(days=template.start_offset_days),
            end=start
            + datetime.timedelta(days=template.start_offset_days + template.duration_days - 1),
        )
        phase.full_clean()
        phase.save()
        for step in template.steps.all():
            day = start + datetime.timedelta(days=step.offset_days)
            if step.kind.category == StepCategory.SESSION:
                begins = paris_datetime(day, step.time_of_day)
                sessions.append(
                    Session(
                        cohort=cohort,
                        phase=phase,
                        kind=step.kind,
                        title=step.title,
                        agenda=step.description,
                        mode=step.mode,
                        start=begins,
                        # Same tzinfo: Python adds wall-clock minutes, as wanted.
                        end=begins + datetime.timedelta(minutes=step.duration_minutes or 60),
                    )
                )
            else:
                assignments.append(
                    Assignment(
                        cohort=cohort,
                        phase=phase,
                        kind=step.kind,
                        title=step.title,
                        instructions=step.description,
                        due=day,
                    )
                )
    Session.objects.bulk_create(sessions)
    Assignment.objects.bulk_create(assignments)
    if created_by is not None:
        cohort_member_add(cohort=cohort, user=created_by, role=CohortRole.ANIMATEUR)
    return cohort


@transaction.atomic
def pilot_territory_add(
    *,
    cohort: Cohort,
    name: str,
    commune: Commune | None = None,
    departement: Departement | None = None,
    organisation: Organisation | None = None,
) -> PilotTerritory:
    """A pilot territory of the cohort; `organisation` is its catalyst."""
    if departement is None and commune is not None:
        departement = commune.departement
    territory = PilotTerritory(
        cohort=cohort,
        name=name,
        commune=commune,
        departement=departement,
        organisation=organisation,
    )
    territory.full_clean()
    territory.save()
    cohort_pages_changed(cohort.pk)
    return territory


@transaction.atomic
def cohort_member_add(
    *,
    cohort: Cohort,
    user: User,
    role: str,
    pilot_territory: PilotTerritory | None = None,
) -> CohortMember:
    """Make someone a member of the cohort; adding them again changes their role."""
    if pilot_territory is not None and pilot_territory.cohort_id != cohort.pk:
        raise ValidationError(
            {"pilot_territory": _("This pilot territory belongs to another cohort.")}
        )
    member = CohortMember.objects.filter(cohort=cohort, user=user).first()
    if member is None:
        member = CohortMember(cohort=cohort, user=user)
    old_role = member.role if member.pk else None
    member.role = role
    member.pilot_territory = pilot_territory
    member.full_clean()
    member.save()
    if old_role != role:
        _audit_role(member, old_role, role)
    cohort_pages_changed(cohort.pk)
    return member


def _audit_role(member: CohortMember, old: str | None, new: str | None) -> None:
    audit.record(AuditAction.COHORT_ROLE, target=member,
                 target_label=f"{audit.actor_label(member.user)} — {member.cohort}",
                 changes={"cohort": member.cohort_id, "role": [old, new]})


def _session_check(session: Session) -> None:
    """Field checks plus the cohort's: dates inside it, one session at a time per place."""
    errors: dict[str, list[str]] = {}
    try:
        # The end-after-start constraint is checked below, with a message on the field.
        session.full_clean(exclude=["cohort"], validate_constraints=False)
    except ValidationError as error:
        errors = error.message_dict
    cohort = session.cohort
    start, end = session.start, session.end
    if session.kind_id and "kind" not in errors:
        if session.kind.category != StepCategory.SESSION:
            errors.setdefault("kind", []).append(_("Choose a kind of collective session."))
    if session.phase is not None and session.phase.cohort_id != cohort.pk:
        errors.setdefault("phase", []).append(_("This phase belongs to another cohort."))
    if isinstance(start, datetime.datetime) and isinstance(end, datetime.datetime):
        if end <= start:
            errors.setdefault("end", []).append(_("The end must come after the start."))
        outside = _("The session must take place within the cohort, from %(start)s to %(end)s.") % {
            "start": date_format(cohort.start),
            "end": date_format(cohort.end),
        }
        if timezone.localdate(start, PARIS) < cohort.start:
            errors.setdefault("start", []).append(outside)
        if timezone.localdate(end, PARIS) > cohort.end:
            errors.setdefault("end", []).append(outside)
        place = session.place.strip()
        if place and session.mode in {SessionMode.PRESENTIEL, SessionMode.HYBRIDE} and end > start:
            clash = (
                Session.objects.filter(
                    cohort=cohort,
                    mode__in=[SessionMode.PRESENTIEL, SessionMode.HYBRIDE],
                    place__iexact=place,
                    start__lt=end,
                    end__gt=start,
                )
                .exclude(pk=session.pk)
                .first()
            )
            if clash is not None:
                errors.setdefault("place", []).append(
                    _("“%(title)s” already takes place there at that time.")
                    % {"title": clash.title}
                )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def session_create(
    *,
    cohort: Cohort,
    kind: StepKind | str,
    title: str,
    start: datetime.datetime,
    end: datetime.datetime,
    mode: str = SessionMode.PRESENTIEL,
    place: str = "",
    link: str = "",
    agenda: str = "",
    capacity: int | None = None,
    phase: CohortPhase | None = None,
    replay_url: str = "",
    speakers: Iterable[User] = (),
    speakers_text: str = "",
) -> Session:
    session = Session(
        cohort=cohort,
        title=title,
        start=start,
        end=end,
        mode=mode,
        place=place,
        link=link,
        agenda=agenda,
        capacity=capacity,
        phase=phase,
        replay_url=replay_url,
        speakers_text=speakers_text,
    )
    if isinstance(kind, StepKind):
        session.kind = kind
    else:
        session.kind_id = kind
    _session_check(session)
    session.save()
    session.speakers.set(speakers)
    cohort_pages_changed(cohort.pk)
    return session


@transaction.atomic
def session_update(
    *, session: Session, data: dict[str, Any], speakers: Iterable[User] | None = None
) -> Session:
    """Change the given fields (and the speakers when given, not None)."""
    unknown = set(data) - SESSION_FIELDS
    if unknown:
        raise TypeError(f"not session fields: {sorted(unknown)}")
    for field, value in data.items():
        setattr(session, field, value)
    _session_check(session)
    session.save()
    if speakers is not None:
        session.speakers.set(speakers)
    cohort_pages_changed(session.cohort_id)
    return session


def _member_role(cohort_id: int, user: User) -> str | None:
    return (
        CohortMember.objects.filter(cohort_id=cohort_id, user=user)
        .values_list("role", flat=True)
        .first()
    )


@transaction.atomic
def session_register(*, session: Session, user: User) -> Registration:
    """Register a member of the cohort to a session; registering twice is harmless."""
    if _member_role(session.cohort_id, user) not in REGISTERING_ROLES:
        raise ValidationError(_("Only the members of the cohort can register."))
    # Lock the session row so that two people taking the last seat at once are counted one
    # after the other (PostgreSQL; SQLite serialises writers anyway).
    locked = Session.objects.select_for_update().get(pk=session.pk)
    existing = Registration.objects.filter(session=locked, user=user).first()
    if existing is not None:
        return existing
    if locked.end <= timezone.now():
        raise ValidationError(_("This session is over."))
    if locked.capacity is not None:
        if Registration.objects.filter(session=locked).count() >= locked.capacity:
            raise ValidationError(
                _("This session is full (%(capacity)s places).") % {"capacity": locked.capacity}
            )
    registration = Registration.objects.create(session=locked, user=user)
    cohort_pages_changed(locked.cohort_id)  # seats left
    return registration


@transaction.atomic
def registration_cancel(*, session: Session, user: User) -> None:
    deleted, _by_model = Registration.objects.filter(session=session, user=user).delete()
    if deleted:
        cohort_pages_changed(session.cohort_id)


@transaction.atomic
def attendance_record(
    *, session: Session, present_user_ids: Iterable[int], recorded_by: User
) -> list[Attendance]:
    """Take attendance: the cohort's participants and those registered, present or not."""
    if session.start > timezone.now():
        raise ValidationError(_("Attendance can be taken once the session has started."))
    expected = set(
        CohortMember.objects.filter(
            cohort_id=session.cohort_id, role=CohortRole.PARTICIPANT
        ).values_list("user_id", flat=True)
    ) | set(session.registrations.values_list("user_id", flat=True))
    present = set(present_user_ids)
    strangers = present - set(
        CohortMember.objects.filter(cohort_id=session.cohort_id).values_list("user_id", flat=True)
    )
    if strangers:
        raise ValidationError(_("Only the members of the cohort can be marked present."))
    records = []
    for user_id in sorted(expected | present):
        attendance, _created = Attendance.objects.update_or_create(
            session=session,
            user_id=user_id,
            defaults={"present": user_id in present, "recorded_by": recorded_by},
        )
        records.append(attendance)
    cohort_pages_changed(session.cohort_id)
    return records


@transaction.atomic
def feedback_give(*, session: Session, user: User, rating: int, comment: str = "") -> Feedback:
    """A member's rating (1–5) and comment on a session; giving it again replaces it."""
    if _member_role(session.cohort_id, user) is None:
        raise ValidationError(_("Only the members of the cohort can give feedback."))
    if session.start > timezone.now():
        raise ValidationError(_("Feedback opens once the session has started."))
    feedback = Feedback.objects.filter(session=session, user=user).first() or Feedback(
        session=session, user=user
    )
    feedback.rating = rating
    feedback.comment = comment
    feedback.full_clean()
    feedback.save()
    return feedback


@transaction.atomic
def submission_save(*, assignment: Assignment, user: User, text: str, submit: bool) -> Submission:
    """Save a participant's work as a draft, or hand it in (`submit`)."""
    if _member_role(assignment.cohort_id, user) != CohortRole.PARTICIPANT:
        raise ValidationError(_("Only the participants of the cohort hand in work."))
    submission = Submission.objects.select_for_update().filter(
        assignment=assignment, user=user
    ).first() or Submission(assignment=assignment, user=user)
    if submission.status == SubmissionStatus.VALIDE:
        raise ValidationError(_("This work has been approved and can no longer change."))
    if submit and not text.strip():
        raise ValidationError({"text": _("Write your work before handing it in.")})
    submission.text = text
    if submit:
        submission.status = SubmissionStatus.RENDU
        submission.submitted_at = timezone.now()
    submission.full_clean()
    submission.save()
    cohort_pages_changed(submission.assignment.cohort_id)
    return submission


@transaction.atomic
def submission_review(*, submission: Submission, feedback: str, approve: bool) -> Submission:
    """The animateur's feedback on handed-in work; `approve` validates it."""
    if submission.status == SubmissionStatus.A_FAIRE:
        raise ValidationError(_("This work has not been handed in yet."))
    submission.feedback = feedback
    if approve:
        submission.status = SubmissionStatus.VALIDE
    submission.full_clean()
    submission.save()
    cohort_pages_changed(submission.assignment.cohort_id)
    return submission


INVITATION_DAYS = 30
EMAIL_SEPARATORS = re.compile(r"[\s,;]+")


def parse_invitation_emails(raw: str) -> list[str]:
    """The addresses typed in the invitation box, one per line or separated by , or ;.

    Every malformed address is reported with its position, so the animateur fixes them all
    at once; duplicates are dropped.
    """
    addresses: list[str] = []
    errors: list[str] = []
    for position, candidate in enumerate(filter(None, EMAIL_SEPARATORS.split(raw)), start=1):
        address = candidate.strip().lower()
        try:
            validate_email(address)
        except ValidationError:
            errors.append(
                _("Address %(position)s, “%(address)s”, is not a valid e-mail address.")
                % {"position": position, "address": candidate}
            )
            continue
        if address not in addresses:
            addresses.append(address)
    if errors:
        raise ValidationError({"emails": errors})
    if not addresses:
        raise ValidationError({"emails": _("Give at least one e-mail address.")})
    return addresses


@transaction.atomic
def cohort_invite(
    *,
    cohort: Cohort,
    emails: str,
    role: str,
    invited_by: User,
    pilot_territory: PilotTerritory | None = None,
) -> list[Invitation]:
    """Invite people by e-mail: one single-use link each, mailed once the invitations exist.

    People already in the cohort are not invited again; a bad address anywhere means
    nobody is invited.
    """
    addresses = parse_invitation_emails(emails)
    if role not in CohortRole.values:
        raise ValidationError({"role": _("Choose a role in the cohort.")})
    if pilot_territory is not None and pilot_territory.cohort_id != cohort.pk:
        raise ValidationError(
            {"pilot_territory": _("This pilot territory belongs to another cohort.")}
        )
    members = set(
        CohortMember.objects.filter(cohort=cohort, user__email__in=addresses).values_list(
            "user__email", flat=True
        )
    )
    expires_at = timezone.now() + datetime.timedelta(days=INVITATION_DAYS)
    invitations = Invitation.objects.bulk_create(
        Invitation(
            cohort=cohort,
            email=address,
            role=role,
            pilot_territory=pilot_territory,
            token=secrets.token_urlsafe(32),
            invited_by=invited_by,
            expires_at=expires_at,
        )
        for address in addresses
        if address not in members
    )
    for invitation in invitations:
        subject, body = _invitation_mail(invitation)
        transaction.on_commit(
            partial(
                deliver_email.enqueue, subject=subject, body=body, recipients=[invitation.email]
            )
        )
    return invitations


def _invitation_mail(invitation: Invitation) -> tuple[str, str]:
    link = f"{settings.SITE_URL}/parcours/invitation/{invitation.token}/"
    subject = _("Invitation to join %(cohort)s") % {"cohort": invitation.cohort.name}
    body = _(
        "%(inviter)s invites you to join %(cohort)s on Alliances as %(role)s.\n\n"
        "Follow this link to accept (sign up first if you have no account yet):\n%(link)s\n\n"
        "The link works once and expires in %(days)s days."
    ) % {
        "inviter": invitation.invited_by or "Alliances",
        "cohort": invitation.cohort.name,
        "role": CohortRole(invitation.role).label,
        "link": link,
        "days": INVITATION_DAYS,
    }
    return subject, body


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> CohortMember:
    """Join the cohort with the signed-in account; the link then stops working."""
    invitation = (
        Invitation.objects.select_for_update().select_related("cohort").filter(token=token).first()
    )
    if invitation is None or invitation.accepted_at is not None:
        raise ValidationError(_("This invitation link is not valid or has already been used."))
    if invitation.expires_at <= timezone.now():
        raise ValidationError(_("This invitation has expired: ask the animateur for a new one."))
    # Someone already in the cohort keeps their place: an invitation never changes a role
    # (an animateur following a participant's link must not become a participant).
    member = CohortMember.objects.filter(cohort=invitation.cohort, user=user).first()
    if member is None:
        member = cohort_member_add(
            cohort=invitation.cohort,
            user=user,
            role=invitation.role,
            pilot_territory=invitation.pilot_territory,
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return member


def _calendar_token_check(*, user: User, cohort: Cohort | None) -> None:
    if cohort is None or user.is_platform_admin:
        return
    if not CohortMember.objects.filter(cohort=cohort, user=user).exists():
        raise ValidationError(_("Only the members of a cohort may subscribe to its calendar."))


@transaction.atomic
def calendar_token_get_or_create(*, user: User, cohort: Cohort | None = None) -> CalendarToken:
    """The person's active feed token for the cohort (or the personal one), made if needed."""
    _calendar_token_check(user=user, cohort=cohort)
    # Locking the person's row serialises two first visits that would make two tokens.
    User.objects.select_for_update().filter(pk=user.pk).first()
    found = CalendarToken.objects.active().filter(user=user, cohort=cohort).first()
    if found is not None:
        return found
    return CalendarToken.objects.create(user=user, cohort=cohort, token=secrets.token_urlsafe(32))


@transaction.atomic
def calendar_token_rotate(*, user: User, cohort: Cohort | None = None) -> CalendarToken:
    """Revoke the active feed token (its URL then answers 404) and make a new one."""
    _calendar_token_check(user=user, cohort=cohort)
    User.objects.select_for_update().filter(pk=user.pk).first()
    CalendarToken.objects.active().filter(user=user, cohort=cohort).update(
        revoked_at=timezone.now()
    )
    return CalendarToken.objects.create(user=user, cohort=cohort, token=secrets.token_urlsafe(32))


@transaction.atomic
def session_material_add(
    *,
    session: Session,
    title: str,
    file: UploadedFile | None = None,
    url: str = "",
    added_by: User | None,
) -> SessionMaterial:
    """A support of the session: an uploaded file or a link, exactly one of them.

    The file's kind and size are checked by the form (`validate_upload`) before this.
    """
    if (file is None) == (not url):
        raise ValidationError(_("Give either a file or a link, not both."))
    material = SessionMaterial(session=session, title=title, url=url, added_by=added_by)
    if file is not None:
        material.file = file
    material.full_clean(exclude=["file"] if file is not None else None)
    material.save()
    return material


@transaction.atomic
def session_material_remove(*, material: SessionMaterial) -> None:
    """Remove a support; its file is deleted from storage once the transaction commits."""
    stored = material.file.name if material.file else ""
    storage = material.file.storage
    material.delete()
    if stored:
        transaction.on_commit(partial(storage.delete, stored))


@transaction.atomic
def session_delete(*, session: Session) -> None:
    """Delete a session with its registrations, attendance, feedback and supports."""
    stored = [m.file.name for m in session.materials.all() if m.file.name]
    storage = SessionMaterial._meta.get_field("file").storage
    cohort_id = session.cohort_id
    session.delete()
    cohort_pages_changed(cohort_id)
    for name in stored:
        transaction.on_commit(partial(storage.delete, name))


def _shift_datetime(moment: datetime.datetime, days: int) -> datetime.datetime:
    """The same Europe/Paris wall-clock time, `days` days later (or earlier)."""
    local = timezone.localtime(moment, PARIS)
    return paris_datetime(local.date() + datetime.timedelta(days=days), local.time())


@transaction.atomic
def cohort_shift(*, cohort: Cohort, days: int) -> Cohort:
    """Move the whole calendar by `days` days: the cohort, its phases, sessions and work.

    Sessions keep their wall-clock time in Europe/Paris, whatever the summer/winter time
    changes between the old and the new dates.
    """
    if days == 0:
        return cohort
    locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
    delta = datetime.timedelta(days=days)
    locked.start += delta
    locked.end += delta
    locked.save(update_fields=["start", "end"])
    phases = list(locked.phases.all())
    for phase in phases:
        phase.start += delta
        phase.end += delta
    CohortPhase.objects.bulk_update(phases, ["start", "end"])
    sessions = list(locked.sessions.all())
    for session in sessions:
        session.start = _shift_datetime(session.start, days)
        session.end = _shift_datetime(session.end, days)
    Session.objects.bulk_update(sessions, ["start", "end"])
    assignments = list(locked.assignments.all())
    for assignment in assignments:
        assignment.due += delta
    Assignment.objects.bulk_update(assignments, ["due"])
    cohort_pages_changed(locked.pk)
    cohort.start, cohort.end = locked.start, locked.end
    return locked


def _outside(cohort_start: datetime.date, cohort_end: datetime.date) -> str:
    return _("Choose a date within the cohort, from %(start)s to %(end)s.") % {
        "start": date_format(cohort_start),
        "end": date_format(cohort_end),
    }


@transaction.atomic
def cohort_settings_update(
    *,
    cohort: Cohort,
    name: str,
    status: str,
    visibility: str,
    end: datetime.date,
    phases: dict[int, tuple[datetime.date, datetime.date]] | None = None,
    dues: dict[int, datetime.date] | None = None,
) -> Cohort:
    """Change the cohort's settings, its phases' dates and its work's due dates at once.

    Every check is made before anything is written; errors are keyed by field: `name`,
    `end`…, `phase-<pk>-start`, `phase-<pk>-end`, `assignment-<pk>-due`.
    """
    locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
    phases = phases or {}
    dues = dues or {}
    errors: dict[str, list[str]] = {}
    locked.name, locked.status, locked.visibility, locked.end = name, status, visibility, end
    try:
        locked.full_clean(exclude=["slug", "programme", "start"], validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    if isinstance(end, datetime.date) and end < locked.start:
        errors.setdefault("end", []).append(
            _("The end cannot come before the start (%(start)s).")
            % {"start": date_format(locked.start)}
        )
    start = locked.start
    end_ok = end if isinstance(end, datetime.date) and end >= start else None
    outside = _outside(start, end_ok or start)
    all_phases = list(locked.phases.all())
    if set(phases) - {p.pk for p in all_phases}:
        raise ValidationError(_("A phase belongs to another cohort."))
    previous_end: datetime.date | None = None
    previous_name = ""
    for phase in all_phases:
        phase.start, phase.end = phases.get(phase.pk, (phase.start, phase.end))
        key = f"phase-{phase.pk}"
        if phase.start < start:
            errors.setdefault(f"{key}-start", []).append(outside)
        if end_ok is not None and phase.end > end_ok:
            errors.setdefault(f"{key}-end", []).append(outside)
        if phase.end < phase.start:
            errors.setdefault(f"{key}-end", []).append(_("The end cannot come before the start."))
        if previous_end is not None and phase.start <= previous_end:
            errors.setdefault(f"{key}-start", []).append(
                _("The phases follow each other: start after the end of “%(name)s” (%(end)s).")
                % {"name": previous_name, "end": date_format(previous_end)}
            )
        previous_end, previous_name = phase.end, phase.name
    all_assignments = list(locked.assignments.all())
    if set(dues) - {a.pk for a in all_assignments}:
        raise ValidationError(_("A piece of work belongs to another cohort."))
    for assignment in all_assignments:
        assignment.due = dues.get(assignment.pk, assignment.due)
        if assignment.due < start or (end_ok is not None and assignment.due > end_ok):
            errors.setdefault(f"assignment-{assignment.pk}-due", []).append(outside)
    if end_ok is not None:
        last = locked.sessions.order_by("-end").values_list("end", flat=True).first()
        if last is not None and timezone.localdate(last, PARIS) > end_ok:
            errors.setdefault("end", []).append(
                _("A session takes place on %(date)s, after this end: move it first.")
                % {"date": date_format(timezone.localdate(last, PARIS))}
            )
    if errors:
        raise ValidationError(errors)
    locked.save(update_fields=["name", "status", "visibility", "end"])
    CohortPhase.objects.bulk_update(all_phases, ["start", "end"])
    Assignment.objects.bulk_update(all_assignments, ["due"])
    cohort_pages_changed(locked.pk)
    return locked


def _animateurs_left(cohort_id: int, without: int) -> int:
    # Locking the cohort's animateurs' rows: two removals at once cannot both pass.
    rows = list(
        CohortMember.objects.select_for_update()
        .filter(cohort_id=cohort_id, role=CohortRole.ANIMATEUR)
        .values_list("pk", flat=True)
    )
    return len([pk for pk in rows if pk != without])


@transaction.atomic
def cohort_member_update(
    *, member: CohortMember, role: str, pilot_territory: PilotTerritory | None
) -> CohortMember:
    """Change a member's role or pilot territory; the last animateur stays animateur."""
    if pilot_territory is not None and pilot_territory.cohort_id != member.cohort_id:
        raise ValidationError(
            {"pilot_territory": _("This pilot territory belongs to another cohort.")}
        )
    if member.role == CohortRole.ANIMATEUR and role != CohortRole.ANIMATEUR:
        if _animateurs_left(member.cohort_id, without=member.pk) == 0:
            raise ValidationError(
                {"role": _("The cohort needs at least one animateur: name another one first.")}
            )
    old_role = member.role
    member.role = role
    member.pilot_territory = pilot_territory
    member.full_clean(exclude=["cohort", "user"])
    member.save(update_fields=["role", "pilot_territory"])
    if old_role != role:
        _audit_role(member, old_role, role)
    cohort_pages_changed(member.cohort_id)
    return member


@transaction.atomic
def cohort_member_remove(*, member: CohortMember) -> None:
    """Remove someone from the cohort (their registrations to sessions to come go too)."""
    if member.role == CohortRole.ANIMATEUR:
        if _animateurs_left(member.cohort_id, without=member.pk) == 0:
            raise ValidationError(
                _("The cohort needs at least one animateur: name another one first.")
            )
    Registration.objects.filter(
        session__cohort_id=member.cohort_id,
        user_id=member.user_id,
        session__start__gt=timezone.now(),
    ).delete()
    _audit_role(member, member.role, None)
    member.delete()
    cohort_pages_changed(member.cohort_id)
