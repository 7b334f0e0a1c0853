"""Tasks enqueued as part of the change that needs them.

The task queue is a table of the product's database (django-tasks' database backend): a task
enqueued inside a service's transaction is committed with the change or not at all. A signed
act's PDF, a notification's mail, an import's check are thus never lost between a change that
committed and an enqueue that did not (the database going away in between), and never queued
for a change that rolled back; the workers see the task once the transaction commits.

A backend that runs the task in the enqueuing process at once (``DJANGO_TASKS_IMMEDIATE``:
tests, one-off scripts) would run it inside the transaction, before the change is committed —
slow I/O under the transaction's locks, mail for a change that may still roll back. With such a
backend the task is run after the commit instead.
"""

from django.db import transaction


def runs_at_once(task) -> bool:
    """Whether ``task``'s backend runs a task when it is enqueued (no queue, no worker)."""
    from django_tasks.backends.immediate import ImmediateBackend

    return isinstance(task.get_backend(), ImmediateBackend)


def enqueue(task, *args, **kwargs) -> None:
    """``task.enqueue(*args, **kwargs)`` in the current transaction (committed with it), or
    after it commits where the backend would run the task at once."""
    if runs_at_once(task):
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs))
    else:
        task.enqueue(*args, **kwargs)
