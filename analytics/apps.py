from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """The effectiveness of the network (SPEC §6; issue 13, items 5 and 7): per center and per
    municipality per academic year, and the regional observer's view of its municipalities.
    Reads every other app; no app imports it. It has no models of its own: everything it shows
    is computed from the plans, their execution, proposals, mentoring and monitoring."""

    name = "analytics"
    verbose_name = _("Результативность сети")
