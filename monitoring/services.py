"""Every change of monitoring data: creating a campaign, uploading a file of values, its
check, its confirmation.

Each asks the rule first (``schools.permissions.require``), then changes inside one
transaction. An upload is stored and recorded «queued» (``submit_import``); a task checks it as a
whole (``check_import``): an invalid file ends «failed» with its errors by row and column and
writes no value; a valid one ends in «preview» holding the validated values, and only its
confirmation writes them — in one transaction, as bulk upserts.
"""

import hashlib
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from schools import outbox
from schools.models import Organisation
from schools.permissions import require

from . import importing, tasks
from .models import Campaign, ImportRecord, Indicator, IndicatorValue

logger = logging.getLogger(__name__)


def create_campaign(*, actor, municipality, year, name, indicators=None) -> Campaign:
    """A new open campaign of ``municipality`` collecting ``indicators`` (all by default)."""
    require(actor, "monitoring.add_campaign", municipality)
    with transaction.atomic():
        if Campaign.objects.filter(municipality=municipality, year=year).exists():
            raise ValidationError(
                _("Кампания за %(year)s/%(next)s учебный год уже есть.")
                % {"year": year, "next": year + 1},
                code="duplicate",
            )
        campaign = Campaign.objects.create(
            municipality=municipality, year=year, name=name, created_by=actor
        )
        campaign.indicators.set(indicators if indicators is not None else Indicator.objects.all())
    return campaign


def campaign_schools(campaign):
    """The schools of the campaign's municipality, the rows of its template and its table."""
    return Organisation.objects.filter(
        municipality_id=campaign.municipality_id, kind=Organisation.Kind.SCHOOL
    ).order_by("short_name", "pk")


def campaign_indicators(campaign):
    return campaign.indicators.order_by("position", "code")


def template_for(campaign, *, actor) -> bytes:
    """The XLSX template of ``campaign`` (its schools × its indicators)."""
    require(actor, "monitoring.import_values", campaign)
    return importing.build_template(
        campaign, list(campaign_schools(campaign)), list(campaign_indicators(campaign))
    )


def _compare(campaign, values):
    """``values`` against the stored ones: ``(created, updated, unchanged, to_write)`` — the
    counts, and the values that are new or changed (the only ones a confirmation writes)."""
    stored = {
        (school, indicator): value
        for school, indicator, value in IndicatorValue.objects.filter(campaign=campaign)
        .order_by()
        .values_list("school_id", "indicator_id", "value")
        .iterator(chunk_size=20000)
    }
    created = updated = 0
    to_write = []
    for school, indicator, value in values:
        old = stored.get((school, indicator))
        if old is None:
            created += 1
        elif old == value:
            continue
        else:
            updated += 1
        to_write.append((school, indicator, value))
    return created, updated, len(values) - len(to_write), to_write


def _counts(campaign, values):
    """How many of ``values`` would be new, changed and unchanged against the stored ones."""
    return _compare(campaign, values)[:3]


def _upsert(campaign, record, values, now) -> None:
    """Write ``values`` (new or changed) as ``record``'s, one statement per ``CONFIRM_BATCH``.

    On PostgreSQL the batch travels as three arrays unnested by the server (the ORM's
    ``bulk_create`` would build a model instance and a placeholder per value: most of the time
    of a 100,000-value confirmation); elsewhere ``bulk_create`` does the same upsert."""
    if connection.vendor == "postgresql":
        meta = IndicatorValue._meta
        column = {f.name: connection.ops.quote_name(f.column) for f in meta.concrete_fields}
        sql = (
            f"INSERT INTO {connection.ops.quote_name(meta.db_table)} "
            f"({column['campaign']}, {column['school']}, {column['indicator']}, "
            f"{column['value']}, {column['import_record']}, {column['updated_at']}) "
            "SELECT %s, t.school, t.indicator, t.value, %s, %s "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::numeric[]) AS t(school, indicator, value) "
            f"ON CONFLICT ({column['campaign']}, {column['school']}, {column['indicator']}) "
            f"DO UPDATE SET {column['value']} = EXCLUDED.{column['value']}, "
            f"{column['import_record']} = EXCLUDED.{column['import_record']}, "
            f"{column['updated_at']} = EXCLUDED.{column['updated_at']}"
        )
        with connection.cursor() as cursor:
            for start in range(0, len(values), CONFIRM_BATCH):
                batch = values[start : start + CONFIRM_BATCH]
                cursor.execute(
                    sql,
                    [
                        campaign.pk,
                        record.pk,
                        now,
                        [s for s, _i, _v in batch],
                        [i for _s, i, _v in batch],
                        [v for _s, _i, v in batch],
                    ],
                )
        return
    for start in range(0, len(values), CONFIRM_BATCH):
        IndicatorValue.objects.bulk_create(
            [
                IndicatorValue(
                    campaign_id=campaign.pk,
                    school_id=s,
                    indicator_id=i,
                    value=v,
                    import_record_id=record.pk,
                    updated_at=now,
                )
                for s, i, v in values[start : start + CONFIRM_BATCH]
            ],
            update_conflicts=True,
            unique_fields=["campaign", "school", "indicator"],
            update_fields=["value", "import_record", "updated_at"],
        )


# The states an import goes through, and who moves it (deny by default: any other move is
# refused by ``_move``):
#   queued ──check_import──▶ checking ──▶ preview ──confirm_import──▶ imported
#     └──────────────────────────┴──────▶ failed   │  (more than WRITE_IN_REQUEST values:)
#   (the file's errors, or «не удалось прочитать»)  └──▶ writing ──write_import──▶ imported
#                                                  preview ◀──(the write broke, nothing written)
State = ImportRecord.State
TRANSITIONS = {
    State.QUEUED: {State.CHECKING, State.FAILED},
    State.CHECKING: {State.PREVIEW, State.FAILED},
    State.PREVIEW: {State.IMPORTED, State.WRITING},
    # A large import is written by a task; if the task breaks, nothing was written (one
    # transaction) and the record is back in «preview», to be confirmed again.
    State.WRITING: {State.IMPORTED, State.PREVIEW},
}
# Imports of more values than this are written by a task (``write_import``), the page showing
# that they are being written; smaller ones in the request that confirms them (well under a
# second: one upsert per ``CONFIRM_BATCH``).
WRITE_IN_REQUEST = 20_000
WRITE_BROKE = _(
    "Значения не удалось записать: при записи произошла ошибка, ничего не сохранено. "
    "Подтвердите загрузку ещё раз; если ошибка повторится, сообщите администратору."
)
# Said when the check itself broke (a damaged file openpyxl chokes on halfway, a lost stored
# file, a bug): the record must not stay «проверяется» for ever.
CHECK_BROKE = _(
    "Файл не удалось прочитать до конца: при проверке произошла ошибка. Ничего не сохранено. "
    "Загрузите файл снова; если ошибка повторится, сообщите администратору."
)


# Said when the file storage refuses an upload (disk or object store full or unreachable).
STORAGE_FAILED = gettext_lazy(
    "Файл не удалось сохранить: хранилище файлов переполнено или недоступно. Ничего не "
    "загружено. Попробуйте позже; если ошибка повторится, сообщите администратору."
)


def _move(record, to_state, *fields):
    """Move the locked ``record`` to ``to_state`` and save it with ``fields``."""
    if to_state not in TRANSITIONS.get(record.state, ()):
        raise ValidationError(
            _("Импорт в состоянии «%(state)s» нельзя перевести в «%(to)s».")
            % {"state": record.get_state_display(), "to": State(to_state).label},
            code="state",
        )
    record.state = to_state
    record.save(update_fields=["state", *fields])


def submit_import(campaign, *, actor, upload, file_name: str | None = None) -> ImportRecord:
    """Keep the uploaded file (``upload``: a Django ``File``) and queue its check: a new
    ImportRecord in «queued» with who, when, the file's name, size and SHA-256. The check
    (``check_import``) runs as a task after the commit, for a file of any size; its page shows
    the progress."""
    require(actor, "monitoring.import_values", campaign)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    sha256 = digest.hexdigest()
    record = ImportRecord(
        campaign=campaign,
        state=State.QUEUED,
        uploaded_by=actor,
        file_name=(file_name or upload.name or "values.xlsx")[:255],
        file_size=upload.size,
        sha256=sha256,
    )
    # Written before the transaction: storage may be slow or remote (object storage), and no
    # row should wait on it locked. The stored name is ours; the user's stays in file_name.
    try:
        record.file.save(f"{campaign.pk}-{sha256[:16]}.xlsx", upload, save=False)
    except Exception as exc:
        # Whatever the storage raises (OSError of a full disk, botocore's errors of an object
        # store): the user is told on the form, no record is queued for a file that is not there.
        logger.exception("Could not store the import file of campaign %s", campaign.pk)
        raise ValidationError({"file": STORAGE_FAILED}, code="storage") from exc
    try:
        with transaction.atomic():
            record.save()
            outbox.enqueue(tasks.check_import, record.pk)
    except BaseException:
        # No record names the stored file: it goes, not to lie in the storage for ever.
        record.file.storage.delete(record.file.name)
        raise
    return record


def check_import(record_id: int) -> importing.Parsed | None:
    """Check the stored file of the queued import ``record_id`` (the work of the task
    ``monitoring.tasks.check_import``): «queued» → «checking», the rows read with the progress
    saved as it goes, then «preview» with the validated values and the counts the
    confirmation would give now, or «failed» with the errors by row and column. No value is
    written either way. Returns what was read, or ``None`` when the record is past the check
    (checked already). A record left «checking» — its worker killed, or the database lost under
    it, and the task queued again (``network_center.workers``) — is checked again from the
    start; were it still being checked, the later of the two verdicts finds the first one
    given and stands aside."""
    with transaction.atomic():
        record = (
            ImportRecord.objects.select_for_update()
            .select_related("campaign")
            .defer("payload")
            .filter(pk=record_id)
            .first()
        )
        if record is None or record.state not in (State.QUEUED, State.CHECKING):
            return None
        record.processed_rows = 0
        if record.state == State.QUEUED:
            _move(record, State.CHECKING, "processed_rows")
        else:
            record.save(update_fields=["processed_rows"])
    campaign = record.campaign
    school_rows = list(campaign_schools(campaign).values_list("pk", "short_name", "full_name"))
    schools = {pk: short for pk, short, _full in school_rows}
    names = importing.school_names(school_rows)
    indicators = {i.code: i for i in campaign_indicators(campaign)}

    def progress(processed, total):
        # Outside any transaction: each report is committed at once, for the page that polls.
        record.processed_rows = processed
        record.total_rows = total
        record.save(update_fields=["processed_rows", "total_rows"])

    with record.file.open("rb") as stored:
        parsed = importing.read_workbook(
            stored, schools=schools, indicators=indicators, progress=progress, names=names
        )
    counts = _counts(campaign, parsed.values) if parsed.ok else (0, 0, 0)
    with transaction.atomic():
        record = ImportRecord.objects.select_for_update().defer("payload").get(pk=record_id)
        if record.state != State.CHECKING:
            return parsed  # failed meanwhile (``fail_import``): that verdict stands
        record.total_rows = record.processed_rows = parsed.processed_rows
        record.rows = parsed.rows
        counted = ["total_rows", "processed_rows", "rows"]
        if parsed.ok:
            record.values_count = len(parsed.values)
            record.created_count, record.updated_count, record.unchanged_count = counts
            record.payload = [[s, i, str(v)] for s, i, v in parsed.values]
            _move(
                record,
                State.PREVIEW,
                *counted,
                "values_count",
                "created_count",
                "updated_count",
                "unchanged_count",
                "payload",
            )
        else:
            record.errors = parsed.errors
            record.error_count = parsed.error_count
            _move(record, State.FAILED, *counted, "errors", "error_count")
    return parsed


def fail_import(record_id: int, message: str = CHECK_BROKE) -> None:
    """The check of ``record_id`` broke: the record goes «failed» with ``message`` (never left
    «queued» or «checking»); a record already past the check stays as it is."""
    with transaction.atomic():
        record = (
            ImportRecord.objects.select_for_update().defer("payload").filter(pk=record_id).first()
        )
        if record is None or record.state not in (State.QUEUED, State.CHECKING):
            return
        record.errors = [str(message)]
        record.error_count = 1
        _move(record, State.FAILED, "errors", "error_count")


def preview_import(campaign, *, actor, data: bytes, file_name: str):
    """Upload ``data`` and check it at once, in this process (the demo, scripts): the same
    ``submit_import`` and ``check_import`` as a user's upload and its task. Returns
    ``(record, parsed)``: the record in «preview» or «failed», and what was read."""
    record = submit_import(
        campaign, actor=actor, upload=ContentFile(data, name=file_name), file_name=file_name
    )
    parsed = check_import(record.pk)
    record.refresh_from_db()
    return record, parsed


# Why a record cannot be confirmed, by its state.
NOT_CONFIRMABLE = {
    State.QUEUED: _("Файл ещё проверяется: подтвердить загрузку можно после проверки."),
    State.CHECKING: _("Файл ещё проверяется: подтвердить загрузку можно после проверки."),
    State.FAILED: _("В файле есть ошибки, загружать нечего: исправьте их и загрузите файл снова."),
    State.WRITING: _("Значения этого файла уже записываются."),
    State.IMPORTED: _("Этот файл уже загружен."),
}
# Values written per INSERT … ON CONFLICT statement: one query per batch.
CONFIRM_BATCH = 5000


def confirm_import(record, *, actor) -> ImportRecord:
    """The department confirms a previewed import: up to ``WRITE_IN_REQUEST`` values are
    written at once (``write_values``); a larger import goes «writing» and is written by the
    task ``monitoring.tasks.write_import`` after the commit — the page shows it being written
    and never waits on it. Who confirmed and when is recorded either way."""
    require(actor, "monitoring.import_values", record.campaign)
    if record.values_count <= WRITE_IN_REQUEST:
        return write_values(record, actor=actor)
    with transaction.atomic():
        record = ImportRecord.objects.select_for_update().defer("payload").get(pk=record.pk)
        campaign = Campaign.objects.select_for_update().get(pk=record.campaign_id)
        _check_confirmable(record, campaign, State.PREVIEW)
        record.confirmed_by = actor
        record.confirmed_at = timezone.now()
        _move(record, State.WRITING, "confirmed_by", "confirmed_at")
        outbox.enqueue(tasks.write_import, record.pk)
    return record


def _check_confirmable(record, campaign, expected):
    if record.state != expected:
        raise ValidationError(
            NOT_CONFIRMABLE.get(record.state, _("Этот файл уже загружен.")), code="state"
        )
    if campaign.state != Campaign.State.OPEN:
        raise ValidationError(_("Кампания закрыта."), code="state")


def write_values(record, *, actor, queued=False) -> ImportRecord:
    """Write the values of a confirmed import: new ones created, changed ones updated (an
    unchanged one is left as it is), in one transaction, one upsert statement per
    ``CONFIRM_BATCH`` values; the record says how many of each (counted again at this moment,
    since the values may have changed since the preview). ``queued``: the task writing an
    import that was confirmed into «writing»."""
    with transaction.atomic():
        record = ImportRecord.objects.select_for_update().get(pk=record.pk)
        campaign = Campaign.objects.select_for_update().get(pk=record.campaign_id)
        _check_confirmable(record, campaign, State.WRITING if queued else State.PREVIEW)
        # The schools and indicators may have left the campaign since the preview.
        schools = set(campaign_schools(campaign).values_list("pk", flat=True))
        indicators = set(campaign.indicators.values_list("pk", flat=True))
        values = [
            (s, i, Decimal(v)) for s, i, v in record.payload if s in schools and i in indicators
        ]
        created, updated, unchanged, to_write = _compare(campaign, values)
        now = timezone.now()
        # An unchanged value is not written again: it keeps the import that set it.
        _upsert(campaign, record, to_write, now)
        if not queued:
            record.confirmed_by = actor
            record.confirmed_at = now
        record.values_count = len(values)
        record.errors = []  # a failed write's message, if this is a second confirmation
        record.created_count = created
        record.updated_count = updated
        record.unchanged_count = unchanged
        _move(
            record,
            State.IMPORTED,
            "confirmed_by",
            "confirmed_at",
            "values_count",
            "errors",
            "created_count",
            "updated_count",
            "unchanged_count",
        )
    return record


def fail_write(record_id) -> None:
    """The task writing ``record_id`` broke: nothing of it was written (its transaction rolled
    back); the record goes back to «preview», saying so, to be confirmed again."""
    with transaction.atomic():
        record = ImportRecord.objects.select_for_update().defer("payload").get(pk=record_id)
        if record.state != State.WRITING:
            return
        record.errors = [str(WRITE_BROKE)]
        record.confirmed_by = None
        record.confirmed_at = None
        _move(record, State.PREVIEW, "errors", "confirmed_by", "confirmed_at")
