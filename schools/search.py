"""Case-insensitive text search that also works for Cyrillic on SQLite.

SQLite's own LIKE and lower() fold ASCII letters only, so «сош» would not find «СОШ» on the
embedded development database. We compare ``Lower(field)`` with the lower-cased query and, on
SQLite, replace lower() with Python's Unicode-aware ``str.lower`` (see SchoolsConfig.ready).
PostgreSQL's lower() is Unicode-aware already.
"""

from functools import reduce
from operator import or_

from django.db.models import Q
from django.db.models.functions import Lower

from .text import CONTROL

# No stored text holds control characters (``schools.text``); a query with them (a NUL
# PostgreSQL refuses in a literal) searches for the words around them.
MAX_QUERY = 200


def text_search(queryset, query: str, fields: list[str]):
    words = [w for w in CONTROL.sub(" ", query[:MAX_QUERY]).lower().split() if w]
    if not words:
        return queryset
    annotations = {f"_search_{i}": Lower(field) for i, field in enumerate(fields)}
    queryset = queryset.annotate(**annotations)
    for word in words:
        queryset = queryset.filter(
            reduce(or_, (Q(**{f"{name}__contains": word}) for name in annotations))
        )
    return queryset


def install_sqlite_unicode_lower(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "lower",
            1,
            lambda value: value.lower() if isinstance(value, str) else value,
            deterministic=True,
        )
