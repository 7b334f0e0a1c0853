from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticesConfig(AppConfig):
    """The bank of successful practice recommended for dissemination (the Kupino model: the
    department «принимает решение о распространении успешных практик»). Sits above plans: it
    may import schools, documents, centers, notifications and plans; none of them imports it —
    their templates reach it only through its template tags."""

    name = "practices"
    verbose_name = _("Банк практик")
