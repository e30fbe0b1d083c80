"""The shared vocabularies of the field, by stable code: the forms of co-construction, the
types of partnership, the catalyst's métiers. Resources are tagged with them, alliances
(issue 7) are typed by them, and the codes appear in imports, exports and the API.

Fragility domains and actor types are vocabularies too; they live with the directory
(`actors.Fragility`, `actors.OrganisationType`). `tag_families()` puts all five together.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CoConstructionForm(models.TextChoices):
    DIALOGUE = "dialogue_territorial", _("territorial dialogue")
    PARTENARIATS = "partenariats", _("partnerships between organisations")
    EXPERIMENTATIONS = "experimentations", _("collective experiments")


class PartnershipType(models.TextChoices):
    MECENAT = "mecenat", _("corporate philanthropy")
    PRATIQUES = "pratiques_responsables", _("responsible practices")
    COOPERATION = "cooperation_economique", _("economic cooperation")
    INNOVATION = "innovation_societale", _("societal innovation")


class CatalystMetier(models.TextChoices):
    DIALOGUE = "dialogue_territorial", _("territorial dialogue")
    EXPERIMENTATIONS = "experimentations_collectives", _("collective experiments")
    ACCOMPAGNEMENTS = "accompagnements", _("support and coaching")
    LIEU = "gestion_lieu", _("running a place")


class TagFamily(models.TextChoices):
    FORME = "forme", _("form of co-construction")
    TYPE = "type", _("partnership type")
    METIER = "metier", _("catalyst métier")
    FRAGILITE = "fragilite", _("fragility domain")
    ACTEUR = "acteur", _("actor type")


def tag_families() -> dict[str, dict[str, str]]:
    """Every tag family's {code: label}, in display order (one query, for fragilities)."""
    from alliances.actors.models import Fragility, OrganisationType

    return {
        TagFamily.FORME: {c.value: str(c.label) for c in CoConstructionForm},
        TagFamily.TYPE: {c.value: str(c.label) for c in PartnershipType},
        TagFamily.METIER: {c.value: str(c.label) for c in CatalystMetier},
        TagFamily.FRAGILITE: dict(Fragility.objects.values_list("code", "name")),
        TagFamily.ACTEUR: {c.value: str(c.label) for c in OrganisationType},
    }
