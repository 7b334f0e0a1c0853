from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkCenterConfig(AppConfig):
    name = "network_center"
    verbose_name = _("Проект: главная страница и демонстрационные данные")

    def ready(self):
        from django.contrib.auth.signals import user_login_failed

        from .views import log_failed_login

        user_login_failed.connect(log_failed_login, dispatch_uid="log_failed_login")
