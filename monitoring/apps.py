from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Мониторинг")

    def ready(self):
        # Signing the order that approves a list of ШНОР/ШНСУ sets the schools' statuses.
        from . import receivers  # noqa: F401
