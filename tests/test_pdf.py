"""Printed documents (documents.pdf): text, ГОСТ Р 7.0.97-2025 geometry, PDF/A, QR, stamps.

The documents are the Dmitriev order 1-139/1 of 22.05.2017 and its Положение, built with the ORM
from the sample text. Signing is simulated on the in-memory root (services are not involved):
render functions read the root from the instance and its appendices from the database.
"""

import base64
import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from network_center.documents import pdf as printing
from network_center.documents.body import build_tree, parse_body_text
from network_center.documents.models import DocumentPoint, LegalDocument
from network_center.documents.pdf import context as pdf_context
from network_center.documents.pdf import tables as pdf_tables
from plans.printing import AGREEMENT_COLUMNS
from schools.models import Organisation, Person

from .conftest import HUB

pytestmark = pytest.mark.django_db

MM = 72 / 25.4  # PDF points per millimetre
EPS = 0.5  # points of tolerance for glyph boxes
A4_W, A4_H = 210 * MM, 297 * MM

SAMPLE_PATHS = [
    Path(__file__).resolve().parent.parent
    / "network_center"
    / "demo_data"
    / "order-dmitriev-2017-1-139-1.txt",
    Path(__file__).resolve().parent.parent.parent
    / "shared"
    / "samples"
    / "order-dmitriev-2017-1-139-1.txt",
]
ISSUER = "Управление образования Дмитриевского района"
HEADING = (
    "О создании муниципального центра сетевого взаимодействия по повышению качества образования"
)
REGULATION_HEADING = (
    "о центре сетевого взаимодействия по повышению качества образования в школах с низкими "
    "результатами обучения и школах, функционирующих в неблагоприятных социальных условиях"
)
CODE = "7K3M-9QXD-2HFA"
SIGNED_AT = datetime(2017, 5, 22, 11, 3, tzinfo=UTC)  # 14:03 in Moscow


# --- building documents ------------------------------------------------------------------------
def sample_parts():
    path = next((p for p in SAMPLE_PATHS if p.exists()), None)
    if path is None:
        pytest.skip("the sample order 1-139/1 is not available")
    text = path.read_text(encoding="utf-8")
    preamble = text[text.index("В рамках реализации") : text.index("ПРИКАЗЫВАЮ:")]
    order_body = text[text.index("1. Создать") : text.index("Начальник Управления")]
    regulation_body = text[text.index("1. Общие положения.") :]
    return " ".join(preamble.split()), order_body, regulation_body


def create_points(document, parsed, parent=None):
    for position, item in enumerate(parsed, start=1):
        point = DocumentPoint.objects.create(
            document=document, parent=parent, position=position, style=item.style, text=item.text
        )
        create_points(document, item.children, point)


@pytest.fixture
def issuer():
    return Organisation.objects.get(short_name=ISSUER)


@pytest.fixture
def head():
    return Person.objects.get(last_name="Тулиёва", first_name="Ольга")


@pytest.fixture
def executor(issuer, head):
    person = Person.objects.filter(organisation=issuer).exclude(pk=head.pk).first()
    if person is None:
        person = Person.objects.create(
            organisation=issuer, last_name="Сомова", first_name="Ирина", position="Специалист"
        )
    if not person.phone:
        person.phone = "8 (47150) 2-21-87"
        person.save()
    return person


@pytest.fixture
def order(issuer, head, executor):
    """The order 1-139/1 (a draft in the database) with its Положение as appendix 1."""
    preamble, order_body, regulation_body = sample_parts()
    order = LegalDocument.objects.create(
        issuer=issuer,
        kind="order",
        heading=HEADING,
        preamble=preamble,
        place="г. Дмитриев",
        signatory=head,
        signatory_position="Начальник Управления",
        executor=executor,
    )
    create_points(order, parse_body_text(order_body))
    regulation = LegalDocument.objects.create(
        issuer=issuer,
        kind="regulation",
        heading=REGULATION_HEADING,
        parent=order,
        appendix_number=1,
        approved_by_parent=True,
        # As the order words it: «(Приложение 1)».
        appendix_label="Приложение 1",
    )
    create_points(regulation, parse_body_text(regulation_body))
    return order


@pytest.fixture
def short_order(issuer, head, executor):
    order = LegalDocument.objects.create(
        issuer=issuer,
        kind="order",
        heading="О проведении муниципального семинара",
        preamble="В целях методического сопровождения школ с низкими результатами обучения",
        place="г. Дмитриев",
        signatory=head,
        signatory_position="Начальник Управления",
        executor=executor,
    )
    create_points(
        order,
        parse_body_text(
            "1. Провести семинар для заместителей директоров.\n"
            "2. Контроль за исполнением настоящего приказа оставляю за собой."
        ),
    )
    return order


def sign(document, origin="electronic"):
    """Give the in-memory document the requisites signing would give it (no services)."""
    document.state = "signed"
    document.origin = origin
    document.number = "1-139/1"
    document.date = date(2017, 5, 22)
    document.year = 2017
    document.verification_code = CODE
    document.signed_at = SIGNED_AT
    return document


def regulation_of(order):
    return order.appendices.get(appendix_number=1)


# --- reading PDFs ------------------------------------------------------------------------------
def norm(text):
    return " ".join(text.split())


def open_pdf(data):
    return pdfplumber.open(io.BytesIO(data))


def body_text(data, *, min_size=11.5):
    """The running text of all pages: page numbers, footnotes (QR caption, executor mark) and
    the signature stamp left out, so that paragraphs read on across page breaks."""
    parts = []
    with open_pdf(data) as doc:
        for page in doc.pages:
            body = page.filter(
                lambda obj: (
                    obj.get("object_type") != "char"
                    or (obj["size"] >= min_size and obj["top"] >= 20 * MM - EPS)
                )
            )
            parts.append(body.extract_text())
    return norm(" ".join(parts))


def page_texts(data):
    with open_pdf(data) as doc:
        return [norm(page.extract_text()) for page in doc.pages]


def expected_lines(document):
    """«1.1. Центр …», «– обеспечивает …»: every point as printed."""
    points = list(DocumentPoint.objects.filter(document=document))
    assert points
    lines = []
    for root in build_tree(points):
        for node in root.walk():
            if node.style == "numbered":
                lines.append(f"{node.number} {node.text}")
            elif node.style == "bullet":
                lines.append(f"– {node.text}")
            else:
                lines.append(node.text)
    return [norm(line) for line in lines]


def top_margin_chars(page):
    return [c for c in page.chars if c["top"] < 20 * MM - EPS]


# --- 1. text -----------------------------------------------------------------------------------
def test_text_of_the_order_and_its_regulation_matches_the_source(order):
    sign(order)
    regulation = regulation_of(order)
    data = printing.render_document_pdf(order)
    text = body_text(data)

    for line in order.issuer.letterhead_lines:
        assert norm(line) in text
    assert "ПРИКАЗ" in text
    assert "22.05.2017 № 1-139/1" in text
    assert "г. Дмитриев" in text
    assert norm(HEADING) in text
    assert norm(order.preamble) in text
    assert "П Р И К А З Ы В А Ю:" in text
    for line in expected_lines(order):
        assert line in text, line
    assert "Начальник Управления" in text
    assert "О.Л. Тулиёва" in text

    assert "ПОЛОЖЕНИЕ" in text
    assert norm(REGULATION_HEADING) in text
    reg_lines = expected_lines(regulation)
    for line in reg_lines:
        assert line in text, line
    for number in ("1. Общие положения.", "2.2.1.", "2.2.5.", "4.3."):
        assert number in text
    # Order of appearance: the act, then its appendix.
    assert text.index("П Р И К А З Ы В А Ю:") < text.index("ПОЛОЖЕНИЕ")
    assert text.index(reg_lines[0]) < text.index(reg_lines[-1])


def test_section_titles_are_bold_and_centred_clauses_justified(order):
    sign(order)
    data = printing.render_document_pdf(order)
    with open_pdf(data) as doc:
        for page in doc.pages:
            words = page.extract_words(extra_attrs=["fontname"])
            titles = [w for w in words if w["text"] == "Общие"]
            if titles:
                word = titles[0]
                assert "Bold" in word["fontname"]
                line = [w for w in words if abs(w["top"] - word["top"]) < 1]
                middle = (line[0]["x0"] + line[-1]["x1"]) / 2
                assert abs(middle - (30 + 200) / 2 * MM) < 2 * MM
                break
        else:
            pytest.fail("section title «1. Общие положения.» not found")


# --- 2. geometry -------------------------------------------------------------------------------
def assert_inside_margins(data, *, left_mm=30, allowed_in_margin=()):
    with open_pdf(data) as doc:
        assert len(doc.pages) >= 2
        for number, page in enumerate(doc.pages, start=1):
            size = (page.width, page.height)
            assert size in (pytest.approx((A4_W, A4_H), abs=1), pytest.approx((A4_H, A4_W), abs=1))
            in_margin = top_margin_chars(page)
            numbers = [c for c in in_margin if c["text"].isdigit()]
            others = "".join(c["text"] for c in in_margin if not c["text"].isdigit())
            for word in allowed_in_margin:
                others = others.replace(word, "")
            assert not others.strip(), f"page {number}: {others!r} in the top margin"
            if number == 1:
                assert not numbers, "page 1 has no page number"
            else:
                assert "".join(c["text"] for c in numbers) == str(number)
                for c in numbers:
                    assert c["top"] >= 10 * MM - EPS, "page number at least 10 mm from the edge"
                middle = (min(c["x0"] for c in numbers) + max(c["x1"] for c in numbers)) / 2
                centre = (left_mm * MM + page.width - 10 * MM) / 2
                assert abs(middle - centre) < 1.5 * MM, "centred"
            for c in page.chars:
                if c in in_margin:
                    continue
                assert c["x0"] >= left_mm * MM - EPS, (number, c["text"], c["x0"] / MM)
                assert c["x1"] <= page.width - 10 * MM + EPS, (number, c["text"], c["x1"] / MM)
                assert c["bottom"] <= page.height - 20 * MM + EPS, (number, c["text"])
            for image in page.images:
                assert image["x0"] >= left_mm * MM - EPS
                assert image["x1"] <= page.width - 10 * MM + EPS
                assert image["bottom"] <= page.height - 20 * MM + EPS


def test_every_glyph_lies_inside_the_margins(order):
    sign(order)
    assert_inside_margins(printing.render_document_pdf(order))


def test_draft_glyphs_inside_margins_except_the_draft_mark(order):
    assert_inside_margins(printing.render_document_pdf(order), allowed_in_margin=["ПРОЕКТ"])


def test_left_margin_follows_the_setting(order, settings):
    sign(order)
    settings.DOCUMENT_LEFT_MARGIN_MM = 25
    data = printing.render_document_pdf(order)
    assert_inside_margins(data, left_mm=25)
    with open_pdf(data) as doc:
        assert min(c["x0"] for c in doc.pages[0].chars) < 26 * MM


def test_left_margin_below_the_standard_is_refused(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.DOCUMENT_LEFT_MARGIN_MM = 15
    with pytest.raises(ImproperlyConfigured):
        printing.left_margin_mm()


# --- 3. fonts, 4. PDF/A ------------------------------------------------------------------------
def test_all_fonts_are_embedded_liberation_serif(order):
    sign(order)
    reader = pypdf.PdfReader(io.BytesIO(printing.render_document_pdf(order)))
    seen = set()
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            targets = [d.get_object() for d in descendants] if descendants else [font]
            for target in targets:
                descriptor = target["/FontDescriptor"].get_object()
                assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), target
                seen.add(str(target["/BaseFont"]))
    assert seen
    assert all(re.search(r"Liberation-?Serif", name) for name in seen), seen
    assert any("Bold" in name for name in seen)


def test_pdf_a_3b_identification_and_metadata(order):
    sign(order)
    reader = pypdf.PdfReader(io.BytesIO(printing.render_document_pdf(order)))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part(>|=\")3", xmp)
    assert re.search(r"pdfaid:conformance(>|=\")B", xmp)
    assert "/OutputIntents" in reader.trailer["/Root"]
    assert reader.trailer["/Root"]["/Lang"] == "ru"
    assert reader.metadata.title == str(order) == "Приказ от 22.05.2017 № 1-139/1"
    assert reader.metadata.author == str(order.issuer)


# --- 5. QR code --------------------------------------------------------------------------------
def decode_qr(image):
    zxingcpp = pytest.importorskip("zxingcpp")
    results = zxingcpp.read_barcodes(image)
    return [r.text for r in results if r.format == zxingcpp.BarcodeFormat.QRCode]


def test_qr_payload_is_the_verification_url(order):
    sign(order)
    context = printing.document_context(order)
    url = order.verification_url
    assert url == f"http://testserver/verify/{CODE}/"
    assert context["verification_url"] == url
    assert context["qr_image"] == printing.qr_png_data_uri(url)
    # The payload as generated: decode the QR bitmap itself.
    from PIL import Image

    png = base64.b64decode(context["qr_image"].split(",", 1)[1])
    image = Image.open(io.BytesIO(png)).convert("L")
    image = image.resize((image.width * 8, image.height * 8), Image.NEAREST)
    canvas = Image.new("L", (image.width + 80, image.height + 80), 255)
    canvas.paste(image, (40, 40))
    assert decode_qr(canvas) == [url]
    assert "<svg" in printing.qr_svg(url) and "viewBox" in printing.qr_svg(url)


def test_signed_pdf_has_the_qr_code_lower_right_of_page_one(order):
    sign(order)
    data = printing.render_document_pdf(order)
    with open_pdf(data) as doc:
        images = doc.pages[0].images
        assert len(images) == 1
        qr = images[0]
        assert qr["x0"] > A4_W / 2 and qr["top"] > A4_H / 2, "lower right"
        assert qr["width"] == pytest.approx(20 * MM, abs=0.5 * MM)
        assert all(not page.images for page in doc.pages[1:]), "first page only"
    # Decode it from the rendered page.
    pypdfium2 = pytest.importorskip("pypdfium2")
    page = pypdfium2.PdfDocument(data)[0]
    bitmap = page.render(scale=3).to_pil()
    w, h = bitmap.size
    assert decode_qr(bitmap.crop((w // 2, h // 2, w, h))) == [order.verification_url]


# --- 6. signature stamps, paper copies, drafts -------------------------------------------------
def signature_mark_text(data, page_index=-1):
    """The text of the middle column of the signature row (between position and name)."""
    left = 30 * MM + 0.30 * 170 * MM
    right = left + 0.44 * 170 * MM
    with open_pdf(data) as doc:
        page = doc.pages[page_index]
        position = next(
            w for w in page.extract_words() if w["text"] == "Начальник" and w["x0"] < 31 * MM
        )
        top, bottom = position["top"] - 15 * MM, position["bottom"] + 15 * MM
        mark = page.crop((left - 1, top, right + 1, bottom)).filter(
            lambda o: o.get("object_type") != "char" or o["size"] < 10
        )
        return norm(mark.extract_text())


def test_signed_electronic_document_shows_the_simple_signature_stamp(short_order):
    sign(short_order)
    data = printing.render_document_pdf(short_order)
    texts = page_texts(data)
    assert len(texts) == 1
    assert "ПРОЕКТ" not in texts[0]
    text = signature_mark_text(data)
    assert text.startswith("Документ подписан простой электронной подписью")
    assert "Подписант: О.Л. Тулиёва, Начальник Управления" in text
    assert "Дата и время подписания: 22.05.2017 14:03 (МСК)" in text
    assert f"Код проверки: {CODE}" in text


def test_paper_original_is_printed_as_an_electronic_copy(short_order):
    sign(short_order, origin="paper")
    data = printing.render_document_pdf(short_order)
    assert signature_mark_text(data).startswith(pdf_context.PAPER_COPY)
    text = page_texts(data)[0]
    assert "простой электронной подписью" not in text
    assert "Подписант" not in text
    assert "Начальник Управления" in text and "О.Л. Тулиёва" in text


def test_draft_prints_project_on_every_page_and_no_qr_or_stamp(order):
    data = printing.render_document_pdf(order)
    with open_pdf(data) as doc:
        assert len(doc.pages) >= 3
        for page in doc.pages:
            margin = "".join(c["text"] for c in top_margin_chars(page))
            assert "ПРОЕКТ" in margin
            assert not page.images
    text = " ".join(page_texts(data))
    assert "__.__.____ № ___" in text
    assert "Приложение 1 к приказу" in text and "от __.__.____ № ___" in text
    assert "подписан" not in text
    assert "Код проверки" not in text and "/verify/" not in text
    assert "Начальник Управления" in text and "О.Л. Тулиёва" in text


def test_executor_mark_at_the_bottom_left_of_the_acts_last_page(order, executor):
    sign(order)
    data = printing.render_document_pdf(order)
    with open_pdf(data) as doc:
        appendix_start = next(
            i
            for i, page in enumerate(doc.pages)
            if "Приложение 1 к приказу" in norm(page.extract_text())
        )
        for index, page in enumerate(doc.pages):
            text = norm(page.extract_text())
            has_mark = norm(executor.initials_name) in text
            assert has_mark == (index == appendix_start - 1), index
        page = doc.pages[appendix_start - 1]
        surname = [w for w in page.extract_words() if w["text"] == executor.last_name]
        assert surname and surname[0]["x0"] < 40 * MM and surname[0]["top"] > A4_H * 0.75
        phone = [c for c in page.chars if c["top"] > surname[0]["bottom"]]
        assert executor.phone.replace(" ", "") in "".join(c["text"] for c in phone).replace(" ", "")


def test_executor_mark_stays_on_the_page_of_the_signature(short_order, executor):
    """Pad the order so that its signature falls at every position near a page end: the mark
    (a footnote) never goes to a page of its own, the signature never goes alone."""
    filler = "Дополнительный пункт приказа для проверки переноса подписи на следующую страницу."
    for position in range(3, 37):
        DocumentPoint.objects.create(
            document=short_order, position=position, style="numbered", text=filler
        )
    sign(short_order)
    seen_pages = set()
    for extra in range(34, 28, -1):
        short_order.points.filter(position__gte=3 + extra).delete()
        data = printing.render_document_pdf(short_order)
        with open_pdf(data) as doc:
            texts = [norm(p.extract_text()) for p in doc.pages]
        seen_pages.add(len(texts))
        name = norm(executor.initials_name)
        pages_with_mark = [i for i, t in enumerate(texts) if name in t]
        pages_with_signature = [i for i, t in enumerate(texts) if "О.Л. Тулиёва" in t]
        assert pages_with_mark == [len(texts) - 1], extra
        assert pages_with_signature[-1] == len(texts) - 1, extra
        last = texts[-1]
        assert "Контроль за исполнением" in last or "Дополнительный пункт" in last, extra
    assert seen_pages == {2, 3}, "the sweep crosses a page end"


# --- 7. appendix ------------------------------------------------------------------------------
def test_appendix_starts_on_a_new_page_with_its_mark_and_approval_stamp(order):
    sign(order)
    regulation = regulation_of(order)
    regulation.parent = order  # the mark reads the signed requisites
    mark = regulation.appendix_mark()
    word, by_line = regulation.approval_stamp()
    assert mark == (
        "Приложение 1 к приказу Управления образования, опеки и попечительства Администрации "
        "Дмитриевского района от 22.05.2017 № 1-139/1"
    ) or mark.endswith("от 22.05.2017 № 1-139/1")
    data = printing.render_document_pdf(order)
    with open_pdf(data) as doc:
        index = next(
            i for i, p in enumerate(doc.pages) if "Приложение 1 к приказу" in norm(p.extract_text())
        )
        assert index >= 1
        previous = norm(doc.pages[index - 1].extract_text())
        assert "О.Л. Тулиёва" in previous, "the act ends on the page before"
        page = doc.pages[index]
        body = page.filter(lambda o: o.get("object_type") != "char" or o["top"] >= 20 * MM - EPS)
        text = norm(body.extract_text())
        assert text.startswith(f"{norm(mark)} {word} {norm(by_line)} ПОЛОЖЕНИЕ")
        mark_chars = [c for c in body.chars if c["top"] < body.search("ПОЛОЖЕНИЕ")[0]["top"]]
        assert min(c["x0"] for c in mark_chars) > 120 * MM, "top right block"
        assert max(c["x1"] for c in mark_chars) <= A4_W - 10 * MM + EPS


def test_appendices_follow_in_order_each_on_a_new_page(order, issuer):
    second = LegalDocument.objects.create(
        issuer=issuer, kind="plan", heading="мероприятий центра", parent=order, appendix_number=2
    )
    DocumentPoint.objects.create(document=second, position=1, text="Провести семинар.")
    sign(order)
    texts = page_texts(printing.render_document_pdf(order))
    starts = [i for i, t in enumerate(texts) if re.search(r"Приложение \d к приказу", t)]
    assert len(starts) == 2 and starts[0] < starts[1]
    assert texts[starts[1]].startswith(f"{starts[1] + 1} Приложение 2 к приказу")
    assert "УТВЕРЖДЕН" not in texts[starts[1]], "plan not approved by the order: no stamp"


# --- 8. list appendix with a long table --------------------------------------------------------
def test_list_table_header_repeats_on_every_page(order, issuer):
    columns = ["№ п/п", "Фамилия, имя, отчество", "Должность", "Роль в рабочей группе"]
    rows = [
        [str(i), f"Членова{i} Анна Петровна", "Учитель начальных классов", f"Член {i}"]
        for i in range(1, 61)
    ]
    LegalDocument.objects.create(
        issuer=issuer,
        kind="list",
        heading="рабочей группы центра",
        parent=order,
        appendix_number=2,
        approved_by_parent=True,
        table={"columns": columns, "rows": rows},
    )
    sign(order)
    data = printing.render_document_pdf(order)
    texts = page_texts(data)
    start = next(i for i, t in enumerate(texts) if "СОСТАВ" in t)
    list_pages = texts[start:]
    assert len(list_pages) >= 2
    for text in list_pages:
        assert "Фамилия, имя, отчество" in text and "Роль в рабочей группе" in text
    joined = " ".join(list_pages)
    for i in (1, 30, 60):
        assert f"Членова{i} Анна Петровна" in joined and f"Член {i}" in joined
    assert "УТВЕРЖДЕН приказом" in texts[start]
    assert_inside_margins(data)


# --- plans: approval by signature, wide tables, agreement sheet ------------------------------
def test_plan_approved_by_signature_landscape_with_agreement_sheet(head):
    school = Organisation.objects.get(short_name=HUB)
    director = school.head or head
    columns = [f"Графа {i}" for i in range(1, 11)]
    rows = [
        [str(i), "Повышение качества", f"Семинар № {i}", "семинар, очно", "учителя", HUB]
        + ["октябрь 2026", "Зайцева М.А.", "МКОУ «СОШ № 1 г. Дмитриева»", "Освоены приёмы"]
        for i in range(1, 13)
    ]
    agreement = {
        "columns": AGREEMENT_COLUMNS,
        "rows": [
            ["МКОУ «СОШ № 1 г. Дмитриева»", "Директор", "Е.А. Гребенникова", "Согласовано", "", ""],
            {"Школа": "МКОУ «Старогородская СОШ»", "Решение": "Согласовано с замечаниями"},
        ],
    }
    plan = LegalDocument.objects.create(
        issuer=school,
        kind="plan",
        heading="совместной деятельности центра на 2026/2027 учебный год",
        signatory=director,
        signatory_position="Директор",
        approval_by_signature=True,
        table={"columns": columns, "rows": rows},
        agreement_sheet=agreement,
    )
    sign(plan)
    data = printing.render_document_pdf(plan)
    assert_inside_margins(data)
    with open_pdf(data) as doc:
        first = doc.pages[0]
        assert first.width > first.height, "a ten-column plan is printed landscape"
        words = first.extract_words()
        approve = next(w for w in words if w["text"] == "УТВЕРЖДАЮ")
        assert approve["x0"] > first.width / 2 and approve["top"] < 40 * MM
        stamp = next(w for w in words if w["text"] == "Документ")
        assert stamp["x0"] > first.width / 2, "the signature mark is inside the stamp"
        (qr,) = [i for i in first.images if i["srcsize"][1] > 1]  # the rules image is 1 px high
        assert qr["x0"] > first.width / 2
        texts = [norm(p.extract_text()) for p in doc.pages]
    assert "Директор МКОУ «СОШ № 2 г. Дмитриева»" in texts[0]
    assert texts[0].count(norm(director.initials_name)) >= 1
    sheet = [i for i, t in enumerate(texts) if "ЛИСТ СОГЛАСОВАНИЯ" in t]
    assert len(sheet) == 1 and sheet[0] == len(texts) - 1
    assert "к плану совместной деятельности центра на 2026/2027 учебный год" in texts[-1]
    assert "Е.А. Гребенникова" in texts[-1] and "Согласовано с замечаниями" in texts[-1]
    for header in AGREEMENT_COLUMNS:
        assert header.split()[0] in texts[-1]
    assert "Графа 10" in texts[1], "the table header repeats"


# --- tables printed as lines ---------------------------------------------------------------------
TABLE_ROWS = [
    ["1", "Семинар «Адресная поддержка учителей математики в школах с низкими результатами»",
     "07.09.2026 – 21.09.2026", "", "учителя математики; все школы — участники сети", "Протокол"],
    ["2", "Взаимо\u00adпосещение уроков", "октябрь 2026",
     "МКОУ «СОШ № 1 г. Дмитриева», МКОУ «Старогородская СОШ», МКОУ «Крупецкая СОШ»",
     "", "Методические рекомендации по итогам взаимопосещения"],
    ["3", "Круглый стол", "15.05.2027", "МКОУ «СОШ № 2 г. Дмитриева»",
     "руководители школ", "Высокоинформативный аналитический отчёт\nна сайте центра"],
]  # fmt: skip


def image_rules(page) -> list[tuple[float, float]]:
    """The rules drawn by the table's background image on ``page`` (one pixel high, stretched
    over the table, black where a rule is): the x and width of each, in points; every rule
    must be 0.5 pt wide and the image the table's height."""
    (image,) = [i for i in page.images if i["srcsize"][1] == 1]
    assert image["height"] > 20 * MM
    count = image["srcsize"][0]
    data = image["stream"].get_data()
    channels = len(data) // count
    dark = [data[i * channels] < 128 for i in range(count)] + [False]
    scale = image["width"] / count
    rules, start = [], None
    for i, is_dark in enumerate(dark):
        if is_dark and start is None:
            start = i
        elif not is_dark and start is not None:
            rules.append((image["x0"] + start * scale, (i - start) * scale))
            start = None
    assert all(abs(width - 0.5) < 0.05 for _, width in rules), rules
    return rules


def test_table_rows_printed_as_lines_keep_each_cell_in_its_column(order, issuer):
    """A row is one line box per printed line, its cells' pieces carried to their columns by
    spaces of known widths: every piece must start on its column, stay between the column's
    rules, and each column must read as its cells."""
    columns = ["№", "Мероприятие", "Сроки", "Место проведения", "Участники", "Результат"]
    LegalDocument.objects.create(
        issuer=issuer,
        kind="plan",
        heading="совместной деятельности центра на 2026/2027 учебный год",
        parent=order,
        appendix_number=2,
        approved_by_parent=True,
        table={"columns": columns, "rows": TABLE_ROWS, "landscape": True},
    )
    sign(order)
    data = printing.render_document_pdf(order)
    with open_pdf(data) as doc:
        page = next(p for p in doc.pages if "Круглый стол" in p.extract_text())
        assert page.width > page.height
        header = next(w for w in page.extract_words() if w["text"] == "Мероприятие")
        body = [w for w in page.extract_words() if w["top"] > header["bottom"] + 2]
        table_left = min(w["x0"] for w in body) - 1.5 * MM
        table_right = max(w["x1"] for w in body)
        # The rules between the columns: 0.5 pt wide, the table's height (its left border too).
        rules = [x for x, width in image_rules(page) if table_left + 1 < x < table_right]
        assert len(rules) == len(columns) - 1, "a rule between every two columns"
        edges = [table_left, *(x + 0.5 for x in rules)]  # a rule is 0.5 pt inside its column
        by_column: dict[int, list] = {}
        for word in body:
            assert not any(word["x0"] + EPS < x < word["x1"] - EPS for x in rules), word
            column = sum(1 for x in rules if x < word["x0"])
            by_column.setdefault(column, []).append(word)
        for column, words in by_column.items():
            starts = {}
            for word in words:
                line = round(word["top"])
                starts[line] = min(starts.get(line, word["x0"]), word["x0"])
            # Left-aligned on the column: 1.5 mm in from its left edge, on every line.
            for x in starts.values():
                assert abs(x - (edges[column] + 1.5 * MM)) < 0.3, (column, x, edges[column])
            text = " ".join(w["text"] for w in sorted(words, key=lambda w: (w["top"], w["x0"])))
            text = re.sub(r"\u2010 ", "", text)
            expected = " ".join(
                norm(row[column].replace("\u00ad", "")) for row in TABLE_ROWS if row[column]
            )
            assert text == expected, column
    assert_inside_margins(data)


def test_a_table_with_a_character_the_font_lacks_keeps_a_cell_per_column(order, issuer):
    """Another font would draw «✓» with other widths than ours: that table is printed as
    ordinary cells (and still inside the margins); tables without such characters as lines."""
    LegalDocument.objects.create(
        issuer=issuer,
        kind="list",
        heading="рабочей группы центра",
        parent=order,
        appendix_number=2,
        approved_by_parent=True,
        table={"columns": ["№", "Мероприятие", "Отметка"], "rows": [["1", "Семинар", "✓"]]},
    )
    sign(order)
    html = printing.render_document_html(order)
    assert "doc-table-lines" not in html and "<td>✓</td>" in html
    data = printing.render_document_pdf(order)
    assert "✓" in " ".join(page_texts(data))
    assert_inside_margins(data)
    LegalDocument.objects.filter(parent=order).update(
        table={"columns": ["№", "Мероприятие", "Отметка"], "rows": [["1", "Семинар", "да"]]}
    )
    assert "doc-table-lines" in printing.render_document_html(order)


# --- preview and context ----------------------------------------------------------------------
def test_preview_is_a_fragment_without_inline_styles(order):
    sign(order)
    html = printing.render_document_html(order, preview=True)
    assert "<html" not in html and "<style" not in html.lower()
    assert not re.search(r"\sstyle\s*=", html, re.I)
    assert 'class="doc doc-preview' in html
    assert html.count('class="doc-sheet') == 2
    assert 'src="data:image/png;base64,' in html
    assert "П Р И К А З Ы В А Ю:" in html


def test_print_html_is_the_full_document(order):
    html = printing.render_document_html(order)
    assert html.startswith("<!DOCTYPE html>") and '<html lang="ru">' in html
    assert not re.search(r"\sstyle\s*=", html, re.I)
    assert "ПРОЕКТ" not in html, "the draft mark comes from the draft stylesheet"
    assert "data:image" not in html, "no QR code on a draft"


def test_draft_preview_marks_each_sheet(order):
    html = printing.render_document_html(order, preview=True)
    assert html.count('class="doc-draft-mark"') == 2


def test_context_points_in_one_query(order, issuer):
    for n in (2, 3, 4):
        LegalDocument.objects.create(
            issuer=issuer, kind="plan", heading=f"план {n}", parent=order, appendix_number=n
        )
    root = LegalDocument.objects.select_related("issuer", "signatory", "executor").get(pk=order.pk)
    sign(root)
    with CaptureQueriesContext(connection) as ctx:
        context = printing.document_context(root)
    # appendices (level 1), appendices (level 2: none), points of all four sheets
    assert len(ctx.captured_queries) == 3
    sheets = context["sheets"]
    assert [s.document.appendix_number for s in sheets] == [None, 1, 2, 3, 4]
    assert sheets[1].appendix_mark.endswith("от 22.05.2017 № 1-139/1")
    assert sheets[1].approval_stamp[0] == "УТВЕРЖДЕНО"
    assert sheets[0].layout == "act" and sheets[1].layout == "titled"
    assert sheets[1].tree[1].children[1].children[0].number == "2.2.1."
    assert context["is_draft"] is False and context["qr_image"]


def test_draft_context_has_blanks_and_no_qr(order):
    order.verification_code = CODE  # even if one were set, a draft has no QR
    context = printing.document_context(order)
    assert context["is_draft"] is True
    assert context["date_display"] == "__.__.____"
    assert context["number_display"] == "___"
    assert context["qr_image"] == "" and context["verification_url"] == ""
    assert context["signature"]["stamp"] is None


def test_acting_signatory_and_school_issuer(head):
    school = Organisation.objects.get(short_name=HUB)
    document = LegalDocument.objects.create(
        issuer=school,
        kind="order",
        heading="Об утверждении состава рабочей группы",
        signatory=school.head or head,
        signatory_position="директора",
        signatory_acting=True,
    )
    html = printing.render_document_html(document)
    assert "И.о. директора" in html
    for line in printing.document_context(document)["letterhead_lines"]:
        assert line in html.replace("&quot;", '"').replace("&#x27;", "'")


def test_signed_at_is_printed_in_the_project_time_zone(settings):
    settings.TIME_ZONE = "Asia/Novosibirsk"
    assert printing.format_signed_at(SIGNED_AT) == "22.05.2017 18:03 (UTC+07:00)"
    settings.TIME_ZONE = "Europe/Moscow"
    assert printing.format_signed_at(SIGNED_AT) == "22.05.2017 14:03 (МСК)"


def test_column_widths_keep_every_row_of_an_agreement_sheet_as_low_as_its_text_allows():
    """Five schools, one with remarks: the remarks column gets the room of that one cell, and
    widths are moved between columns while that makes the sheet shorter — here every row
    needs two lines (the position wraps at any width the sheet can give it), and none more."""
    position = "Заместитель директора по учебно-воспитательной работе"
    rows = [
        [school, position, name, decision, "01.12.2026", remarks]
        for school, name, decision, remarks in [
            ("МКОУ «Крупецкая СОШ»", "П.А. Ремизов", "Согласовано", ""),
            ("МКОУ «Первоавангардская СОШ»", "О.Ю. Шевцова", "Согласовано", ""),
            ("МКОУ «СОШ № 1 г. Дмитриева»", "С.В. Орлова", "Согласовано", ""),
            (
                "МКОУ «Старогородская СОШ»",
                "А.М. Голубева",
                "Согласовано с замечаниями",
                "Просим перенести практикум на март",
            ),
            ("МКОУ «Фатеевская ООШ»", "Г.В. Прудникова", "Согласовано", ""),
        ]
    ]
    grid = pdf_context._table({"columns": AGREEMENT_COLUMNS, "rows": rows})
    width = pdf_tables.text_width_mm(True)
    pdf_tables.fit_columns(grid, width)
    rooms = [p * width / 100 - pdf_tables.CELL_PADDING_MM for p in grid["percents"]]
    heights = [
        max(len(pdf_tables._wrap(cell, rooms[i])) for i, cell in enumerate(row)) for row in rows
    ]
    assert heights == [2] * 5, (grid["percents"], heights)
    assert sum(grid["percents"]) == 100


def test_an_agreement_sheet_carries_its_own_column_titles():
    """A sheet stored as {"columns", "rows"} prints its writer's columns (dict rows keyed by
    them); the documents app knows no columns of its own, so a bare list prints nothing."""
    rows = [["МКОУ «Крупецкая СОШ»", "Директор", "П.А. Ремизов", "Согласовано", "", ""]]
    titled = LegalDocument(
        kind="plan",
        heading="совместной деятельности",
        agreement_sheet={"columns": ["Сторона", "Решение"], "rows": [{"Решение": "Да"}, ["Б"]]},
    )
    sheet = pdf_context._agreement_sheet(titled)
    assert sheet["columns"] == ["Сторона", "Решение"]
    assert sheet["rows"] == [["", "Да"], ["Б", ""]]
    bare = LegalDocument(kind="plan", heading="совместной деятельности", agreement_sheet=rows)
    assert pdf_context._agreement_sheet(bare) is None
    titled.agreement_sheet = {"columns": AGREEMENT_COLUMNS, "rows": rows}
    assert pdf_context._agreement_sheet(titled)["rows"] == rows


# --- the package's layout ----------------------------------------------------------------------
def test_only_the_weasy_module_imports_weasyprint():
    """WeasyPrint's internals are used by one adapter module, pdf/weasy.py: no other module of
    the package imports WeasyPrint (at the top or inside a function)."""
    import ast

    package = Path(printing.__file__).parent
    importers = set()
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            if any(name == "weasyprint" or name.startswith("weasyprint.") for name in names):
                importers.add(path.name)
    assert importers == {"weasy.py"}
