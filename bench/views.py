"""Reference views of the page benchmark, served only by ``bench.urls``.

They set the scale the project's pages are judged by on this machine: the same server, the
same middleware and the same logged-in session as the pages, so what a page costs beyond them
is the page's own work.

- ``reference_template``: a small template rendered, no database queries (neither view asks
  for ``request.user``, so the session is never loaded);
- ``reference_orm5``: the same template after five simple ORM queries.
"""

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.template import engines

from schools.models import Membership, Municipality, Organisation, Region

TEMPLATE = engines["django"].from_string(
    """<!doctype html>
<html lang="ru">
<head><meta charset="utf-8"><title>{{ title }}</title></head>
<body>
<h1>{{ title }}</h1>
<dl>
{% for name, value in rows %}<dt>{{ name }}</dt><dd>{{ value|default:"—" }}</dd>{% endfor %}
</dl>
<ul>{% for i in items %}<li>Строка {{ i }} из {{ items|length }}</li>{% endfor %}</ul>
</body>
</html>
"""
)


def _render(title, rows):
    return HttpResponse(TEMPLATE.render({"title": title, "rows": rows, "items": range(1, 21)}))


def reference_template(request):
    return _render("Шаблон без запросов", [("запросов", 0)])


def reference_orm5(request):
    """Five queries, each a simple one: a row by key, counts and a first row by order."""
    user = get_user_model().objects.filter(username="uo_dmitriev").first()
    rows = [
        ("пользователь", user),
        ("организаций", Organisation.objects.count()),
        ("ролей пользователя", Membership.objects.filter(user=user).count()),
        ("первый район", Municipality.objects.order_by("name").first()),
        ("первый регион", Region.objects.order_by("name").first()),
    ]
    return _render("Пять запросов", rows)
