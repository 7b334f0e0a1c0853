"""Legal documents: drafting, numbering, signing, immutability, registration, verification."""

import hashlib
import io
import threading
from datetime import date
from urllib.parse import unquote

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from network_center.centers.models import Composition
from network_center.documents import services as services
from network_center.documents.body import build_tree, parse_body_text
from network_center.documents.models import (
    DocumentEvent,
    DocumentPoint,
    DocumentReader,
    LegalDocument,
    SignedDocumentError,
    SigningRight,
)
from schools.models import Organisation

pytestmark = pytest.mark.django_db

DEPARTMENT = "Управление образования Дмитриевского района"


def user(username):
    return get_user_model().objects.get(username=username)


def department():
    return Organisation.objects.get(short_name=DEPARTMENT)


def new_draft(heading="О проведении семинара", points=("Провести семинар.",)):
    issuer = department()
    draft = services.create_document(
        issuer,
        actor=user("uo_dmitriev"),
        kind="order",
        heading=heading,
        preamble="В целях методической поддержки школ",
        signing_right=SigningRight.objects.default_for(issuer),
    )
    for text in points:
        services.add_point(draft, actor=user("uo_dmitriev"), text=text)
    return draft


def sign(draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.sign_document(draft, actor=user("chief_dmitriev"), password="demo12345")


# --- the demo's order 1-139/1 ------------------------------------------------------------------


def test_the_demo_registers_order_1_139_1_with_its_regulation_from_the_sample():
    order = LegalDocument.objects.get(number="1-139/1")
    assert order.is_signed and order.origin == LegalDocument.Origin.PAPER
    assert order.date == date(2017, 5, 22)
    assert order.pdf and len(order.pdf_sha256) == 64
    assert hashlib.sha256(order.pdf.read()).hexdigest() == order.pdf_sha256
    tree = build_tree(order.points.all())
    assert [n.number for n in tree] == ["1.", "2.", "3.", "4.", "5."]
    assert tree[2].children[0].style == "bullet"
    regulation = order.appendices.get()
    assert regulation.kind == "regulation" and regulation.appendix_number == 1
    assert regulation.appendix_mark() == (
        "Приложение 1 к приказу Управления образования, опеки и попечительства Администрации "
        "Дмитриевского района от 22.05.2017 № 1-139/1"
    )
    sections = build_tree(regulation.points.all())
    assert [s.text for s in sections] == [
        "Общие положения.",
        "Цели, задачи, функции Центра",
        "Порядок управления Центром.",
        "Взаимосвязь с участниками сетевого взаимодействия.",
    ]
    tasks = sections[1].children[1]
    assert [c.number for c in tasks.children] == ["2.2.1.", "2.2.2.", "2.2.3.", "2.2.4.", "2.2.5."]
    # The page break of the source fell inside clause 3.3; it is one clause again.
    clause = sections[2].children[2]
    assert clause.text.endswith("осуществляет мониторинг результативности деятельности Центра.")


# --- numbering ---------------------------------------------------------------------------------


def test_signing_assigns_the_next_number_of_the_issuer_pattern(django_capture_on_commit_callbacks):
    first = sign(new_draft("О первом"), django_capture_on_commit_callbacks)
    second = sign(new_draft("О втором"), django_capture_on_commit_callbacks)
    year = timezone.localdate().year
    assert first.year == second.year == year
    assert first.number == f"1-{first.sequence}"
    assert second.sequence == first.sequence + 1
    assert second.number == f"1-{second.sequence}"
    assert first.date == timezone.localdate()


def test_the_hub_numbers_its_orders_with_its_own_pattern():
    hub_orders = LegalDocument.objects.filter(issuer__short_name="МКОУ «СОШ № 2 г. Дмитриева»")
    assert set(hub_orders.signed().filter(parent=None).values_list("number", flat=True)) == {
        "1-ОД",
        "2-ОД",
    }


# The smallest file that has the structure of a PDF (header, object, xref pointer, EOF).
PDF_SCAN = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n"
)


def pdf_scan(name="scan.pdf"):
    return SimpleUploadedFile(name, PDF_SCAN, content_type="application/pdf")


def head_right(issuer=None):
    return SigningRight.objects.default_for(issuer or department(), date(2017, 5, 22)).pk


def test_a_legacy_number_is_registered_as_entered_and_cannot_repeat(client_of):
    client = client_of("uo_dmitriev")
    draft = new_draft("Об утверждении перечня ШНОР")
    response = client.post(
        reverse("documents:register", args=[draft.pk]),
        {
            "number": "1-139/2",
            "date": "2017-05-25",
            "signing_right": head_right(),
            "scan": pdf_scan(),
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_signed and draft.origin == "paper" and draft.number == "1-139/2"
    assert draft.sequence is None and draft.year == 2017
    assert client.get(reverse("documents:scan", args=[draft.pk])).status_code == 200
    again = new_draft("О другом")
    response = client.post(
        reverse("documents:register", args=[again.pk]),
        {
            "number": "1-139/1",
            "date": "2017-06-01",
            "signing_right": head_right(),
            "scan": pdf_scan(),
        },
    )
    assert response.status_code == 200
    assert "уже зарегистрирован" in response.content.decode()
    again.refresh_from_db()
    assert again.is_draft


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00",  # a program
        b"%PDF-1.4 and then anything at all",  # only the first bytes of a PDF
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,  # a PNG signature on nothing
        b"\xff\xd8\xff\xe0 not a jpeg",
    ],
)
def test_registration_judges_the_scan_by_its_content(client_of, content):
    draft = new_draft()
    scan = SimpleUploadedFile("scan.pdf", content, content_type="application/pdf")
    response = client_of("uo_dmitriev").post(
        reverse("documents:register", args=[draft.pk]),
        {"number": "77", "date": "2020-01-10", "signing_right": head_right(), "scan": scan},
    )
    assert "Файл не читается как PDF, JPEG или PNG" in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft


# --- signing -----------------------------------------------------------------------------------


def test_the_signatory_signs_with_their_password_and_the_pdf_is_stored_once(
    client_of, django_capture_on_commit_callbacks, monkeypatch
):
    draft = new_draft()
    client = client_of("chief_dmitriev")
    url = reverse("documents:sign", args=[draft.pk])
    response = client.post(url, {"password": "wrong"})
    assert "Неверный пароль" in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft and not draft.number
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"password": "demo12345"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_signed and draft.origin == "electronic"
    assert draft.signed_by.username == "chief_dmitriev"
    stored = draft.pdf.read()
    assert hashlib.sha256(stored).hexdigest() == draft.pdf_sha256
    assert DocumentEvent.objects.filter(document=draft, action="signed").exists()

    # Downloads serve the stored bytes; nothing is rendered again.
    import network_center.documents.pdf as pdf

    def refuse(*args, **kwargs):
        raise AssertionError("a signed document must not be re-rendered")

    monkeypatch.setattr(pdf, "render_document_pdf", refuse)
    for persona in ("uo_dmitriev", "rmk_dmitriev"):
        response = client_of(persona).get(reverse("documents:pdf", args=[draft.pk]))
        assert b"".join(response.streaming_content) == stored
        disposition = unquote(response["Content-Disposition"])
        assert disposition.startswith("attachment")
        assert f"Приказ_{draft.number}_от_{draft.date:%d.%m.%Y}.pdf" in disposition


def test_only_the_named_signatory_may_sign(client_of):
    draft = new_draft()
    response = client_of("uo_dmitriev").post(
        reverse("documents:sign", args=[draft.pk]), {"password": "demo12345"}
    )
    assert response.status_code == 403
    with pytest.raises(Exception, match="подписант"):
        services.sign_document(draft, actor=user("uo_dmitriev"), password="demo12345")
    draft.refresh_from_db()
    assert draft.is_draft


def test_download_name_of_1_139_1_is_in_russian(client_of):
    order = LegalDocument.objects.get(number="1-139/1")
    response = client_of("rmk_dmitriev").get(reverse("documents:pdf", args=[order.pk]))
    assert response.status_code == 200
    assert "Приказ_1-139-1_от_22.05.2017.pdf" in unquote(response["Content-Disposition"])
    assert response["X-Content-SHA256"] == order.pdf_sha256


def test_a_draft_pdf_is_rendered_on_request_and_marked_as_a_draft(client_of):
    from pypdf import PdfReader

    draft = new_draft(points=("Провести муниципальный семинар.",))
    response = client_of("rmk_dmitriev").get(reverse("documents:pdf", args=[draft.pk]))
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "ПРОЕКТ" in text
    assert "Провести муниципальный семинар." in text


# --- immutability ------------------------------------------------------------------------------


def test_a_signed_document_refuses_every_change_in_the_model_layer():
    order = LegalDocument.objects.get(number="1-139/1")
    order.heading = "Подмена"
    with pytest.raises(SignedDocumentError):
        order.save()
    with pytest.raises(SignedDocumentError):
        LegalDocument.objects.filter(pk=order.pk).update(heading="Подмена")
    with pytest.raises(SignedDocumentError):
        order.delete()
    point = order.points.first()
    point.text = "Подмена"
    with pytest.raises(SignedDocumentError):
        point.save()
    with pytest.raises(SignedDocumentError):
        point.delete()
    with pytest.raises(SignedDocumentError):
        DocumentPoint.objects.filter(document=order).update(text="Подмена")
    regulation = order.appendices.get()
    with pytest.raises(SignedDocumentError):
        DocumentPoint.objects.filter(document=regulation).delete()
    order.refresh_from_db()
    assert order.heading.startswith("О создании")


def test_a_signed_document_refuses_every_change_in_the_service_layer():
    order = LegalDocument.objects.get(number="1-139/1")
    uo = user("uo_dmitriev")
    with pytest.raises(services.DocumentError):
        services.update_document(order, actor=uo, heading="Подмена")
    with pytest.raises(services.DocumentError):
        services.add_point(order, actor=uo, text="Ещё пункт")
    with pytest.raises(services.DocumentError):
        services.replace_body(order.appendices.get(), parse_body_text("1. Иное"), actor=uo)
    with pytest.raises(services.DocumentError):
        services.create_document(order.issuer, actor=uo, kind="plan", heading="x", parent=order)
    with pytest.raises(services.DocumentError):
        services.register_paper_document(order, actor=uo, number="5", on_date=date(2020, 1, 1))


def test_an_act_that_cancels_another_takes_effect_when_signed(django_capture_on_commit_callbacks):
    old = sign(new_draft("О старом порядке"), django_capture_on_commit_callbacks)
    new = new_draft("О новом порядке")
    services.set_relation(new, actor=user("uo_dmitriev"), kind="cancels", target=old)
    new = sign(new, django_capture_on_commit_callbacks)
    old.refresh_from_db()
    assert old.lost_force_by_id == new.pk and old.lost_force_on == new.date


# --- editing -----------------------------------------------------------------------------------


def test_a_concurrent_edit_tells_the_second_editor_and_keeps_the_first(client_of):
    draft = new_draft("О семинаре")
    draft.refresh_from_db()
    url = reverse("documents:edit", args=[draft.pk])
    base = {"kind": "order", "place": "г. Дмитриев", "version": draft.version}
    first = client_of("uo_dmitriev").post(url, {**base, "heading": "О семинаре учителей"})
    assert first.status_code == 302
    second = client_of("rmk_dmitriev").post(url, {**base, "heading": "О семинаре директоров"})
    assert second.status_code == 200
    body = second.content.decode()
    assert "изменил другой пользователь" in body
    assert "О семинаре директоров" in body  # the second editor's input is not lost
    draft.refresh_from_db()
    assert draft.heading == "О семинаре учителей"


def test_pasted_text_becomes_numbered_points(client_of):
    draft = new_draft(points=())
    text = (
        "1. Общие положения\n1.1. Центр создан.\n1.2. Центр действует.\n- на базе школы;\n2. Итоги"
    )
    response = client_of("uo_dmitriev").post(
        reverse("documents:body_text", args=[draft.pk]), {"text": text}
    )
    assert response.status_code == 302
    tree = build_tree(DocumentPoint.objects.filter(document=draft))
    numbers = [n.number for root in tree for n in root.walk() if n.number]
    assert numbers == ["1.", "1.1.", "1.2.", "2."]
    bullet = tree[0].children[1].children[0]
    assert bullet.style == "bullet" and bullet.text == "на базе школы;"


def test_points_are_added_moved_and_removed_from_the_body_page(client_of):
    draft = new_draft(points=("Первый.", "Второй."))
    client = client_of("uo_dmitriev")
    first, second = DocumentPoint.objects.filter(document=draft).order_by("position")
    client.post(reverse("documents:point_move", args=[second.pk]), {"direction": "up"})
    assert [n.text for n in build_tree(draft.points.all())] == ["Второй.", "Первый."]
    client.post(
        reverse("documents:point_add", args=[draft.pk]),
        {"new-text": "Подпункт.", "new-style": "numbered", "parent": first.pk},
    )
    tree = build_tree(draft.points.all())
    assert tree[1].children[0].number == "2.1."
    client.post(reverse("documents:point_delete", args=[first.pk]))
    assert [n.text for n in build_tree(draft.points.all())] == ["Второй."]
    response = client.post(
        reverse("documents:point_add", args=[draft.pk]),
        {"new-text": "", "new-style": "numbered"},
        follow=True,
    )
    assert "введите его текст" in response.content.decode()


def test_an_appendix_is_numbered_and_marked_to_its_parent(client_of):
    draft = new_draft()
    response = client_of("uo_dmitriev").post(
        reverse("documents:appendix_add", args=[draft.pk]),
        {
            "kind": "regulation",
            "heading": "о муниципальном семинаре",
            "approved_by_parent": "on",
            "body": "1. Общие положения\n1.1. Семинар проводится ежегодно.",
        },
    )
    assert response.status_code == 302
    appendix = draft.appendices.get()
    assert appendix.appendix_number == 1
    # The only appendix is not numbered (ГОСТ Р 7.0.97-2025).
    assert appendix.appendix_mark().startswith("Приложение к приказу Управления образования")
    assert appendix.approval_stamp()[0] == "УТВЕРЖДЕНО"
    assert appendix.points.count() == 2


def test_an_appendix_whose_body_is_refused_is_not_left_behind(client_of, monkeypatch):
    """The appendix and its body are one change: a body the service refuses leaves no empty
    appendix, and the form comes back with the text typed."""
    from django.core.exceptions import ValidationError

    from network_center.documents import services

    def refuse(*args, **kwargs):
        raise ValidationError("Текст приложения не принят.")

    monkeypatch.setattr(services, "replace_body", refuse)
    draft = new_draft()
    response = client_of("uo_dmitriev").post(
        reverse("documents:appendix_add", args=[draft.pk]),
        {"kind": "regulation", "heading": "о семинаре", "body": "1. Общие положения"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Текст приложения не принят." in page
    assert "1. Общие положения" in page
    assert not draft.appendices.exists()


# --- verification ------------------------------------------------------------------------------


def test_the_public_verification_page_confirms_a_document_and_a_file(client):
    order = LegalDocument.objects.get(number="1-139/1")
    url = reverse("verify", args=[order.verification_code])
    body = client.get(url).content.decode()
    for fragment in ("1-139/1", "22.05.2017", order.pdf_sha256, "Тулиёва"):
        assert fragment in body
    # Nothing beyond the requisites: the body of the act is not exposed.
    assert "Создать на базе" not in body
    genuine = SimpleUploadedFile("a.pdf", order.pdf.read(), content_type="application/pdf")
    assert "Файл совпадает" in client.post(url, {"file": genuine}).content.decode()
    forged = SimpleUploadedFile("b.pdf", b"%PDF-1.7 forged", content_type="application/pdf")
    assert "НЕ совпадает" in client.post(url, {"file": forged}).content.decode()
    assert client.get(reverse("verify", args=["AAAA-BBBB-CCCC"])).status_code == 404


def test_drafts_have_no_verification_code():
    assert new_draft().verification_code is None


# --- working group order -------------------------------------------------------------------------


def test_the_demo_working_group_is_in_force_by_the_hub_directors_signed_order():
    composition = Composition.objects.get(
        status="in_force", center__hub__short_name__contains="№ 2"
    )
    order = composition.order
    assert order.is_signed and order.signed_by.username == "director_sosh2"
    assert order.heading.startswith("Об утверждении состава рабочей группы")
    appendix = order.appendices.get()
    assert appendix.kind == "list" and appendix.approval_word == "УТВЕРЖДЕН"
    names = [row[1] for row in appendix.table["rows"]]
    assert "Зайцева Марина Александровна" in names and len(names) == 5


# --- journal -----------------------------------------------------------------------------------


def test_the_journal_exports_xlsx_with_the_filters_of_the_page(client_of):
    from openpyxl import load_workbook

    response = client_of("uo_dmitriev").get(reverse("documents:export"), {"state": "signed"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("№ п/п", "Дата", "Номер")
    numbers = {row[2] for row in rows[1:]}
    assert "1-139/1" in numbers and "312" not in numbers
    kupino = client_of("uo_kupino").get(reverse("documents:export"))
    rows = list(load_workbook(io.BytesIO(kupino.content)).active.iter_rows(values_only=True))
    # The department's order, the administration's resolution it rests on, and the plan the
    # director of СОШ № 77 approved with «УТВЕРЖДАЮ» (the hub's own series), and the order of
    # 10.09.2026 approving the list of schools, registered from paper (``monitoring.demo``).
    assert {row[2] for row in rows[1:]} == {"312", "466", "1", "245"}


@pytest.mark.usefixtures("page_cache_off")
def test_journal_and_detail_query_counts_do_not_grow(client_of):
    client = client_of("uo_dmitriev")
    order = LegalDocument.objects.get(number="1-139/1")

    def count(url):
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    journal = count(reverse("documents:list"))
    detail = count(reverse("documents:detail", args=[order.pk]))
    for i in range(30):
        draft = new_draft(f"О мероприятии {i}", points=("Провести.", "Отчитаться."))
        services.create_document(
            draft.issuer, actor=user("uo_dmitriev"), kind="plan", heading="x", parent=draft
        )
    big = new_draft("Большой", points=[f"Пункт {i}." for i in range(60)])
    assert count(reverse("documents:list")) == journal
    # session, user, memberships, notifications count, filter choices, count, page, +1 slack
    assert journal <= 9
    assert count(reverse("documents:detail", args=[big.pk])) <= detail + 1


# --- concurrency (PostgreSQL) --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
def test_concurrent_signatures_get_distinct_numbers():
    from network_center.demo import load_demo

    load_demo()
    drafts = [new_draft(f"О параллельном {i}") for i in range(4)]
    signer = user("chief_dmitriev")
    errors = []
    barrier = threading.Barrier(len(drafts))

    def worker(draft):
        from django.db import connections

        try:
            barrier.wait()
            services.sign_document(
                LegalDocument.objects.get(pk=draft.pk), actor=signer, password="demo12345"
            )
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(d,)) for d in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = list(
        LegalDocument.objects.filter(pk__in=[d.pk for d in drafts]).values_list(
            "sequence", flat=True
        )
    )
    assert len(set(numbers)) == 4
    assert max(numbers) - min(numbers) == 3


def test_a_stored_pdf_is_served_after_one_access_check(client_of, django_assert_num_queries):
    order = LegalDocument.objects.get(number="1-139/1")
    client = client_of("school_a")
    url = reverse("documents:pdf", args=[order.pk])
    with django_assert_num_queries(4):
        # session (+ the data's version), user, memberships (access), the document within the
        # user's scope
        response = client.get(url)
    assert b"".join(response.streaming_content) == order.pdf.open("rb").read()
    # The same user again, nothing changed: the session's query alone, the access check
    # remembered for this version of the data.
    with django_assert_num_queries(1):
        response = client.get(url)
    assert b"".join(response.streaming_content) == order.pdf.open("rb").read()
    # Once the school may no longer read it, the next request is refused.
    DocumentReader.objects.filter(document=order).delete()
    assert client.get(url).status_code == 404


def test_behind_nginx_the_web_server_sends_the_stored_pdf(client_of, settings):
    settings.DOCUMENTS_X_ACCEL_REDIRECT = "/protected-media/"
    order = LegalDocument.objects.get(number="1-139/1")
    response = client_of("school_a").get(reverse("documents:pdf", args=[order.pk]))
    assert unquote(response["X-Accel-Redirect"]) == f"/protected-media/{order.pdf.name}"
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]


def test_the_journal_export_is_data_with_the_filters_shown(client_of):
    from openpyxl import load_workbook

    draft = new_draft('=HYPERLINK("http://example.com","Открыть")')
    client = client_of("uo_dmitriev")
    # The export link comes with the table a filter change replaces, carrying the filters.
    fragment = client.get(
        reverse("documents:list"), {"state": "draft"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert f"{reverse('documents:export')}?state=draft" in fragment
    response = client.get(reverse("documents:export"), {"state": "draft"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2))
    cell = next(row[4] for row in rows if str(row[4].value).startswith("=HYPERLINK"))
    assert cell.data_type == "s" and cell.quotePrefix  # text, never a formula
    signed = client.get(reverse("documents:export"), {"state": "signed"})
    sheet = load_workbook(io.BytesIO(signed.content)).active
    dated = next(row for row in sheet.iter_rows(min_row=2) if row[2].value == "1-139/1")
    assert dated[1].is_date and dated[1].number_format == "DD.MM.YYYY"
    assert draft.pk


def test_a_scan_is_stored_and_served_as_what_its_content_is(client_of):
    draft = new_draft()
    scan = SimpleUploadedFile("scan.html", PDF_SCAN, content_type="text/html")
    client = client_of("uo_dmitriev")
    response = client.post(
        reverse("documents:register", args=[draft.pk]),
        {"number": "79", "date": "2021-02-01", "signing_right": head_right(), "scan": scan},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.scan.name.endswith(".pdf")
    served = client.get(reverse("documents:scan", args=[draft.pk]))
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("attachment;")
    assert ".pdf" in served["Content-Disposition"] and ".html" not in served["Content-Disposition"]


def test_a_body_over_the_limit_is_refused_before_it_is_read(client_of, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    draft = new_draft()
    big = SimpleUploadedFile("scan.pdf", PDF_SCAN + b"0" * 4096, content_type="application/pdf")
    response = client_of("uo_dmitriev").post(
        reverse("documents:register", args=[draft.pk]),
        {"number": "80", "date": "2021-02-01", "signing_right": head_right(), "scan": big},
    )
    assert response.status_code == 413 and "Файл слишком большой" in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_file_over_the_limit_stops_the_reading_and_nothing_is_registered(user_of, settings):
    """Under the body limit, over the file limit: reading stops at the first chunk over, the
    rest of the body is never taken, and no view acts on the form without its file."""
    from django.test import RequestFactory

    from network_center.middleware import UploadLimitMiddleware

    settings.UPLOAD_FILE_MAX_BYTES = 1024 * 1024
    draft = new_draft()
    size = 4 * 1024 * 1024
    big = SimpleUploadedFile("scan.pdf", PDF_SCAN + b"0" * size, content_type="application/pdf")
    request = RequestFactory().post(
        reverse("documents:register", args=[draft.pk]),
        {"number": "81", "date": "2021-02-01", "signing_right": head_right(), "scan": big},
    )
    request.user = user_of("uo_dmitriev")
    reached = []
    response = UploadLimitMiddleware(lambda r: reached.append(r))(request)
    assert response.status_code == 413
    assert "Загружать можно файлы до 1 МБ" in response.content.decode()
    assert reached == []
    read = request.META["wsgi.input"]._FakePayload__content.tell()
    assert read < size // 2, f"{read} bytes of {size} were read"
    draft.refresh_from_db()
    assert draft.is_draft and not draft.scan


def test_a_file_over_the_limit_is_told_in_russian(client_of, settings):
    settings.UPLOAD_FILE_MAX_BYTES = 2 * 1024 * 1024
    code = LegalDocument.objects.get(number="1-139/1").verification_code
    big = SimpleUploadedFile("plan.pdf", b"%PDF-1.7\n" + b"0" * (3 * 1024 * 1024))
    response = client_of("anonymous").post(reverse("verify", args=[code]), {"file": big})
    assert response.status_code == 413
    assert "Загружать можно файлы до 2 МБ" in response.content.decode()


def test_a_malformed_upload_is_a_bad_request_not_an_error(client_of):
    code = LegalDocument.objects.get(number="1-139/1").verification_code
    response = client_of("anonymous").post(
        reverse("verify", args=[code]),
        data=b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n',
        content_type="multipart/form-data; boundary=",
    )
    assert response.status_code == 400


def test_an_unknown_verification_code_is_answered_as_a_check(client_of):
    response = client_of("anonymous").get(reverse("verify", args=["AAAA-BBBB-CCCC"]))
    page = response.content.decode()
    assert response.status_code == 404
    assert "Документ с кодом проверки «AAAA-BBBB-CCCC» в системе не зарегистрирован" in page
    assert "Такой страницы нет" not in page


def test_the_journal_names_an_agreement_once(client_of):
    page = client_of("director_sosh2").get(reverse("documents:list")).content.decode()
    assert "Соглашение о сотрудничестве «о сотрудничестве" not in page
    assert "Соглашение о сотрудничестве в рамках сетевого взаимодействия" in page
