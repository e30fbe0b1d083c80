"""`{% organisation_needs organisation %}`: an organisation's open needs, for its page (one
query), with a link to post one for its members and the platform admins."""

from django import template

from alliances.actors.models import Organisation

from ..models import Need

register = template.Library()
SHOWN = 10


@register.inclusion_tag("needs/_organisation_needs.html", takes_context=True)
def organisation_needs(context, organisation: Organisation) -> dict:
    needs = list(
        Need.objects.filter(organisation=organisation).open()
        .select_related("fragility").only("id", "title", "kind", "fragility__name",
                                          "created_at")[: SHOWN + 1]
    )
    user = context.get("user")
    can_post = bool(user and user.is_authenticated and (
        user.is_platform_admin or user.memberships.filter(organisation=organisation).exists()
    ))
    return {"organisation": organisation, "needs": needs[:SHOWN], "more": len(needs) > SHOWN,
            "can_post": can_post}
