"""Files in S3-compatible object storage (issue 14, item 5), against a local S3 server.

moto's server mode runs on a free port of 127.0.0.1 for the module; each test switches the
"default" storage to ``storages.backends.s3.S3Storage`` with the options ``settings.py`` builds
from the ``DJANGO_S3_*`` variables, pointed at that server. Everything then goes through the
product's services and pages: a signed act's PDF, an evidence file, a monitoring import (its
check reads the file back from the bucket), and a store that refuses an upload — the user is
told on the form, and no row names a file that is not there.
"""

import hashlib
import runpy
import socket
from urllib.parse import unquote

import pytest

pytest.importorskip("moto.server")
pytest.importorskip("storages.backends.s3")

import boto3  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.test import TestCase  # noqa: E402
from django.urls import reverse  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402
from storages.backends.s3 import S3Storage  # noqa: E402

from monitoring import services as monitoring_services  # noqa: E402
from monitoring.models import ImportRecord, Indicator  # noqa: E402
from network_center.documents.models import LegalDocument  # noqa: E402
from plans.demo_execution import demo_png  # noqa: E402
from plans.models import EvidenceFile, Execution  # noqa: E402
from schools.models import Municipality  # noqa: E402

from .test_documents import head_right, new_draft, pdf_scan, sign  # noqa: E402
from .test_execution import MATH, execution_of, reopen  # noqa: E402
from .test_monitoring_import import HEADER, post_upload, school_pk, xlsx  # noqa: E402

pytestmark = pytest.mark.django_db

BUCKET = "network-center-files"
PREFIX = "nc"
KEY, SECRET, REGION = "test-access-key", "test-secret-key", "us-east-1"
SCHOOL_A = "МКОУ «СОШ № 1 г. Дмитриева»"
STORAGE_FULL = "хранилище файлов переполнено или недоступно"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    """A local S3 server for the module, with the product's bucket (private: no ACL given)."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
        region_name=REGION,
    )
    client.create_bucket(Bucket=BUCKET)
    yield endpoint, client
    server.stop()


def settings_with(monkeypatch, **env):
    """What ``network_center/settings.py`` makes of these environment variables (run afresh,
    the settings in use untouched)."""
    monkeypatch.setenv("DJANGO_DEBUG", "1")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    import network_center.settings as in_use

    return runpy.run_path(in_use.__file__)


@pytest.fixture
def bucket(s3_server, settings, monkeypatch):
    """The "default" storage switched to the bucket, as settings.py builds it from the
    environment; the storage caches reset on the way in and out (``settings`` sends
    ``setting_changed``, which empties ``storages`` and ``default_storage``). Yields the S3
    client, to look into the bucket past the product."""
    endpoint, client = s3_server
    built = settings_with(
        monkeypatch,
        DJANGO_S3_BUCKET=BUCKET,
        DJANGO_S3_ENDPOINT_URL=endpoint,
        DJANGO_S3_ACCESS_KEY_ID=KEY,
        DJANGO_S3_SECRET_ACCESS_KEY=SECRET,
        DJANGO_S3_REGION=REGION,
        DJANGO_S3_PREFIX=PREFIX,
    )
    settings.STORAGES = {**settings.STORAGES, "default": built["STORAGES"]["default"]}
    # Every file field reads the one default storage, now the bucket.
    assert isinstance(default_storage, S3Storage)
    assert isinstance(LegalDocument._meta.get_field("pdf").storage, S3Storage)
    return client


@pytest.fixture
def campaign(user_of):
    """A fresh Dmitriev campaign of two indicators, without values."""
    return monitoring_services.create_campaign(
        actor=user_of("uo_dmitriev"),
        municipality=Municipality.objects.get(name="Дмитриевский район"),
        year=2030,
        name="Кампания в объектном хранилище",
        indicators=list(Indicator.objects.filter(code__in=["VPR_FAIL", "VPR_MEAN"])),
    )


def stored_object(client, name) -> bytes:
    return client.get_object(Bucket=BUCKET, Key=f"{PREFIX}/{name}")["Body"].read()


def keys(client) -> set[str]:
    listed = client.list_objects_v2(Bucket=BUCKET)
    return {item["Key"] for item in listed.get("Contents", [])}


@pytest.fixture
def store_full(monkeypatch):
    """The object store refuses every write, as a full MinIO answers PutObject."""

    def refuse(self, name, content):
        raise ClientError(
            {
                "Error": {
                    "Code": "XMinioStorageFull",
                    "Message": "Storage backend has reached its minimum free drive threshold.",
                }
            },
            "PutObject",
        )

    monkeypatch.setattr(S3Storage, "_save", refuse)


# --- settings ----------------------------------------------------------------------------------


def test_the_bucket_variable_switches_the_default_storage_to_private_s3(monkeypatch):
    monkeypatch.delenv("DJANGO_S3_BUCKET", raising=False)
    on_disk = settings_with(monkeypatch)["STORAGES"]["default"]
    assert on_disk["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    s3 = settings_with(
        monkeypatch, DJANGO_S3_BUCKET="files", DJANGO_S3_ENDPOINT_URL="http://minio:9000"
    )["STORAGES"]["default"]
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    options = s3["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"]) == ("files", "http://minio:9000")
    # Private, signed URLs only, never a file overwritten by a second one of the same name.
    assert options["default_acl"] is None
    assert options["querystring_auth"] is True
    assert options["file_overwrite"] is False
    assert options["addressing_style"] == "path"
    with pytest.raises(ImproperlyConfigured):
        settings_with(monkeypatch, DJANGO_S3_BUCKET="files", DJANGO_S3_ADDRESSING_STYLE="sideways")


# --- files land in the bucket and are served from it -------------------------------------------


def test_a_signed_acts_pdf_is_stored_in_the_bucket_and_served_to_its_readers_only(
    bucket, client_of, django_capture_on_commit_callbacks, settings
):
    draft = new_draft("О хранении файлов в объектном хранилище")
    sign(draft, django_capture_on_commit_callbacks)
    draft.refresh_from_db()
    assert draft.is_signed and draft.pdf
    stored = stored_object(bucket, draft.pdf.name)
    assert stored.startswith(b"%PDF-")
    assert hashlib.sha256(stored).hexdigest() == draft.pdf_sha256
    # Private: the bucket's objects carry no grant to everyone.
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=f"{PREFIX}/{draft.pdf.name}")["Grants"]
    assert not [g for g in grants if g["Grantee"].get("URI", "").endswith("AllUsers")]

    url = reverse("documents:pdf", args=[draft.pk])
    # Even with nginx configured, a file of the object store is streamed by the application
    # after its access check (nginx's internal location maps only the disk).
    settings.DOCUMENTS_X_ACCEL_REDIRECT = "/protected-media/"
    response = client_of("uo_dmitriev").get(url)
    assert response.status_code == 200 and "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == stored
    assert response["X-Content-SHA256"] == draft.pdf_sha256
    assert unquote(response["Content-Disposition"]).startswith("attachment")
    # Another municipality's department does not learn the act exists; a visitor signs in.
    assert client_of("uo_kupino").get(url).status_code == 404
    anonymous = client_of("anonymous").get(url)
    assert anonymous.status_code == 302 and reverse("login") in anonymous.url


def test_a_paper_acts_scan_is_stored_in_the_bucket(bucket, client_of):
    draft = new_draft("О регистрации скана")
    client = client_of("uo_dmitriev")
    response = client.post(
        reverse("documents:register", args=[draft.pk]),
        {"number": "81", "date": "2021-03-01", "signing_right": head_right(), "scan": pdf_scan()},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert stored_object(bucket, draft.scan.name) == pdf_scan().read()
    served = client.get(reverse("documents:scan", args=[draft.pk]))
    assert b"".join(served.streaming_content) == pdf_scan().read()


def test_an_evidence_file_is_stored_in_the_bucket_and_served_to_who_sees_the_event(
    bucket, client_of
):
    execution = reopen(execution_of(MATH), Execution.State.REPORTED)
    png = demo_png()
    response = client_of("wg_member").post(
        reverse("plans:evidence_add", args=[execution.pk]),
        {"files": [SimpleUploadedFile("Фото урока.png", png)]},
    )
    assert response.status_code == 302
    evidence = execution.files.get()
    assert stored_object(bucket, evidence.file.name) == png
    assert evidence.sha256 == hashlib.sha256(png).hexdigest()
    url = reverse("plans:evidence", args=[evidence.pk])
    download = client_of("wg_member").get(url)
    assert b"".join(download.streaming_content) == png
    assert client_of("uo_kupino").get(url).status_code == 404


def test_a_monitoring_import_is_stored_in_the_bucket_and_checked_from_there(
    bucket, client_of, campaign
):
    content = xlsx([HEADER, [school_pk(SCHOOL_A), "А", "12,5", "4"]])
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = post_upload(client_of("uo_dmitriev"), campaign, content)
    assert response.status_code == 302
    record = ImportRecord.objects.get(campaign=campaign)
    assert stored_object(bucket, record.file.name) == content
    # The check (a task, after the commit) read the workbook back from the bucket.
    assert record.state == ImportRecord.State.PREVIEW
    assert (record.rows, record.values_count) == (1, 2)


# --- a store that refuses the upload ----------------------------------------------------------


def test_a_full_store_refuses_an_evidence_upload_with_a_message_and_no_row(
    bucket, client_of, store_full
):
    execution = reopen(execution_of(MATH), Execution.State.REPORTED)
    before = keys(bucket)
    response = client_of("wg_member").post(
        reverse("plans:evidence_add", args=[execution.pk]),
        {"files": [SimpleUploadedFile("Фото урока.png", demo_png())]},
    )
    assert response.status_code == 200
    assert STORAGE_FULL in response.content.decode()
    assert not EvidenceFile.objects.filter(execution=execution).exists()
    assert keys(bucket) == before


def test_a_full_store_refuses_a_report_with_files_and_files_no_report(
    bucket, client_of, store_full
):
    execution = reopen(execution_of(MATH))
    school = execution.line.schools.order_by("pk").first()
    response = client_of("wg_member").post(
        reverse("plans:execution_report", args=[execution.pk]),
        {
            "version": execution.version,
            "held_on": execution.date_from.isoformat(),
            "outcome": "Разобраны типичные ошибки ВПР.",
            f"count_{school.pk}": "6",
            "files": [SimpleUploadedFile("Протокол.png", demo_png())],
        },
    )
    assert response.status_code == 200
    assert STORAGE_FULL in response.content.decode()
    execution.refresh_from_db()
    assert execution.state == Execution.State.PLANNED and not execution.files.exists()


def test_a_full_store_refuses_a_scan_and_the_act_stays_unregistered(bucket, client_of, store_full):
    draft = new_draft("О скане, который не поместился")
    response = client_of("uo_dmitriev").post(
        reverse("documents:register", args=[draft.pk]),
        {"number": "82", "date": "2021-03-02", "signing_right": head_right(), "scan": pdf_scan()},
    )
    assert response.status_code == 200
    assert STORAGE_FULL in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft and not draft.scan and not draft.number


def test_a_full_store_refuses_a_monitoring_upload_and_queues_nothing(
    bucket, client_of, campaign, store_full
):
    content = xlsx([HEADER, [school_pk(SCHOOL_A), "А", "12,5", "4"]])
    response = post_upload(client_of("uo_dmitriev"), campaign, content)
    assert response.status_code == 200
    assert STORAGE_FULL in response.content.decode()
    assert not ImportRecord.objects.filter(campaign=campaign).exists()


def test_a_full_disk_is_told_the_same_way(client_of, monkeypatch):
    """Without an object store: the disk's ENOSPC gets the same message, no row."""
    import errno

    from django.core.files.storage import FileSystemStorage

    def refuse(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", refuse)
    execution = reopen(execution_of(MATH), Execution.State.REPORTED)
    response = client_of("wg_member").post(
        reverse("plans:evidence_add", args=[execution.pk]),
        {"files": [SimpleUploadedFile("Фото урока.png", demo_png())]},
    )
    assert response.status_code == 200 and STORAGE_FULL in response.content.decode()
    assert not execution.files.exists()
