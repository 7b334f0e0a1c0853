"""Hostile input, generated: every form the permission matrix knows, submitted by the persona
allowed to use it, with Hypothesis replacing some of its fields by hostile values; and every page
of the matrix asked with hostile query parameters.

Each submission must

- answer below 500, and so must every page its redirects lead to;
- save all or nothing: a refused submission (a 4xx, the form shown again with errors, an error
  message) leaves every table as it was (only a wrong signing password is recorded, for the
  lockout); an accepted one leaves no orphan row (the deferred foreign keys are checked) and
  hands its services only checked text — no control character, no line break where the field
  is one line.

Each query must answer below 500 and write nothing.

What is generated, per field of the form (its kind read from the form itself, as the view built
it): text with NUL and the other C0 and C1 control characters, line breaks, Unicode oddities
(bidi marks, zero-width characters, combining marks, emoji), format strings, very long strings
(up to 100,000 characters); numbers out of range (huge, negative, ``1e309``, ``NaN``, digits
that are not ASCII); ids that do not exist or are someone else's; impossible dates
(``2026-02-30``, ``31.12.99999``, ``9999-12-31``); a list where one value is expected (a
repeated key); a field left out; uploads that are not what they claim. The ids in the address
are replaced too (zero, out of range, another object's), and some requests come as htmx's.

The valid submission each example starts from is the form as its page shows it (the record being
edited), the row's data, required fields filled from their choices, and ``VALID`` below where a
form has rules of its own. The test checks first that it is accepted (or refused, where
``FormCase.refused`` says why), so that the generated values reach the services, not only the
first validation error.

Every example runs in a savepoint rolled back afterwards, with the cache emptied, so examples do
not see each other; pages are rendered every time (``page_cache_off``).

The budget: ``FUZZ_EXAMPLES`` examples per form (15 by default, some 1,200 submissions) and a
third of that per page (at least 3; some 350 queries): under a minute on two cores with ``-n 2``,
on SQLite and on PostgreSQL. A bigger run, before a release or after a change to the forms
(some 15,000 requests, twenty minutes):

    FUZZ_EXAMPLES=150 .venv/bin/python -m pytest -n 2 tests/test_fuzz.py

Examples are reproducible: each form's sequence is seeded by its name and ``FUZZ_SEED`` (``0``
by default; another value explores other examples). The run ends by printing how many
submissions and queries were made.
"""

import functools
import hashlib
import os
import re
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from unittest import mock

import pytest
from django import forms
from django.apps import apps
from django.contrib import messages
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from schools.caching import content_version, versioned_tables

from .conftest import ANONYMOUS
from .matrix import MATRIX, forget_resolved, resolve
from .matrix_identification import _run_version

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
FUZZ_SEED = os.environ.get("FUZZ_SEED", "0")
PAGE_EXAMPLES = max(3, FUZZ_EXAMPLES // 3)

# --- what the forms are ---------------------------------------------------------------------

# Pages whose own address takes a form, though the matrix has only GET rows for them.
FORM_PAGES = {
    "login",
    "password_change",
    "verify",
    "plans:line_add",
    "plans:line_edit",
    "documents:appendix_add",
    "documents:point_edit",
    "documents:body_text",
}
# Who submits where the matrix row names nobody allowed (the signatory is not a persona).
PERSONA = {
    ("documents:sign", ("dmitriev_draft",)): "chief_dmitriev",
    ("login", ()): ANONYMOUS,
    ("verify", ("code_1_139",)): ANONYMOUS,
}


# Objects a form needs that no matrix row names: the matrix knows «revise a proposal» only as
# refused for a submitted one, and «approve» only as refused before every school agreed; the
# demo's returned proposal (of school D) opens the form, and the 2026 plan agreed by every
# school is approved by the department's head.
def _returned_proposal():
    return apps.get_model("plans.Proposal").objects.get(state="returned").pk


def _agreed_revision():
    from plans import services
    from schools.models import Membership

    revision = apps.get_model("plans.Revision").objects.get(pk=resolve("revision_2026"))
    for visa in revision.visas.select_related("school").filter(decision="pending"):
        coordinator = Membership.objects.get(organisation=visa.school, role="coordinator").user
        services.give_visa(revision, visa.school, actor=coordinator, decision="agreed")
    return revision.pk


FUZZ_TARGETS = {"returned_proposal": _returned_proposal, "agreed_revision": _agreed_revision}
EXTRA_CASES = [
    ("plans:proposal_edit", ("returned_proposal",), "school_d", {}),
    (
        "plans:transition",
        ("agreed_revision", "t_approve"),
        "chief_dmitriev",
        {"password": "demo12345"},
    ),
]
# A refusal that the demo's state makes certain (the valid submission cannot be accepted): the
# examples still run, the all-or-nothing check with them.
REFUSED_IN_THE_DEMO = {
    ("plans:transition", ("revision_2026", "t_submit")): "already on agreement",
    ("plans:transition", ("revision_2026", "t_approve")): "not every school has agreed",
    ("practices:mark", ("kind_event", "prac_cancelled")): "a cancelled event is not practice",
    ("monitoring:confirm", ("dmitriev_queued",)): "the file is still queued for its check",
}


def _png():
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("L", (2, 2)).save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()


# Valid values of the fields whose forms have rules of their own (lazy: ids are the test's).
VALID = {
    "login": {"username": "uo_dmitriev", "password": "demo12345"},
    "password_change": {
        "old_password": "demo12345",
        "new_password1": "Хороший-пароль-2026",
        "new_password2": "Хороший-пароль-2026",
    },
    "schools:organisation_create": {
        "kind": "school",
        "full_name": "Муниципальное казённое общеобразовательное учреждение «Новая СОШ»",
        "short_name": "МКОУ «Новая СОШ»",
        "number_pattern": "{n}",
    },
    "schools:person_create": {"last_name": "Петрова", "first_name": "Анна"},
    "plans:create": {"year": "2027"},
    "plans:proposal_create": {
        "title": "Открытый урок",
        "direction": "Адресная поддержка",
        "format": "in_person",
        "date_kind": "day",
        "date_from": "2026-11-20",
    },
    "plans:line_add": {
        "title": "Семинар",
        "direction": "Адресная поддержка",
        "format": "in_person",
        "date_kind": "day",
        "date_from": "2026-11-20",
    },
    "documents:create": {"kind": "order", "heading": "О семинаре", "place": "г. Дмитриев"},
    "documents:register": {
        "number": "77-ОД",
        # Today: a paper act is never registered before the journal's last one.
        "date": lambda: timezone.localdate().isoformat(),
        "scan": lambda: SimpleUploadedFile("scan.png", PNG, "image/png"),
    },
    "documents:signing_rights": {
        "kind": "acting",
        "position": "Исполняющий обязанности начальника",
        "valid_from": "2026-03-01",
        "valid_until": "2026-03-31",
        "basis_text": "Приказ от 27.02.2026 № 15-к",
    },
    "documents:appendix_add": {"kind": "regulation", "heading": "о семинаре"},
    "centers:create": {"name": "Центр сетевого взаимодействия № 2", "short_name": "ЦСВ № 2"},
    "centers:member_add": {"add-role": "member"},
    "centers:member_new_person": {
        "new-last_name": "Сидорова",
        "new-first_name": "Мария",
        "new-position": "учитель",
        "new-role": "member",
    },
    "centers:member_edit": {"role": "member"},
    "verify": {"file": lambda: SimpleUploadedFile("plan.pdf", b"%PDF-1.7\n%%EOF")},
    # Field names that carry an object's key come from a function of the demo.
    "plans:execution_report": lambda: _valid_report(),
    "plans:execution_postpone": {
        "date_kind": "day",
        "date_from": "2026-05-14",
        "reason": "Совпало с ВПР.",
    },
    "plans:execution_transition": {"comment": "Ведущий заболел."},
    "plans:evidence_add": {"files": lambda: SimpleUploadedFile("a.pdf", _small_pdf())},
    # The school the matrix's row names is in the list: the valid change takes it out.
    "monitoring:entry_change": lambda: {
        "included": "0",
        "reason": "Социальный паспорт школы уточнён",
        "version": _run_version(),
    },
}


def _small_pdf():
    from plans.demo_execution import demo_pdf

    return demo_pdf("Protocol")


def _valid_report():
    from tests.matrix_execution import _report_data

    data = _report_data()
    data.pop("version")
    data["files"] = lambda: SimpleUploadedFile("Протокол.pdf", _small_pdf())
    return data


@dataclass
class FormCase:
    url: str
    args: tuple
    persona: str
    data: dict
    # Why the valid submission cannot be accepted, if it cannot: nobody the matrix names may
    # (the persona sees the object and is refused), or the demo's state refuses it.
    refused: str = ""

    @property
    def id(self):
        return "-".join([self.url, *self.args])


def _allowed(case):
    return next(
        (p for p, code in case.expect.items() if code in (200, 302) and p != ANONYMOUS), None
    )


def _seeing(case):
    """Someone who sees the object but is refused the action (a 403): where nobody is allowed."""
    return next((p for p, code in case.expect.items() if code == 403 and p != ANONYMOUS), None)


def _form_cases():
    cases = {}
    for name, rows in MATRIX.items():
        for row in rows:
            key = (name, tuple(row.args))
            posts = row.method == "post"
            if not posts and name not in FORM_PAGES:
                continue
            persona = PERSONA.get(key) or _allowed(row)
            refused = REFUSED_IN_THE_DEMO.get(key, "")
            if persona is None and _seeing(row):
                persona, refused = _seeing(row), "refused to everyone the matrix names"
            if persona is None:
                continue
            if key not in cases or posts:
                # Data made per request (files, objects by key) is the form's own here.
                data = {} if callable(row.data) else dict(row.data)
                cases[key] = FormCase(name, tuple(row.args), persona, data, refused)
    return list(cases.values())


def _page_cases():
    cases = {}
    for name, rows in MATRIX.items():
        for row in rows:
            key = (name, tuple(row.args))
            persona = PERSONA.get(key) or _allowed(row)
            if row.method == "get" and persona and key not in cases:
                cases[key] = FormCase(name, tuple(row.args), persona, {})
    return list(cases.values())


FORM_CASES = _form_cases() + [FormCase(*case) for case in EXTRA_CASES]
PAGE_CASES = _page_cases()

# --- hostile values -------------------------------------------------------------------------

C0 = [chr(c) for c in range(0x20)] + ["\x7f"]
C1 = [chr(c) for c in range(0x80, 0xA0)]
LINE_BREAKS = ["\n", "\r\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c"]
ODDITIES = [
    "\u200b",  # zero-width space
    "\u200d",  # zero-width joiner
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\ufeff",  # byte order mark
    "\u0301",  # combining acute accent
    "е\u0308",  # «ё» as «е» and a combining diaeresis
    "\u00a0",  # no-break space
    "\ufffd",
    "\U0010ffff",
    "\U0001f600",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467",
    "\U0001f1f7\U0001f1fa",
    "Z\u0351\u0352\u0353\u0354",
]
WORDS = [
    "Семинар",
    "1.",
    "1.1.",
    "- ",
    "{n}",
    "{0}",
    "{x}",
    "%s",
    "%(n)s",
    "%",
    "{",
    "}",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\\",
    "{{ 7*7 }}",
    "&amp;",
    " ",
    "ё",
    "№",
]
NUMBERS = [
    "0",
    "-1",
    "-0",
    "1e309",
    "-1e309",
    "NaN",
    "inf",
    "1.5",
    "1,5",
    "\uff11\uff12",  # full-width digits
    "\u00b2",  # superscript two: isdigit() but not int()
    "\u0661\u0662",  # Arabic-Indic digits
    " 7 ",
    "0x1F",
    "+1",
    "1_000",
    "9" * 20,
    str(2**31),
    str(2**63),
    str(2**64),
    "9" * 5000,
    "",
]
DATES = [
    "2026-02-30",
    "31.12.99999",
    "",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2026-13-01",
    "2026-00-10",
    "29.02.2025",
    "2026/01/01",
    "20260101",
    "2026-01-01T25:00",
    "-2026-01-01",
    "today",
]

any_character = st.characters(exclude_categories=("Cs",))
fragment = st.one_of(
    st.text(any_character, max_size=30),
    st.sampled_from(C0 + C1 + LINE_BREAKS + ODDITIES + WORDS),
)
short_text = st.lists(fragment, max_size=8).map("".join)
long_text = st.builds(
    lambda piece, n: (piece * n)[:n],
    st.sampled_from(["я", "a", "1. Пункт\n", "\x00", " ", "\n", "\U0001f600", "е\u0308"]),
    st.sampled_from([51, 101, 151, 201, 256, 301, 1001, 10_001, 100_000]),
)
text = st.one_of(short_text, short_text, long_text)
numbers = st.one_of(
    st.sampled_from(NUMBERS), st.integers(min_value=-(2**70), max_value=2**70).map(str)
)
dates = st.one_of(
    st.sampled_from(DATES),
    st.dates().map(date.isoformat),
    st.dates().map(lambda d: d.strftime("%d.%m.%Y")),
)
anything = st.one_of(text, numbers, dates)
# An id in the address: zero, out of any range, or another object's (the demo's ids are small).
ids_in_address = st.one_of(
    st.sampled_from(["0", str(2**31), str(2**63), "9" * 30]), st.integers(1, 400).map(str)
)


def _ids(spec, form_field):
    """Every id of the field's model: the ones it offers and the ones it must refuse."""
    ids = spec.ids.get(form_field.queryset.model)
    if ids is None:
        ids = spec.ids[form_field.queryset.model] = [
            str(pk) for pk in form_field.queryset.model._base_manager.values_list("pk", flat=True)
        ]
    return ids


def _choices(form_field):
    values = []
    for value, label in form_field.choices:
        if isinstance(label, (list, tuple)):
            values.extend(str(v) for v, _ in label)
        else:
            values.append(str(getattr(value, "value", value)))
    return values or [""]


def _value_strategy(spec, form_field):
    """Hostile values for one field, by what the field is."""
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        one = st.one_of(st.sampled_from(_ids(spec, form_field)), numbers, text)
        return st.lists(one, min_size=0, max_size=5)
    if isinstance(form_field, forms.ModelChoiceField):
        return st.one_of(st.sampled_from(_ids(spec, form_field)), numbers, text)
    if isinstance(form_field, forms.MultipleChoiceField):
        return st.lists(st.one_of(st.sampled_from(_choices(form_field)), text), max_size=4)
    if isinstance(form_field, forms.ChoiceField):
        return st.one_of(st.sampled_from(_choices(form_field)), text, numbers)
    if isinstance(form_field, (forms.DateField, forms.DateTimeField)):
        return st.one_of(dates, text)
    if isinstance(form_field, (forms.IntegerField, forms.FloatField, forms.DecimalField)):
        return st.one_of(numbers, text)
    if isinstance(form_field, forms.BooleanField):
        return st.one_of(st.sampled_from(["on", "", "false", "0", "True", "\x00"]), text)
    if isinstance(form_field, forms.FileField):
        return st.one_of(
            st.binary(max_size=200).map(lambda b: ("upload", b)),
            st.sampled_from([b"%PDF-", PNG[:20], b"\xff\xd8\xff", b""]).map(
                lambda b: ("upload", b)
            ),
            text,
        )
    return anything if not isinstance(form_field, forms.CharField) else text


MISSING = object()


@st.composite
def submissions(draw, spec):
    """The valid data with some fields replaced by hostile values, left out or repeated; some
    address ids replaced; sometimes as htmx asks."""
    data = dict(spec.baseline)
    names = sorted(set(spec.fields) | set(data) | spec.extra)
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True))
    for name in chosen:
        strategy = _value_strategy(spec, spec.fields[name]) if name in spec.fields else anything
        how = draw(st.sampled_from(["hostile", "hostile", "hostile", "missing", "repeated"]))
        if how == "missing":
            data[name] = MISSING
        elif how == "repeated":
            data[name] = draw(st.lists(strategy, min_size=2, max_size=3))
        else:
            data[name] = draw(strategy)
    args = list(spec.args)
    if args and draw(st.integers(0, 9)) == 0:
        index = draw(st.integers(0, len(args) - 1))
        if str(args[index]).isdigit():
            args[index] = draw(ids_in_address)
    htmx = draw(st.integers(0, 4)) == 0
    return data, args, htmx


def _encode(data):
    """The data as the test client posts it: files as uploads, a list as a repeated key."""
    posted = {}
    for name, value in data.items():
        if value is MISSING:
            continue
        values = value if isinstance(value, list) else [value]
        encoded = []
        for item in values:
            if callable(item):
                item = item()
            if isinstance(item, tuple) and item[:1] == ("upload",):
                item = SimpleUploadedFile("upload.bin", item[1])
            encoded.append(item)
        posted[name] = encoded if isinstance(value, list) else encoded[0]
    return posted


# --- recording the forms a request builds ---------------------------------------------------


@contextmanager
def recording_forms():
    """Every form built while the block runs (bound or not), in order."""
    made = []
    original = forms.BaseForm.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        made.append(self)

    with mock.patch.object(forms.BaseForm, "__init__", init):
        yield made


def _bound(made):
    return [f for f in made if f.is_bound and not _is_filter(f)]


def _is_filter(form):
    return type(form).__module__.startswith("django_filters")


def _post_value(form_field, value):
    """A field's initial value as a browser would post it (None: not posted)."""
    if value is None or isinstance(form_field, forms.FileField):
        return None
    if isinstance(form_field, forms.BooleanField):
        return "on" if value else None
    if isinstance(value, (list, tuple)):
        return [str(getattr(v, "pk", v)) for v in value]
    if hasattr(value, "pk"):
        return str(value.pk)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _fill(form_field):
    """A value a required, empty field accepts: its first choice, today, a word."""
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        first = form_field.queryset.first()
        return [str(first.pk)] if first else None
    if isinstance(form_field, forms.ModelChoiceField):
        first = form_field.queryset.first()
        return str(first.pk) if first else None
    if isinstance(form_field, forms.MultipleChoiceField):
        return [v for v in _choices(form_field) if v][:1]
    if isinstance(form_field, forms.ChoiceField):
        return next((v for v in _choices(form_field) if v), None)
    if isinstance(form_field, (forms.DateField, forms.DateTimeField)):
        return timezone.localdate().isoformat()
    if isinstance(form_field, forms.IntegerField):
        return str(form_field.min_value or 1)
    if isinstance(form_field, forms.BooleanField):
        return "on"
    if isinstance(form_field, forms.EmailField):
        return "ivanova@example.ru"
    if isinstance(form_field, forms.FileField):
        return None
    return "Проверка"


# --- the state of the database --------------------------------------------------------------

# Rows that a refused request writes by design: a wrong signing password (the lockout counts it).
WRITTEN_WHEN_REFUSED = {"documents.signingfailure"}
# What changes with every request: the session, the login lockout's log, the rate limits'
# counters; and the data's version, which counts the writes to the other tables.
VOLATILE_APPS = {"sessions", "axes"}
VOLATILE = {"schools.ratecount", "schools.contentversion"}


def _models():
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if not m._meta.proxy
        and m._meta.app_label not in VOLATILE_APPS
        and m._meta.label_lower not in VOLATILE
    ]


def _digest(model):
    digest = hashlib.sha256()
    for row in model._base_manager.order_by("pk").values_list():
        digest.update(repr(row).encode())
    return digest.hexdigest()


def _fingerprint():
    """Every table's digest (the crawl's ``_fingerprint``, kept per table to name the changed)."""
    return {m._meta.label_lower: _digest(m) for m in _models()}


def _quick_state():
    """A cheap stand-in for the fingerprint: the data's version, which the database's triggers
    bump for every row written to a table of the product, and the digests of the few tables
    outside it (the task queue, the admin's log)."""
    return (content_version(), tuple(_digest(m) for m in _unversioned_models()))


@functools.cache
def _unversioned_models():
    versioned = set(versioned_tables())
    return [m for m in _models() if m._meta.db_table not in versioned]


def _changed_tables(before):
    after = _fingerprint()
    return {label for label, digest in after.items() if before.get(label) != digest}


# --- one submission -------------------------------------------------------------------------

# C0 and C1 control characters: none belongs in stored text; a multi-line field keeps its line
# breaks and tabs.
ONE_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MULTI_LINE_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _unchecked_text(made):
    """Text that a valid form let through although no field may hold it."""
    found = []
    for form in _bound(made):
        if form.errors:
            continue
        for name, form_field in form.fields.items():
            value = form.cleaned_data.get(name)
            if not isinstance(form_field, forms.CharField) or not isinstance(value, str):
                continue
            if isinstance(form_field.widget, forms.PasswordInput):
                continue
            multi_line = isinstance(form_field.widget, forms.Textarea)
            pattern = MULTI_LINE_FORBIDDEN if multi_line else ONE_LINE_FORBIDDEN
            if pattern.search(value):
                found.append(f"{type(form).__name__}.{name}: {value[:40]!r}")
    return found


def _refusal(response, made):
    """Why the request was refused, or None when it was accepted."""
    if response.status_code >= 400:
        return f"answered {response.status_code}"
    queued = getattr(response.wsgi_request, "_messages", None)
    errors = [
        str(m.message)
        for m in getattr(queued, "_queued_messages", [])
        if m.level >= messages.WARNING
    ]
    if errors:
        return f"error message {errors}"
    invalid = [f for f in _bound(made) if f.errors]
    if invalid:
        return f"form errors {[dict(f.errors) for f in invalid]}"
    return None


def _follow(client, response, where):
    hops = 0
    while response.status_code in (301, 302, 303, 307, 308) and hops < 5:
        location = response["Location"]
        response = client.get(location)
        assert response.status_code < 500, f"{where}: its redirect to {location} answered 500"
        hops += 1
    return response


@dataclass
class Spec:
    """What a form's examples need, prepared once per test."""

    case: FormCase
    client: object
    args: list
    baseline: dict
    fields: dict
    state: tuple = ()
    before: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)
    extra: set = field(default_factory=set)
    submissions: int = 0


# Names the views read from a request without a form (``parent``, ``direction``) or that forms
# of the product carry elsewhere.
EXTRA_NAMES = {"parent", "direction", "version", "comment", "password", "next"}


def _submit(spec, data, args, htmx):
    """Post ``data`` in a savepoint rolled back afterwards; check the answer and the database."""
    spec.submissions += 1
    url = reverse(spec.case.url, args=args)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    where = f"POST {url} as {spec.case.persona}" + (" (htmx)" if htmx else "")
    with transaction.atomic():
        cache.clear()
        spec.client.cookies.pop("messages", None)
        with recording_forms() as made:
            response = spec.client.post(url, _encode(data), **headers)
        assert response.status_code < 500, f"{where}: {response.status_code}"
        refusal = _refusal(response, made)
        if _quick_state() != spec.state:
            if refusal:
                half_saved = _changed_tables(spec.before) - WRITTEN_WHEN_REFUSED
                assert not half_saved, f"{where}: refused ({refusal}) but wrote {half_saved}"
            else:
                # No orphan rows: foreign keys are checked at the commit (they are deferred),
                # which an example never reaches.
                connection.check_constraints()
        if refusal is None:
            unchecked = _unchecked_text(made)
            assert not unchecked, f"{where}: accepted unchecked text {unchecked}"
        _follow(spec.client, response, where)
        transaction.set_rollback(True)
    return refusal


def _resolve(name):
    return str(FUZZ_TARGETS[name]() if name in FUZZ_TARGETS else resolve(name))


def _prepare(case, client_of):
    forget_resolved()
    args = [_resolve(name) for name in case.args]
    client = client_of(case.persona)
    url = reverse(case.url, args=args)
    # The form as its page shows it: the record being edited, the choices offered.
    initial = {}
    with transaction.atomic():
        with recording_forms() as shown:
            page = client.get(url)
        transaction.set_rollback(True)
    if page.status_code == 200:
        for form in shown:
            if _is_filter(form) or form.is_bound:
                continue
            for name, form_field in form.fields.items():
                value = _post_value(form_field, form[name].value())
                if value not in (None, "", []):
                    initial[form.add_prefix(name)] = value
    valid = VALID.get(case.url, {})
    if callable(valid):
        valid = valid()
    data = {**initial, **{k: v for k, v in case.data.items() if v not in ("", None)}, **valid}
    # The forms the address binds, with their fields as the view built them.
    spec = Spec(case, client, args, data, {})
    with transaction.atomic():
        with recording_forms() as made:
            client.post(url, _encode(data))
        transaction.set_rollback(True)
    for form in _bound(made):
        for name, form_field in form.fields.items():
            key = form.add_prefix(name)
            spec.fields[key] = form_field
            # A required field left empty, or a value of the row the form refuses (the matrix
            # posts invalid data on purpose): a value the field accepts.
            refused = name in form.errors and key in case.data and key not in valid
            if refused or (form_field.required and key not in data):
                value = _fill(form_field)
                if value is not None:
                    data[key] = value
    spec.extra = EXTRA_NAMES - set(spec.fields)
    spec.state = _quick_state()
    spec.before = _fingerprint()
    return spec


def _settings(examples):
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=False,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
    )


def _seed(name):
    return zlib.crc32(f"{FUZZ_SEED}:{name}".encode())


# --- the tests ------------------------------------------------------------------------------


def test_every_form_of_the_matrix_is_fuzzed():
    fuzzed = {case.url for case in FORM_CASES}
    # A page that takes no POST at all (every persona answered 405) has no form to fuzz.
    posted = {
        name
        for name, rows in MATRIX.items()
        if any(r.method == "post" and set(r.expect.values()) - {405, 302} for r in rows)
    }
    assert posted <= fuzzed, f"forms without a fuzz case: {sorted(posted - fuzzed)}"
    assert fuzzed >= FORM_PAGES, f"form pages without a persona: {sorted(FORM_PAGES - fuzzed)}"


@pytest.mark.django_db
@pytest.mark.parametrize("case", FORM_CASES, ids=lambda c: c.id)
def test_hostile_submissions_answer_below_500_and_save_all_or_nothing(
    case, client_of, page_cache_off, record_property
):
    spec = _prepare(case, client_of)
    # The valid submission is accepted: the examples reach the services.
    refusal = _submit(spec, spec.baseline, spec.args, False)
    if case.refused:
        assert refusal, f"{case.id} is accepted, expected refused: {case.refused}"
    else:
        assert refusal is None, f"the valid data of {case.id} is refused: {refusal}"

    @seed(_seed(case.id))
    @_settings(FUZZ_EXAMPLES)
    @given(submission=submissions(spec))
    def submit(submission):
        _submit(spec, *submission)

    submit()
    record_property("fuzz_submissions", spec.submissions)


QUERY_NAMES = [
    "page",
    "revision",
    "a",
    "b",
    "q",
    "form",
    "format",
    "school",
    "group",
    "municipality",
    "state",
    "status",
    "year",
    "issuer",
    "kind",
    "next",
]
query_value = st.one_of(anything, st.lists(anything, min_size=2, max_size=3))
queries = st.dictionaries(st.sampled_from(QUERY_NAMES), query_value, min_size=1, max_size=5)
# Pages whose query nothing reads and which render a PDF each time: a few examples suffice.
SLOW_PAGES = {"plans:pdf", "documents:pdf", "plans:export", "documents:export"}


@pytest.mark.django_db
@pytest.mark.parametrize("case", PAGE_CASES, ids=lambda c: c.id)
def test_hostile_query_parameters_answer_below_500_and_write_nothing(
    case, client_of, page_cache_off, record_property
):
    forget_resolved()
    args = [_resolve(name) for name in case.args]
    client = client_of(case.persona)
    state = _quick_state()
    asked = 0

    @seed(_seed(case.id))
    @_settings(2 if case.url in SLOW_PAGES else PAGE_EXAMPLES)
    @given(
        query=queries,
        htmx=st.booleans(),
        # Now and then another object's id in the address, or one out of range.
        other=st.one_of(st.none(), st.none(), st.none(), ids_in_address),
    )
    def ask(query, htmx, other):
        nonlocal asked
        asked += 1
        cache.clear()
        numeric = [i for i, arg in enumerate(args) if arg.isdigit()]
        address = list(args)
        if other is not None and numeric:
            address[numeric[0]] = other
        url = reverse(case.url, args=address)
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        response = client.get(url, _encode(query), **headers)
        where = f"GET {url} {str(query)[:200]} as {case.persona}"
        assert response.status_code < 500, where
        _follow(client, response, where)
        assert _quick_state() == state, f"{where} wrote to the database"

    ask()
    record_property("fuzz_pages", asked)
