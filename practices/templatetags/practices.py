"""``{% practice_mark execution %}`` / ``{% practice_mark resource %}``: what the bank says of an
event (and of its materials) or of a resource, on its own page — «Рекомендовано к
распространению» with the reason, and for the department of its municipality the forms to
recommend it or to withdraw the recommendation. Renders ``practices/_mark.html``.

The other apps' pages include it with one line and know nothing of this app; their views pass
nothing for it. One query — the standing recommendations of the thing (and of an event's
files), through ``Practice.objects.visible_to``, so that every link it draws opens — whatever
the number of files: an event page's files are taken from its context (``files``) when they
are there. The answers of the rules are asked here, in Python, never in the template."""

from django import template
from django.db.models import Q

from plans.models import Execution
from schools.permissions import can

from ..forms import REASON_MAX
from ..models import Practice
from ..services import kind_of, practice_for, refusal

register = template.Library()


@register.inclusion_tag("practices/_mark.html", takes_context=True)
def practice_mark(context, target):
    request = context.get("request")
    user = getattr(request, "user", None)
    empty = {"show": False}
    if target is None or user is None or not user.is_authenticated:
        return empty
    kind = kind_of(target)
    standing = (
        Practice.objects.visible_to(user).recommended().select_related("marked_by", "evidence")
    )
    if kind == Practice.Kind.EVENT:
        standing = standing.filter(Q(execution=target) | Q(evidence__execution_id=target.pk))
    else:
        standing = standing.filter(resource=target)
    practices = list(standing.order_by("pk"))
    own = next((p for p in practices if p.kind == kind), None)
    decides = can(user, "practices.mark_practice", practice_for(target))
    eligible = refusal(target) is None
    files = []
    if kind == Practice.Kind.EVENT:
        by_file = {p.evidence_id: p for p in practices if p.kind == Practice.Kind.MATERIAL}
        if decides and eligible and target.state == Execution.State.ACCEPTED:
            shown = context.get("files")
            if not isinstance(shown, list):
                shown = list(target.files.all())
            files = [(f, by_file.get(f.pk)) for f in shown if f.execution_id == target.pk]
        else:
            files = [(p.evidence, p) for p in practices if p.kind == Practice.Kind.MATERIAL]
    return {
        "show": bool(own or files or (decides and eligible)),
        "kind": kind,
        "target": target,
        "practice": own,
        "files": files,
        "can_mark": decides and eligible and own is None,
        "can_mark_files": decides and eligible,
        "can_withdraw": can(user, "practices.withdraw_practice", own or practice_for(target)),
        "reason_max": REASON_MAX,
        "csrf_token": context.get("csrf_token"),
    }
