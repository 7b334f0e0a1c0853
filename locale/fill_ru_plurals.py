"""Fill the Russian plural forms of locale/ru/LC_MESSAGES/django.po, and drop msgmerge's guesses.

The source strings are Russian with English-style two forms (msgid / msgid_plural); Russian needs
three (and a fourth for fractions in Django's catalogue). A singular entry stays empty: gettext
prints its msgid, which is Russian already. When a msgid changes, msgmerge marks the entry fuzzy
and fills it from a similar one — always wrong here (the msgid *is* the text) — so fuzzy entries
are emptied. Run after `manage.py makemessages -l en -l ru`, then `locale/check_catalogues.py`
and `manage.py compilemessages` (`make messages` does all of it):

    .venv/bin/python locale/fill_ru_plurals.py
"""

import re
from pathlib import Path

PO = Path(__file__).resolve().parent / "ru" / "LC_MESSAGES" / "django.po"

# msgid_plural → (one, few, many); «few» also serves Django's fourth form (fractions).
FORMS = {
    "Записывается %(counter)s значений: новые добавляются, изменённые обновляются — все вместе "
    "или ни одного.": (
        "Записывается %(counter)s значение: новые добавляются, изменённые обновляются — все "
        "вместе или ни одного.",
        "Записываются %(counter)s значения: новые добавляются, изменённые обновляются — все "
        "вместе или ни одного.",
        "Записывается %(counter)s значений: новые добавляются, изменённые обновляются — все "
        "вместе или ни одного.",
    ),
    "Проверено %(done)s из %(counter)s строк.": (
        "Проверено %(done)s из %(counter)s строки.",
        "Проверено %(done)s из %(counter)s строк.",
        "Проверено %(done)s из %(counter)s строк.",
    ),
    "Проверено %(counter)s строк.": (
        "Проверена %(counter)s строка.",
        "Проверено %(counter)s строки.",
        "Проверено %(counter)s строк.",
    ),
    "Загружено %(n)s значений: новых — %(created)s, изменено — %(updated)s, без изменений — "
    "%(unchanged)s.": (
        "Загружено %(n)s значение: новых — %(created)s, изменено — %(updated)s, без изменений — "
        "%(unchanged)s.",
        "Загружено %(n)s значения: новых — %(created)s, изменено — %(updated)s, без изменений — "
        "%(unchanged)s.",
        "Загружено %(n)s значений: новых — %(created)s, изменено — %(updated)s, без изменений — "
        "%(unchanged)s.",
    ),
    "%(counter)s значений показателей": (
        "%(counter)s значение показателей",
        "%(counter)s значения показателей",
        "%(counter)s значений показателей",
    ),
    "Файл не загружен: %(counter)s ошибок.": (
        "Файл не загружен: %(counter)s ошибка.",
        "Файл не загружен: %(counter)s ошибки.",
        "Файл не загружен: %(counter)s ошибок.",
    ),
    "За один раз можно приложить не больше %(n)s файлов.": (
        "За один раз можно приложить не больше %(n)s файла.",
        "За один раз можно приложить не больше %(n)s файлов.",
        "За один раз можно приложить не больше %(n)s файлов.",
    ),
    "возвращён %(n)s дней назад": (
        "возвращён %(n)s день назад",
        "возвращён %(n)s дня назад",
        "возвращён %(n)s дней назад",
    ),
    "просрочено на %(n)s дней": (
        "просрочено на %(n)s день",
        "просрочено на %(n)s дня",
        "просрочено на %(n)s дней",
    ),
    "План включал %(n)s мероприятий.": (
        "План включал %(n)s мероприятие.",
        "План включал %(n)s мероприятия.",
        "План включал %(n)s мероприятий.",
    ),
    "%(n)s мероприятий": ("%(n)s мероприятие", "%(n)s мероприятия", "%(n)s мероприятий"),
    "%(n)s участников": ("%(n)s участник", "%(n)s участника", "%(n)s участников"),
    "%(counter)s участников:": (
        "%(counter)s участник:",
        "%(counter)s участника:",
        "%(counter)s участников:",
    ),
    "Закрыть план пока нельзя: %(n)s мероприятий без принятого отчёта или отметки об отмене.": (
        "Закрыть план пока нельзя: %(n)s мероприятие без принятого отчёта или отметки об отмене.",
        "Закрыть план пока нельзя: %(n)s мероприятия без принятого отчёта или отметки об отмене.",
        "Закрыть план пока нельзя: %(n)s мероприятий без принятого отчёта или отметки об отмене.",
    ),
    "Найдено %(counter)s ресурсов": (
        "Найден %(counter)s ресурс",
        "Найдено %(counter)s ресурса",
        "Найдено %(counter)s ресурсов",
    ),
    "Школа предлагает сети %(counter)s ресурсов.": (
        "Школа предлагает сети %(counter)s ресурс.",
        "Школа предлагает сети %(counter)s ресурса.",
        "Школа предлагает сети %(counter)s ресурсов.",
    ),
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
    "Утвердить план пока нельзя: ждут согласования %(counter)s школ из %(total)s — %(schools)s.": (
        "Утвердить план пока нельзя: ждёт согласования %(counter)s школа из %(total)s — "
        "%(schools)s.",
        "Утвердить план пока нельзя: ждут согласования %(counter)s школы из %(total)s — "
        "%(schools)s.",
        "Утвердить план пока нельзя: ждут согласования %(counter)s школ из %(total)s — "
        "%(schools)s.",
    ),
    "План уже на согласовании. Если принять предложение, будут сброшены %(counter)s виз "
    "(%(schools)s), и эти школы согласуют план заново.": (
        "План уже на согласовании. Если принять предложение, будет сброшена %(counter)s виза "
        "(%(schools)s), и эти школы согласуют план заново.",
        "План уже на согласовании. Если принять предложение, будут сброшены %(counter)s визы "
        "(%(schools)s), и эти школы согласуют план заново.",
        "План уже на согласовании. Если принять предложение, будут сброшены %(counter)s виз "
        "(%(schools)s), и эти школы согласуют план заново.",
    ),
    "С вашего адреса проверяли документы слишком часто. Повторите через %(minutes)s минут.": (
        "С вашего адреса проверяли документы слишком часто. Повторите через %(minutes)s минуту.",
        "С вашего адреса проверяли документы слишком часто. Повторите через %(minutes)s минуты.",
        "С вашего адреса проверяли документы слишком часто. Повторите через %(minutes)s минут.",
    ),
    "Слишком много неудачных попыток входа. Попробуйте снова через %(minutes)s минут.": (
        "Слишком много неудачных попыток входа. Попробуйте снова через %(minutes)s минуту.",
        "Слишком много неудачных попыток входа. Попробуйте снова через %(minutes)s минуты.",
        "Слишком много неудачных попыток входа. Попробуйте снова через %(minutes)s минут.",
    ),
    "Всего %(n)s участий педагогов в проведённых мероприятиях.": (
        "Всего %(n)s участие педагогов в проведённых мероприятиях.",
        "Всего %(n)s участия педагогов в проведённых мероприятиях.",
        "Всего %(n)s участий педагогов в проведённых мероприятиях.",
    ),
    "Внесено %(n)s предложений, принято %(accepted)s.": (
        "Внесено %(n)s предложение, принято %(accepted)s.",
        "Внесено %(n)s предложения, принято %(accepted)s.",
        "Внесено %(n)s предложений, принято %(accepted)s.",
    ),
    "%(n)s пар наставничества в учебном году: действует — %(active)s, завершено — "
    "%(completed)s, прекращено досрочно — %(stopped)s.": (
        "%(n)s пара наставничества в учебном году: действует — %(active)s, завершено — "
        "%(completed)s, прекращено досрочно — %(stopped)s.",
        "%(n)s пары наставничества в учебном году: действует — %(active)s, завершено — "
        "%(completed)s, прекращено досрочно — %(stopped)s.",
        "%(n)s пар наставничества в учебном году: действует — %(active)s, завершено — "
        "%(completed)s, прекращено досрочно — %(stopped)s.",
    ),
    "%(n)s отменено": ("%(n)s отменено", "%(n)s отменено", "%(n)s отменено"),
    "Не включены %(counter)s школ": (
        "Не включена %(counter)s школа",
        "Не включены %(counter)s школы",
        "Не включены %(counter)s школ",
    ),
    "Найдено %(counter)s практик": (
        "Найдена %(counter)s практика",
        "Найдено %(counter)s практики",
        "Найдено %(counter)s практик",
    ),
}

ENTRY = re.compile(
    r'(msgid_plural (?P<plural>(?:"[^"\n]*"\n)+))(?P<strs>(?:msgstr\[\d\] (?:"[^"\n]*"\n)+)+)'
)


def unquote(block: str) -> str:
    return "".join(re.findall(r'"([^"]*)"', block))


def unfuzz(text: str) -> str:
    """Empty every fuzzy entry: no flag, no previous strings (``#|``), no guessed msgstr (a
    plural one is filled again below)."""

    def clean(block: str) -> str:
        lines = block.split("\n")
        flags = next((line for line in lines if line.startswith("#,")), "")
        if "fuzzy" not in flags:
            return block
        kept = [flag.strip() for flag in flags[2:].split(",") if flag.strip() != "fuzzy"]
        out, in_msgstr = [], False
        for line in lines:
            if line.startswith("#|"):
                continue
            if line.startswith("#,"):
                if kept:
                    out.append("#, " + ", ".join(kept))
                continue
            if line.startswith("msgstr"):
                in_msgstr = True
                out.append(line.split(" ", 1)[0] + ' ""')
                continue
            if in_msgstr and line.startswith('"'):
                continue
            in_msgstr = False
            out.append(line)
        return "\n".join(out)

    return "\n\n".join(clean(block) for block in text.split("\n\n"))


def fill(text: str) -> tuple[str, list[str]]:
    text = unfuzz(text)
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
