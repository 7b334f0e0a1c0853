"""Task workers' signs of life, and the tasks of the workers that died.

django-tasks' database queue marks a task «running» when a worker claims it and records its end
when the worker finishes it. A worker killed meanwhile — ``kill -9``, the kernel's OOM killer,
a machine switched off — records nothing: its task stays «running» and no worker takes it
again (a signed act at «PDF готовится», an import at «проверяется» for good). So each
``manage.py db_worker`` writes a ``WorkerBeat`` row when it starts and renews it every ``BEAT``
seconds from a thread of its own (a long task does not silence it), and removes it when it
stops; every ``SWEEP`` seconds that thread also queues again each task still «running» under a
worker not heard of for ``DEAD_AFTER`` seconds (``requeue_abandoned``). Any number of workers on
any number of machines sweep, and a task is taken back once: the update is conditional on the
task being still «running» under that worker.

Running a task again is safe in this product: every task checks its own state first (a PDF
already stored is left alone, an import already checked or written is not touched again, an
interrupted check starts over), and a notification's mail sent twice is better than never.
"""

import logging
import os
import socket
import threading
from contextlib import suppress
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from schools.models import WorkerBeat

logger = logging.getLogger("django_tasks_db")

# Seconds between two signs of life, between two looks for abandoned tasks, and of silence
# after which a worker is taken for dead (settings TASK_WORKER_*: bench/faults.py shortens them).
BEAT = settings.TASK_WORKER_BEAT_SECONDS
SWEEP = settings.TASK_WORKER_SWEEP_SECONDS
DEAD_AFTER = settings.TASK_WORKER_DEAD_AFTER_SECONDS


def beat(worker_id: str, *, started_at=None) -> None:
    """Record that ``worker_id`` is alive now (its row created on the first beat)."""
    now = timezone.now()
    updated = WorkerBeat.objects.filter(pk=worker_id).update(beat_at=now)
    if not updated:
        WorkerBeat.objects.update_or_create(
            pk=worker_id,
            defaults={
                "host": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": started_at or now,
                "beat_at": now,
            },
        )


def forget(worker_id: str) -> None:
    """``worker_id`` stopped of its own accord: no sign of life to wait for."""
    WorkerBeat.objects.filter(pk=worker_id).delete()


def requeue_abandoned(*, now=None, dead_after: float = DEAD_AFTER) -> list[str]:
    """Queue again every task «running» for over ``dead_after`` seconds under a worker that
    has no sign of life that recent (killed, or its machine gone); returns the tasks' ids."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=dead_after)
    alive = set(WorkerBeat.objects.filter(beat_at__gte=cutoff).values_list("pk", flat=True))
    running = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=cutoff
    ).values_list("pk", "worker_ids", "started_at")
    requeued = []
    for pk, worker_ids, started_at in running:
        last = worker_ids[-1] if worker_ids else None
        if last in alive:
            continue
        # Still running under the same claim (a claim sets ``started_at``): another worker
        # may have swept it, or claimed it again, since it was read.
        taken = DBTaskResult.objects.filter(
            pk=pk, status=TaskResultStatus.RUNNING, started_at=started_at
        ).update(status=TaskResultStatus.READY, started_at=None)
        if taken:
            requeued.append(str(pk))
            logger.warning("Task id=%s abandoned by worker %s: queued again", pk, last)
    return requeued


class Heart(threading.Thread):
    """The thread that keeps ``worker_id``'s sign of life and sweeps abandoned tasks, until
    ``stop()``. A database that is away is waited for, as the worker waits for it."""

    def __init__(self, worker_id: str):
        super().__init__(name=f"beat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def run(self):
        next_sweep = 0.0
        elapsed = 0.0
        while not self.stopping.is_set():
            try:
                close_old_connections()
                beat(self.worker_id, started_at=self.started_at)
                if elapsed >= next_sweep:
                    requeue_abandoned()
                    next_sweep = elapsed + SWEEP
            except DatabaseError as error:
                logger.warning("Worker %s could not beat: %s", self.worker_id, error)
                with suppress(DatabaseError):  # a dropped connection may refuse to close
                    connection.close()
            self.stopping.wait(BEAT)
            elapsed += BEAT
        with suppress(DatabaseError):
            connection.close()

    def stop(self):
        self.stopping.set()
        self.join(timeout=BEAT + 5)
        # If the database is away, the row goes silent and is taken for dead after DEAD_AFTER.
        with suppress(DatabaseError):
            forget(self.worker_id)
