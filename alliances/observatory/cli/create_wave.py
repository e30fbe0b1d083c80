"""Create a wave from an XLSForm (and its survey, if new); prints `wave_id=ID` last.

    alliances observatory create-wave --survey maires --population maires --label 2025 \\
        --xlsform barometre.xlsx --attributes region,taille_commune

Output: the survey line, then « wave 12 created: 6 questions, 2 attributes (…) », then
`wave_id=12` alone on the last line of stdout, for scripts
(`sed -n 's/^wave_id=//p'`). Warnings (constructs read but not applied) go to stderr.
Errors list every problem of the form, located (« FORM.xlsx, survey, row 7: … »), exit
status 1, and nothing is written.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Q

from alliances.accounts.models import User
from alliances.territories.models import Departement, Region

from ..models import Survey
from ..services import DefinitionError, LocatedError, survey_create, wave_create
from ..xlsform import read_xlsform


def add_arguments(parser) -> None:
    parser.add_argument("--survey", required=True, metavar="SLUG",
                        help="the survey's slug; created if it does not exist")
    parser.add_argument("--label", required=True, help="the wave's label, e.g. 2025")
    parser.add_argument("--xlsform", type=Path, required=True, metavar="FORM.xlsx",
                        help="the XLSForm of the wave's questions")
    parser.add_argument("--population", choices=Survey.Population.values,
                        help="the survey's population (needed to create it; checked otherwise)")
    parser.add_argument("--attributes", default="", metavar="CODE,CODE",
                        help="respondent attributes: single-choice questions used as "
                             "breakdowns and filters, e.g. region,taille_commune")
    parser.add_argument("--title", default="",
                        help="a new survey's title (default: the form's form_title, else the "
                             "slug)")
    parser.add_argument("--owner", default="", metavar="EMAIL",
                        help="a new survey's owner, an analyst or admin (default: the first "
                             "admin)")
    parser.add_argument("--scope", choices=Survey.Scope.values,
                        help="national (default) or local (with --region or --departement)")
    parser.add_argument("--region", default="", metavar="CODE",
                        help="a local survey's région (INSEE code)")
    parser.add_argument("--departement", default="", metavar="CODE",
                        help="a local survey's département (INSEE code)")
    parser.add_argument("--field-start", type=datetime.date.fromisoformat, default=None,
                        metavar="YYYY-MM-DD", help="fieldwork start")
    parser.add_argument("--field-end", type=datetime.date.fromisoformat, default=None,
                        metavar="YYYY-MM-DD", help="fieldwork end")


def handle(command, *, survey: str, label: str, xlsform: Path, population: str | None,
           attributes: str, title: str, owner: str, scope: str | None, region: str,
           departement: str, field_start, field_end, **options) -> None:
    name = xlsform.name
    try:
        data = xlsform.read_bytes()
    except OSError as error:
        raise CommandError(f"{xlsform}: {error.strerror or error}") from None
    try:
        definition = read_xlsform(data, filename=name)
    except DefinitionError as error:
        raise CommandError(_located(name, error.errors)) from None
    codes = [c.strip() for c in attributes.split(",") if c.strip()]
    territory = _territory(scope, region, departement)
    try:
        with transaction.atomic():
            target, created = _survey(
                slug=survey, population=population, title=title or definition.title,
                owner_email=owner, territory=territory,
            )
            wave = wave_create(
                survey=target, label=label, definition=definition, created_by=target.owner,
                attributes=codes, xlsform=ContentFile(data, name=name),
                field_start=field_start, field_end=field_end,
            )
    except DefinitionError as error:
        raise CommandError(_located(name, error.errors)) from None
    for warning in definition.warnings:
        command.stderr.write(f"warning: {_where(name, warning)}")
    state = "created" if created else "existing"
    command.stdout.write(f"survey {target.slug} ({state}): {target.title}")
    kept = list(dict.fromkeys(codes))
    command.stdout.write(
        f"wave {wave.pk} created: {len(definition.questions)} questions, {len(kept)} "
        f"attributes{' (' + ', '.join(kept) + ')' if kept else ''}"
    )
    command.stdout.write(f"wave_id={wave.pk}")


def _where(name: str, error: LocatedError) -> str:
    text = str(error)
    if error.sheet or error.row is not None:
        return f"{name}, {text}"
    return text if text.startswith(name) else f"{name}: {text}"


def _located(name: str, errors: list[LocatedError]) -> str:
    return "\n".join(_where(name, e) for e in errors)


def _territory(scope: str | None, region: str, departement: str
               ) -> tuple[str, Region | None, Departement | None] | None:
    """The requested scope and territory, or None if nothing was asked."""
    if region and departement:
        raise CommandError("give --region or --departement, not both")
    if scope is None and not (region or departement):
        return None
    scope = scope or Survey.Scope.LOCAL
    if scope == Survey.Scope.NATIONAL:
        if region or departement:
            raise CommandError("a national survey has no --region or --departement")
        return scope, None, None
    if not (region or departement):
        raise CommandError("a local survey needs --region CODE or --departement CODE")
    if region:
        found = Region.objects.filter(code=region).first()
        if found is None:
            raise CommandError(f"no région with the INSEE code {region}")
        return scope, found, None
    found_dep = Departement.objects.filter(code=departement).first()
    if found_dep is None:
        raise CommandError(f"no département with the INSEE code {departement}")
    return scope, None, found_dep


def _survey(*, slug: str, population: str | None, title: str, owner_email: str,
            territory) -> tuple[Survey, bool]:
    existing = Survey.objects.select_related("owner").filter(slug=slug).first()
    if existing is not None:
        if population and existing.population != population:
            raise CommandError(
                f"survey {slug} asks the population « {existing.population} », not "
                f"« {population} »: a wave of another population needs another survey"
            )
        if territory is not None:
            scope, region, departement = territory
            if (existing.scope, existing.region_id, existing.departement_id) != (
                    scope, region and region.pk, departement and departement.pk):
                raise CommandError(f"survey {slug} exists with another scope or territory")
        return existing, False
    if not population:
        raise CommandError(f"survey {slug} does not exist: give --population to create it")
    owner = _owner(owner_email)
    scope, region, departement = territory or (Survey.Scope.NATIONAL, None, None)
    try:
        created = survey_create(slug=slug, title=title or slug, population=population,
                                owner=owner, scope=scope, region=region,
                                departement=departement)
    except ValidationError as error:
        messages = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
        raise CommandError(f"survey {slug} cannot be created: {messages}") from None
    return created, True


def _owner(email: str) -> User:
    if email:
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user with the email {email}")
        if not user.has_perm("observatory.create_survey"):
            raise CommandError(f"{email} is not an analyst or an admin: they cannot own a "
                               "survey")
        return user
    admin = User.objects.filter(Q(role=User.Role.ADMIN) | Q(is_superuser=True),
                                is_active=True).order_by("pk").first()
    if admin is None:
        raise CommandError("no admin account to own the survey: give --owner EMAIL")
    return admin
