from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkCenterConfig(AppConfig):
    name = "network_center"
    verbose_name = _("Проект: главная страница и демонстрационные данные")
