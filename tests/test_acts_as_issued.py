"""An act prints as it was issued: its issuer, the form of its date, its appendix marks (ГОСТ Р
7.0.97-2025) and its executor mark; the place of issue is never filled behind the drafter."""

import pytest
from django.urls import reverse

from network_center.documents import services
from network_center.documents.models import LegalDocument
from network_center.documents.pdf import render_document_html

from .test_documents import new_draft, user

pytestmark = pytest.mark.django_db


def text_of(document):
    return " ".join(
        render_document_html(document).replace("\u202f", " ").replace("\xa0", " ").split()
    )


def test_the_date_prints_in_the_form_the_act_uses():
    order = LegalDocument.objects.get(number="1-139/1")
    assert order.date_style == LegalDocument.DateStyle.WORDS
    assert "22 мая 2017 г." in text_of(order)
    resolution = LegalDocument.objects.get(number="466")
    assert "22.06.2021" in text_of(resolution)


def test_a_single_appendix_is_not_numbered_and_names_the_issuer_in_the_genitive():
    resolution = LegalDocument.objects.get(number="466")
    regulation = resolution.appendices.get()
    assert regulation.appendix_mark() == (
        "Приложение к постановлению администрации Купинского района Новосибирской области "
        "от 22.06.2021 № 466"
    )
    assert "Приложение к постановлению администрации Купинского района" in text_of(resolution)


def test_several_appendices_are_numbered_and_a_label_keeps_the_acts_wording():
    draft = new_draft()
    uo = user("uo_dmitriev")
    first = services.create_document(
        draft.issuer, actor=uo, kind="regulation", heading="о семинаре", parent=draft
    )
    second = services.create_document(
        draft.issuer, actor=uo, kind="plan", heading="семинара", parent=draft
    )
    assert first.appendix_mark().startswith("Приложение 1 к приказу")
    assert second.appendix_mark().startswith("Приложение 2 к приказу")
    assert "Приложение 2 к приказу" in text_of(draft)
    services.update_document(second, actor=uo, appendix_label="Приложение № 2")
    second.refresh_from_db()
    assert second.appendix_mark().startswith("Приложение № 2 к приказу")
    assert "Приложение № 2 к приказу" in text_of(draft)


def test_the_executor_mark_is_a_field_of_the_act(client_of):
    draft = new_draft()
    draft.refresh_from_db()  # the version its points bumped
    client = client_of("uo_dmitriev")
    response = client.post(
        reverse("documents:edit", args=[draft.pk]),
        {
            "kind": "order",
            "heading": draft.heading,
            "place": draft.place,
            "version": draft.version,
            "executor_mark": "Н.И. Карпенко\n8 (47150) 2-21-87",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    text = text_of(draft)
    assert "Н.И. Карпенко" in text and "8 (47150) 2-21-87" in text


def test_the_place_of_issue_is_shown_and_never_filled_silently(client_of):
    client = client_of("uo_kupino")
    page = client.get(reverse("documents:create")).content.decode()
    assert 'value="г. Купино"' in page  # shown, where the drafter sees and may change it
    administration_form = {"issuer": "", "kind": "resolution", "heading": "О сети", "place": ""}
    from schools.models import Organisation

    administration_form["issuer"] = Organisation.objects.get(kind="administration").pk
    page = client.post(reverse("documents:create"), administration_form).content.decode()
    assert "Укажите место издания" in page and "«г. Купино»" in page
    assert not LegalDocument.objects.filter(heading="О сети").exists()


# --- body text as written -----------------------------------------------------------------------


def test_pasted_text_keeps_paragraphs_inside_clauses_and_dash_lists():
    from network_center.documents.body import parse_body_text

    text = (
        "1. Общие положения\n"
        "1.1. Центр создан при базовой школе.\n"
        "Центр не является юридическим лицом.\n"
        "1.2. Центр выполняет функции:\n"
        "- организует семинары;\n"
        "– проводит консультации по вопросам\n"
        "подготовки к ГИА.\n"
        "2. Задачи\n"
        "2.1. Методическая помощь.\n"
    )
    sections = parse_body_text(text)
    assert [s.text for s in sections] == ["Общие положения", "Задачи"]
    clause = sections[0].children[0]
    assert clause.text == "Центр создан при базовой школе."
    assert [(c.style, c.text) for c in clause.children] == [
        ("paragraph", "Центр не является юридическим лицом.")
    ]
    functions = sections[0].children[1]
    assert [(c.style, c.text) for c in functions.children] == [
        ("bullet", "организует семинары;"),
        ("bullet", "проводит консультации по вопросам подготовки к ГИА."),
    ]


def test_a_section_heading_stays_on_the_page_of_its_first_clause():
    import io

    import pdfplumber
    from django.db import transaction

    from network_center.documents.pdf import render_document_pdf

    from .test_documents import department

    uo = user("uo_dmitriev")
    moved = 0
    for clauses in (32, 34, 36):
        with transaction.atomic():
            order = services.create_document(
                department(), actor=uo, kind="order", heading="О тесте", place="г. Дмитриев"
            )
            regulation = services.create_document(
                department(), actor=uo, kind="regulation", heading="о тесте", parent=order
            )
            text = (
                "1. Первый раздел\n"
                + "".join(f"1.{i}. Пункт номер {i} первого раздела.\n" for i in range(1, clauses))
                + "2. Второй раздел\n2.1. Первый пункт второго раздела.\n"
            )
            from network_center.documents.body import parse_body_text

            services.replace_body(regulation, parse_body_text(text), actor=uo)
            with pdfplumber.open(io.BytesIO(render_document_pdf(order))) as pdf:
                for page in pdf.pages:
                    lines = [line for line in (page.extract_text() or "").split("\n") if line]
                    assert "Второй раздел" not in lines[-1]
                    moved += any("Второй раздел" in line for line in lines[:2])
            transaction.set_rollback(True)
    # One of the lengths brings the heading to a page's foot: it went over with its clause.
    assert moved
