"""Who may see and change the observatory (django-rules, `user.has_perm`).

- Anyone sees a published wave: its dashboard, its results (small cells hidden), its API.
- Analysts (the `analyste` platform role) and admins see every wave, unpublished ones and
  small cells included, and create surveys.
- A survey's owner (an analyst) and admins manage it: waves, definitions, imports,
  invitations, raking, publication.
- Respondents need no account: the questionnaire is reached by an invitation token or the
  wave's open link (see `collection`).
"""

import rules

from alliances.accounts.rules import is_analyste, is_platform_admin

from .models import Survey, Wave


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


@rules.predicate
def is_published(user, wave: Wave | None) -> bool:
    return wave is not None and wave.status == Wave.Status.PUBLIEE


def _survey(obj) -> Survey | None:
    if isinstance(obj, Wave):
        return obj.survey
    return obj


@rules.predicate
def is_survey_owner(user, obj: Survey | Wave | None) -> bool:
    survey = _survey(obj)
    return survey is not None and _active(user) and survey.owner_id == user.pk


is_staff_analyst = is_analyste | is_platform_admin

rules.add_perm("observatory.view_wave", is_published | is_staff_analyst)
rules.add_perm("observatory.view_small_cells", is_staff_analyst)
rules.add_perm("observatory.view_unpublished", is_staff_analyst)
rules.add_perm("observatory.create_survey", is_staff_analyst)
rules.add_perm("observatory.manage_survey", is_platform_admin | (is_analyste & is_survey_owner))
