from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = _("Организации и люди")

    def ready(self):
        from .search import install_sqlite_unicode_lower

        connection_created.connect(
            install_sqlite_unicode_lower, dispatch_uid="sqlite_unicode_lower"
        )
