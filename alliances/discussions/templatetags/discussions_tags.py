from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("discussions/_cohort_panel.html", takes_context=True)
def discussions_cohort_panel(context: template.Context, cohort: Any) -> dict[str, Any]:
    """The latest threads of a cohort, shown in the cohort space."""
    return {"cohort": cohort, "user": context.get("user")}
