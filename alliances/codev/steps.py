"""The translated texts of the six steps of alliances.lib.codev.

The library keeps its texts as English msgids, free of Django; they are repeated here,
wrapped in gettext_lazy, so that makemessages collects them and the UI shows them in French.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from alliances.lib import codev

NAMES = {
    "Problem statement": _("Problem statement"),
    "Clarifying questions": _("Clarifying questions"),
    "Contract": _("Contract"),
    "Consultation": _("Consultation"),
    "Synthesis and action plan": _("Synthesis and action plan"),
    "Learnings": _("Learnings"),
}
TEXTS = {
    "The client exposes the problem, its context and what is at stake.": _(
        "The client exposes the problem, its context and what is at stake."
    ),
    "Consultants ask questions to understand the situation; the client answers.": _(
        "Consultants ask questions to understand the situation; the client answers."
    ),
    "The client states the help wanted from the consultants.": _(
        "The client states the help wanted from the consultants."
    ),
    "Consultants share impressions, hypotheses, experiences and suggestions.": _(
        "Consultants share impressions, hypotheses, experiences and suggestions."
    ),
    "The client synthesises what was heard and commits to an action plan.": _(
        "The client synthesises what was heard and commits to an action plan."
    ),
    "Everyone, the client included, names what they learned.": _(
        "Everyone, the client included, names what they learned."
    ),
    "Interrupting the client": _("Interrupting the client"),
    "Questions before the client has finished": _("Questions before the client has finished"),
    "Advice or solutions": _("Advice or solutions"),
    "Leading questions that hide a suggestion": _("Leading questions that hide a suggestion"),
    "Consultants redefining the client's request": _("Consultants redefining the client's request"),
    "The client defending or justifying themselves": _(
        "The client defending or justifying themselves"
    ),
    "Debating between consultants": _("Debating between consultants"),
    "Judging the client": _("Judging the client"),
    "Consultants reopening the consultation": _("Consultants reopening the consultation"),
    "Going back to the client's problem": _("Going back to the client's problem"),
}
SPEAKERS = {
    "client": _("The client has the floor"),
    "consultants": _("The consultants have the floor"),
    "everyone": _("Everyone has the floor"),
}


def step_name(step: codev.Step) -> Promise | str:
    return NAMES.get(step.name, step.name)


def text(msgid: str) -> Promise | str:
    return TEXTS.get(msgid, msgid)


def speaker(step: codev.Step) -> Promise | str:
    return SPEAKERS[step.speaks]
