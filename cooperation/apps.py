from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CooperationConfig(AppConfig):
    """Mentoring pairs and interaction groups of a center's network (SPEC §3, «Interaction
    groups and mentoring»). Sits above plans: it may import schools, documents, centers and
    plans; none of them imports it."""

    name = "cooperation"
    verbose_name = _("Наставничество и группы взаимодействия")
