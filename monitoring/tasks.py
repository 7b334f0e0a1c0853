"""Slow work of monitoring, run by the task workers (``manage.py db_worker``).

An uploaded file of values is checked here, after the upload commits, whatever its size: the
request that uploads only stores the file, and the import's page shows the progress of the
check until it ends in «предпросмотр» or «файл с ошибками». A check that breaks on an exception
still ends: the record goes «файл с ошибками» with «Файл не удалось прочитать…», and the
exception stays in the log and in the task's result for an operator.
"""

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def check_import(record_id: int) -> str | None:
    """Check the stored file of the queued import ``record_id`` (``services.check_import``);
    returns the state it ended in (``None``: it was not queued — checked already)."""
    from .models import ImportRecord
    from .services import check_import as check
    from .services import fail_import

    try:
        parsed = check(record_id)
    except Exception:
        logger.exception("Checking the monitoring import %s failed", record_id)
        fail_import(record_id)
        raise
    if parsed is None:
        return None
    return ImportRecord.objects.values_list("state", flat=True).get(pk=record_id)
