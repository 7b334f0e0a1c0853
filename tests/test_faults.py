"""Faults a user must live through (issue 14; ``bench/faults.py`` plays them for real): the
database unreachable — the «Сервис временно недоступен» page (503), and the next request works —;
the mail server refusing connections — the action done, the mail sent by the worker later —; the
task worker stopped — a signed act's PDF waits in the queue, the act's pages say so, and the
worker renders it when it returns —; the worker losing the database — it waits and goes on —;
a change and its tasks committed together or not at all. A full object store on upload:
tests/test_object_storage.py.
"""

import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.db.utils import OperationalError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from network_center import unavailable
from network_center.documents import services
from network_center.management.commands import db_worker
from network_center.management.commands.db_worker import Worker
from network_center.notifications.models import Notification
from network_center.notifications.services import notify
from network_center.notifications.tasks import RETRY_DELAYS
from plans.models import Plan
from schools.models import Person

from .test_documents import new_draft, sign, user

pytestmark = pytest.mark.django_db

HUB = "МКОУ «СОШ № 2 г. Дмитриева»"
DOWN_RU = "Сервис временно недоступен"
DOWN_EN = "Service temporarily unavailable"
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def database_down(only=""):
    """A wrapper of every query that fails it as PostgreSQL does while it restarts; with
    ``only``, just the queries naming that table (the database went away mid-request)."""

    def fail(execute, sql, params, many, context):
        if only in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    return connection.execute_wrapper(fail)


def test_with_the_database_down_a_page_says_so_in_russian_and_the_next_request_works(client_of):
    client = client_of("uo_dmitriev")
    # The session is read (and fails) in a middleware: Django's test client would re-raise what
    # its handler logged; a browser gets the page.
    client.raise_request_exception = False
    with database_down():
        response = client.get(reverse("plans:list"))
    assert response.status_code == 503
    assert response["Retry-After"] == str(unavailable.RETRY_AFTER_SECONDS)
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    # Every query failed, so the page was rendered without one.
    assert f'<h1 class="h3">{DOWN_RU}</h1>' in html and '<html lang="ru">' in html
    assert "либо сохранено целиком, либо не сохранено вовсе" in html
    assert "css/app.css" in html  # the site's look

    assert client.get(reverse("plans:list")).status_code == 200


def test_a_user_reading_english_is_told_in_english(client_of):
    Person.objects.filter(user__username="school_a").update(language="en")
    plan = Plan.objects.filter(center__hub__short_name=HUB).order_by("-year").first()
    client = client_of("school_a")
    # The user is known (their language with them); the plan's query fails in the view.
    with database_down(only=Plan._meta.db_table):
        response = client.get(reverse("plans:detail", args=[plan.pk]))
    assert response.status_code == 503 and response["Content-Language"] == "en"
    html = response.content.decode()
    assert DOWN_EN in html and DOWN_RU not in html and '<html lang="en">' in html
    assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == 200


def test_the_broken_connections_are_closed_but_not_one_inside_a_transaction(monkeypatch):
    class Connection:
        def __init__(self, in_atomic_block):
            self.in_atomic_block, self.closed = in_atomic_block, False

        def close(self):
            self.closed = True

    idle, busy = Connection(False), Connection(True)
    monkeypatch.setattr(unavailable.connections, "all", lambda initialized_only=False: [idle, busy])
    unavailable.close_broken_connections()
    assert idle.closed and not busy.closed


def a_worker(worker_id):
    """``manage.py db_worker``'s worker, in batch mode: it stops when no task is due."""
    return Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def run_ready_tasks():
    """What ``manage.py db_worker`` does with each task that is due (inside the test's
    transaction: the worker's loop would close the connection between tasks)."""
    worker = a_worker("test")
    ran = list(DBTaskResult.objects.ready())
    for task in ran:
        task.claim(worker.worker_id)
        worker.run_task(task)
    return ran


def closed_port():
    """A loopback port nothing listens on: the mail server is down (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@override_settings(
    TASKS=DATABASE_QUEUE,
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    EMAIL_HOST="127.0.0.1",
    EMAIL_PORT=closed_port(),
    EMAIL_TIMEOUT=2,
)
def test_with_the_mail_server_down_the_worker_retries_and_sends_when_it_is_back(
    django_capture_on_commit_callbacks,
):
    school_a = user("school_a")
    school_a.email = "school_a@example.ru"
    school_a.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        notify([school_a], "План ждёт согласования.", "/plans/")
    # The in-app notification is there whatever the mail does.
    assert school_a.notifications.filter(text="План ждёт согласования.").exists()

    (first,) = run_ready_tasks()
    first.refresh_from_db()
    assert first.status == "FAILED" and "ConnectionRefusedError" in first.exception_class_path
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["args"][3] == 2  # the second attempt
    waits = retry.run_after - first.finished_at
    assert RETRY_DELAYS[0] - timedelta(seconds=5) < waits <= RETRY_DELAYS[0]
    assert not run_ready_tasks()  # not before its time

    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())  # a minute on
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        run_ready_tasks()
    retry.refresh_from_db()
    assert retry.status == "SUCCESSFUL"
    assert [m.to for m in mail.outbox] == [["school_a@example.ru"]]


@override_settings(TASKS=DATABASE_QUEUE)
def test_with_the_worker_stopped_the_pdf_waits_and_is_served_once_rendered(
    client_of, django_capture_on_commit_callbacks
):
    signed = sign(new_draft(), django_capture_on_commit_callbacks)
    signed.refresh_from_db()
    assert signed.is_signed and signed.number and not signed.pdf
    assert DBTaskResult.objects.ready().filter(task_path__endswith="render_signed_pdf").exists()

    client = client_of("uo_dmitriev")
    assert "PDF готовится" in client.get(reverse("documents:detail", args=[signed.pk])).text
    waiting = client.get(reverse("documents:pdf", args=[signed.pk]))
    assert waiting.status_code == 200 and "PDF готовится" in waiting.text

    run_ready_tasks()  # the worker is back
    signed.refresh_from_db()
    assert signed.pdf and signed.pdf_sha256
    pdf = client.get(reverse("documents:pdf", args=[signed.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


class Boom(Exception):
    pass


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_notification_and_its_mail_are_committed_with_the_change_or_not_at_all():
    school_a = user("school_a")
    with pytest.raises(Boom), transaction.atomic():
        notify([school_a], "План ждёт согласования.", "/plans/")
        # Written in the change's own transaction: no commit can leave the change without them.
        assert DBTaskResult.objects.filter(task_path__endswith="send_notification_email").exists()
        assert school_a.notifications.filter(text="План ждёт согласования.").exists()
        raise Boom  # the change fails
    assert not DBTaskResult.objects.exists()
    assert not Notification.objects.filter(text="План ждёт согласования.").exists()


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_signed_acts_pdf_task_is_queued_in_the_signatures_transaction():
    # No on-commit callback is run here (the test's transaction never commits): the task is
    # already a row of the queue, as the signature is.
    signed = services.sign_document(new_draft(), actor=user("chief_dmitriev"), password="demo12345")
    assert signed.is_signed
    (task,) = DBTaskResult.objects.ready().filter(task_path__endswith="render_signed_pdf")
    assert task.args_kwargs["args"][0] == signed.pk


@override_settings(
    TASKS=DATABASE_QUEUE, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
)
def test_the_worker_waits_out_the_database_and_requeues_the_task_it_lost(monkeypatch):
    school_a = user("school_a")
    school_a.email = "school_a@example.ru"
    school_a.save(update_fields=["email"])
    notify([school_a], "План утверждён.", "/plans/")
    (task,) = DBTaskResult.objects.ready()
    task.claim("worker-1")  # it was running when PostgreSQL went away

    failures = iter([OperationalError("server closed the connection unexpectedly")] * 3)

    def close_old_connections():
        error = next(failures, None)
        if error is not None:
            raise error

    monkeypatch.setattr(db_worker.base, "close_old_connections", close_old_connections)
    # Inside the test's transaction: nothing to reconnect, and no time to wait.
    monkeypatch.setattr(db_worker.connections, "close_all", lambda: None)
    monkeypatch.setattr(Worker, "pause", lambda self, seconds: None)
    worker = a_worker("worker-1")
    worker.interrupted = task
    worker.run()  # django-tasks' own worker exits at the first of these failures

    assert worker.waits == [1.0, 2.0, 4.0]  # and then the database answered
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL" and task.worker_ids == ["worker-1", "worker-1"]
    assert [m.to for m in mail.outbox] == [["school_a@example.ru"]]


def test_a_connection_dropped_by_a_restart_is_replaced_at_the_sessions_read(client_of, monkeypatch):
    from schools import sessions

    client = client_of("uo_dmitriev")
    key = client.cookies["sessionid"].value
    real = connection

    class Dropped:
        """The process's kept connection after PostgreSQL restarted: its first query fails."""

        in_atomic_block = False  # between requests, as in a server (the test's own is open)

        def __init__(self):
            self.closed = 0
            self.cursors = 0

        def __getattr__(self, name):
            return getattr(real, name)

        def cursor(self):
            self.cursors += 1
            if not self.closed:
                raise OperationalError("server closed the connection unexpectedly")
            return real.cursor()

        def close(self):
            self.closed += 1

    dropped = Dropped()
    monkeypatch.setattr(sessions, "connections", {"default": dropped})
    data = sessions.SessionStore(session_key=key).load()
    # Read on a new connection: no 503 for the first request after the restart.
    assert data["_auth_user_id"] == str(user("uo_dmitriev").pk)
    assert (dropped.closed, dropped.cursors) == (1, 2)

    # Inside a transaction nothing is repeated: the error is the request's (503).
    dropped = Dropped()
    dropped.in_atomic_block = True
    monkeypatch.setattr(sessions, "connections", {"default": dropped})
    with pytest.raises(OperationalError):
        sessions.SessionStore(session_key=key).load()
    assert (dropped.closed, dropped.cursors) == (0, 1)


@override_settings(TASKS=DATABASE_QUEUE)
def test_the_tasks_of_a_worker_that_died_are_queued_again_by_those_alive():
    from network_center import workers
    from schools.models import WorkerBeat

    now = timezone.now()
    long_ago = now - timedelta(seconds=workers.DEAD_AFTER + 30)
    for text in ("killed", "alive", "just claimed"):
        notify([user("school_a")], text, "/plans/")
    killed, alive, just_claimed = (
        DBTaskResult.objects.get(args_kwargs__args__1=text)
        for text in ("killed", "alive", "just claimed")
    )
    for task, worker, started in [
        (killed, "worker-killed", long_ago),  # its worker was kill -9'd
        (alive, "worker-alive", long_ago),  # a long task of a live worker
        (just_claimed, "worker-new", now),  # claimed a moment ago: too soon to say
    ]:
        task.claim(worker)
        DBTaskResult.objects.filter(pk=task.pk).update(started_at=started)
    workers.beat("worker-alive")
    WorkerBeat.objects.create(worker_id="worker-killed", started_at=long_ago, beat_at=long_ago)

    assert workers.requeue_abandoned() == [str(killed.pk)]
    states = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert states[killed.pk] == "READY" and DBTaskResult.objects.ready().filter(pk=killed.pk)
    assert states[alive.pk] == states[just_claimed.pk] == "RUNNING"
    assert workers.requeue_abandoned() == []  # once

    # A worker that stops of its own accord leaves no sign of life behind.
    workers.forget("worker-alive")
    assert not WorkerBeat.objects.filter(pk="worker-alive").exists()
