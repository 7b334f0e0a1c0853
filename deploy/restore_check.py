"""A tested restore: back up a running installation and bring it back in an empty database.

    .venv/bin/python deploy/restore_check.py [--keep]

What a backup is here (docs/deploy.md): a ``pg_dump`` of the database (custom format) and a copy
of the media storage (the stored signed PDFs, scans, evidence and import files). This script
proves both are enough, end to end, on throw-away databases of the local PostgreSQL
(``nc_restore_src`` and ``nc_restore_dst``, dropped and created again; ``RESTORE_PG`` overrides
``postgres://postgres@127.0.0.1:5432``):

1. the source: migrated, the demo loaded, every signed act's PDF rendered and stored (as the
   task worker does), its media in a temporary directory;
2. the backup: ``pg_dump -Fc`` of the source and a copy of its media directory;
3. the restore: ``createdb`` + ``pg_restore`` into the empty target, the media copied back to a
   new place; nothing of the source is used from here on (the source database is dropped first);
4. the check, in a new process against the target: ``manage.py check``, ``migrate --check``
   (the schema is the code's), the login page answers 200, a signed document's public
   verification page opens by its code, and the stored PDF file read back from the restored
   media, uploaded to that page, is confirmed as the signed original (the SHA-256 recorded at
   signing matches the file's bytes).

Prints each step with its time; exits 1 at the first failure.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PG = os.environ.get("RESTORE_PG", "postgres://postgres@127.0.0.1:5432")
SOURCE, TARGET = "nc_restore_src", "nc_restore_dst"

CHECK = r"""
import hashlib, re, sys
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from network_center.documents.models import LegalDocument

signed = LegalDocument.objects.filter(state="signed", parent=None).exclude(pdf="")
assert signed.exists(), "no signed document with a stored PDF in the restored database"
client = Client(HTTP_HOST="127.0.0.1")
assert client.get("/accounts/login/").status_code == 200, "the login page does not open"
checked = 0
for document in signed:
    with document.pdf.open("rb") as stored:
        data = stored.read()
    assert hashlib.sha256(data).hexdigest() == document.pdf_sha256, document
    page = client.get(f"/verify/{document.verification_code}/")
    assert page.status_code == 200, (document, page.status_code)
    answer = client.post(
        f"/verify/{document.verification_code}/",
        {"file": SimpleUploadedFile("copy.pdf", data, content_type="application/pdf")},
    )
    assert "Файл совпадает с зарегистрированным документом." in answer.content.decode(), document
    checked += 1
print(f"  {checked} signed PDFs read back from the restored media and verified by their codes")
"""


def step(title):
    print(f"{title} …", flush=True)
    return time.monotonic()


def done(started):
    print(f"  done in {time.monotonic() - started:.1f} s", flush=True)


def run(*args, env=None, **kwargs):
    result = subprocess.run(args, env=env, cwd=ROOT, text=True, capture_output=True, **kwargs)
    if result.returncode:
        print(result.stdout[-3000:], result.stderr[-3000:], sep="\n")
        sys.exit(f"failed: {' '.join(map(str, args))}")
    return result


def django_env(database, media):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{PG}/{database}",
        DJANGO_MEDIA_ROOT=str(media),
        DJANGO_DEBUG="1",
        DJANGO_TASKS_IMMEDIATE="1",
        DJANGO_SETTINGS_MODULE="network_center.settings",
        PYTHONPATH=str(ROOT),
    )
    return env


def recreate(database):
    run("dropdb", "--if-exists", "--force", f"--maintenance-db={PG}/postgres", database)
    run("createdb", f"--maintenance-db={PG}/postgres", database)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the target database")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="nc-restore-"))
    source_media, target_media = work / "media-src", work / "media-dst"
    dump, media_copy = work / "network_center.dump", work / "media-backup"
    try:
        started = step(f"1. source database {SOURCE}: migrate, demo, signed PDFs stored")
        recreate(SOURCE)
        env = django_env(SOURCE, source_media)
        run(PYTHON, "manage.py", "migrate", "--noinput", "-v0", env=env)
        run(PYTHON, "manage.py", "load_demo", env=env)
        run(
            PYTHON,
            "-c",
            "import django; django.setup()\n"
            "from network_center.documents.models import LegalDocument\n"
            "from network_center.documents.services import store_signed_pdf\n"
            "ids = LegalDocument.objects.filter(state='signed', parent=None)"
            ".values_list('pk', flat=True)\n"
            "[store_signed_pdf(pk) for pk in ids]\n"
            "print(len(ids))",
            env=env,
        )
        done(started)

        started = step("2. backup: pg_dump -Fc and a copy of the media")
        run("pg_dump", "-Fc", "-f", str(dump), f"{PG}/{SOURCE}")
        shutil.copytree(source_media, media_copy)
        print(f"  dump {dump.stat().st_size / 2**20:.1f} MB", flush=True)
        done(started)

        started = step(f"3. restore into the empty {TARGET} (the source dropped first)")
        run("dropdb", "--if-exists", "--force", f"--maintenance-db={PG}/postgres", SOURCE)
        shutil.rmtree(source_media)
        recreate(TARGET)
        run("pg_restore", "--no-owner", "--exit-on-error", "-d", f"{PG}/{TARGET}", str(dump))
        shutil.copytree(media_copy, target_media)
        done(started)

        started = step("4. the restored installation runs, and its signed PDFs verify")
        env = django_env(TARGET, target_media)
        run(PYTHON, "manage.py", "check", env=env)
        run(PYTHON, "manage.py", "migrate", "--check", env=env)
        print(run(PYTHON, "-c", CHECK, env=env).stdout, end="", flush=True)
        done(started)
        print("restore: OK")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if not options.keep:
            subprocess.run(
                ["dropdb", "--if-exists", "--force", f"--maintenance-db={PG}/postgres", TARGET],
                capture_output=True,
            )


if __name__ == "__main__":
    main()
