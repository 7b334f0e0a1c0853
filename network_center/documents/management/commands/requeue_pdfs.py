"""``manage.py requeue_pdfs``: queue again the rendering of signed acts still without their PDF
(``documents.services.requeue_unrendered_pdfs``). For a systemd timer or cron beside the
workers, every few minutes (docs/deploy.md); running it often queues nothing twice in effect:
an act whose PDF is stored is left alone."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from network_center.documents.services import PDF_OVERDUE, requeue_unrendered_pdfs


class Command(BaseCommand):
    help = (
        "Снова поставить в очередь отрисовку PDF подписанных документов, которые ждут её дольше "
        "положенного (задача потеряна: исполнитель остановлен при работе, база была недоступна)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--minutes",
            type=int,
            default=int(PDF_OVERDUE.total_seconds() // 60),
            help="Сколько минут после подписания документ может ждать свой PDF (по умолчанию "
            "%(default)s).",
        )

    def handle(self, *args, minutes, **options):
        ids = requeue_unrendered_pdfs(overdue=timedelta(minutes=max(0, minutes)))
        self.stdout.write(
            _("Документов без PDF снова в очереди: %(n)s.") % {"n": len(ids)}
            if ids
            else _("Все подписанные документы со своими PDF или ещё в сроке.")
        )
