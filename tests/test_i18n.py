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


@pytest.mark.parametrize(
    ("singular", "plural", "n", "text"),
    [
        ("%(counter)s документ", "%(counter)s документов", 2, "2 документа"),
        ("%(counter)s мероприятие", "%(counter)s мероприятий", 150, "150 мероприятий"),
        ("%(counter)s мероприятие", "%(counter)s мероприятий", 151, "151 мероприятие"),
        (
            "%(counter)s школа-участник",
            "%(counter)s школ-участников",
            3,
            "3 школы-участника",
        ),
    ],
)
def test_every_counted_noun_has_its_russian_forms(singular, plural, n, text):
    with translation.override("ru"):
        assert ngettext(singular, plural, n) % {"counter": n} == text


def test_the_catalogue_is_compiled_from_the_current_sources():
    """A plural added to a template without running fill_ru_plurals.py would print English-style
    forms; the catalogue must cover every msgid_plural."""
    import subprocess
    import sys
    from pathlib import Path

    po = Path(__file__).resolve().parent.parent / "locale" / "ru" / "LC_MESSAGES" / "django.po"
    text = po.read_text(encoding="utf-8")
    assert 'msgstr[2] ""' not in text
    result = subprocess.run(
        [sys.executable, str(po.parent.parent.parent / "fill_ru_plurals.py")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
