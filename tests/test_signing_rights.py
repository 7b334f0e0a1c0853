"""Nobody signs in another's name: each abuse that the previous version allowed, tried again.

A signatory is one of the issuer's signing rights (its head, an acting head for a period); the
position printed is the one recorded; the password is the signatory's own, with the login's
lockout; a paper act is registered by the issuer's registrars, signed on paper by a right in
force on its date, and keeps its place in the issuer's series.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from network_center.centers.models import Center, Composition
from network_center.centers.services import working_group
from network_center.documents import services
from network_center.documents.models import LegalDocument, SigningFailure, SigningRight
from plans.errors import PlanError
from plans.models import Revision
from schools.models import Organisation, Person

from .conftest import HUB
from .test_documents import PDF_SCAN, department, new_draft, user

pytestmark = pytest.mark.django_db


def scan():
    return SimpleUploadedFile("scan.pdf", PDF_SCAN, content_type="application/pdf")


def specialist():
    return Person.objects.get(user__username="uo_dmitriev")


def head_right():
    return SigningRight.objects.default_for(department())


# --- who signs ---------------------------------------------------------------------------------


def test_a_drafter_cannot_name_herself_signatory_nor_type_a_position(client_of):
    draft = new_draft()
    client = client_of("uo_dmitriev")
    url = reverse("documents:edit", args=[draft.pk])
    form = {
        "kind": "order",
        "heading": draft.heading,
        "place": draft.place,
        "preamble": draft.preamble,
        "version": draft.version,
        # A right that is not her department's (the hub director's), a person and a typed
        # position: none of them is taken.
        "signing_right": SigningRight.objects.default_for(
            Organisation.objects.get(short_name=HUB)
        ).pk,
        "signatory": specialist().pk,
        "signatory_position": "Начальник Управления",
    }
    response = client.post(url, form)
    assert response.status_code == 200  # the form again, with the error beside the field
    assert "Выберите корректный вариант" in response.content.decode()
    draft.refresh_from_db()
    assert draft.signatory.user.username == "chief_dmitriev"
    # Through the service, a typed signatory or position is not a field at all.
    with pytest.raises(services.DocumentError):
        services.update_document(
            draft, actor=user("uo_dmitriev"), signatory_position="Начальник Управления"
        )
    # Nor may she grant herself a right to sign for her department.
    with pytest.raises(PermissionDenied):
        services.grant_signing_right(
            department(),
            actor=user("uo_dmitriev"),
            person=specialist(),
            kind=SigningRight.Kind.ACTING,
            position="начальника Управления",
            valid_from=timezone.localdate(),
            basis_text="распоряжение от 01.12.2026 № 1",
        )
    # And the sign page refuses her: she is not the signatory.
    assert client.get(reverse("documents:sign", args=[draft.pk])).status_code == 403


def test_the_printed_position_is_the_one_recorded_in_the_signing_right(
    django_capture_on_commit_callbacks,
):
    draft = new_draft()
    with django_capture_on_commit_callbacks(execute=True):
        signed = services.sign_document(draft, actor=user("chief_dmitriev"), password="demo12345")
    right = head_right()
    assert signed.signing_right == right
    assert (signed.signatory, signed.signatory_position) == (right.person, right.position)
    from network_center.documents.pdf import render_document_html

    assert "Начальник Управления" in render_document_html(signed)


def test_an_acting_head_signs_for_the_period_of_the_right_only(
    django_capture_on_commit_callbacks,
):
    deputy = Person.objects.create(
        organisation=department(),
        last_name="Заместителева",
        first_name="Анна",
        patronymic="Петровна",
        position="Заместитель начальника Управления",
    )
    from schools.services import create_login

    login = create_login(deputy, "deputy_dmitriev", "demo12345")
    today = timezone.localdate()
    right = services.grant_signing_right(
        department(),
        actor=user("uo_dmitriev"),
        person=deputy,
        kind=SigningRight.Kind.ACTING,
        position="начальника Управления",
        valid_from=today - timedelta(days=10),
        valid_until=today - timedelta(days=1),
        basis_text="приказ от 20.11.2026 № 45-к",
    )
    draft = new_draft()
    # An expired right is not offered, and is refused by the service.
    with pytest.raises(services.DocumentError):
        draft = services.update_document(draft, actor=user("uo_dmitriev"), signing_right=right)
        services.sign_document(draft, actor=login, password="demo12345")
    draft.refresh_from_db()
    assert draft.is_draft
    services.end_signing_right(right, actor=user("uo_dmitriev"), last_day=today + timedelta(7))
    right.refresh_from_db()
    draft = services.update_document(draft, actor=user("uo_dmitriev"), signing_right=right)
    with django_capture_on_commit_callbacks(execute=True):
        signed = services.sign_document(draft, actor=login, password="demo12345")
    assert signed.signatory == deputy and signed.signatory_acting
    from network_center.documents.pdf import render_document_html

    assert "И.о. начальника Управления" in render_document_html(signed)


def test_only_the_hub_director_signs_the_composition_order(client_of):
    center = Center.objects.get(hub__short_name=HUB)
    composition = working_group.draft_composition(center, actor=user("director_sosh2"))
    order = working_group.sync_composition_order(composition, actor=user("director_sosh2"))
    assert order.signatory.user.username == "director_sosh2"
    head = client_of("head_center")
    # The center head, who may edit the hub's draft, names himself: not a right of the hub.
    center_head = Person.objects.get(user__username="head_center")
    foreign = SigningRight.objects.default_for(department())  # a right, but not the hub's
    with pytest.raises(services.DocumentError, match="только лицо с правом подписи"):
        services.update_document(order, actor=user("head_center"), signing_right=foreign)
    # On the edit form, a right of another organisation is no choice.
    page = head.post(
        reverse("documents:edit", args=[order.pk]),
        {
            "kind": "order",
            "heading": order.heading,
            "version": order.version,
            "signing_right": foreign.pk,
            "signatory": center_head.pk,
        },
    ).content.decode()
    assert "Выберите корректный вариант" in page
    # He cannot sign it, nor register it as a paper act: the composition stays a draft.
    assert head.get(reverse("documents:sign", args=[order.pk])).status_code == 403
    response = head.post(
        reverse("documents:register", args=[order.pk]),
        {
            "number": "9-ОД",
            "date": "2026-01-10",
            "signing_right": SigningRight.objects.default_for(center.hub).pk,
            "scan": scan(),
        },
    )
    assert response.status_code == 403
    composition.refresh_from_db()
    assert composition.status == Composition.Status.DRAFT
    order.refresh_from_db()
    assert order.is_draft


def test_password_tries_are_limited_as_logins_are(client_of, settings):
    settings.AXES_FAILURE_LIMIT = 3
    draft = new_draft()
    client = client_of("chief_dmitriev")
    url = reverse("documents:sign", args=[draft.pk])
    for _ in range(3):
        page = client.post(url, {"password": "wrong"}).content.decode()
        assert "Неверный пароль" in page
    # The right password now is refused too, until the cool-off has passed.
    page = client.post(url, {"password": "demo12345"}).content.decode()
    assert "подписание заблокировано до" in page
    draft.refresh_from_db()
    assert draft.is_draft
    SigningFailure.objects.filter(user__username="chief_dmitriev").update(
        at=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    )
    assert client.post(url, {"password": "demo12345"}).status_code == 302
    draft.refresh_from_db()
    assert draft.is_signed and draft.signatory.user.username == "chief_dmitriev"


def test_a_plan_is_approved_only_by_who_signs_for_the_approver(settings):
    from .test_plans import agree_all, working

    revision = working()
    agree_all(revision)
    with pytest.raises(PermissionDenied):
        from plans import services as plans

        plans.approve(revision, actor=user("uo_dmitriev"), password="demo12345")
    revision.refresh_from_db()
    assert revision.state == Revision.State.AGREED
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        with pytest.raises(PlanError):
            plans.approve(revision, actor=user("chief_dmitriev"), password="wrong")
    with pytest.raises(PlanError, match="заблокировано"):
        plans.approve(revision, actor=user("chief_dmitriev"), password="demo12345")
    revision.refresh_from_db()
    assert revision.state == Revision.State.AGREED


# --- paper acts -----------------------------------------------------------------------------


def register(client, draft, number, on_date, right=None):
    return client.post(
        reverse("documents:register", args=[draft.pk]),
        {
            "number": number,
            "date": on_date,
            "signing_right": (right or head_right()).pk,
            "scan": scan(),
        },
    )


def test_a_paper_act_under_the_next_number_does_not_block_the_electronic_series(
    client_of, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    first = services.sign_document(
        new_draft("О первом"), actor=user("chief_dmitriev"), password="demo12345"
    )
    paper = new_draft("О бумажном")
    taken = f"1-{first.sequence + 1}"
    assert register(client_of("uo_dmitriev"), paper, taken, today.isoformat()).status_code == 302
    paper.refresh_from_db()
    assert paper.is_signed and paper.number == taken and paper.sequence == first.sequence + 1
    with django_capture_on_commit_callbacks(execute=True):
        after = services.sign_document(
            new_draft("О следующем"), actor=user("chief_dmitriev"), password="demo12345"
        )
    assert after.number == f"1-{first.sequence + 2}"


def test_a_paper_act_of_the_series_cannot_be_back_dated(client_of):
    client = client_of("uo_dmitriev")
    assert register(client, new_draft("О пятом"), "1-5", "2020-03-10").status_code == 302
    early = new_draft("О шестом задним числом")
    page = register(client, early, "1-6", "2020-03-01").content.decode()
    assert "задним числом" in page
    early.refresh_from_db()
    assert early.is_draft
    late = new_draft("О четвёртом позже пятого")
    page = register(client, late, "1-4", "2020-04-01").content.decode()
    assert "позже даты акта с большим номером" in page
    assert register(client, late, "1-4", "2020-03-02").status_code == 302


def test_the_paper_signatory_must_hold_the_right_on_the_papers_date(client_of):
    right = head_right()
    before = right.valid_from - timedelta(days=1)
    draft = new_draft()
    page = register(client_of("uo_dmitriev"), draft, "77", before.isoformat()).content.decode()
    assert "действует" in page
    draft.refresh_from_db()
    assert draft.is_draft


def test_paper_acts_are_registered_by_the_issuers_registrars_only(client_of):
    draft = new_draft()
    # The methodologist drafts the department's acts but does not register them.
    assert register(client_of("rmk_dmitriev"), draft, "78", "2021-02-01").status_code == 403
    draft.refresh_from_db()
    assert draft.is_draft
    assert register(client_of("uo_dmitriev"), draft, "78", "2021-02-01").status_code == 302
    draft.refresh_from_db()
    # Printed and verified as signed on paper by the head, not by the registering specialist.
    assert draft.origin == LegalDocument.Origin.PAPER
    assert draft.signatory == head_right().person
    verify = client_of("anonymous").get(reverse("verify", args=[draft.verification_code]))
    page = verify.content.decode()
    assert "Зарегистрирован по бумажному оригиналу" in page
    assert "Подписан в системе" not in page
    assert "Тулиёва" in page and specialist().last_name not in page
    detail = client_of("uo_dmitriev").get(reverse("documents:detail", args=[draft.pk]))
    assert "Подписан в системе" not in detail.content.decode()


def test_the_kind_of_an_act_fits_its_issuer(client_of):
    administration = Organisation.objects.get(kind=Organisation.Kind.ADMINISTRATION)
    with pytest.raises(services.DocumentError, match="постановление"):
        services.create_document(
            administration, actor=user("uo_kupino"), kind="order", heading="О чём-то"
        )
    response = client_of("uo_kupino").post(
        reverse("documents:create"),
        {"issuer": administration.pk, "kind": "order", "heading": "О чём-то", "place": "г. Купино"},
    )
    assert "не издаёт такие документы" in response.content.decode()
    response = client_of("uo_kupino").post(
        reverse("documents:create"),
        {
            "issuer": administration.pk,
            "kind": "resolution",
            "heading": "О сети",
            "place": "г. Купино",
        },
    )
    assert response.status_code == 302
    resolution = LegalDocument.objects.get(issuer=administration, heading="О сети")
    # Signed by the head of the district, as recorded in the administration's signing rights.
    assert resolution.signatory_position == "Глава Купинского района"
    assert resolution.default_operative_word == "ПОСТАНОВЛЯЕТ"
