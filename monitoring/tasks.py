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


@task()
def write_import(record_id: int) -> str | None:
    """Write the values of the import ``record_id`` confirmed into «writing»
    (``services.write_values``); returns the state it ended in (``None``: not «writing» —
    written already). A write that breaks writes nothing and leaves the record in «preview»."""
    from .models import ImportRecord
    from .services import fail_write, write_values

    record = ImportRecord.objects.defer("payload").filter(pk=record_id).first()
    if record is None or record.state != ImportRecord.State.WRITING:
        return None
    try:
        record = write_values(record, actor=record.confirmed_by, queued=True)
    except Exception:
        logger.exception("Writing the monitoring import %s failed", record_id)
        fail_write(record_id)
        raise
    return record.state
