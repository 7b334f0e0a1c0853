"""Check the catalogues of locale/: English complete, Russian plurals complete, both compiled.

The source strings are Russian. The English catalogue must translate every one of them; the
Russian one leaves a singular entry empty (gettext then prints the msgid, already Russian) and
gives every plural entry its forms (``fill_ru_plurals.py``). Reported, with the .po line:

- an English entry without a translation, or with a plural form missing;
- a fuzzy entry in either catalogue (msgmerge's guess from a similar string: gettext ignores it,
  and in the Russian catalogue it is always wrong);
- a translation whose placeholders (``%(name)s``, ``%s``, ``{name}``) differ from the msgid's:
  it would fail or print a wrong value at run time;
- a header without the language's plural rule;
- a compiled ``django.mo`` that is not the compilation of its ``django.po`` (skipped with
  ``--po-only``, which ``make messages`` uses before compiling).

Run from the project directory; exits 1 when anything is wrong::

    .venv/bin/python locale/check_catalogues.py [--po-only]
"""

import gettext
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

LOCALE = Path(__file__).resolve().parent
LANGUAGES = ("en", "ru")
PLURAL_FORMS = {
    "en": "nplurals=2; plural=(n != 1);",
    # Django's own Russian rule: a fourth form for fractions.
    "ru": "nplurals=4;",
}

PRINTF = re.compile(r"%(?:\((?P<name>[^)]+)\))?[#0 +-]?\d*(?:\.\d+)?(?P<kind>[sdifrxXeEgGc%])")
BRACE = re.compile(r"(?<!\{)\{(?P<name>[^{}]*)\}(?!\})")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def _unquote(text: str) -> str:
    body = text.strip()
    if not (body.startswith('"') and body.endswith('"')):
        raise ValueError(f"not a quoted string: {text!r}")
    body = body[1:-1]
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), body)


def parse(path: Path) -> list[Entry]:
    """The entries of a .po file as gettext writes it (entries separated by blank lines), without
    obsolete ``#~`` entries and ``#|`` previous strings."""
    return parse_text(path.read_text(encoding="utf-8"), path)


def parse_text(text: str, path: Path | str = "<text>") -> list[Entry]:
    entries = []
    lines = text.splitlines()
    entry, target = Entry(line=1), None
    for number, raw in enumerate([*lines, ""], start=1):
        line = raw.strip()
        if not line:
            if target is not None:
                entries.append(entry)
            entry, target = Entry(line=number + 1), None
            continue
        if line.startswith("#"):
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith('"'):
            if target is None:
                raise ValueError(f"{path}:{number}: a string outside an entry")
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += _unquote(line)
            else:
                setattr(entry, name, getattr(entry, name) + _unquote(line))
            continue
        keyword, _, rest = line.partition(" ")
        plural = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if plural or keyword == "msgstr":
            index = int(plural.group(1)) if plural else 0
            entry.msgstr[index] = _unquote(rest)
            target = ("msgstr", index)
        elif keyword in {"msgid", "msgid_plural", "msgctxt"}:
            setattr(entry, keyword, _unquote(rest))
            target = (keyword, None)
        else:
            raise ValueError(f"{path}:{number}: unknown keyword {keyword!r}")
    return entries


def placeholders(text: str, flags: set[str]) -> list[str]:
    """The placeholders of ``text`` as the entry's format flag reads them, sorted."""
    found = []
    if "python-format" in flags:
        found += [
            f"%({m.group('name')}){m.group('kind')}" if m.group("name") else f"%{m.group('kind')}"
            for m in PRINTF.finditer(text)
            if m.group("kind") != "%"
        ]
    if "python-brace-format" in flags:
        found += ["{" + m.group("name") + "}" for m in BRACE.finditer(text)]
    return sorted(found)


def header_field(entries: list[Entry], name: str) -> str:
    header = next((e for e in entries if e.is_header), None)
    if header is None:
        return ""
    for line in header.msgstr.get(0, "").splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return ""


def po_problems(language: str, path: Path | None = None) -> list[str]:
    """What is wrong with the catalogue of ``language`` (``path``: another file to judge as
    it)."""
    path = path or po_path(language)
    if not path.exists():
        return [f"{path}: missing"]
    entries = parse(path)
    where = path.relative_to(LOCALE.parent) if path.is_relative_to(LOCALE.parent) else path
    problems = []
    plural_forms = header_field(entries, "Plural-Forms")
    if PLURAL_FORMS[language] not in plural_forms.replace("  ", " "):
        problems.append(f"{where}: header Plural-Forms {plural_forms!r}")
    nplurals = int(re.search(r"nplurals=(\d+)", plural_forms or "nplurals=0").group(1))
    for entry in entries:
        if entry.is_header:
            if "fuzzy" in entry.flags:
                problems.append(f"{where}:{entry.line}: the header is fuzzy")
            continue
        label = f"{where}:{entry.line}: {entry.msgid[:60]!r}"
        if "fuzzy" in entry.flags:
            problems.append(f"{label}: fuzzy")
        if entry.msgid_plural is not None:
            forms = [entry.msgstr.get(i, "") for i in range(nplurals)]
            if len(entry.msgstr) != nplurals or not all(forms):
                problems.append(f"{label}: {sum(map(bool, forms))} of {nplurals} plural forms")
            sources = (entry.msgid, entry.msgid_plural)
            expected = [placeholders(s, entry.flags) for s in sources]
            for i, form in enumerate(forms):
                # The singular form (English's first) matches the msgid; the others the plural.
                want = expected[0] if i == 0 and language == "en" else expected[1]
                if form and placeholders(form, entry.flags) != want:
                    problems.append(f"{label}: placeholders of msgstr[{i}] differ")
        else:
            text = entry.msgstr.get(0, "")
            if language == "en" and not text:
                problems.append(f"{label}: not translated")
            if text and placeholders(text, entry.flags) != placeholders(entry.msgid, entry.flags):
                problems.append(f"{label}: placeholders differ")
    return problems


def mo_problems(language: str) -> list[str]:
    """The compiled catalogue holds exactly the translated entries of the .po file."""
    po, mo = po_path(language), po_path(language).with_suffix(".mo")
    if not mo.exists():
        return [f"{mo.relative_to(LOCALE.parent)}: missing (manage.py compilemessages)"]
    expected = {}
    for entry in parse(po):
        if entry.is_header or "fuzzy" in entry.flags:
            continue
        if entry.msgid_plural is None:
            if entry.msgstr.get(0):
                expected[entry.key] = entry.msgstr[0]
        elif all(entry.msgstr.values()):
            for index, text in entry.msgstr.items():
                expected[(entry.key, index)] = text
    with mo.open("rb") as handle:
        compiled = dict(gettext.GNUTranslations(handle)._catalog)
    compiled.pop("", None)
    if compiled != expected:
        stale = len(set(compiled.items()) ^ set(expected.items()))
        return [
            f"{mo.relative_to(LOCALE.parent)}: not compiled from its .po ({stale} entries "
            "differ): run manage.py compilemessages"
        ]
    return []


def problems(*, compiled: bool = True) -> list[str]:
    found = []
    for language in LANGUAGES:
        found += po_problems(language)
        if compiled:
            found += mo_problems(language)
    return found


if __name__ == "__main__":
    found = problems(compiled="--po-only" not in sys.argv[1:])
    for problem in found:
        print(problem)
    raise SystemExit(1 if found else 0)
