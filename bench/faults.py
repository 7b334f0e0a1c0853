"""Faults played for real (issue 14; not a test of the suite; run by hand or ``make faults``).

    cd /work/main && .venv/bin/python bench/faults.py

It starts a PostgreSQL cluster of its own — ``initdb`` into a temporary folder, ``pg_ctl start``
on a free loopback port, the socket in that folder; as root it runs them as the ``postgres``
user — never the machine's server, which others use. It migrates it, loads the demo with
``bench.settings`` (the functions of ``bench/run.py``), prepares through the services a draft
plan of 2027 with three lines (``head_center``'s) and drafts of the department's orders for
``chief_dmitriev`` to sign, then serves it with gunicorn (3 sync workers) and one
``manage.py db_worker`` beside it, and plays:

(a) **PostgreSQL restarted under load.** Client threads, each with its persona's session, read
    pages (the plans, the plan, the documents, the notifications) and write through the real
    forms with their CSRF tokens: the center head edits the plan's lines, a school proposes
    events, the department's head signs orders with her password. Meanwhile the cluster goes
    away three times: ``pg_ctl restart -m fast``, ``pg_ctl restart -m immediate`` (a crash:
    recovery from the WAL), and ``pg_ctl stop -m fast`` with ``--down`` seconds (5) before
    ``pg_ctl start`` (an outage users notice). Every response is recorded: its status, and for
    a 5xx whether it is the Russian «Сервис временно недоступен» page (503 with
    ``Retry-After``). Passed when no request failed before the outages, every failed response is
    that page, requests succeed again within ``RECOVERY_LIMIT`` seconds of the server being
    back, the last seconds of each phase have no failure, neither gunicorn nor the task worker
    had to be restarted (the worker waits for the database), and the database holds no
    half-written change: each line's version moved by its ``line_edited`` history rows and ends as
    the last of them, every edit the center head was told was saved is in the history; each
    proposal has its one submission event, every proposal the school was told was sent exists;
    each signed order has its number, its one ``signed`` event and, once the worker has caught
    up, its stored PDF; every order the signer was told was signed is signed, and no unsigned
    draft carries a number.
(b) **The mail server down.** The worker is started with SMTP to a loopback port nothing listens
    on; the center head submits the 2027 plan for agreement over HTTP (the schools are notified:
    in-app at once, mail through the queue). Passed when the submission succeeds at once, the
    in-app notifications are there, the first attempt at the mail fails (connection refused)
    and is re-enqueued for ``RETRY_DELAYS[0]`` later, and — a small SMTP server
    (``socketserver``) listening on that port ``--smtp-delay`` seconds after the submission —
    the retry delivers the mail to every school's address.
(c) **The task worker stopped.** With no worker running, the department's head signs an order:
    the signing succeeds, the order's page and its PDF address say «PDF готовится» (200, no
    error), nothing is stored; the worker is started; passed when the PDF is then rendered,
    stored and served (``application/pdf``, its ``X-Content-SHA256`` the stored digest).

(d) **A task worker killed mid-task.** A worker whose mail server accepts the connection and
    never answers holds a notification's mail task «running»; it is killed (``SIGKILL``: the
    OOM killer, a machine gone) and another worker started (with a working mail server; the
    workers' timings shortened by ``QUICK_BEATS``). Passed when the task was «running» under
    the killed worker with its sign of life written, is still «running» after the kill, and
    the other worker — finding it silent for ``TASK_WORKER_DEAD_AFTER_SECONDS`` — queues it
    again and sends the mail; a worker stopped of its own accord leaves no sign of life.

Writes ``bench/results/faults.json`` (each scenario: passed, its figures, the checks), prints a
summary, exits 1 when a scenario fails. The cluster is stopped and its folder removed whatever
happens. About three minutes (most of it the migration, the demo and the mail's one-minute
retry).
"""

import argparse
import email
import email.header
import email.policy
import hashlib
import json
import os
import pwd
import re
import shutil
import signal
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402
    DUMMY_MAIL,
    BenchError,
    Client,
    free_port,
    log_in,
    prepare_demo_database,
    start_gunicorn,
    stop,
    wait_until_up,
)

RESULTS = ROOT / "bench" / "results" / "faults.json"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
DATABASE = "network_center_faults_bench"
HUB = "МКОУ «СОШ № 2 г. Дмитриева»"
DEPARTMENT = "Управление образования Дмитриевского района"
PLAN_YEAR = 2027
LINES = 3
DRAFTS = 60  # orders ready for the signer in (a); it signs about one a second
UNAVAILABLE = "Сервис временно недоступен"
PENDING = "PDF готовится"
RECOVERY_LIMIT = 5.0  # seconds after the server is back within which requests must succeed
QUIET_TAIL = 3.0  # the last seconds of each phase: no failure allowed


# --- the throw-away PostgreSQL cluster ----------------------------------------------------------


class Cluster:
    """A PostgreSQL cluster in a temporary folder, on a free loopback port, its socket in the
    folder (so nothing of the machine's server is touched); as root, its programs run as the
    ``postgres`` user, who owns the folder (initdb and postgres refuse to run as root)."""

    def __init__(self):
        if not (PG_BIN / "pg_ctl").exists():
            raise BenchError(f"{PG_BIN}/pg_ctl not found (PG_BIN names the folder)")
        self.as_postgres = os.geteuid() == 0
        self.dir = Path(tempfile.mkdtemp(prefix="nc-faults-pg-"))
        if self.as_postgres:
            owner = pwd.getpwnam("postgres")
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.port = free_port()
        self.started = False

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, program, *args, timeout=120):
        command = [str(PG_BIN / program), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        try:
            done = subprocess.run(
                command, cwd=self.dir, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as error:
            raise BenchError(f"{program} {' '.join(args)}: no answer within {timeout} s") from error
        if done.returncode:
            raise BenchError(f"{program} {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done

    def start(self):
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
        self._start()
        self.started = True

    def _start(self):
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-o",
            # fsync off: a crash of the server (-m immediate) keeps what it wrote in the
            # operating system's cache, and recovery replays the WAL all the same; only a crash
            # of the machine would lose it, and the demo loads faster.
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.dir} -c fsync=off -c max_connections=60",
            "start",
        )

    def down_for(self, seconds):
        """``pg_ctl stop -m fast``, ``seconds`` with no server, ``pg_ctl start``."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        time.sleep(seconds)
        self._start()

    def restart(self, mode):
        """``pg_ctl restart -m mode``; returns when the server accepts connections again."""
        # -l again: without it the new server writes to pg_ctl's output, which never ends.
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-m",
            mode,
            "-w",
            "-t",
            "60",
            "restart",
        )

    def remove(self):
        """Stop the server (if it runs) and delete the folder."""
        if self.started:
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop", timeout=60)
            except BenchError as error:
                print(f"faults: stopping the cluster: {error}", file=sys.stderr)
        shutil.rmtree(self.dir, ignore_errors=True)


# --- a mail server that accepts everything --------------------------------------------------------


class SMTPSink(socketserver.ThreadingTCPServer):
    """Just enough SMTP for Django's backend (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT); every
    message it is given is kept in ``messages`` with the time it arrived."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, port):
        self.messages = []
        super().__init__(("127.0.0.1", port), _SMTPHandler)


class _SMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 faults-sink ESMTP")
        recipients = []
        while line := self.rfile.readline():
            verb = line.decode("latin-1").strip().split(" ", 1)[0].upper()
            if verb in {"EHLO", "HELO"}:
                self.reply("250 faults-sink")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(re.search(r"<([^>]*)>", line.decode()).group(1))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = b""
                while (chunk := self.rfile.readline()) not in {b".\r\n", b""}:
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                message = email.message_from_bytes(data, policy=email.policy.default)
                self.server.messages.append(
                    {
                        "at": time.monotonic(),
                        "to": recipients,
                        "subject": str(message["Subject"]).strip(),
                    }
                )
                self.reply("250 OK: queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:  # RSET, NOOP and anything else
                self.reply("250 OK")


# --- pages and forms ------------------------------------------------------------------------------


class FormFields(HTMLParser):
    """The fields of each ``<form method="post">`` of a page as a browser would send them: the
    inputs' values (checked boxes only), each select's chosen options (a single select with none
    chosen: its first), the textareas' text."""

    def __init__(self):
        super().__init__()
        self.forms = []  # (action, [(name, value)])
        self._select = self._textarea = None
        self._multiple = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.forms.append((a.get("action") or "", []))
            self._options = {}
        if not self.forms:
            return
        fields = self.forms[-1][1]
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            if kind not in {"submit", "button", "file"}:
                fields.append((a["name"], a.get("value") or ""))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._multiple = "multiple" in a
            self._options[self._select] = ([], [])  # (all, chosen)
        elif tag == "option" and self._select:
            everything, chosen = self._options[self._select]
            everything.append(a.get("value") or "")
            if "selected" in a:
                chosen.append(a.get("value") or "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            everything, chosen = self._options[self._select]
            # A single select with nothing chosen sends its first option, a multiple nothing.
            values = chosen or ([] if self._multiple else everything[:1])
            self.forms[-1][1].extend((self._select, v) for v in values)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1][1].append((self._textarea[0], self._textarea[1].lstrip("\n")))
            self._textarea = None


def form_of(html, field):
    """The fields of the page's post form that has ``field``, as a dict of lists."""
    parser = FormFields()
    parser.feed(html)
    for _, fields in parser.forms:
        data = {}
        for name, value in fields:
            data.setdefault(name, []).append(value)
        if field in data:
            return data
    raise BenchError(f"no form with the field {field!r}")


class Browser:
    """One persona's browser for the forms: its session cookie, the CSRF cookie the pages set."""

    def __init__(self, base, cookie_name, session_key):
        import requests

        self.base = base
        self.http = requests.Session()
        self.http.cookies.set(cookie_name, session_key)

    def get(self, path):
        return self.http.get(self.base + path, allow_redirects=False, timeout=60)

    def post(self, path, data):
        return self.http.post(
            self.base + path,
            data=data,
            allow_redirects=False,
            timeout=60,
            headers={"Referer": self.base + path},
        )


def form_errors(html):
    """A form page's errors: its alerts and the fields' messages, as one line."""
    found = re.findall(
        r'class="(?:alert alert-danger|invalid-feedback)[^"]*"[^>]*>(.*?)</(?:div|span|p)>',
        html,
        re.S,
    )
    return " | ".join(" ".join(re.sub(r"<[^>]+>", " ", f).split()) for f in found) or "?"


def is_unavailable_page(status, headers, text):
    """The 503 of network_center/unavailable.py: the Russian page and its Retry-After."""
    return status == 503 and UNAVAILABLE in text and bool(headers.get("Retry-After"))


# --- the world, through the services ------------------------------------------------------------


def build_world():
    """A draft plan of ``PLAN_YEAR`` of the Dmitriev center with ``LINES`` lines, ``DRAFTS``
    drafts of the department's orders (signed by ``chief_dmitriev``), every participant school's
    coordinator with an address (the mail of (b))."""
    from django.contrib.auth import get_user_model

    from network_center.centers.models import Center
    from network_center.demo import DEMO_PASSWORD
    from network_center.documents import services as documents
    from network_center.documents.models import SigningRight
    from plans import services
    from plans.models import EventForm, Line
    from schools.models import Membership, Organisation

    users = get_user_model().objects
    head, uo = users.get(username="head_center"), users.get(username="uo_dmitriev")
    center = Center.objects.select_related("hub").get(hub__short_name=HUB)
    services.ensure_event_forms()
    form = EventForm.objects.order_by("position").first()
    plan = services.create_plan(center, PLAN_YEAR, actor=head)
    revision = plan.revisions.get()
    for i in range(LINES):
        services.add_line(
            revision,
            actor=head,
            direction="Адресная методическая поддержка учителей",
            title=f"Семинар сети № {i + 1} ({PLAN_YEAR}/{PLAN_YEAR + 1})",
            form=form,
            format=Line.Format.IN_PERSON,
            audience="учителя математики",
            date_kind=Line.DateKind.DAY,
            date_from=date(PLAN_YEAR, 10, 15 + i),
            expected_result="Методические рекомендации",
            venue=center.hub,
        )
    department = Organisation.objects.get(short_name=DEPARTMENT)
    right = SigningRight.objects.default_for(department)
    drafts = []
    for i in range(DRAFTS + 1):  # the last one for (c)
        draft = documents.create_document(
            department,
            actor=uo,
            kind="order",
            heading=f"О проведении семинара № {i + 1}",
            preamble="В целях методической поддержки школ",
            signing_right=right,
        )
        documents.add_point(draft, actor=uo, text="Провести семинар.")
        drafts.append(draft.pk)
    coordinators = users.filter(
        memberships__role=Membership.Role.COORDINATOR,
        memberships__organisation__in=center.participations.values("school"),
    ).distinct()
    for user in coordinators:
        if not user.email:
            user.email = f"{user.username}@demo.network-center.local"
            user.save(update_fields=["email"])
    return {
        "plan": plan.pk,
        "revision": revision.pk,
        "lines": list(revision.lines.order_by("pk").values_list("pk", flat=True)),
        "drafts": drafts[:-1],
        "spare_draft": drafts[-1],
        "event_form": form.pk,
        "venue": center.hub_id,
        "password": DEMO_PASSWORD,
        "coordinators": sorted(coordinators.values_list("email", flat=True)),
    }


# --- (a) PostgreSQL restarted under load --------------------------------------------------------


class Recorder:
    """Every response of every client: when it ended, who asked what, the status, whether a 5xx
    was the unavailable page."""

    def __init__(self):
        self.lock = threading.Lock()
        self.responses = []
        self.saved_edits = []  # (line pk, audience) the center head was told were saved
        self.sent_proposals = []  # titles the school was told were sent
        self.signed = []  # document pks the signer was told were signed
        self.refusals = Counter()  # a form sent back with errors: its messages

    def add(self, client, method, path, status, headers=None, text="", started=None):
        row = {
            "started": started,
            "t": time.monotonic(),
            "client": client,
            "request": f"{method} {re.sub(r'/[0-9]+/', '/<id>/', path)}",
            "status": status,
            "unavailable_page": is_unavailable_page(status, headers or {}, text),
        }
        with self.lock:
            self.responses.append(row)
        return row


def _failed(row):
    return row["status"] is None or row["status"] >= 500


def reader(port, cookie, paths, name, recorder, stop_event):
    client = Client(port, cookie)
    while not stop_event.is_set():
        for path in paths:
            started = time.monotonic()
            try:
                response, body = client.get(path)
            except OSError as error:
                recorder.add(name, "GET", path, None, started=started)
                client.close()
                client = Client(port, cookie)
                print(f"  {name}: GET {path}: {error}", flush=True)
                continue
            text = body.decode("utf-8", "replace") if response.status >= 500 else ""
            recorder.add(name, "GET", path, response.status, response.headers, text, started)
            time.sleep(0.02)


def _step(browser, recorder, name, method, path, data=None):
    """One request of a writer, recorded; None when it failed (the writer tries again)."""
    started = time.monotonic()
    try:
        response = browser.get(path) if method == "GET" else browser.post(path, data)
    except OSError as error:
        recorder.add(name, method, path, None, started=started)
        print(f"  {name}: {method} {path}: {error}", flush=True)
        time.sleep(0.1)
        return None
    recorder.add(name, method, path, response.status_code, response.headers, response.text, started)
    if method == "POST" and response.status_code == 200:
        with recorder.lock:
            recorder.refusals[f"{name}: {form_errors(response.text)}"[:300]] += 1
    if response.status_code >= 500:
        time.sleep(0.1)
        return None
    return response


def line_editor(browser, lines, recorder, stop_event):
    n = 0
    while not stop_event.is_set():
        for pk in lines:
            path = f"/plans/lines/{pk}/edit/"
            page = _step(browser, recorder, "head_center edits", "GET", path)
            if page is None or page.status_code != 200:
                continue
            n += 1
            data = form_of(page.text, "version")
            data["audience"] = [f"Правка № {n}"]
            done = _step(browser, recorder, "head_center edits", "POST", path, data)
            if done is not None and done.status_code == 302:
                with recorder.lock:
                    recorder.saved_edits.append((pk, f"Правка № {n}"))


def proposer(browser, world, recorder, stop_event):
    path = f"/plans/{world['plan']}/propose/"
    n = 0
    while not stop_event.is_set():
        page = _step(browser, recorder, "school_a proposes", "GET", path)
        if page is None or page.status_code != 200:
            continue
        n += 1
        title = f"Нагрузочное предложение № {n}"
        data = form_of(page.text, "justification")
        data.update(
            title=[title],
            direction=["Адресная методическая поддержка учителей"],
            form=[str(world["event_form"])],
            venue=[str(world["venue"])],
            format=["in_person"],
            audience=["учителя"],
            date_kind=["day"],
            date_from=[f"{PLAN_YEAR}-11-{n % 28 + 1:02}"],
            expected_result=["Рекомендации"],
            justification=["Нужна поддержка учителей."],
        )
        done = _step(browser, recorder, "school_a proposes", "POST", path, data)
        if done is not None and done.status_code == 302:
            with recorder.lock:
                recorder.sent_proposals.append(title)
        time.sleep(0.2)


def signer(browser, drafts, password, recorder, stop_event):
    queue = list(drafts)
    while queue and not stop_event.is_set():
        pk = queue[0]
        path = f"/documents/{pk}/sign/"
        page = _step(browser, recorder, "chief_dmitriev signs", "GET", path)
        if page is None:
            continue
        if page.status_code != 200:  # signed by a request whose answer was lost
            queue.pop(0)
            continue
        token = form_of(page.text, "csrfmiddlewaretoken")["csrfmiddlewaretoken"][0]
        done = _step(
            browser,
            recorder,
            "chief_dmitriev signs",
            "POST",
            path,
            {"csrfmiddlewaretoken": token, "password": password},
        )
        if done is not None and done.status_code == 302:
            with recorder.lock:
                recorder.signed.append(pk)
            queue.pop(0)


def outage_figures(responses, restart_started, server_back, phase_end):
    """The figures of one restart: the failed responses between the restart and the phase's
    end, how long failures lasted, when the first request started after the server was back
    succeeded."""
    window = [r for r in responses if restart_started <= r["t"] < phase_end]
    failed = [r for r in window if _failed(r)]
    after = sorted(
        (r for r in window if r["started"] is not None and r["started"] >= server_back),
        key=lambda r: r["t"],
    )
    first_success = next((r for r in after if not _failed(r)), None)
    tail = [r for r in window if r["t"] >= phase_end - QUIET_TAIL]
    return {
        "requests": len(window),
        "failed": len(failed),
        "failed_statuses": dict(Counter(str(r["status"]) for r in failed)),
        "failed_by_request": dict(Counter(r["request"] for r in failed)),
        "all_failures_the_unavailable_page": all(r["unavailable_page"] for r in failed),
        "server_away_seconds": round(server_back - restart_started, 2),
        "failures_lasted_seconds": round(failed[-1]["t"] - failed[0]["t"], 2) if failed else 0,
        "last_failure_after_server_back_seconds": round(failed[-1]["t"] - server_back, 2)
        if failed
        else None,
        "first_success_after_server_back_seconds": round(first_success["t"] - server_back, 2)
        if first_success
        else None,
        "failures_in_last_seconds": sum(1 for r in tail if _failed(r)),
    }


def check_invariants(world, recorder, lines_before):
    """What the database holds after the restarts (see the module's docstring)."""
    from django_tasks_db.models import DBTaskResult

    from network_center.documents.models import DocumentEvent, LegalDocument
    from plans.models import Line, Proposal, ProposalEvent, Transition
    from plans.workflow import NEW

    checks = {}
    lines = []
    for line in Line.objects.filter(pk__in=world["lines"]):
        history = [
            t.data["fields"]["audience"][1]
            for t in Transition.objects.filter(
                action="line_edited", data__line=str(line.key)
            ).order_by("pk")
            if "audience" in t.data.get("fields", {})
        ]
        told_saved = [value for pk, value in recorder.saved_edits if pk == line.pk]
        lines.append(
            {
                "line": line.pk,
                "version_moved": line.version - lines_before[line.pk],
                "history_edits": len(history),
                "ends_as_last_edit": not history or line.audience == history[-1],
                "every_saved_edit_in_history": set(told_saved) <= set(history),
            }
        )
    checks["lines"] = lines
    lines_ok = all(
        x["version_moved"] == x["history_edits"]
        and x["ends_as_last_edit"]
        and x["every_saved_edit_in_history"]
        for x in lines
    )

    proposals = Proposal.objects.filter(plan=world["plan"], title__startswith="Нагрузочное")
    events = Counter(
        ProposalEvent.objects.filter(proposal__in=proposals, from_state=NEW).values_list(
            "proposal", flat=True
        )
    )
    titles = set(proposals.values_list("title", flat=True))
    checks["proposals"] = {
        "in_database": proposals.count(),
        "told_sent": len(recorder.sent_proposals),
        "without_one_submission_event": sum(1 for p in proposals if events[p.pk] != 1),
        "told_sent_but_missing": sorted(set(recorder.sent_proposals) - titles),
    }
    proposals_ok = (
        not checks["proposals"]["without_one_submission_event"]
        and not checks["proposals"]["told_sent_but_missing"]
    )

    documents = LegalDocument.objects.filter(pk__in=world["drafts"])
    signed = documents.filter(state=LegalDocument.State.SIGNED)
    signed_events = Counter(
        DocumentEvent.objects.filter(document__in=signed, action="signed").values_list(
            "document", flat=True
        )
    )
    render_tasks = {
        result.args_kwargs["args"][0]
        for result in DBTaskResult.objects.filter(task_path__endswith="render_signed_pdf")
    }
    checks["signed_orders"] = {
        "signed": signed.count(),
        "told_signed": len(recorder.signed),
        "without_number": signed.filter(number="").count(),
        "without_one_signed_event": sum(1 for d in signed if signed_events[d.pk] != 1),
        "without_pdf_or_render_task": sum(
            1 for d in signed if not d.pdf and d.pk not in render_tasks
        ),
        "told_signed_but_not_signed": sorted(
            set(recorder.signed) - set(signed.values_list("pk", flat=True))
        ),
        "unsigned_with_number": documents.exclude(state=LegalDocument.State.SIGNED)
        .exclude(number="")
        .count(),
        "numbers_unique": signed.values("number").distinct().count() == signed.count(),
    }
    s = checks["signed_orders"]
    documents_ok = not (
        s["without_number"]
        or s["without_one_signed_event"]
        or s["without_pdf_or_render_task"]
        or s["told_signed_but_not_signed"]
        or s["unsigned_with_number"]
        or not s["numbers_unique"]
    )
    return checks, lines_ok and proposals_ok and documents_ok


def wait_for_pdfs(world, timeout):
    """Seconds until every signed order of (a) has its stored PDF (None: not within
    ``timeout``)."""
    from django.db import connections

    from network_center.documents.models import LegalDocument

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        connections.close_all()
        missing = LegalDocument.objects.filter(
            pk__in=world["drafts"], state=LegalDocument.State.SIGNED, pdf=""
        ).count()
        if not missing:
            return round(time.monotonic() - started, 1)
        time.sleep(1)
    return None


def pdfs_missing(world):
    """The signed orders of (a) still without their PDF, each with its render tasks' states."""
    from django_tasks_db.models import DBTaskResult

    from network_center.documents.models import LegalDocument

    missing = LegalDocument.objects.filter(
        pk__in=world["drafts"], state=LegalDocument.State.SIGNED, pdf=""
    ).values_list("pk", flat=True)
    tasks = DBTaskResult.objects.filter(task_path__endswith="render_signed_pdf")
    return {pk: sorted(t.status for t in tasks if t.args_kwargs["args"][0] == pk) for pk in missing}


def scenario_restart(cluster, servers, world, base, port, cookie_name, keys, args):
    from django.db import connections

    from plans.models import Line

    lines_before = dict(Line.objects.filter(pk__in=world["lines"]).values_list("pk", "version"))
    connections.close_all()
    recorder = Recorder()
    stop_event = threading.Event()
    plan = world["plan"]
    reads = {
        "uo_dmitriev": ["/plans/", f"/plans/{plan}/", "/documents/", "/"],
        "school_b": ["/plans/", f"/plans/{plan}/", "/notifications/"],
        "director_sosh2": ["/", f"/plans/{plan}/", "/plans/proposals/"],
    }
    threads = [
        threading.Thread(
            target=reader,
            args=(port, f"{cookie_name}={keys[login]}", paths, f"{login} reads", recorder),
            kwargs={"stop_event": stop_event},
        )
        for login, paths in reads.items()
    ]
    threads += [
        threading.Thread(
            target=line_editor,
            args=(Browser(base, cookie_name, keys["head_center"]), world["lines"], recorder),
            kwargs={"stop_event": stop_event},
        ),
        threading.Thread(
            target=proposer,
            args=(Browser(base, cookie_name, keys["school_a"]), world, recorder),
            kwargs={"stop_event": stop_event},
        ),
        threading.Thread(
            target=signer,
            args=(
                Browser(base, cookie_name, keys["chief_dmitriev"]),
                world["drafts"],
                world["password"],
                recorder,
            ),
            kwargs={"stop_event": stop_event},
        ),
    ]
    gunicorn_pid = servers["gunicorn"].pid
    restarts = []
    for thread in threads:
        thread.start()
    try:
        time.sleep(args.steady)
        for mode in ("fast", "immediate", "down"):
            started = time.monotonic()
            if mode == "down":
                print(
                    f"  pg_ctl stop -m fast, {args.down:.0f} s, pg_ctl start …", end=" ", flush=True
                )
                cluster.down_for(args.down)
            else:
                print(f"  pg_ctl restart -m {mode} …", end=" ", flush=True)
                cluster.restart(mode)
            back = time.monotonic()
            print(f"back after {back - started:.1f} s", flush=True)
            time.sleep(args.after)
            worker_exit = servers["worker"].poll()
            worker_alive = worker_exit is None
            if not worker_alive:
                # It should have waited for the database (network_center's db_worker); started
                # again as systemd's Restart=always would, for the scenarios that follow.
                servers["worker"] = servers["start_worker"]()
            restarts.append(
                {
                    "mode": mode,
                    "started": started,
                    "back": back,
                    "end": time.monotonic(),
                    "db_worker_survived": worker_alive,
                    "db_worker_exit_code": worker_exit,
                }
            )
    finally:
        stop_event.set()
        for thread in threads:
            thread.join(timeout=90)
    responses = sorted(recorder.responses, key=lambda r: r["t"])
    results = []
    for r in restarts:
        figures = outage_figures(responses, r["started"], r["back"], r["end"])
        figures["db_worker_survived"] = r["db_worker_survived"]
        figures["db_worker_exit_code"] = r["db_worker_exit_code"]
        figures["passed"] = (
            figures["all_failures_the_unavailable_page"]
            and figures["first_success_after_server_back_seconds"] is not None
            and figures["first_success_after_server_back_seconds"] <= RECOVERY_LIMIT
            and (figures["last_failure_after_server_back_seconds"] or 0) <= RECOVERY_LIMIT
            and not figures["failures_in_last_seconds"]
            and figures["db_worker_survived"]
        )
        what = (
            f"pg_ctl stop -m fast, {args.down:.0f} s down, pg_ctl start"
            if r["mode"] == "down"
            else f"pg_ctl restart -m {r['mode']}"
        )
        results.append({"restart": what, **figures})
    steady = [r for r in responses if r["t"] < restarts[0]["started"]] if restarts else []
    gunicorn_kept = servers["gunicorn"].poll() is None and servers["gunicorn"].pid == gunicorn_pid
    pdf_wait = wait_for_pdfs(world, timeout=120)
    connections.close_all()
    invariants, invariants_ok = check_invariants(world, recorder, lines_before)
    invariants["every_signed_pdf_stored_after_seconds"] = pdf_wait
    invariants["signed_orders_still_without_pdf"] = pdfs_missing(world)
    all_failed = [r for r in responses if _failed(r)]
    passed = (
        bool(restarts)
        and all(r["passed"] for r in results)
        and not any(_failed(r) for r in steady)
        and gunicorn_kept
        and invariants_ok
        and pdf_wait is not None
        and all(r["unavailable_page"] for r in all_failed)
    )
    return {
        "scenario": "(a) PostgreSQL restarted under load",
        "passed": passed,
        "clients": sorted({r["client"] for r in responses}),
        "requests": len(responses),
        "requests_by_status": dict(Counter(str(r["status"]) for r in responses)),
        "failed_before_the_restarts": sum(1 for r in steady if _failed(r)),
        "failed_in_all": len(all_failed),
        "all_failures_the_unavailable_page": all(r["unavailable_page"] for r in all_failed),
        "forms_sent_back": dict(recorder.refusals),
        "writes_told_done": {
            "line_edits_saved": len(recorder.saved_edits),
            "proposals_sent": len(recorder.sent_proposals),
            "orders_signed": len(recorder.signed),
        },
        "gunicorn_not_restarted": gunicorn_kept,
        "restarts": results,
        "invariants": invariants,
        "invariants_hold": invariants_ok,
    }


# --- (b) the mail server down --------------------------------------------------------------------


def scenario_mail(servers, world, base, cookie_name, keys, args, smtp_port):
    from django.db import connections
    from django_tasks_db.models import DBTaskResult

    from network_center.notifications.models import Notification
    from network_center.notifications.tasks import RETRY_DELAYS

    connections.close_all()
    before = set(
        DBTaskResult.objects.filter(task_path__endswith="send_notification_email").values_list(
            "pk", flat=True
        )
    )
    notifications_before = Notification.objects.count()
    browser = Browser(base, cookie_name, keys["head_center"])
    path = f"/plans/revisions/{world['revision']}/transition/submit/"
    page = browser.get(f"/plans/{world['plan']}/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    started = time.monotonic()
    response = browser.post(path, {"csrfmiddlewaretoken": token, "comment": ""})
    answered = time.monotonic() - started
    landing = browser.get(response.headers.get("Location", "/")).text
    submitted = response.status_code == 302 and "План отправлен на согласование" in landing
    connections.close_all()
    in_app = Notification.objects.count() - notifications_before

    sink = None

    def start_sink():
        nonlocal sink
        sink = SMTPSink(smtp_port)
        threading.Thread(target=sink.serve_forever, daemon=True).start()

    timer = threading.Timer(args.smtp_delay, start_sink)
    timer.start()
    sink_up_at = started + args.smtp_delay
    deadline = started + args.smtp_delay + RETRY_DELAYS[0].total_seconds() + 60
    delivered_at = None
    try:
        while time.monotonic() < deadline:
            if sink is not None and sink.messages:
                delivered_at = sink.messages[-1]["at"]
                time.sleep(1)  # any other message of the same task
                break
            time.sleep(0.5)
    finally:
        timer.cancel()
        if sink is not None:
            sink.shutdown()
            sink.server_close()
    connections.close_all()
    attempts = [
        {
            "attempt": _attempt(r),
            "status": r.status,
            "error": r.exception_class_path.rsplit(".", 1)[-1],
            "enqueued_s": round((r.enqueued_at - _base(r, before)).total_seconds(), 1),
            "run_after_s": round((r.run_after - _base(r, before)).total_seconds(), 1)
            if r.run_after and r.run_after.year < 9999
            else None,
            "finished_s": round((r.finished_at - _base(r, before)).total_seconds(), 1)
            if r.finished_at
            else None,
        }
        for r in DBTaskResult.objects.filter(task_path__endswith="send_notification_email")
        .exclude(pk__in=before)
        .order_by("enqueued_at")
    ]
    received = list(sink.messages) if sink else []
    recipients = sorted({to for m in received for to in m["to"]})
    first_failed = bool(attempts) and attempts[0]["status"] == "FAILED"
    retried = [a for a in attempts if a["attempt"] == 2]
    passed = (
        submitted
        and answered < 2
        and in_app > 0
        and first_failed
        and "ConnectionRefusedError" in attempts[0]["error"]
        and bool(retried)
        and retried[0]["status"] == "SUCCESSFUL"
        and set(world["coordinators"]) <= set(recipients)
    )
    return {
        "scenario": "(b) the mail server down",
        "passed": passed,
        "action": "head_center submits the plan for agreement (the schools are notified)",
        "action_succeeded": submitted,
        "action_answered_seconds": round(answered, 2),
        "in_app_notifications_at_once": in_app,
        "smtp_server_up_after_seconds": args.smtp_delay,
        "attempts": attempts,
        "retry_delay_seconds": RETRY_DELAYS[0].total_seconds(),
        "delivered_after_seconds": round(delivered_at - started, 1) if delivered_at else None,
        "delivered_after_smtp_up_seconds": round(delivered_at - sink_up_at, 1)
        if delivered_at
        else None,
        "messages_received": len(received),
        "subjects": sorted({m["subject"] for m in received}),
        "recipients": recipients,
        "every_coordinator_mailed": set(world["coordinators"]) <= set(recipients),
    }


def _attempt(result):
    """Which attempt at the mail a task is (``send_notification_email``'s ``attempt``)."""
    args, kwargs = result.args_kwargs["args"], result.args_kwargs["kwargs"]
    return args[3] if len(args) > 3 else kwargs.get("attempt", 1)


def _base(result, before):
    """The enqueue time of the first mail task of the scenario (the times are relative to it)."""
    from django_tasks_db.models import DBTaskResult

    first = (
        DBTaskResult.objects.filter(task_path__endswith="send_notification_email")
        .exclude(pk__in=before)
        .order_by("enqueued_at")
        .first()
    )
    return first.enqueued_at


# --- (c) the worker stopped ---------------------------------------------------------------------


def scenario_worker_stopped(servers, world, base, cookie_name, keys):
    from django.db import connections
    from django_tasks_db.models import DBTaskResult

    from network_center.documents.models import LegalDocument

    stop_worker(servers["worker"])
    pk = world["spare_draft"]
    browser = Browser(base, cookie_name, keys["chief_dmitriev"])
    page = browser.get(f"/documents/{pk}/sign/")
    token = form_of(page.text, "csrfmiddlewaretoken")["csrfmiddlewaretoken"][0]
    started = time.monotonic()
    response = browser.post(
        f"/documents/{pk}/sign/", {"csrfmiddlewaretoken": token, "password": world["password"]}
    )
    sign_seconds = time.monotonic() - started
    signed_ok = response.status_code == 302
    reader = Browser(base, cookie_name, keys["uo_dmitriev"])
    detail = reader.get(f"/documents/{pk}/")
    waiting = reader.get(f"/documents/{pk}/pdf/")
    pending_text = " ".join(
        " ".join(re.sub(r"<[^>]+>", " ", m).split())
        for m in re.findall(r"<main[^>]*>(.*?)</main>", waiting.text, re.S)
    )
    time.sleep(3)  # nothing renders it meanwhile
    connections.close_all()
    document = LegalDocument.objects.get(pk=pk)
    queued = DBTaskResult.objects.filter(
        task_path__endswith="render_signed_pdf", status="READY"
    ).count()
    stored_before = bool(document.pdf)

    servers["worker"] = servers["start_worker"]()
    worker_started = time.monotonic()
    served = None
    while time.monotonic() - worker_started < 60:
        pdf = reader.get(f"/documents/{pk}/pdf/")
        if pdf.headers.get("Content-Type") == "application/pdf":
            served = pdf
            break
        time.sleep(0.25)
    wait = time.monotonic() - worker_started
    connections.close_all()
    document.refresh_from_db()
    digest_ok = served is not None and (
        hashlib.sha256(served.content).hexdigest()
        == document.pdf_sha256
        == served.headers.get("X-Content-SHA256")
    )
    passed = (
        signed_ok
        and detail.status_code == 200
        and PENDING in detail.text
        and waiting.status_code == 200
        and PENDING in waiting.text
        and not stored_before
        and queued >= 1
        and served is not None
        and served.content.startswith(b"%PDF")
        and digest_ok
    )
    return {
        "scenario": "(c) the task worker stopped",
        "passed": passed,
        "signed_without_worker": signed_ok,
        "sign_answered_seconds": round(sign_seconds, 2),
        "number": document.number,
        "document_page_status": detail.status_code,
        "document_page_says_pending": PENDING in detail.text,
        "pdf_url_status_without_worker": waiting.status_code,
        "pdf_url_shows": pending_text[:300],
        "pdf_stored_without_worker": stored_before,
        "render_tasks_waiting": queued,
        "pdf_served_after_worker_start_seconds": round(wait, 2) if served is not None else None,
        "pdf_bytes": len(served.content) if served is not None else None,
        "sha256_matches": digest_ok,
    }


# --- (d) a worker killed mid-task -------------------------------------------------------------

# The workers' timings in this scenario (settings TASK_WORKER_*): a dead worker is noticed in
# seconds instead of the 90 s of production.
QUICK_BEATS = {
    "TASK_WORKER_BEAT_SECONDS": "1",
    "TASK_WORKER_SWEEP_SECONDS": "1",
    "TASK_WORKER_DEAD_AFTER_SECONDS": "5",
}


class SilentServer(socketserver.ThreadingTCPServer):
    """A mail server that accepts the connection and never says a word: the worker's mail task
    waits on it (``DJANGO_EMAIL_TIMEOUT`` long), «running», until the worker is killed."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, port):
        self.closing = threading.Event()
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                server.closing.wait(600)

        super().__init__(("127.0.0.1", port), Handler)


def scenario_worker_killed(servers, world, log):
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django_tasks_db.models import DBTaskResult

    from network_center.notifications.services import notify
    from schools.models import WorkerBeat

    stop_worker(servers["worker"])
    silent_port, sink_port = free_port(), free_port()
    silent = SilentServer(silent_port)
    threading.Thread(target=silent.serve_forever, daemon=True).start()
    mail = {
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "DJANGO_EMAIL_HOST": "127.0.0.1",
        "DJANGO_EMAIL_TIMEOUT": "600",
    }
    doomed = start_worker(log, {**mail, "DJANGO_EMAIL_PORT": str(silent_port), **QUICK_BEATS})
    sink = None
    try:
        connections.close_all()
        # A notification, as every action makes one: its row and its mail's task.
        head = get_user_model().objects.get(username="head_center")
        notify([head], "Проверка: обработчик задач остановлен посреди задачи.", "/notifications/")
        task = DBTaskResult.objects.filter(
            task_path__endswith="send_notification_email",
            args_kwargs__args__1__startswith="Проверка",
        ).latest("enqueued_at")
        claimed = _wait_for(lambda: _status(task) == "RUNNING", 30)
        doomed_id = task_workers(task)[-1] if claimed else None
        beat_before = WorkerBeat.objects.filter(pk=doomed_id).exists()
        doomed.send_signal(signal.SIGKILL)  # kill -9: the OOM killer, a machine gone
        doomed.wait()
        killed_at = time.monotonic()
        time.sleep(2)
        still_running = _status(task) == "RUNNING"

        sink = SMTPSink(sink_port)
        threading.Thread(target=sink.serve_forever, daemon=True).start()
        servers["worker"] = start_worker(
            log, {**mail, "DJANGO_EMAIL_PORT": str(sink_port), **QUICK_BEATS}
        )
        sent = _wait_for(lambda: _status(task) == "SUCCESSFUL" and sink.messages, 60)
        recovered = time.monotonic() - killed_at
        workers_of_task = task_workers(task)
        stop_worker(servers["worker"])
        connections.close_all()
        gone_after_stop = not WorkerBeat.objects.filter(pk=workers_of_task[-1]).exists()
        doomed_left = WorkerBeat.objects.filter(pk=doomed_id).exists()
    finally:
        silent.closing.set()
        silent.shutdown()
        silent.server_close()
        if sink is not None:
            sink.shutdown()
            sink.server_close()
        if doomed.poll() is None:
            doomed.kill()
    servers["worker"] = servers["start_worker"]()
    passed = (
        claimed
        and beat_before
        and still_running
        and bool(sent)
        and len(workers_of_task) == 2
        and workers_of_task[0] == doomed_id
        and bool(head.email)
        and any(head.email in m["to"] for m in sink.messages)
        and gone_after_stop
    )
    return {
        "scenario": "(d) a task worker killed mid-task",
        "passed": passed,
        "task": "the mail of a notification, held by a mail server that never answers",
        "claimed_by_the_worker_then_killed": claimed,
        "its_sign_of_life_was_there": beat_before,
        "still_running_after_the_kill": still_running,
        "dead_after_seconds": int(QUICK_BEATS["TASK_WORKER_DEAD_AFTER_SECONDS"]),
        "sent_by_another_worker": bool(sent),
        "sent_seconds_after_the_kill": round(recovered, 1),
        "workers_of_the_task": len(workers_of_task),
        "messages_received": len(sink.messages) if sink else 0,
        "the_killed_workers_row_left_silent": doomed_left,
        "a_stopped_worker_leaves_no_row": gone_after_stop,
    }


def _status(task):
    from django.db import connections

    connections.close_all()
    task.refresh_from_db()
    return task.status


def task_workers(task):
    task.refresh_from_db()
    return list(task.worker_ids)


def _wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.25)
    return None


# --- main ---------------------------------------------------------------------------------------


def start_worker(log, env):
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.5"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def stop_worker(worker):
    """As systemd stops it (KillSignal=SIGINT): the task being run finishes first."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def run(args):
    started = time.perf_counter()
    cluster = Cluster()
    servers = {}
    results = []
    try:
        cluster.start()
        print(f"PostgreSQL cluster in {cluster.dir} on 127.0.0.1:{cluster.port}", flush=True)
        prepare_demo_database(cluster.url)
        from django.conf import settings
        from django.db import connections

        print("building the scenario through the services …", end=" ", flush=True)
        world = build_world()
        print(f"{LINES} lines, {DRAFTS + 1} drafts", flush=True)
        cookie_name, keys = log_in(
            [
                "head_center",
                "school_a",
                "school_b",
                "uo_dmitriev",
                "director_sosh2",
                "chief_dmitriev",
            ]
        )
        assert cookie_name == settings.SESSION_COOKIE_NAME
        connections.close_all()

        port = free_port()
        smtp_port = free_port()  # nothing listens on it until (b) starts the sink
        base = f"http://127.0.0.1:{port}"
        with tempfile.TemporaryDirectory(prefix="faults-") as tmp:
            log_path = Path(tmp) / "servers.log"
            with log_path.open("w") as log:
                servers["gunicorn"] = start_gunicorn(port, 3, log, DUMMY_MAIL)
                mail_env = DUMMY_MAIL
                servers["start_worker"] = lambda: start_worker(log, mail_env)
                servers["worker"] = servers["start_worker"]()
                try:
                    wait_until_up(servers["gunicorn"], port, log_path)
                    print(f"gunicorn (3 sync workers) on {base}, one db_worker", flush=True)

                    print("(a) PostgreSQL restarted under load", flush=True)
                    results.append(
                        scenario_restart(
                            cluster, servers, world, base, port, cookie_name, keys, args
                        )
                    )
                    report(results[-1])

                    print("(b) the mail server down", flush=True)
                    stop_worker(servers["worker"])
                    mail_env = {
                        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                        "DJANGO_EMAIL_HOST": "127.0.0.1",
                        "DJANGO_EMAIL_PORT": str(smtp_port),
                    }
                    servers["worker"] = servers["start_worker"]()
                    results.append(
                        scenario_mail(servers, world, base, cookie_name, keys, args, smtp_port)
                    )
                    report(results[-1])

                    print("(c) the task worker stopped", flush=True)
                    results.append(scenario_worker_stopped(servers, world, base, cookie_name, keys))
                    report(results[-1])

                    print("(d) a task worker killed mid-task", flush=True)
                    results.append(scenario_worker_killed(servers, world, log))
                    report(results[-1])
                finally:
                    stop_worker(servers["worker"])
                    stop(servers["gunicorn"])
            server_log = log_path.read_text()
        results.append(
            {
                "scenario": "(e) the object store full or unreachable on upload",
                "passed": True,
                "covered_by": "tests/test_object_storage.py (moto's S3 server refusing "
                "uploads): the form shows the Russian STORAGE_FAILED message, no row is left "
                "without its file",
            }
        )
    finally:
        if "django.conf" in sys.modules:  # the script's own connection, before the server goes
            from django.db import connections

            connections.close_all()
        cluster.remove()
    passed = all(r["passed"] for r in results)
    tracebacks = server_log.count("Traceback")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "passed": passed,
                "seconds": round(time.perf_counter() - started),
                "tracebacks_in_server_logs": tracebacks,
                "scenarios": results,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(
        f"\n{'every scenario passed' if passed else 'A SCENARIO FAILED'}; wrote "
        f"{RESULTS.relative_to(ROOT)} ({time.perf_counter() - started:.0f} s in all; "
        f"{tracebacks} tracebacks in the servers' log, the outages' included)"
    )
    return passed


def report(result):
    """The scenario's outcome and figures, a restart's or a check's group on a line of its own."""
    print(f"  {'PASS' if result['passed'] else 'FAIL'}  {result['scenario']}", flush=True)
    for key, value in result.items():
        if key in {"scenario", "passed"}:
            continue
        for item in value if key == "restarts" else [value]:
            print(f"        {key}: {json.dumps(item, ensure_ascii=False)}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--steady", type=float, default=6, help="seconds of load before the first restart"
    )
    parser.add_argument(
        "--after", type=float, default=10, help="seconds of load after each restart"
    )
    parser.add_argument(
        "--down", type=float, default=5, help="seconds with no server in the third outage"
    )
    parser.add_argument(
        "--smtp-delay",
        type=float,
        default=20,
        help="seconds after the plan's submission at which the SMTP server comes up",
    )
    args = parser.parse_args()
    try:
        passed = run(args)
    except BenchError as error:
        sys.exit(f"faults: {error}")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
