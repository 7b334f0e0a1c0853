"""The comparison of two revisions of a plan: lines added, removed and changed field by field,
matched by the key a line keeps across revisions. It reads and changes nothing."""

from ..models import Revision

FIELD_LABELS = {
    "direction": "Направление",
    "title": "Мероприятие",
    "form": "Форма",
    "format": "Формат",
    "audience": "Целевая аудитория",
    "venue": "Место проведения",
    "dates": "Сроки",
    "responsible": "Ответственные",
    "schools": "Школы-участники",
    "expected_result": "Ожидаемый результат",
    "resources": "Необходимые ресурсы",
    "needed_resources": "Ресурсы сети",
    "initiator": "Инициатор",
    "risk_factor": "Фактор риска",
}


def _snapshot(revision: Revision) -> dict:
    lines = (
        revision.lines.select_related("form", "venue", "initiator", "risk_factor")
        .prefetch_related("responsible", "schools", "needed_resources")
        .order_by("date_from", "position", "pk")
    )
    result = {}
    for line in lines:
        result[line.key] = {
            "direction": line.direction,
            "title": line.title,
            "form": line.form.name,
            "format": line.get_format_display(),
            "audience": line.audience,
            "venue": line.venue.short_name if line.venue else "",
            "dates": line.dates_display,
            "responsible": ", ".join(sorted(p.full_name for p in line.responsible.all())),
            "schools": ", ".join(sorted(s.short_name for s in line.schools.all())),
            "expected_result": line.expected_result,
            "resources": line.resources,
            "needed_resources": "; ".join(sorted(str(r) for r in line.needed_resources.all())),
            "initiator": line.initiator.short_name,
            "risk_factor": line.risk_factor.name if line.risk_factor else "",
        }
    return result


def compare_revisions(old: Revision, new: Revision) -> dict:
    """Lines added, removed and changed field by field; lines are matched by their key."""
    before, after = _snapshot(old), _snapshot(new)
    changed = []
    for key in after.keys() & before.keys():
        fields = [
            (FIELD_LABELS[f], before[key][f], after[key][f])
            for f in FIELD_LABELS
            if before[key][f] != after[key][f]
        ]
        if fields:
            changed.append({"title": after[key]["title"], "fields": fields})
    return {
        "added": [after[k] for k in after if k not in before],
        "removed": [before[k] for k in before if k not in after],
        "changed": changed,
    }
