"""The interface speaks proper Russian: three plural forms, not English's two."""

import pytest
from django.utils import translation
from django.utils.translation import ngettext


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "Найдена 1 школа"),
        (3, "Найдено 3 школы"),
        (5, "Найдено 5 школ"),
        (11, "Найдено 11 школ"),
        (21, "Найдена 21 школа"),
        (24, "Найдено 24 школы"),
    ],
)
def test_school_counts_use_russian_plural_forms(n, text):
    with translation.override("ru"):
        message = ngettext("Найдена %(counter)s школа", "Найдено %(counter)s школ", n)
    assert message % {"counter": n} == text
