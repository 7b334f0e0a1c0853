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


# --- the catalogues --------------------------------------------------------------------------

import io  # noqa: E402
import sys  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import unquote  # noqa: E402

from django.template import Context, Template  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils.translation import gettext  # noqa: E402

LOCALE = Path(__file__).resolve().parent.parent / "locale"
sys.path.insert(0, str(LOCALE))
import check_catalogues  # noqa: E402

sys.path.remove(str(LOCALE))


def test_every_english_entry_is_translated_with_the_same_placeholders():
    assert check_catalogues.po_problems("en") == []


def test_the_russian_catalogue_has_every_plural_form_and_no_guesses():
    assert check_catalogues.po_problems("ru") == []


def test_the_compiled_catalogues_are_compiled_from_the_po_files():
    assert check_catalogues.mo_problems("en") == []
    assert check_catalogues.mo_problems("ru") == []


def test_the_checker_finds_an_untranslated_a_fuzzy_and_a_broken_entry(tmp_path):
    bad = tmp_path / "django.po"
    bad.write_text(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "Школы"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Центры"\nmsgstr "Centers"\n\n'
        '#, python-format\nmsgid "Здравствуйте, %(name)s"\nmsgstr "Hello, %(nmae)s"\n\n'
        '#, python-format\nmsgid "%(counter)s документ"\nmsgid_plural "%(counter)s документов"\n'
        'msgstr[0] "%(counter)s document"\nmsgstr[1] ""\n',
        encoding="utf-8",
    )
    found = check_catalogues.po_problems("en", bad)
    assert [problem.rsplit(": ", 1)[-1] for problem in found] == [
        "not translated",
        "fuzzy",
        "placeholders differ",
        "1 of 2 plural forms",
    ]


def test_key_strings_come_out_english():
    from schools.models import Membership, Person

    with translation.override("en"):
        assert gettext("Школы") == "Schools"
        assert gettext("Сохранить") == "Save"
        assert gettext("ШНОР") == "Low-performing"
        assert str(Membership.Role.HUB_DIRECTOR.label) == "Hub school director"
        assert str(Person._meta.get_field("language").verbose_name) == "interface language"
    with translation.override("ru"):
        assert gettext("Школы") == "Школы"


@pytest.mark.parametrize(
    ("singular", "plural", "n", "text"),
    [
        ("%(counter)s школа-участник", "%(counter)s школ-участников", 1, "1 participant school"),
        ("%(counter)s школа-участник", "%(counter)s школ-участников", 2, "2 participant schools"),
        ("Найдена %(counter)s школа", "Найдено %(counter)s школ", 1, "1 school found"),
        ("Найдена %(counter)s школа", "Найдено %(counter)s школ", 21, "21 schools found"),
        ("%(counter)s мероприятие", "%(counter)s мероприятий", 1, "1 event"),
        ("%(counter)s мероприятие", "%(counter)s мероприятий", 0, "0 events"),
    ],
)
def test_english_plurals_have_english_forms(singular, plural, n, text):
    with translation.override("en"):
        assert ngettext(singular, plural, n) % {"counter": n} == text


# --- dates -----------------------------------------------------------------------------------


def _date(value, format_name):
    return Template("{{ value|date:format }}").render(
        Context({"value": value, "format": format_name})
    )


def test_interface_dates_follow_the_language():
    may_22 = date(2017, 5, 22)
    with translation.override("ru"):
        assert _date(may_22, "DATE_FORMAT") == "22 мая 2017 г."
        assert _date(may_22, "SHORT_DATE_FORMAT") == "22.05.2017"
    with translation.override("en"):
        assert _date(may_22, "DATE_FORMAT") == "May 22, 2017"
        assert _date(may_22, "F Y") == "May 2017"
        assert _date(may_22, "SHORT_DATE_FORMAT") == "05/22/2017"


def test_a_signing_rights_period_is_written_in_the_interface_language():
    from network_center.documents.models import SigningRight

    right = SigningRight(valid_from=date(2024, 9, 1), valid_until=date(2025, 8, 31))
    with translation.override("ru"):
        assert right.period == "с 01.09.2024 по 31.08.2025"
    with translation.override("en"):
        assert right.period == "from 09/01/2024 to 08/31/2025"


def test_an_act_writes_its_date_in_russian_whatever_the_language():
    from network_center.documents.pdf.requisites import date_in_words

    with translation.override("en"):
        assert date_in_words(date(2017, 5, 22)) == "22 мая 2017 г."


# --- the language of a request ---------------------------------------------------------------


def set_language(username, language):
    from schools.models import Person

    Person.objects.filter(user__username=username).update(language=language)


@pytest.mark.django_db
def test_a_user_sees_their_profile_language_and_others_keep_theirs(client_of):
    set_language("school_a", "en")
    english = client_of("school_a").get(reverse("schools:list"))
    assert english["Content-Language"] == "en"
    html = english.content.decode()
    assert '<html lang="en">' in html and "Schools" in html and "Школы</a>" not in html
    russian = client_of("school_b").get(reverse("schools:list"))
    assert russian["Content-Language"] == "ru"
    assert "Школы</a>" in russian.content.decode()


@pytest.mark.django_db
def test_the_browser_never_switches_the_language(client_of):
    anonymous = client_of("anonymous").get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-GB,en")
    assert anonymous["Content-Language"] == "ru"
    assert "Вход в систему" in anonymous.content.decode()
    client = client_of("school_b")
    client.cookies["django_language"] = "en"
    russian = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert russian["Content-Language"] == "ru"
    assert "Главная" in russian.content.decode()
    # Nor does it stay active in the thread after the request (LocaleMiddleware would leave it).
    assert translation.get_language() == "ru"


@pytest.mark.django_db
def test_a_user_without_a_card_gets_russian(client_of):
    response = client_of("admin").get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "ru"
    assert "Язык интерфейса" not in response.content.decode()


@pytest.mark.django_db
def test_a_cached_page_is_kept_per_language(client_of):
    """The page cache keys pages by the language the middleware activated (the view runs inside
    it): the cached copy of an English page is English."""
    from schools import caching

    set_language("school_a", "en")
    client = client_of("school_a")
    client.get(reverse("schools:list"))  # sets the browser's CSRF cookie
    first = client.get(reverse("schools:list"))
    again = client.get(reverse("schools:list"))
    assert (first["X-Page-Cache"], again["X-Page-Cache"]) == ("miss", "hit")
    assert again.content == first.content and "Schools" in again.content.decode()
    keys = []
    original = caching._key

    def spy(*args, **kwargs):
        keys.append(original(*args, **kwargs))
        return keys[-1]

    caching._key = spy
    try:
        client.get(reverse("schools:list"))
        set_language("school_a", "ru")
        client.get(reverse("schools:list"))
    finally:
        caching._key = original
    assert len(keys) == 2 and keys[0] != keys[1]


# --- choosing one's language -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["school_a", "uo_dmitriev", "region", "director_sosh2"])
def test_posting_a_language_changes_the_posters_language_only(persona, client_of):
    from schools.models import Person

    from .matrix import languages

    before = dict(languages())
    response = client_of(persona).post(reverse("language"), {"language": "en"}, follow=True)
    after = dict(languages())
    assert {name for name in after if after[name] != before[name]} == {persona}
    assert after[persona] == "en"
    # The confirmation and the page after it are English already.
    html = response.content.decode()
    assert "Interface language saved." in html and '<html lang="en">' in html
    person = Person.objects.get(user__username=persona)
    record = person.history.latest()
    assert record.language == "en" and record.history_user.username == persona


@pytest.mark.django_db
def test_the_language_page_shows_the_current_choice(client_of):
    set_language("school_a", "en")
    html = client_of("school_a").get(reverse("language")).content.decode()
    assert "Interface language" in html
    checked = [line for line in html.splitlines() if "checked" in line]
    assert any('value="en"' in line for line in checked), checked
    assert not any('value="ru"' in line for line in checked), checked


@pytest.mark.django_db
def test_the_user_menu_links_the_language_page(client_of):
    html = client_of("school_a").get(reverse("home")).content.decode()
    assert f'href="{reverse("language")}"' in html


@pytest.mark.django_db
def test_the_service_refuses_a_login_without_a_card_and_an_unknown_language(user_of):
    from django.core.exceptions import PermissionDenied, ValidationError

    from schools.services import change_language

    with pytest.raises(PermissionDenied):
        change_language(actor=user_of("admin"), language="en")
    with pytest.raises(ValidationError):
        change_language(actor=user_of("school_a"), language="de")


# --- legal documents are Russian -------------------------------------------------------------


@pytest.mark.django_db
def test_an_english_users_act_is_made_rendered_and_downloaded_in_russian(
    client_of, django_capture_on_commit_callbacks
):
    """The hub director reads English: the working-group order they prepare and sign, its
    appendix (the roles are choice labels), its PDF and its file name are Russian; the page
    around the preview is English."""
    from pypdf import PdfReader

    from network_center.centers.models import Center, Composition, Member
    from network_center.documents.pdf import render_document_html
    from schools.models import Person

    set_language("director_sosh2", "en")
    center = Center.objects.get(municipality__name="Дмитриевский район")
    client = client_of("director_sosh2")
    response = client.post(
        reverse("centers:member_add", args=[center.pk]),
        {
            "add-person": Person.objects.get(last_name="Ремизов").pk,
            "add-role": Member.Role.MEMBER,
            "add-responsibility": "русский язык",
        },
    )
    assert response.status_code == 302
    order = center.compositions.get(status=Composition.Status.DRAFT).order
    rows = order.appendices.get(appendix_number=1).table["rows"]
    roles = {"Руководитель", "Заместитель руководителя", "Секретарь", "Член рабочей группы"}
    assert {row[3] for row in rows} <= roles
    assert "Член рабочей группы" in [row[3] for row in rows]

    with translation.override("en"):
        preview = render_document_html(order, preview=True)
        assert str(order).startswith("Приказ")
    assert "Член рабочей группы" in preview and "Working group member" not in preview

    page = client.get(reverse("documents:detail", args=[order.pk])).content.decode()
    assert "Член рабочей группы" in page and "Requisites" in page

    with django_capture_on_commit_callbacks(execute=True):
        signed = client.post(reverse("documents:sign", args=[order.pk]), {"password": "demo12345"})
    assert signed.status_code == 302
    order.refresh_from_db()
    assert order.is_signed
    download = client.get(reverse("documents:pdf", args=[order.pk]))
    assert "Приказ_" in unquote(download["Content-Disposition"])
    data = b"".join(download.streaming_content)
    text = " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages
    )
    assert "ПРИКАЗ" in text and "рабочей группы" in text
    assert "Working group" not in text and "Member" not in text


@pytest.mark.django_db
def test_an_english_users_plan_workbook_and_draft_pdf_are_russian(client_of):
    """The plan's XLSX and its «ПРОЕКТ» PDF are the plan's content: the format, the state and
    the visas' decisions (choice labels) and a month come out Russian for a user who reads
    English."""
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from plans.models import Line, Plan, Visa
    from plans.services import working_revision

    set_language("rmk_dmitriev", "en")
    client = client_of("rmk_dmitriev")
    approved = Plan.objects.get(center__hub__short_name="МКОУ «СОШ № 2 г. Дмитриева»", year=2025)
    revision = approved.revisions.get()
    response = client.get(reverse("plans:export", args=[revision.pk]))
    assert "План_" in unquote(response["Content-Disposition"])
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["План", "Лист согласования"]
    plan_sheet = book["План"]
    header = [cell.value for cell in plan_sheet[4]]
    formats = {row[header.index("Формат")] for row in plan_sheet.iter_rows(5, values_only=True)}
    with translation.override("ru"):
        russian_formats = {str(label) for label in Line.Format.labels}
        decision_labels = {str(label) for label in Visa.Decision.labels}
    assert formats and formats <= russian_formats
    assert plan_sheet["A2"].value.startswith("Состояние: ")
    decisions = {row[3] for row in book["Лист согласования"].iter_rows(2, values_only=True)}
    assert decisions and decisions <= decision_labels

    page = client.get(reverse("plans:detail", args=[approved.pk])).content.decode()
    with translation.override("en"):
        assert str(Line.Format.IN_PERSON.label) in page, "the page around it is English"

    draft = working_revision(Plan.objects.get(pk=approved.center.plans.get(year=2026).pk))
    line = draft.lines.order_by("date_from").first()
    Line.objects.filter(pk=line.pk).update(date_kind=Line.DateKind.MONTH)
    pdf = client.get(reverse("plans:pdf", args=[draft.pk]))
    text = " ".join(
        " ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf.content)).pages
    )
    month = [
        "январь",
        "февраль",
        "март",
        "апрель",
        "май",
        "июнь",
        "июль",
        "август",
        "сентябрь",
        "октябрь",
        "ноябрь",
        "декабрь",
    ][line.date_from.month - 1]
    assert "ПРОЕКТ" in text and f"{month} {line.date_from.year}" in text
    assert "in person" not in text.lower() and "remote" not in text.lower()
