"""Slow work on the task queue: a signed act's PDF is rendered by a task after the signature
commits, a failed render is retried later, and until the PDF exists its pages say «PDF
готовится» — a GET never renders or writes anything."""

import pytest
from django.core import mail
from django.urls import reverse

import network_center.documents.pdf as pdf
from network_center.documents import tasks
from network_center.documents.models import DocumentEvent
from network_center.notifications.services import notify

from .test_documents import new_draft, sign, user

pytestmark = pytest.mark.django_db


def _failing(*args, **kwargs):
    raise RuntimeError("the renderer failed")


def test_a_failed_render_leaves_the_signature_and_a_pending_page_that_writes_nothing(
    client_of, django_capture_on_commit_callbacks, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(pdf, "render_document_pdf", _failing)
    signed = sign(new_draft(), django_capture_on_commit_callbacks)
    signed.refresh_from_db()
    assert signed.is_signed and signed.number and not signed.pdf

    events = DocumentEvent.objects.filter(document=signed).count()
    client = client_of("uo_dmitriev")
    client.get(reverse("home"))  # the user and their access are remembered for this version
    # session (+ the data's version), the document in scope for the stored file (none yet),
    # the document again for the pending page, unread notifications (nav)
    with django_assert_num_queries(4):
        response = client.get(reverse("documents:pdf", args=[signed.pk]))
    assert response.status_code == 200
    assert "PDF готовится" in response.content.decode()
    signed.refresh_from_db()
    assert not signed.pdf and DocumentEvent.objects.filter(document=signed).count() == events

    # The document's page offers no download yet and says why.
    page = client_of("uo_dmitriev").get(reverse("documents:detail", args=[signed.pk]))
    assert "PDF готовится" in page.content.decode()

    # The pending page polls a status fragment (no timed refresh), which offers the link once
    # the worker has stored the PDF.
    poll = client_of("uo_dmitriev").get(
        reverse("documents:pdf", args=[signed.pk]), HTTP_HX_REQUEST="true"
    )
    assert 'hx-trigger="every 5s"' in poll.content.decode()
    assert "http-equiv" not in response.content.decode()
    monkeypatch.undo()
    tasks.render_signed_pdf.call(signed.pk)
    ready = (
        client_of("uo_dmitriev")
        .get(reverse("documents:pdf", args=[signed.pk]), HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "PDF готов." in ready and "hx-trigger" not in ready
    assert reverse("documents:pdf", args=[signed.pk]) in ready


def test_signing_enqueues_the_render_and_a_failure_is_retried_later(
    django_capture_on_commit_callbacks, monkeypatch
):
    recording = tasks.render_signed_pdf.using(backend="recording")
    monkeypatch.setattr(tasks, "render_signed_pdf", recording)
    backend = recording.get_backend()
    backend.clear()
    signed = sign(new_draft(), django_capture_on_commit_callbacks)
    assert [r.args for r in backend.results] == [[signed.pk]]
    signed.refresh_from_db()
    assert not signed.pdf  # nothing was rendered in the signing request

    with monkeypatch.context() as patch:
        patch.setattr(pdf, "render_document_pdf", _failing)
        with pytest.raises(RuntimeError):
            recording.call(signed.pk)
    retry = backend.results[-1]
    assert retry.args == [signed.pk, 2]
    assert retry.task.run_after is not None

    digest = recording.call(signed.pk, 2)
    signed.refresh_from_db()
    assert signed.pdf and signed.pdf_sha256 == digest
    # Run again (a duplicate task): the stored file stays the document.
    assert recording.call(signed.pk, 3) == digest
    assert DocumentEvent.objects.filter(document=signed, action="pdf_stored").count() == 1


def test_notification_mail_goes_out_through_the_task_queue(django_capture_on_commit_callbacks):
    school_a = user("school_a")
    school_a.email = "school_a@example.ru"
    school_a.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        notify([school_a], "План ждёт согласования.", "/plans/")
    assert school_a.notifications.filter(text="План ждёт согласования.").exists()
    assert [m.to for m in mail.outbox] == [["school_a@example.ru"]]


def test_a_subject_is_one_line_and_a_failed_send_is_retried_later(settings, monkeypatch):
    from network_center.notifications import tasks as mail_tasks

    school_a = user("school_a")
    school_a.email = "school_a@example.ru"
    school_a.save(update_fields=["email"])
    text = "Предложение «Семинар\r\nпо чтению»\nотклонено:   " + "очень " * 30
    assert mail_tasks.send_notification_email.call([school_a.pk], text) == 1
    subject = mail.outbox[-1].subject
    assert "\n" not in subject and "\r" not in subject and subject.endswith("…")
    assert "Семинар по чтению" in subject

    recording = mail_tasks.send_notification_email.using(backend="recording")
    monkeypatch.setattr(mail_tasks, "send_notification_email", recording)
    backend = recording.get_backend()
    backend.clear()
    settings.EMAIL_BACKEND = "tests.test_plans.FailingBackend"
    with pytest.raises(OSError):
        recording.call([school_a.pk], "План утверждён.")
    retry = backend.results[-1]
    assert retry.args == [[school_a.pk], "План утверждён.", "", 2, ""]
    assert retry.task.run_after is not None


def test_each_recipient_reads_a_notification_in_their_own_language(
    django_capture_on_commit_callbacks,
):
    """The center head reads English and returns a school's proposal: the school's coordinator,
    who reads Russian, is told in Russian. Of two recipients of one notification, each reads it
    — and its mail's subject — in their own interface language."""
    from django.utils.translation import gettext as _

    from plans.models import Proposal
    from plans.services import return_proposal
    from schools.models import Person

    proposal = Proposal.objects.filter(state=Proposal.State.SUBMITTED).first()
    head = user("head_center")
    Person.objects.filter(user=head).update(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        return_proposal(proposal, actor=head, comment="Уточните дату.")
    text = proposal.author.notifications.latest("pk").text
    assert text.startswith(f"Предложение «{proposal.title}»: возвращено"), text

    school_a, hub = user("school_a"), user("director_sosh2")
    Person.objects.filter(user=hub).update(language="en")
    for one in (school_a, hub):
        one.email = f"{one.username}@example.ru"
        one.save(update_fields=["email"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify([school_a, hub], lambda: _("План %(plan)s утверждён.") % {"plan": "2026/2027"})
    assert school_a.notifications.latest("pk").text == "План 2026/2027 утверждён."
    assert hub.notifications.latest("pk").text == "Plan 2026/2027 has been approved."
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects["school_a@example.ru"].startswith("[Сетевое взаимодействие] План")
    assert subjects["director_sosh2@example.ru"].startswith("[Network cooperation] Plan")


def test_a_signed_act_whose_render_was_lost_is_queued_again_by_the_sweep(
    django_capture_on_commit_callbacks, monkeypatch
):
    """A worker killed while rendering, or the database lost between the signature's commit and
    the enqueue: the act waits at «PDF готовится» until ``manage.py requeue_pdfs`` queues it
    again — only once it is overdue, and never one whose PDF is stored."""
    from datetime import timedelta
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    from network_center.documents import services

    with monkeypatch.context() as patch:
        patch.setattr(pdf, "render_document_pdf", _failing)
        lost = sign(new_draft(), django_capture_on_commit_callbacks)
    out = StringIO()
    call_command("requeue_pdfs", stdout=out)  # just signed: its first render may be under way
    lost.refresh_from_db()
    assert not lost.pdf and "ещё в сроке" in out.getvalue()

    later = timezone.now() + services.PDF_OVERDUE + timedelta(minutes=1)
    assert services.requeue_unrendered_pdfs(now=later) == [lost.pk]
    lost.refresh_from_db()
    assert lost.pdf and lost.pdf_sha256  # rendered by the queued task (immediate in tests)
    # Again: the stored PDF is left as it is, nothing is queued for it.
    assert services.requeue_unrendered_pdfs(now=later) == []
    out = StringIO()
    call_command("requeue_pdfs", "--minutes=0", stdout=out)
    assert "ещё в сроке" in out.getvalue()
