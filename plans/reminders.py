"""Reminders of what is overdue (``plans.overdue``), sent by ``manage.py send_reminders`` from
cron: each recipient of each overdue thing is told once.

Idempotence is the database's: a ``Reminder(user, subject)`` row per person per thing, under a
unique pair. The rows are inserted first, in one ``INSERT … ON CONFLICT DO NOTHING RETURNING``
per batch, and only the pairs that statement inserted are notified, in the same transaction
(``notify`` writes the notifications and their mail's task in it: all or nothing). So a second
run — or two runs at once, on any number of machines — reminds nobody twice: a pair another run
inserted first is not returned to this one. A subject names the thing at one moment (an event's
current last day, a visa's due date, a return's time): an event postponed again and past its new
date is a new subject, reminded anew.
"""

from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from network_center.notifications.services import notify

from . import overdue
from .models import Reminder

BATCH = 500


@dataclass(frozen=True)
class Sent:
    user_id: int
    item: overdue.Overdue


def _text(item: overdue.Overdue):
    """The reminder's words, as a callable: each recipient reads them in their own language."""

    def text():
        if item.kind == "event":
            return _(
                "Срок мероприятия «%(title)s» (%(dates)s) прошёл, а отчёта о нём нет: "
                "подайте отчёт о проведении или перенесите мероприятие."
            ) % {"title": item.title, "dates": item.execution.dates_display}
        if item.kind == "visa":
            return _("%(school)s ещё не согласовала план %(plan)s, а срок был до %(date)s.") % {
                "school": item.visa.school.short_name,
                "plan": item.title,
                "date": date_format(item.visa.revision.visas_due, "SHORT_DATE_FORMAT"),
            }
        return _("Отчёт о мероприятии «%(title)s» возвращён на доработку и ещё не подан снова.") % {
            "title": item.title
        }

    return text


def _pairs(items):
    return [(user_id, item) for item in items for user_id in sorted(item.recipients)]


def due(*, today: date | None = None) -> list[Sent]:
    """Who would be reminded of what now: the pairs not reminded before (nothing is written)."""
    items = overdue.overdue_everywhere(today=today)
    pairs = _pairs(items)
    subjects = {item.subject for item in items}
    done = set(Reminder.objects.filter(subject__in=subjects).values_list("user_id", "subject"))
    return [Sent(uid, item) for uid, item in pairs if (uid, item.subject) not in done]


def _insert(pairs) -> set[tuple[int, str]]:
    """Insert ``(user_id, subject)`` rows, skipping those that exist; returns those inserted."""
    table = connection.ops.quote_name(Reminder._meta.db_table)
    now = timezone.now()
    inserted = set()
    for start in range(0, len(pairs), BATCH):
        batch = pairs[start : start + BATCH]
        values = ", ".join(["(%s, %s, %s)"] * len(batch))
        params = [value for uid, subject in batch for value in (uid, subject, now)]
        with connection.cursor() as cursor:
            # PostgreSQL and SQLite (3.35+) alike.
            cursor.execute(
                f'INSERT INTO {table} ("user_id", "subject", "sent_at") VALUES {values} '
                f'ON CONFLICT ("user_id", "subject") DO NOTHING RETURNING "user_id", "subject"',
                params,
            )
            inserted |= {(uid, subject) for uid, subject in cursor.fetchall()}
    return inserted


def send(*, today: date | None = None) -> list[Sent]:
    """Remind everyone of what is overdue and was not reminded before; returns the reminders
    sent (one per person per thing)."""
    candidates = due(today=today)
    if not candidates:
        return []
    with transaction.atomic():
        inserted = _insert(sorted({(s.user_id, s.item.subject) for s in candidates}))
        sent = [s for s in candidates if (s.user_id, s.item.subject) in inserted]
        by_item: dict[str, list[Sent]] = {}
        for reminder in sent:
            by_item.setdefault(reminder.item.subject, []).append(reminder)
        for reminders in by_item.values():
            item = reminders[0].item
            notify([r.user_id for r in reminders], _text(item), item.url)
    return sent
