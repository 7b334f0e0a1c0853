"""Fill the Russian plural forms of locale/ru/LC_MESSAGES/django.po.

The source strings are Russian with English-style two forms (msgid / msgid_plural); Russian needs
three (and a fourth for fractions in Django's catalogue). Run after `manage.py makemessages -l ru`,
then `manage.py compilemessages`:

    .venv/bin/python locale/fill_ru_plurals.py
"""

import re
from pathlib import Path

PO = Path(__file__).resolve().parent / "ru" / "LC_MESSAGES" / "django.po"

# msgid_plural → (one, few, many); «few» also serves Django's fourth form (fractions).
FORMS = {
    "Найдено %(counter)s школ": (
        "Найдена %(counter)s школа",
        "Найдено %(counter)s школы",
        "Найдено %(counter)s школ",
    ),
    "%(counter)s документов": (
        "%(counter)s документ",
        "%(counter)s документа",
        "%(counter)s документов",
    ),
    "%(counter)s школ-участников": (
        "%(counter)s школа-участник",
        "%(counter)s школы-участника",
        "%(counter)s школ-участников",
    ),
    "%(counter)s мероприятий": (
        "%(counter)s мероприятие",
        "%(counter)s мероприятия",
        "%(counter)s мероприятий",
    ),
    "Слишком много неудачных попыток входа. Попробуйте снова через %(minutes)s минут.": (
        "Слишком много неудачных попыток входа. Попробуйте снова через %(minutes)s минуту.",
        "Слишком много неудачных попыток входа. Попробуйте снова через %(minutes)s минуты.",
        "Слишком много неудачных попыток входа. Попробуйте снова через %(minutes)s минут.",
    ),
}

ENTRY = re.compile(
    r'(msgid_plural (?P<plural>(?:"[^"\n]*"\n)+))(?P<strs>(?:msgstr\[\d\] (?:"[^"\n]*"\n)+)+)'
)


def unquote(block: str) -> str:
    return "".join(re.findall(r'"([^"]*)"', block))


def fill(text: str) -> tuple[str, list[str]]:
    missing = []

    def replace(match):
        plural = unquote(match.group("plural"))
        forms = FORMS.get(plural)
        if forms is None:
            missing.append(plural)
            return match.group(0)
        one, few, many = forms
        strs = "".join(f'msgstr[{i}] "{value}"\n' for i, value in enumerate((one, few, many, few)))
        return match.group(1) + strs

    return ENTRY.sub(replace, text), missing


if __name__ == "__main__":
    text, missing = fill(PO.read_text(encoding="utf-8"))
    PO.write_text(text, encoding="utf-8")
    for plural in missing:
        print(f"no Russian forms for: {plural!r}")
    raise SystemExit(1 if missing else 0)
