"""The joint plan: proposals, agreement by every school, approval, amendments, notifications."""

import io
import re
import threading
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from network_center.notifications.models import Notification
from plans import printing, services
from plans.models import (
    EventForm,
    FrozenRevisionError,
    Line,
    Plan,
    Proposal,
    Revision,
    Transition,
    Visa,
)
from schools.models import Organisation

pytestmark = pytest.mark.django_db

HUB = "МКОУ «СОШ № 2 г. Дмитриева»"
SCHOOL_A = "МКОУ «СОШ № 1 г. Дмитриева»"
SCHOOL_B = "МКОУ «Старогородская СОШ»"


def user(username):
    return get_user_model().objects.get(username=username)


def plan(year=2026):
    return Plan.objects.get(center__hub__short_name=HUB, year=year)


def working(year=2026):
    return services.working_revision(plan(year))


def school(name):
    return Organisation.objects.get(short_name=name)


def coordinator_of(school_obj):
    from schools.models import Membership

    return Membership.objects.get(organisation=school_obj, role="coordinator").user


def agree_all(revision, *, except_=()):
    for visa in revision.visas.select_related("school"):
        if visa.school.short_name in except_ or visa.decision != Visa.Decision.PENDING:
            continue
        services.give_visa(
            revision, visa.school, actor=coordinator_of(visa.school), decision="agreed"
        )


def proposal_data(**extra):
    return {
        "title": "Семинар по смысловому чтению",
        "direction": "Адресная методическая поддержка учителей",
        "form": EventForm.objects.get(name="семинар").pk,
        "format": "in_person",
        "audience": "учителя начальных классов",
        "date_kind": "month",
        "date_from": "2027-03-01",
        "justification": "Низкие результаты ВПР по чтению в 4 классах.",
        **extra,
    }


# --- the whole story, as the issue checks it ---------------------------------------------------


def test_a_proposal_travels_to_an_approved_plan_with_every_schools_visa(
    client_of, django_capture_on_commit_callbacks
):
    a = client_of("school_a")
    response = a.post(reverse("plans:proposal_create", args=[plan().pk]), proposal_data())
    assert response.status_code == 302
    proposal = Proposal.objects.get(title="Семинар по смысловому чтению")
    assert proposal.state == "submitted" and proposal.school.short_name == SCHOOL_A

    head = client_of("head_center")
    with django_capture_on_commit_callbacks(execute=True):
        response = head.post(
            reverse("plans:proposal_decide", args=[proposal.pk]),
            {
                "decision": "accept",
                "comment": "Проведём дистанционно",
                "form": proposal.form_id,
                "format": "remote",
                "date_kind": "month",
                "date_from": "2027-03-01",
                "venue": "",
            },
        )
    assert response.status_code == 302
    body = head.get(response.url).content.decode()
    assert "План на согласовании изменился: школы согласуют его в новом виде." in body
    proposal.refresh_from_db()
    assert proposal.state == "accepted"
    assert proposal.changes == {"format": ["очно", "дистанционно"]}
    line = proposal.line
    assert line.format == "remote" and line.initiator.short_name == SCHOOL_A
    # The school sees what the center changed.
    body = a.get(reverse("plans:proposal", args=[proposal.pk])).content.decode()
    assert "Формат: «очно» → «дистанционно»" in body
    assert "Принято" in body[body.index("История") :], "the history speaks Russian"
    assert Notification.objects.filter(
        user__username="school_a", text__contains="Центр изменил: формат «очно» → «дистанционно»"
    ).exists()

    revision = working()
    assert revision.state == Revision.State.ON_AGREEMENT
    # Accepting changed the content: the visas given before are asked again.
    assert not revision.visas.exclude(decision="pending").exists()

    a.post(reverse("plans:visa", args=[revision.pk, school(SCHOOL_A).pk]), {"decision": "agreed"})
    b = client_of("school_b")
    b.post(
        reverse("plans:visa", args=[revision.pk, school(SCHOOL_B).pk]),
        {"decision": "agreed_remarks", "remarks": "Просим уточнить время"},
    )
    agree_all(revision)
    revision.refresh_from_db()
    assert revision.state == Revision.State.AGREED

    # The department's head: the approving order is hers to sign.
    chief = client_of("chief_dmitriev")
    with django_capture_on_commit_callbacks(execute=True):
        response = chief.post(
            reverse("plans:transition", args=[revision.pk, "approve"]),
            {"password": "demo12345"},
        )
    assert response.status_code == 302
    assert "План утверждён: документ подписан" in chief.get(response.url).content.decode()
    revision.refresh_from_db()
    assert revision.state == Revision.State.APPROVED
    order = revision.approval_document
    assert order.is_signed and order.kind == "order"
    appendix = order.appendices.get()
    assert appendix.kind == "plan" and appendix.approval_stamp()[0] == "УТВЕРЖДЕН"
    sheet = appendix.agreement_sheet
    assert sheet["columns"][0] == "Школа" and len(sheet["rows"]) == 5
    row_b = next(row for row in sheet["rows"] if row[0] == SCHOOL_B)
    assert row_b[3::2] == ["Согласовано с замечаниями", "Просим уточнить время"]
    # Last year's approved revision is untouched; this year's plan is approved.
    assert plan(2025).revisions.get().state == Revision.State.APPROVED

    from pypdf import PdfReader

    response = client_of("rmk_dmitriev").get(reverse("documents:pdf", args=[order.pk]))
    pdf = b"".join(response.streaming_content)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    # Table cells hyphenate long words: join «смыс‐ ловому» back for the comparison.
    text = re.sub(r"[\u2010\u00ad]\s*", "", " ".join(text.split()))
    assert "УТВЕРЖДЕН" in text
    assert reads_in_table("Семинар по смысловому чтению", text)
    for name in (SCHOOL_A, SCHOOL_B, "Крупецкая", "Первоавангардская", "Фатеевская"):
        assert name.replace("МКОУ ", "") in text
    assert reads_in_table("Просим уточнить время", text)


def reads_in_table(phrase, text):
    """Whether ``phrase`` is in the text of a printed table: its rows are drawn a line at a time
    across the cells, so a cell that wraps reads with the other cells' lines between its words."""
    return re.search(r"\s.*?".join(map(re.escape, phrase.split())), text) is not None


def test_the_printed_plan_groups_lines_by_direction_and_names_the_whole_network():
    revision = working()
    participants = {visa.school_id for visa in revision.visas.all()}
    line = revision.lines.order_by("pk").first()
    line.schools.set(participants)
    table = printing.plan_print_table(revision)
    assert table["landscape"] and table["columns"] == printing.PRINT_COLUMNS
    groups = [row["group"] for row in table["rows"] if isinstance(row, dict)]
    lines = [row for row in table["rows"] if isinstance(row, list)]
    directions = list(revision.lines.order_by("direction").values_list("direction", flat=True))
    assert groups == sorted(set(directions)), "a heading row per direction, in the page's order"
    assert [row[0] for row in lines] == [str(n) for n in range(1, len(directions) + 1)]
    row = next(r for r in lines if r[1].startswith(line.title))
    assert row[1].endswith(f"({line.form.name}, {printing.PRINT_FORMATS[line.format]})")
    assert row[3] == f"{line.audience}; {printing.ALL_SCHOOLS}"
    assert line.dates_display in row[2]
    some = revision.lines.exclude(pk=line.pk).filter(schools__isnull=False).first()
    names = ", ".join(s.short_name for s in some.schools.all())
    assert next(r for r in lines if r[1].startswith(some.title) and names in r[3])


def test_the_plan_page_names_the_whole_network_as_the_printed_plan_does(client_of):
    revision = working()
    participants = {visa.school_id for visa in revision.visas.all()}
    whole, some = revision.lines.order_by("pk")[:2]
    whole.schools.set(participants)
    some.schools.set(list(participants)[:2])
    body = client_of("school_a").get(reverse("plans:detail", args=[revision.plan_id])).content
    body = body.decode()
    row = body[body.index(f'id="line-{whole.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "все школы — участники сети" in row
    tooltip = row[row.index('title="') :]
    assert all(s.short_name in tooltip for s in whole.schools.all()), "the names in its tooltip"
    other = body[body.index(f'id="line-{some.pk}"') :]
    assert "все школы" not in other[: other.index("</tr>")]


# --- refusals by the server ----------------------------------------------------------------------


def test_a_school_cannot_approve_return_or_submit(client_of):
    revision = working()
    agree_all(revision)
    revision.refresh_from_db()
    for name in ("approve", "return", "submit"):
        response = client_of("school_a").post(
            reverse("plans:transition", args=[revision.pk, name]),
            {"password": "demo12345", "comment": "x"},
        )
        assert response.status_code == 403
    revision.refresh_from_db()
    assert revision.state == Revision.State.AGREED


def test_a_school_cannot_give_another_schools_visa(client_of):
    revision = working()
    response = client_of("school_a").post(
        reverse("plans:visa", args=[revision.pk, school(SCHOOL_B).pk]), {"decision": "agreed"}
    )
    assert response.status_code == 403
    with pytest.raises(Exception, match="представитель"):
        services.give_visa(revision, school(SCHOOL_B), actor=user("school_a"), decision="agreed")
    assert revision.visas.get(school__short_name=SCHOOL_B).decision != "objected"


def test_an_approved_revision_is_frozen(client_of):
    revision = plan(2025).revisions.get()
    line = revision.lines.first()
    response = client_of("head_center").post(
        reverse("plans:line_edit", args=[line.pk]), {"title": "Подмена"}
    )
    assert response.status_code == 403
    line.title = "Подмена"
    with pytest.raises(FrozenRevisionError):
        line.save()
    with pytest.raises(FrozenRevisionError):
        Line.objects.filter(revision=revision).update(title="Подмена")
    with pytest.raises(FrozenRevisionError):
        line.delete()
    with pytest.raises(Exception, match="Добавлять"):
        services.add_line(
            revision,
            actor=user("head_center"),
            direction="x",
            title="x",
            form=EventForm.objects.first(),
            format="remote",
            audience="x",
            date_from=date(2026, 1, 1),
        )


def test_visas_need_remarks_unless_plainly_agreed(client_of):
    revision = working()
    response = client_of("school_a").post(
        reverse("plans:visa", args=[revision.pk, school(SCHOOL_A).pk]),
        {"decision": "objected", "remarks": ""},
        follow=True,
    )
    assert "Напишите замечания" in response.content.decode()


def test_an_edit_after_visas_asks_every_school_again(django_capture_on_commit_callbacks):
    revision = working()
    assert revision.visas.exclude(decision="pending").count() == 2
    line = revision.lines.first()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_line(line, actor=user("head_center"), title="Новое название")
    assert not revision.visas.exclude(decision="pending").exists()
    notified = set(
        Notification.objects.filter(text__contains="согласуйте его заново").values_list(
            "user__username", flat=True
        )
    )
    assert notified == {"school_a", "school_b"}
    # The visas given stay in the history, and so does their reset.
    actions = list(revision.transitions.values_list("action", "comment"))
    assert [a for a, _ in actions].count("visa") == 2
    action, comment = actions[-1]
    assert action == "visas_reset" and SCHOOL_A in comment and SCHOOL_B in comment


def test_the_plan_history_reads_as_sentences(client_of):
    body = client_of("school_a").get(reverse("plans:detail", args=[plan().pk])).content.decode()
    history = body[body.index("История") :]
    assert "ред. 1: отправлен на согласование (проект → на согласовании)" in history
    assert "ред. 1: решение школы (" in history and "Согласовано с замечаниями" in history
    assert "На согласовании → На согласовании" not in history


def test_agreed_means_every_school_agreed_on_the_current_content():
    revision = working()
    agree_all(revision, except_=("МКОУ «Фатеевская ООШ»",))
    revision.refresh_from_db()
    assert revision.state == Revision.State.ON_AGREEMENT
    fateevka = school("МКОУ «Фатеевская ООШ»")
    services.give_visa(
        revision, fateevka, actor=coordinator_of(fateevka), decision="objected", remarks="Нет"
    )
    revision.refresh_from_db()
    assert revision.state == Revision.State.ON_AGREEMENT
    services.give_visa(revision, fateevka, actor=coordinator_of(fateevka), decision="agreed")
    revision.refresh_from_db()
    assert revision.state == Revision.State.AGREED
    assert set(revision.visas.values_list("content_version", flat=True)) == {
        revision.content_version
    }


def test_amendment_keeps_the_approved_revision_in_force_until_the_new_one_is_approved(
    django_capture_on_commit_callbacks,
):
    approved = plan(2025).revisions.get()
    head = user("head_center")
    new = services.amend(approved, actor=head)
    assert new.number == 2 and new.state == "draft"
    approved.refresh_from_db()
    assert approved.state == Revision.State.APPROVED
    line = new.lines.order_by("date_from").first()
    services.update_line(line, actor=head, title="Установочное совещание (перенесено)")
    services.delete_line(new.lines.order_by("date_from").last(), actor=head)
    diff = services.compare_revisions(approved, new)
    assert diff["removed"][0]["title"].startswith("Круглый стол")
    assert diff["changed"][0]["fields"][0][0] == "Мероприятие"
    services.submit(new, actor=head)
    agree_all(new)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(new, actor=user("chief_dmitriev"), password="demo12345")
    approved.refresh_from_db()
    assert approved.state == Revision.State.SUPERSEDED


def test_a_new_plan_starts_as_a_copy_of_an_earlier_one(client_of):
    from network_center.centers.models import Center

    center = Center.objects.get(hub__short_name=HUB)
    last = plan(2025).revisions.get()
    response = client_of("head_center").post(
        reverse("plans:create", args=[center.pk]), {"year": "2027", "copy_from": last.pk}
    )
    assert response.status_code == 302
    new = plan(2027).revisions.get()
    assert new.lines.count() == last.lines.count()
    first = new.lines.order_by("date_from").first()
    assert first.date_from == date(2027, 9, 18), "shifted by the difference in years"
    created = new.transitions.get()
    assert created.action == "create"
    assert created.data == {"copied_from": last.pk, "lines": last.lines.count()}


# --- the transition tables ---------------------------------------------------------------------


def state_of(revision):
    """Everything a transition on ``revision`` may change: its row, visas, history, proposals."""
    revision = Revision.objects.get(pk=revision.pk)
    return (
        (revision.state, revision.content_version, revision.approval_document_id),
        sorted(revision.visas.values_list("school_id", "decision", "remarks", "decided_at")),
        revision.transitions.count(),
        sorted(revision.plan.proposals.values_list("pk", "state", "version")),
        sorted(revision.plan.proposals.values_list("events__pk", flat=True)),
    )


def test_a_visa_outside_the_agreement_is_refused_and_changes_nothing():
    from django.core.exceptions import PermissionDenied

    revision = working()
    services.return_for_revision(revision, actor=user("head_center"), comment="Дополнить")
    before = state_of(revision)
    with pytest.raises(services.PlanError, match="не на согласовании"):
        services.give_visa(revision, school(SCHOOL_A), actor=user("school_a"), decision="agreed")
    with pytest.raises(PermissionDenied, match="представитель"):
        services.give_visa(revision, school(SCHOOL_A), actor=user("school_b"), decision="agreed")
    with pytest.raises(services.PlanError, match="Выберите решение"):
        services.give_visa(revision, school(SCHOOL_A), actor=user("school_a"), decision="pending")
    assert state_of(revision) == before


def test_the_visa_table_names_who_decides_and_resets_only_by_itself():
    from plans import workflow

    revision = working()
    visa = revision.visas.get(school__short_name=SCHOOL_A)
    assert [r.name for r in workflow.VISA.available(user("school_a"), visa)] == [
        "agree",
        "agree_with_remarks",
        "object",
    ]
    for persona in ("school_b", "head_center", "uo_dmitriev", "admin", "region"):
        assert workflow.VISA.available(user(persona), visa) == []
    # Asking again follows from a change of content; nobody takes it by hand.
    assert not workflow.VISA.allowed("reset", user("admin"), visa)
    assert workflow.VISA.applies("reset", visa)
    pending = revision.visas.filter(decision="pending").first()
    with pytest.raises(services.PlanError):
        workflow.VISA.follow("reset", pending)


def test_a_refused_decision_on_a_proposal_changes_nothing():
    from django.core.exceptions import PermissionDenied

    declined = Proposal.objects.get(state="declined")
    submitted = Proposal.objects.filter(state="submitted", school__short_name=SCHOOL_A).first()
    revision = working()
    before = state_of(revision)
    head, a, b = user("head_center"), user("school_a"), user("school_b")
    refusals = [
        (services.PlanError, lambda: services.accept_proposal(declined, actor=head)),
        (services.PlanError, lambda: services.decline_proposal(declined, actor=head, reason="x")),
        (services.PlanError, lambda: services.return_proposal(declined, actor=head, comment="x")),
        (services.PlanError, lambda: services.resubmit_proposal(submitted, actor=a, title="x")),
        (PermissionDenied, lambda: services.withdraw_proposal(submitted, actor=b)),
        (PermissionDenied, lambda: services.decline_proposal(submitted, actor=a, reason="x")),
        (PermissionDenied, lambda: services.accept_proposal(submitted, actor=user("region"))),
    ]
    for error, refused in refusals:
        with pytest.raises(error):
            refused()
    assert state_of(revision) == before


def test_the_proposal_table_offers_each_person_their_own_decisions():
    from plans import workflow

    submitted = Proposal.objects.filter(state="submitted", school__short_name=SCHOOL_A).first()
    returned = Proposal.objects.get(state="returned")
    withdrawn = Proposal.objects.get(state="withdrawn")

    def names(persona, proposal):
        return [r.name for r in workflow.PROPOSAL.available(user(persona), proposal)]

    assert names("head_center", submitted) == ["accept", "return", "decline"]
    assert names("school_a", submitted) == ["withdraw"]
    assert names("school_b", submitted) == []
    assert names(coordinator_of(returned.school).username, returned) == ["withdraw", "resubmit"]
    assert names("head_center", returned) == []
    for persona in ("head_center", "admin", coordinator_of(withdrawn.school).username):
        assert names(persona, withdrawn) == [], "a withdrawn proposal is at its end"


def test_the_automatic_transitions_are_nobodys_to_take():
    from plans import workflow

    revision = working()
    for name in ("agreed", "reagree", "superseded"):
        for persona in ("admin", "head_center", "uo_dmitriev"):
            assert not workflow.REVISION.allowed(name, user(persona), revision)
    assert [r.name for r in workflow.available_transitions(user("head_center"), revision)] == [
        "return"
    ]
    with pytest.raises(services.PlanError):
        workflow.REVISION.follow("agreed", revision)  # three schools have not answered
    assert not workflow.REVISION.permits("explode", user("admin"), revision), "deny by default"


def test_the_transition_view_refuses_an_automatic_transition(client_of):
    revision = working()
    before = state_of(revision)
    response = client_of("admin").post(reverse("plans:transition", args=[revision.pk, "agreed"]))
    assert response.status_code == 400
    assert state_of(revision) == before


# --- the history of lines -----------------------------------------------------------------------


def test_every_change_of_a_line_is_a_history_row_with_before_and_after(client_of):
    revision = working()
    head = user("head_center")
    line = revision.lines.order_by("date_from").first()
    old_title = line.title
    services.update_line(
        line, actor=head, title="Установочное совещание (перенесено)", format="remote"
    )
    edited = revision.transitions.filter(action="line_edited").get()
    assert edited.actor == head and edited.from_state == edited.to_state == "on_agreement"
    assert edited.data["line"] == str(line.key)
    assert edited.data["fields"] == {
        "title": [old_title, "Установочное совещание (перенесено)"],
        "format": [line.get_format_display(), "дистанционно"],
    }
    assert f"мероприятие «{old_title}» → «Установочное совещание (перенесено)»" in edited.comment

    doomed = revision.lines.order_by("date_from").last()
    services.delete_line(doomed, actor=head)
    deleted = revision.transitions.filter(action="line_deleted").get()
    assert deleted.data["line"] == str(doomed.key) and deleted.data["title"] == doomed.title
    assert deleted.data["fields"]["title"] == [doomed.title, ""]

    body = client_of("school_a").get(reverse("plans:detail", args=[plan().pk])).content.decode()
    history = body[body.index("История") :]
    assert "изменено мероприятие" in history and "удалено мероприятие" in history


def test_a_save_that_changes_nothing_leaves_the_line_the_visas_and_the_history():
    revision = working()
    line = revision.lines.order_by("pk").first()
    before = state_of(revision)
    services.update_line(
        line,
        actor=user("head_center"),
        version=line.version,
        title=line.title,
        schools=list(line.schools.all()),
    )
    assert state_of(revision) == before
    line.refresh_from_db()
    assert line.version == 1


# --- notifications ------------------------------------------------------------------------------


def test_notifications_reach_exactly_the_people_concerned(django_capture_on_commit_callbacks):
    revision = working()
    services.return_for_revision(revision, actor=user("head_center"), comment="Дополнить")
    mail.outbox.clear()
    Notification.objects.all().delete()  # the demo's own (Kupino's plan was agreed too)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(revision, actor=user("head_center"))
    asked = set(
        Notification.objects.filter(text__contains="ждёт согласования").values_list(
            "user__username", flat=True
        )
    )
    assert asked == {"school_a", "school_b", "school_c", "school_d", "school_e"}
    assert len(mail.outbox) == 1 and len(mail.outbox[0].to) == 5

    with django_capture_on_commit_callbacks(execute=True):
        services.give_visa(revision, school(SCHOOL_A), actor=user("school_a"), decision="agreed")
    told = Notification.objects.filter(text__contains="согласовано по плану")
    assert set(told.values_list("user__username", flat=True)) == {"head_center"}

    with django_capture_on_commit_callbacks(execute=True):
        agree_all(revision)
    approvers = Notification.objects.filter(text__contains="ждёт утверждения")
    assert set(approvers.values_list("user__username", flat=True)) == {
        "uo_dmitriev",
        "chief_dmitriev",
    }

    with django_capture_on_commit_callbacks(execute=True):
        services.approve(revision, actor=user("chief_dmitriev"), password="demo12345")
    approved = set(
        Notification.objects.filter(text__contains="утверждён").values_list(
            "user__username", flat=True
        )
    )
    assert {
        "school_a",
        "school_e",
        "head_center",
        "director_sosh2",
        "rmk_dmitriev",
        "wg_member",
    } <= approved
    assert "uo_kupino" not in approved and "region" not in approved
    text = Notification.objects.filter(text__contains="утверждён").latest("pk").text
    assert (
        text
        == "План 2026/2027 (Центр сетевого взаимодействия на базе СОШ № 2 г. Дмитриева) утверждён."
    )


def test_the_proposer_hears_of_every_decision(client_of, django_capture_on_commit_callbacks):
    proposal = Proposal.objects.filter(state="submitted", school__short_name=SCHOOL_A).first()
    with django_capture_on_commit_callbacks(execute=True):
        services.return_proposal(proposal, actor=user("head_center"), comment="Уточните тему")
    assert Notification.objects.filter(
        user__username="school_a", text__contains="возвращено на доработку"
    ).exists()
    body = client_of("school_a").get(reverse("home")).content.decode()
    assert "Уведомления" in body
    # The returned proposal now waits for the school: its home page says so.
    waiting = body[body.index("Предложения возвращены на доработку") :]
    assert proposal.title in waiting[: waiting.index("</ul>")]
    assert proposal.title not in client_of("school_b").get(reverse("home")).content.decode()


def test_the_center_head_sees_on_the_home_page_that_a_school_rejected_the_plan(client_of):
    revision = working()
    assert (
        "Школы отклонили план" not in client_of("head_center").get(reverse("home")).content.decode()
    )
    services.give_visa(
        revision,
        school(SCHOOL_B),
        actor=user("school_b"),
        decision="objected",
        remarks="Сроки стажировки совпадают с олимпиадой",
    )
    for persona in ("head_center", "uo_dmitriev"):
        body = client_of(persona).get(reverse("home")).content.decode()
        card = body[body.index("Школы отклонили план") :]
        assert "Сроки стажировки совпадают с олимпиадой" in card[: card.index("</ul>")]
    for persona in ("school_a", "uo_kupino", "wg_member"):
        assert (
            "Школы отклонили план" not in client_of(persona).get(reverse("home")).content.decode()
        )


def test_a_failed_mail_is_logged_and_loses_nothing(
    settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "tests.test_plans.FailingBackend"
    revision = working()
    with django_capture_on_commit_callbacks(execute=True):
        services.give_visa(revision, school(SCHOOL_A), actor=user("school_a"), decision="agreed")
    assert Notification.objects.filter(user__username="head_center").exists()
    assert "failed" in caplog.text


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("SMTP server unreachable")


# --- concurrency (PostgreSQL) --------------------------------------------------------------------


def _run_together(functions):
    from django.db import connections

    barrier = threading.Barrier(len(functions))
    results = []

    def run(fn):
        try:
            barrier.wait()
            results.append(fn())
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in functions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
def test_two_concurrent_approvals_leave_exactly_one_transition():
    from network_center.demo import load_demo

    load_demo()
    revision = working()
    agree_all(revision)
    # The head of the department, who alone signs the approving order, clicks twice at once.
    chief = user("chief_dmitriev")
    results = _run_together(
        [
            lambda: services.approve(
                Revision.objects.get(pk=revision.pk), actor=chief, password="demo12345"
            ),
            lambda: services.approve(
                Revision.objects.get(pk=revision.pk), actor=chief, password="demo12345"
            ),
        ]
    )
    assert sum(isinstance(r, Revision) for r in results) == 1
    assert Transition.objects.filter(revision=revision, action="approve").count() == 1
    revision.refresh_from_db()
    assert revision.state == Revision.State.APPROVED


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
def test_a_line_edited_by_two_people_at_once_tells_the_second():
    from network_center.demo import load_demo

    load_demo()
    line = working().lines.first()
    seen = line.version
    results = _run_together(
        [
            lambda: services.update_line(
                Line.objects.get(pk=line.pk), actor=user("head_center"), version=seen, title="A"
            ),
            lambda: services.update_line(
                Line.objects.get(pk=line.pk), actor=user("uo_dmitriev"), version=seen, title="B"
            ),
        ]
    )
    assert sum(isinstance(r, Line) for r in results) == 1
    assert sum(isinstance(r, services.LineConflict) for r in results) == 1
    line.refresh_from_db()
    assert line.version == seen + 1


def test_a_stale_line_form_tells_the_second_editor(client_of):
    line = working().lines.order_by("date_from").first()
    url = reverse("plans:line_edit", args=[line.pk])
    form = {
        "direction": line.direction,
        "title": "Изменено первым",
        "form": line.form_id,
        "format": line.format,
        "audience": line.audience,
        "date_kind": "day",
        "date_from": line.date_from.isoformat(),
        "initiator": line.initiator_id,
        "version": line.version,
    }
    assert client_of("head_center").post(url, form).status_code == 302
    response = client_of("uo_dmitriev").post(url, {**form, "title": "Изменено вторым"})
    assert "уже изменил другой пользователь" in response.content.decode()
    assert "Изменено вторым" in response.content.decode()
    line.refresh_from_db()
    assert line.title == "Изменено первым"


# --- pages --------------------------------------------------------------------------------------


def _add_lines(revision, n):
    form = EventForm.objects.first()
    hub = revision.plan.center.hub
    participants = [p.school for p in revision.plan.center.participations.all()]
    for i in range(n):
        line = Line.objects.create(
            revision=revision,
            position=100 + i,
            direction=f"Направление {i % 5}",
            title=f"Мероприятие {i}",
            form=form,
            format="in_person",
            audience="учителя",
            venue=hub,
            date_from=date(2026, 9 + i % 4, 1 + i % 27),
            initiator=hub,
        )
        line.schools.set(participants[: 1 + i % 5])
        line.responsible.set(hub.people.all()[:2])


@pytest.mark.usefixtures("page_cache_off")
def test_plan_page_costs_the_same_queries_with_10_and_150_lines(client_of):
    from django.core.cache import cache

    revision = working()
    revision.lines.all().delete()
    _add_lines(revision, 10)
    client = client_of("head_center")
    url = reverse("plans:detail", args=[revision.plan_id])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries), response

    client.get(url)  # session and content types warm
    cache.clear()
    cold_10, response = count()
    assert "10 мероприятий" in response.content.decode()
    warm_10, _ = count()
    # The lines were added with the ORM, which does not bump the content version as the
    # services do: drop the cached rows by hand.
    _add_lines(revision, 140)
    cache.clear()
    cold_150, response = count()
    assert "150 мероприятий" in response.content.decode()
    warm_150, _ = count()
    assert cold_10 == cold_150
    assert warm_10 == warm_150
    # Cached rows skip the four line queries (numbers, lines, responsible, schools).
    assert warm_10 == cold_10 - 4
    # session, user, memberships, notifications count, plan (+center), revisions, visas,
    # proposals count, participations, history, center head check, lines, responsible, schools
    assert cold_10 <= 16


def test_any_revision_exports_to_xlsx(client_of):
    from openpyxl import load_workbook

    revision = plan(2025).revisions.get()
    response = client_of("rmk_dmitriev").get(reverse("plans:export", args=[revision.pk]))
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["План"].iter_rows(values_only=True))
    assert rows[3][:3] == ("№", "Направление", "Мероприятие")
    assert len(rows) == 4 + revision.lines.count()
    assert len(list(book["Лист согласования"].iter_rows())) == 6
    # The risk factor a line addresses is its last column (the demo names some).
    assert rows[3][-1] == "Фактор риска"
    named = set(
        revision.lines.exclude(risk_factor=None).values_list("risk_factor__name", flat=True)
    )
    assert named and named <= {row[-1] for row in rows[4:]}


def test_the_xlsx_types_its_cells_and_never_writes_a_formula(client_of):
    import zipfile

    from openpyxl import load_workbook

    revision = working()
    line = revision.lines.order_by("date_from").first()
    hostile = {
        "title": '=HYPERLINK("http://example.com","Нажмите")',
        "audience": "+7 900 000-00-00",
        "direction": "-1+1",
        "expected_result": "@SUM(A1:A2)",
    }
    services.update_line(
        line, actor=user("head_center"), date_kind="period", date_to=date(2026, 9, 30), **hostile
    )
    response = client_of("rmk_dmitriev").get(reverse("plans:export", args=[revision.pk]))
    raw = zipfile.ZipFile(io.BytesIO(response.content))
    sheets = [name for name in raw.namelist() if name.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in raw.read(name) for name in sheets), "no formula cell"

    book = load_workbook(io.BytesIO(response.content))
    sheet = book["План"]
    header = [cell.value for cell in sheet[4]]
    row = next(
        r
        for r in sheet.iter_rows(min_row=5)
        if r[header.index("Мероприятие")].value == hostile["title"]
    )
    cells = {name: row[header.index(name)] for name in header}
    for column, field in [
        ("Мероприятие", "title"),
        ("Целевая аудитория", "audience"),
        ("Направление", "direction"),
        ("Ожидаемый результат", "expected_result"),
    ]:
        cell = cells[column]
        assert cell.value == hostile[field] and cell.data_type == "s" and cell.quotePrefix
    start, end = cells["Начало"], cells["Окончание"]
    assert start.is_date and start.number_format == "DD.MM.YYYY"
    assert start.value.date() == line.date_from
    assert end.is_date and end.value.date() == date(2026, 9, 30)
    assert cells["№"].value == 1 and cells["№"].data_type == "n"
    assert not cells["Сроки"].quotePrefix, "only what could be read as a formula is quoted"

    # The edit asked every school again; last year's plan has every decision dated.
    approved = plan(2025).revisions.get()
    response = client_of("rmk_dmitriev").get(reverse("plans:export", args=[approved.pk]))
    visas = load_workbook(io.BytesIO(response.content))["Лист согласования"]
    assert [cell.value for cell in visas[1]][3:5] == ["Решение", "Дата"]
    dates = [row[4] for row in visas.iter_rows(min_row=2)]
    assert len(dates) == 5
    assert all(cell.is_date and cell.number_format == "DD.MM.YYYY" for cell in dates)
    assert {cell.value.date() for cell in dates} == {
        timezone.localtime(visa.decided_at).date() for visa in approved.visas.all()
    }


def test_a_plan_in_work_prints_as_a_draft_on_every_page(client_of):
    from pypdf import PdfReader

    revision = working()
    response = client_of("school_b").get(reverse("plans:pdf", args=[revision.pk]))
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) >= 2
    for page in pages:
        assert "ПРОЕКТ" in page.extract_text()
    text = " ".join(" ".join(p.extract_text() for p in pages).split())
    assert "ЛИСТ СОГЛАСОВАНИЯ" in text.upper()


def test_the_hub_director_approves_with_utverzhdayu_when_the_center_says_so(
    django_capture_on_commit_callbacks,
):
    from network_center.centers.models import Center
    from network_center.centers.services import centers as center_services

    center = Center.objects.get(hub__short_name=HUB)
    center_services.update_center(center, actor=user("uo_dmitriev"), plan_approver="hub_director")
    revision = working()
    agree_all(revision)
    with pytest.raises(Exception, match="не доступно"):
        services.approve(revision, actor=user("chief_dmitriev"), password="demo12345")
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(revision, actor=user("director_sosh2"), password="demo12345")
    revision.refresh_from_db()
    document = revision.approval_document
    assert document.kind == "plan" and document.approval_by_signature
    assert document.issuer == center.hub and document.number.endswith("-ОД")
    from pypdf import PdfReader

    text = PdfReader(document.pdf.open("rb")).pages[0].extract_text()
    assert "УТВЕРЖДАЮ" in text


def test_a_nul_character_is_refused_by_the_service_not_the_database():
    line = working().lines.first()
    with pytest.raises(services.PlanError):
        services.update_line(line, actor=user("head_center"), title="a\x00b")


@pytest.mark.parametrize(
    "persona",
    ["school_a", "school_b", "school_c", "school_d", "school_e", "director_sosh2", "wg_member"],
)
def test_the_approved_plans_pdf_opens_for_everyone_who_sees_the_plan(client_of, persona):
    revision = plan(2025).revisions.get()
    client = client_of(persona)
    page = client.get(reverse("plans:detail", args=[revision.plan_id])).content.decode()
    link = reverse("documents:pdf", args=[revision.approval_document_id])
    assert link in page
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_who_cannot_approve_yet_is_told_why(client_of):
    revision = working()
    url = reverse("plans:detail", args=[revision.plan_id])
    page = client_of("chief_dmitriev").get(url).content.decode()
    pending = [v.school.short_name for v in revision.visas.exclude(decision__in=Visa.AGREEING)]
    assert pending
    n, total = len(pending), revision.visas.count()
    waiting = {1: "ждёт согласования 1 школа", 2: "ждут согласования 2 школы"}.get(
        n, f"ждут согласования {n} школ" if n > 4 else f"ждут согласования {n} школы"
    )
    assert f"Утвердить план пока нельзя: {waiting} из {total} — " in page
    for name in pending:
        assert name.replace("«", "&laquo;") in page or name in page
    agree_all(revision)
    told = client_of("uo_dmitriev").get(url).content.decode()
    assert "Утверждает лицо с правом подписи от имени" in told
    assert "ждут согласования" not in told and "ждёт согласования" not in told
