from django.apps import AppConfig
from django.core.signals import request_finished, request_started
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = _("Организации и люди")

    def ready(self):
        from .caching import end_request, install_triggers, start_request
        from .ids import IdConverter
        from .search import install_sqlite_unicode_lower

        # ``<id:pk>`` in every app's URL patterns.
        register_converter(IdConverter, "id")
        connection_created.connect(
            install_sqlite_unicode_lower, dispatch_uid="sqlite_unicode_lower"
        )
        # After every migrate, once all apps' tables exist: the data-version triggers.
        post_migrate.connect(install_triggers, sender=self, dispatch_uid="content_version")
        request_started.connect(start_request, dispatch_uid="content_version_start")
        request_finished.connect(end_request, dispatch_uid="content_version_end")
