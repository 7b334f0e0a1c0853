"""Mentoring pairs: created and edited by who manages the center, completed (with results) or
stopped early (with a reason), and their meetings recorded.

States::

    active ──complete (results)──▶ completed
       └─────stop (reason)───────▶ stopped

Nothing else sets a pair's state: every move is ``_finish``, under a lock on the pair, with a
``PairEvent`` (from → to, who, when, the text). Meetings are recorded only while the pair is
active, dated within its period and not in the future.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from schools.permissions import require

from ..models import Meeting, MentoringPair, PairEvent
from ..queries import linkable_lines, mentee_candidates, network_people
from .common import CooperationError, center_heads, coordinators, lock_center, logins_of, shown
from .common import tell as _tell

State = MentoringPair.State

PAIR_FIELDS = ("mentor", "mentee", "subject", "date_from", "date_to", "goals", "line")

# The moves of a pair's state: the rule asked, the target, the field the text goes to, the name
# of the service's argument (and of the form's field) that carries it.
FINISH = {
    "complete": ("cooperation.finish_pair", State.COMPLETED, "results", "results"),
    "stop": ("cooperation.finish_pair", State.STOPPED, "stop_reason", "reason"),
}

# Lazy: read in the language of whoever is refused.
MANAGERS_ONLY = gettext_lazy(
    "Пары наставничества ведут руководитель центра, директор базовой школы и управление "
    "образования."
)


def pair_url(pair) -> str:
    return reverse("cooperation:pair", args=[pair.pk])


def _lock(pair) -> MentoringPair:
    """The pair's row, locked until the transaction ends (only its own table's row: PostgreSQL
    refuses to lock the nullable side of an outer join)."""
    return (
        MentoringPair.objects.select_for_update(of=("self",))
        .select_related(
            "center__hub", "center__head", "mentor__organisation", "mentee__organisation", "line"
        )
        .get(pk=pair.pk)
    )


def _event(pair, action, *, actor, from_state, comment="", data=None):
    PairEvent.objects.create(
        pair=pair,
        action=action,
        from_state=from_state,
        to_state=pair.state,
        actor=actor,
        comment=comment,
        data=data or {},
    )


def _values(values) -> dict[str, str]:
    return {name: shown(values.get(name)) for name in PAIR_FIELDS}


def _validate(center, values, pair=None):
    """Every rule of a pair's fields at once, as field errors."""
    errors = {}
    mentor, mentee = values.get("mentor"), values.get("mentee")
    if mentor is None:
        errors["mentor"] = _("Укажите наставника.")
    elif not network_people(center).filter(pk=mentor.pk).exists():
        errors["mentor"] = _(
            "Наставник — сотрудник базовой школы, школы-участника или методического кабинета."
        )
    if mentee is None:
        errors["mentee"] = _("Укажите наставляемого педагога.")
    elif not mentee_candidates(center).filter(pk=mentee.pk).exists():
        errors["mentee"] = _("Наставляемый педагог — сотрудник школы-участника центра.")
    elif mentor is not None and mentor.pk == mentee.pk:
        errors["mentee"] = _("Наставник и наставляемый — разные люди.")
    for name, message in (
        ("subject", _("Укажите предмет.")),
        ("goals", _("Сформулируйте цели наставничества.")),
    ):
        if not (values.get(name) or "").strip():
            errors[name] = message
    start, end = values.get("date_from"), values.get("date_to")
    if start is None:
        errors["date_from"] = _("Укажите дату начала.")
    if end is None:
        errors["date_to"] = _("Укажите дату окончания.")
    elif start is not None and end < start:
        errors["date_to"] = _("Окончание раньше начала.")
    line = values.get("line")
    keep = [pair.line_id] if pair is not None else []
    if line is not None and not linkable_lines(center, keep=keep).filter(pk=line.pk).exists():
        errors["line"] = _("Выберите мероприятие утверждённого плана этого центра.")
    if not errors:
        duplicate = MentoringPair.objects.filter(
            center=center,
            state=State.ACTIVE,
            mentor=mentor,
            mentee=mentee,
            subject=values["subject"].strip(),
        )
        if pair is not None:
            duplicate = duplicate.exclude(pk=pair.pk)
        if duplicate.exists():
            errors["subject"] = _("Такая пара по этому предмету уже действует.")
    if errors:
        raise CooperationError(errors)


def _refuse_unknown(fields):
    unknown = set(fields) - set(PAIR_FIELDS)
    if unknown:
        raise CooperationError(f"Unknown fields: {sorted(unknown)}")


def _people_told(pair):
    """Who hears of a pair: its mentor and mentee (their logins), the coordinators of the
    mentee's school."""
    return logins_of([pair.mentor_id, pair.mentee_id]) | coordinators([pair.mentee.organisation_id])


def create_pair(center, *, actor, **fields) -> MentoringPair:
    """A new active pair of the center."""
    _refuse_unknown(fields)
    require(actor, "cooperation.add_pair", center, MANAGERS_ONLY)
    for name in ("subject", "goals"):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    with transaction.atomic():
        # Serialises creations in the center: the duplicate check below holds.
        center = lock_center(center)
        require(actor, "cooperation.add_pair", center, MANAGERS_ONLY)
        _validate(center, fields)
        pair = MentoringPair(center=center, created_by=actor, **fields)
        pair.save(force_insert=True)
        _event(pair, "created", actor=actor, from_state="", data={"fields": _values(fields)})
        _tell(
            _people_told(pair),
            actor=actor,
            text=lambda: (
                _("Наставничество (%(subject)s): наставник %(mentor)s, наставляемый %(mentee)s.")
                % {
                    "mentor": pair.mentor.full_name,
                    "mentee": pair.mentee.full_name,
                    "subject": pair.subject,
                }
            ),
            url=pair_url(pair),
        )
    return pair


def update_pair(pair, *, actor, **fields) -> MentoringPair:
    """Change an active pair's fields; a save that changes nothing writes nothing."""
    _refuse_unknown(fields)
    require(actor, "cooperation.change_pair", pair, MANAGERS_ONLY)
    for name in ("subject", "goals"):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    with transaction.atomic():
        locked = _lock(pair)
        if not locked.is_active:
            raise CooperationError(_("Наставничество уже завершено: изменить его нельзя."))
        require(actor, "cooperation.change_pair", locked, MANAGERS_ONLY)
        before = {name: getattr(locked, name) for name in PAIR_FIELDS}
        merged = {**before, **fields}
        _validate(locked.center, merged, pair=locked)
        changed = [name for name in PAIR_FIELDS if name in fields and before[name] != fields[name]]
        if not changed:
            return locked
        for name in changed:
            setattr(locked, name, fields[name])
        locked.save(update_fields=changed)
        _event(
            locked,
            "edited",
            actor=actor,
            from_state=locked.state,
            data={"fields": {name: [shown(before[name]), shown(fields[name])] for name in changed}},
        )
    return locked


def _finish(pair, name, *, actor, text) -> MentoringPair:
    perm, target, field, argument = FINISH[name]
    require(actor, perm, pair, MANAGERS_ONLY)
    text = (text or "").strip()
    if not text:
        raise CooperationError(
            {
                argument: _("Опишите результаты наставничества.")
                if name == "complete"
                else _("Укажите причину прекращения.")
            }
        )
    with transaction.atomic():
        locked = _lock(pair)
        require(actor, perm, locked, MANAGERS_ONLY)
        if not locked.is_active:
            raise CooperationError(
                _("Наставничество уже в состоянии «%(state)s».")
                % {"state": locked.get_state_display()}
            )
        from_state = locked.state
        locked.state = target
        setattr(locked, field, text)
        locked.finished_at = timezone.now()
        locked.save(update_fields=["state", field, "finished_at"])
        _event(locked, name, actor=actor, from_state=from_state, comment=text)
        _tell(
            _people_told(locked) | center_heads(locked.center),
            actor=actor,
            text=lambda: (
                _("Наставничество %(pair)s: %(state)s.")
                % {"pair": str(locked), "state": locked.get_state_display().lower()}
            ),
            url=pair_url(locked),
        )
    return locked


def complete_pair(pair, *, actor, results: str) -> MentoringPair:
    """Complete an active pair, with its results."""
    return _finish(pair, "complete", actor=actor, text=results)


def stop_pair(pair, *, actor, reason: str) -> MentoringPair:
    """Stop an active pair early, with the reason."""
    return _finish(pair, "stop", actor=actor, text=reason)


def add_meeting(pair, *, actor, date, format, topic, notes="") -> Meeting:
    """Record a meeting held by an active pair, within its period and not later than today."""
    require(
        actor,
        "cooperation.add_meeting",
        pair,
        _("Встречи записывают наставник, руководитель центра и школа наставляемого."),
    )
    topic = (topic or "").strip()
    with transaction.atomic():
        locked = _lock(pair)
        if not locked.is_active:
            raise CooperationError(_("Наставничество завершено: встречи больше не записываются."))
        require(actor, "cooperation.add_meeting", locked)
        errors = {}
        if date is None:
            errors["date"] = _("Укажите дату встречи.")
        elif date < locked.date_from or date > locked.date_to:
            errors["date"] = _("Дата вне периода наставничества (%(start)s – %(end)s).") % {
                "start": f"{locked.date_from:%d.%m.%Y}",
                "end": f"{locked.date_to:%d.%m.%Y}",
            }
        elif date > timezone.localdate():
            errors["date"] = _("Записывается прошедшая встреча: дата не позже сегодняшней.")
        if format not in Meeting.Format.values:
            errors["format"] = _("Выберите формат встречи.")
        if not topic:
            errors["topic"] = _("Укажите тему встречи.")
        if errors:
            raise CooperationError(errors)
        meeting = Meeting.objects.create(
            pair=locked,
            date=date,
            format=format,
            topic=topic,
            notes=(notes or "").strip(),
            recorded_by=actor,
        )
        # Only the mentor hears of it (when someone else recorded it): the center's staff read
        # the log on its pages, and a notification per meeting would bury those asking for
        # a decision.
        _tell(
            logins_of([locked.mentor_id]),
            actor=actor,
            text=lambda: (
                _("Наставничество %(pair)s: записана встреча %(date)s «%(topic)s».")
                % {"pair": str(locked), "date": f"{date:%d.%m.%Y}", "topic": topic}
            ),
            url=pair_url(locked),
        )
    return meeting
