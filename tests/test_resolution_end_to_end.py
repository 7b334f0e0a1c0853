"""A district administration's resolution entered from its paper original through the UI, as
the Kupino department's specialist would, and printed as it was issued.

Issuer, kind, number and date from the paper; preamble; «П О С Т А Н О В Л Я Е Т:»; points; an
acting head of the district as the paper's signatory; the executor mark; a Положение with
sections, clauses and dash lists as its appendix. The printed text is compared word by word
with the text of the original, and every glyph with the ГОСТ margins.
"""

import difflib
import re

import pytest
from django.urls import reverse

from network_center.documents.models import LegalDocument, SigningRight
from network_center.documents.pdf import render_document_pdf
from schools.models import Organisation

from .test_documents import PDF_SCAN
from .test_pdf import assert_inside_margins, body_text, page_texts

pytestmark = pytest.mark.django_db

HEADING = "О создании муниципальной сети взаимодействия школ Купинского района"
PREAMBLE = (
    "В соответствии с Федеральным законом от 29.12.2012 № 273-ФЗ «Об образовании в Российской "
    "Федерации», в целях повышения качества образования в школах с низкими результатами "
    "обучения администрация Купинского района Новосибирской области"
)
POINTS = (
    "1. Создать муниципальную сеть взаимодействия школ Купинского района.\n"
    "2. Утвердить Положение о муниципальной сети взаимодействия школ (приложение).\n"
    "3. Управлению образования администрации Купинского района обеспечить работу сети.\n"
    "4. Контроль за исполнением постановления возложить на заместителя главы района.\n"
)
REGULATION_HEADING = "о муниципальной сети взаимодействия школ Купинского района"
REGULATION = (
    "1. Общие положения\n"
    "1.1. Сеть объединяет школы Купинского района для совместной методической работы.\n"
    "Участие школ в сети добровольное.\n"
    "1.2. Сеть организуется на базе школ с высокими результатами обучения.\n"
    "2. Задачи сети\n"
    "2.1. Задачами сети являются:\n"
    "- методическая помощь школам с низкими результатами обучения;\n"
    "- совместное планирование мероприятий;\n"
    "- обмен опытом учителей.\n"
    "2.2. Сеть ежегодно отчитывается перед управлением образования.\n"
)
# The original as it reads on paper, line by line (what a reader of the scan would type).
ORIGINAL = f"""
АДМИНИСТРАЦИЯ КУПИНСКОГО РАЙОНА
НОВОСИБИРСКОЙ ОБЛАСТИ
ПОСТАНОВЛЕНИЕ
14.03.2024 № 215
г. Купино
{HEADING}
{PREAMBLE}
П О С Т А Н О В Л Я Е Т:
{POINTS}
И.о. Главы Купинского района С.А. Заместов
Н.И. Карпенко
8 (38358) 2-12-34
Приложение к постановлению администрации Купинского района Новосибирской области
от 14.03.2024 № 215
УТВЕРЖДЕНО
постановлением администрации Купинского района Новосибирской области
от 14.03.2024 № 215
ПОЛОЖЕНИЕ
{REGULATION_HEADING}
1. Общие положения
1.1. Сеть объединяет школы Купинского района для совместной методической работы.
Участие школ в сети добровольное.
1.2. Сеть организуется на базе школ с высокими результатами обучения.
2. Задачи сети
2.1. Задачами сети являются:
– методическая помощь школам с низкими результатами обучения;
– совместное планирование мероприятий;
– обмен опытом учителей.
2.2. Сеть ежегодно отчитывается перед управлением образования.
"""


def words(text):
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\xa0", " ")).strip().split()


def test_a_resolution_of_the_district_administration_is_entered_and_printed_as_issued(
    client_of, django_capture_on_commit_callbacks
):
    client = client_of("uo_kupino")
    administration = Organisation.objects.get(kind=Organisation.Kind.ADMINISTRATION)

    # The deputy who signed as acting head: a person of the administration, and her right.
    client.post(
        reverse("schools:person_create", args=[administration.pk]),
        {
            "last_name": "Заместов",
            "first_name": "Сергей",
            "patronymic": "Андреевич",
            "position": "Заместитель главы Купинского района",
        },
    )
    deputy = administration.people.get(last_name="Заместов")
    client.post(
        reverse("documents:signing_rights"),
        {
            "organisation": administration.pk,
            "person": deputy.pk,
            "kind": "acting",
            "position": "Главы Купинского района",
            "valid_from": "2024-03-01",
            "valid_until": "2024-03-31",
            "basis_text": "распоряжение от 28.02.2024 № 40-р",
        },
    )
    right = SigningRight.objects.get(person=deputy)

    response = client.post(
        reverse("documents:create"),
        {
            "issuer": administration.pk,
            "kind": "resolution",
            "heading": HEADING,
            "place": "г. Купино",
            "preamble": PREAMBLE,
        },
    )
    assert response.status_code == 302
    resolution = LegalDocument.objects.get(issuer=administration, heading=HEADING)
    client.post(reverse("documents:body_text", args=[resolution.pk]), {"text": POINTS})
    resolution.refresh_from_db()
    edit = {
        "kind": "resolution",
        "heading": HEADING,
        "place": "г. Купино",
        "preamble": PREAMBLE,
        "date_style": "numeric",
        "signing_right": "",
        "executor_mark": "Н.И. Карпенко\n8 (38358) 2-12-34",
        "version": resolution.version,
    }
    assert client.post(reverse("documents:edit", args=[resolution.pk]), edit).status_code == 302
    client.post(
        reverse("documents:appendix_add", args=[resolution.pk]),
        {
            "kind": "regulation",
            "heading": REGULATION_HEADING,
            "approved_by_parent": "on",
            "body": REGULATION,
        },
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("documents:register", args=[resolution.pk]),
            {
                "number": "215",
                "date": "2024-03-14",
                "signing_right": right.pk,
                "scan": SimpleUploadedFile("scan.pdf", PDF_SCAN, "application/pdf"),
            },
        )
    assert response.status_code == 302
    resolution.refresh_from_db()
    assert resolution.is_signed and resolution.origin == LegalDocument.Origin.PAPER
    assert (resolution.number, resolution.signatory) == ("215", deputy)

    data = render_document_pdf(resolution)
    text = body_text(data, min_size=0)
    printed = " ".join(page_texts(data))
    assert "Н.И. Карпенко" in printed and "8 (38358) 2-12-34" in printed
    # Word by word against the original: the running text, header, signature and marks. What
    # the electronic copy adds of its own (its mark, the verification code and address, page
    # numbers) is not on the paper.
    own = re.compile(
        r"Электронная копия документа, подписанного на бумажном носителе|"
        r"Код проверки: \S+|Проверка: \S+"
    )
    expected = words(ORIGINAL)
    got = [w for w in words(own.sub(" ", text)) if not w.isdigit() or w in expected]
    matcher = difflib.SequenceMatcher(None, expected, got, autojunk=False)
    ratio = matcher.ratio()
    differences = [
        (op, " ".join(expected[i1:i2]), " ".join(got[j1:j2]))
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
        if op != "equal"
    ]
    assert ratio >= 0.98, (ratio, differences)
    assert_inside_margins(data)
