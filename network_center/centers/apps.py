from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentersConfig(AppConfig):
    name = "network_center.centers"
    label = "centers"
    verbose_name = _("Центры сетевого взаимодействия")

    def ready(self):
        # Signing an order that approves a composition puts it in force.
        from . import receivers  # noqa: F401
