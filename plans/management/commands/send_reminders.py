"""``manage.py send_reminders``: remind the people concerned of what is overdue in the plans
(``plans.reminders``). For cron, once a day; running it again the same day reminds nobody twice.
"""

from argparse import ArgumentTypeError
from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from plans import reminders


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        # argparse says it beside the option (a CommandError when called from code).
        raise ArgumentTypeError(
            _("дата пишется как ГГГГ-ММ-ДД: %(value)s") % {"value": value}
        ) from exc


class Command(BaseCommand):
    help = (
        "Напомнить ответственным о просроченном: мероприятиях без отчёта, визах школ, "
        "возвращённых отчётах. Повторный запуск не напоминает дважды."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Только показать, кому будет напомнено, ничего не отправляя и не записывая.",
        )
        parser.add_argument(
            "--today",
            type=_day,
            default=None,
            help="Считать сегодняшним этот день (ГГГГ-ММ-ДД), для проверки.",
        )

    def handle(self, *args, dry_run=False, today=None, **options):
        found = reminders.due(today=today) if dry_run else reminders.send(today=today)
        names = dict(
            get_user_model()
            .objects.filter(pk__in={s.user_id for s in found})
            .values_list("pk", "username")
        )
        for reminder in found:
            item = reminder.item
            self.stdout.write(
                f"{names.get(reminder.user_id, reminder.user_id)}: {item.kind_display} — "
                f"{item.title} ({item.days_display}) [{item.subject}]"
            )
        if dry_run:
            summary = _("Напоминаний было бы отправлено: %(n)s") % {"n": len(found)}
        else:
            summary = _("Напоминаний отправлено: %(n)s") % {"n": len(found)}
        self.stdout.write(self.style.SUCCESS(summary))
