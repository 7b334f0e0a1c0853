"""``manage.py db_worker``: django-tasks' database worker, made to outlive the database.

django-tasks' own worker stops (status 1) at the first failed query that is not a locked SQLite
file: a PostgreSQL restart, a failover or a cut network would leave every worker stopped until
something started it again, and the signed PDFs and mail would wait for that. This command is
the same worker with the same options (``INSTALLED_APPS`` lists the project's apps before
django-tasks', so this one is found first), which instead closes the broken connections, waits
(1, 2, 4 … ``MAX_WAIT`` seconds) and goes on.

A task that was running when the database went away cannot have recorded its end: the database
was gone. Once it is back, that task is put back in the queue — every task of this product
checks its own state first (a PDF already stored, an import no longer «writing»), so running it
again is safe, and a notification's mail sent twice is better than one never sent.

While it runs, the worker keeps a sign of life in the database and queues again the tasks of
workers that died without a word (``network_center.workers``).
"""

import logging
import time

from django.db import connections
from django.db.utils import InterfaceError, OperationalError
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands import db_worker as base

from network_center import workers

logger = logging.getLogger("django_tasks_db")

# The longest wait between two attempts to reach the database, in seconds.
MAX_WAIT = 30.0
# A failure this long after the previous one starts the waits at one second again.
CALM = 60.0


class Worker(base.Worker):
    """django-tasks' worker, run again after the database fails it; with ``beats``, it also
    keeps its sign of life and sweeps the dead workers' tasks (``network_center.workers``)."""

    beats = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.interrupted = None  # the task that was running when the database failed
        self.waits = []  # the seconds waited after each failure, for the tests

    def run_task(self, db_task_result):
        self.interrupted = db_task_result
        super().run_task(db_task_result)
        self.interrupted = None

    def run(self):
        heart = workers.Heart(self.worker_id) if self.beats else None
        if heart is not None:
            heart.start()
        try:
            self.run_through_failures()
        finally:
            if heart is not None:
                heart.stop()

    def run_through_failures(self):
        wait, failed_at = 1.0, None
        while self.running:
            try:
                self.requeue_interrupted()
                super().run()
                return
            except (OperationalError, InterfaceError) as error:
                now = time.monotonic()
                calm = failed_at is None or now - failed_at > CALM
                wait = 1.0 if calm else min(2 * wait, MAX_WAIT)
                failed_at = now
                first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
                logger.warning(
                    "Database unreachable (%s); worker_id=%s tries again in %.0f s",
                    first_line,
                    self.worker_id,
                    wait,
                )
                connections.close_all()
                self.waits.append(wait)
                self.pause(wait)

    def pause(self, seconds):
        """Sleep ``seconds``, or less if the worker is told to stop meanwhile."""
        deadline = time.monotonic() + seconds
        while self.running and time.monotonic() < deadline:
            time.sleep(min(0.25, max(0.0, deadline - time.monotonic())))

    def requeue_interrupted(self):
        """The task the database's failure interrupted, back in the queue (if it is still
        marked as running: another worker may have finished or failed it since)."""
        task = self.interrupted
        if task is None:
            return
        requeued = (
            type(task)
            .objects.filter(pk=task.pk, status=TaskResultStatus.RUNNING)
            .update(status=TaskResultStatus.READY, started_at=None)
        )
        self.interrupted = None
        if requeued:
            logger.warning("Task id=%s interrupted by the database: queued again", task.pk)


class BeatingWorker(Worker):
    beats = True


class Command(base.Command):
    help = base.Command.help + " (that waits for the database when it is unreachable)"

    def handle(self, *args, **options):
        # The base command builds its Worker by name from its module: this one instead.
        original = base.Worker
        base.Worker = BeatingWorker
        try:
            return super().handle(*args, **options)
        finally:
            base.Worker = original
