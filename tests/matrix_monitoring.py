"""Permission-matrix rows of the monitoring URLs (merged into tests/matrix.py).

Who is who (``monitoring/models.py``, ``monitoring/rules.py``): the Dmitriev department and РМК,
the regional observer and the administrator see Dmitriev's campaigns whole; its schools — the
coordinators ``school_a`` / ``school_b``, the hub's director — see the campaign with only their
own row; the center head and the working-group member (no school role) and Kupino see nothing
(404). Only the department of the campaign's municipality (and the administrator) downloads the
template, uploads and confirms; everyone else who sees the campaign is refused (403).
"""

import io

from .conftest import PERSONAS
from .matrix import Case, count_of, expect, row_of

DMITRIEV = "Дмитриевский район"
KUPINO = "Купинский район"
# Who sees Dmitriev's campaign page.
SEES_DMITRIEV = dict(
    uo_dmitriev=200,
    rmk_dmitriev=200,
    director_sosh2=200,
    school_a=200,
    school_b=200,
    region=200,
    admin=200,
)
# Who sees Dmitriev's import records (not the schools).
SEES_DMITRIEV_IMPORTS = dict(uo_dmitriev=200, rmk_dmitriev=200, region=200, admin=200)
DEPARTMENT = ("uo_dmitriev", "admin")


def _campaign(municipality, year=2025):
    def get():
        from monitoring.models import Campaign

        return Campaign.objects.get(municipality__name=municipality, year=year).pk

    return get


def _imported():
    from monitoring.models import ImportRecord

    return (
        ImportRecord.objects.filter(campaign__municipality__name=DMITRIEV, campaign__year=2025)
        .order_by("pk")
        .first()
        .pk
    )


def _workbook(changed=True) -> bytes:
    """The Dmitriev 2025 template with one value filled in (VPR_FAIL of the first school)."""
    from django.contrib.auth import get_user_model
    from openpyxl import load_workbook

    from monitoring import services
    from monitoring.models import Campaign

    campaign = Campaign.objects.get(municipality__name=DMITRIEV, year=2025)
    actor = get_user_model().objects.get(username="uo_dmitriev")
    book = load_workbook(io.BytesIO(services.template_for(campaign, actor=actor)))
    book.active.cell(row=5, column=3, value="99,5" if changed else None)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _preview():
    """A previewed (not yet confirmed) import of Dmitriev 2025, made on first use."""
    from django.contrib.auth import get_user_model

    from monitoring import services
    from monitoring.models import Campaign

    campaign = Campaign.objects.get(municipality__name=DMITRIEV, year=2025)
    actor = get_user_model().objects.get(username="uo_dmitriev")
    record, _ = services.preview_import(
        campaign, actor=actor, data=_workbook(), file_name="preview.xlsx"
    )
    return record.pk


def _queued():
    """An upload of Dmitriev 2025 stored and queued for its check, made on first use (a test's
    transaction never commits, so its check's task is never run: it stays «в очереди»)."""
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile

    from monitoring import services
    from monitoring.models import Campaign

    campaign = Campaign.objects.get(municipality__name=DMITRIEV, year=2025)
    actor = get_user_model().objects.get(username="uo_dmitriev")
    upload = ContentFile(_workbook(), name="queued.xlsx")
    return services.submit_import(campaign, actor=actor, upload=upload).pk


def _upload(valid=True):
    def data():
        from django.core.files.uploadedfile import SimpleUploadedFile

        content = _workbook() if valid else b"<html>not a workbook</html>"
        return {"file": SimpleUploadedFile("values.xlsx", content)}

    return data


def _values_of_dmitriev():
    from monitoring.models import IndicatorValue

    return sorted(
        IndicatorValue.objects.filter(
            campaign__municipality__name=DMITRIEV, campaign__year=2025
        ).values_list("school_id", "indicator_id", "value")
    )


def _campaign_row():
    return count_of("monitoring.Campaign")()


MONITORING_TARGETS = {
    "dmitriev_campaign": _campaign(DMITRIEV),
    "kupino_campaign": _campaign(KUPINO),
    "dmitriev_import": _imported,
    "dmitriev_preview": _preview,
    "dmitriev_queued": _queued,
}

DMITRIEV_IMPORTERS = dict(
    uo_dmitriev=200,
    admin=200,
    rmk_dmitriev=403,
    director_sosh2=403,
    school_a=403,
    school_b=403,
    region=403,
)

MONITORING_MATRIX = {
    "monitoring:list": [Case("monitoring:list", expect(200))],
    "monitoring:create": [
        Case("monitoring:create", expect(403, uo_dmitriev=200, uo_kupino=200, admin=200)),
        Case(
            "monitoring:create",
            expect(403, uo_dmitriev=200, uo_kupino=200, admin=200),
            method="post",
            data={"year": "1900", "name": ""},
            label="invalid POST re-displays the form",
            state=_campaign_row,
            changes=(),
        ),
        Case(
            "monitoring:create",
            expect(403, uo_dmitriev=200, admin=200, uo_kupino=200),
            method="post",
            data=lambda: {
                "municipality": str(
                    __import__("schools.models", fromlist=["Municipality"])
                    .Municipality.objects.get(name=DMITRIEV)
                    .pk
                ),
                "year": "2026",
                "name": "Результаты 2026/2027",
            },
            label="a new Dmitriev campaign (Kupino: not its municipality, form error)",
            state=_campaign_row,
            changes=DEPARTMENT,
        ),
    ],
    "monitoring:campaign": [
        Case("monitoring:campaign", expect(404, **SEES_DMITRIEV), args=("dmitriev_campaign",)),
        Case(
            "monitoring:campaign",
            expect(404, uo_kupino=200, region=200, admin=200),
            args=("kupino_campaign",),
            label="Kupino campaign",
        ),
    ],
    "monitoring:template": [
        Case(
            "monitoring:template",
            expect(404, **DMITRIEV_IMPORTERS),
            args=("dmitriev_campaign",),
        ),
        Case(
            "monitoring:template",
            expect(404, uo_kupino=200, admin=200, region=403),
            args=("kupino_campaign",),
            label="Kupino campaign",
        ),
    ],
    "monitoring:upload": [
        Case("monitoring:upload", expect(404, **DMITRIEV_IMPORTERS), args=("dmitriev_campaign",)),
        Case(
            "monitoring:upload",
            expect(404, **DMITRIEV_IMPORTERS),
            method="post",
            args=("dmitriev_campaign",),
            data=_upload(valid=False),
            label="a file that is not XLSX is refused, nothing saved",
            state=count_of("monitoring.ImportRecord"),
            changes=(),
        ),
        Case(
            "monitoring:upload",
            expect(404, **DMITRIEV_IMPORTERS),
            method="post",
            args=("dmitriev_campaign",),
            data=_upload(valid=True),
            label="a valid file is stored and queued for its check (values not yet written)",
            state=lambda: (count_of("monitoring.ImportRecord")(), _values_of_dmitriev()),
            changes=DEPARTMENT,
        ),
    ],
    "monitoring:import": [
        Case(
            "monitoring:import",
            expect(404, **SEES_DMITRIEV_IMPORTS),
            args=("dmitriev_import",),
        ),
        Case(
            "monitoring:import",
            expect(404, **SEES_DMITRIEV_IMPORTS),
            args=("dmitriev_preview",),
            label="a preview",
        ),
    ],
    "monitoring:import_progress": [
        # Asked outside htmx the fragment is the import's page (a redirect, followed here);
        # tests/test_monitoring_import.py asks it as htmx does.
        Case(
            "monitoring:import_progress",
            expect(404, **SEES_DMITRIEV_IMPORTS),
            args=("dmitriev_queued",),
            label="a queued import's progress",
        ),
        Case(
            "monitoring:import_progress",
            expect(405, anonymous=405),
            method="post",
            args=("dmitriev_queued",),
            label="POST is refused",
            state=row_of("monitoring.ImportRecord", "dmitriev_queued"),
            changes=(),
        ),
    ],
    "monitoring:confirm": [
        Case(
            "monitoring:confirm",
            expect(404, uo_dmitriev=200, admin=200, rmk_dmitriev=403, region=403),
            method="post",
            args=("dmitriev_preview",),
            label="confirming a preview writes its values",
            state=lambda: (
                row_of("monitoring.ImportRecord", "dmitriev_preview")(),
                _values_of_dmitriev(),
            ),
            changes=DEPARTMENT,
        ),
        Case(
            "monitoring:confirm",
            expect(405, anonymous=405),
            args=("dmitriev_preview",),
            label="GET is refused",
        ),
        Case(
            "monitoring:confirm",
            expect(404, uo_dmitriev=200, admin=200, rmk_dmitriev=403, region=403),
            method="post",
            args=("dmitriev_queued",),
            label="a file still being checked is not confirmed (a message, nothing written)",
            state=lambda: (
                row_of("monitoring.ImportRecord", "dmitriev_queued")(),
                _values_of_dmitriev(),
            ),
            changes=(),
        ),
    ],
}

assert set(SEES_DMITRIEV) <= set(PERSONAS)
