"""``{% cooperation_of line as coop %}``: the interaction groups and mentoring pairs linked to a
plan line that the requesting user sees — for ``cooperation/_line_cooperation.html``, which the
plan's pages include.

Through the ``visible_to`` querysets, not ``line.interaction_groups.all``: a participant school
sees only its own pairs, on an event's page too. The same event in another revision of the plan
keeps its key, so what was linked to it in the approved revision shows on the amended one.
Two queries, whatever the number of pairs and groups."""

from django import template

from plans.models import Revision

from ..models import InteractionGroup, MentoringPair

register = template.Library()


@register.simple_tag(takes_context=True)
def cooperation_of(context, line):
    request = context.get("request")
    user = getattr(request, "user", None)
    if line is None or user is None:
        return {"groups": [], "pairs": []}
    # The line's plan as a subquery: no query of its own, whether or not the caller loaded it.
    plan = Revision.objects.filter(pk=line.revision_id).values("plan_id")
    same_event = {"key": line.key, "revision__plan_id__in": plan}
    groups = (
        InteractionGroup.objects.visible_to(user)
        .filter(
            pk__in=InteractionGroup.lines.through.objects.filter(
                **{f"line__{k}": v for k, v in same_event.items()}
            ).values("interactiongroup_id")
        )
        .select_related("coordinator")
        .order_by("name", "pk")
    )
    pairs = (
        MentoringPair.objects.visible_to(user)
        .filter(**{f"line__{k}": v for k, v in same_event.items()})
        .select_related("mentor", "mentee")
        .order_by("state", "-date_from", "pk")
    )
    return {"groups": list(groups), "pairs": list(pairs)}
