"""Page benchmark against this machine's own reference (not a test; run it by hand).

    cd /work/main && .venv/bin/python bench/run.py [--requests 200] [--keep-db]

What it measures: the time the server takes to answer each main page of the product, as a
logged-in user sees it (each persona's home page; the others as the department's specialist
sees them, the notifications as the center head's), in production conditions — PostgreSQL,
gunicorn (2 sync workers), DEBUG off, manifest static files — and how many SQL queries each page
runs.

When nginx is installed (Debian's ``nginx-light`` will do; ``--no-nginx`` skips it), it
stands in front of gunicorn as the README's production set-up has it: clients keep their
connection to nginx, and a stored file is sent by nginx after the application's access check
(``X-Accel-Redirect``). References and pages go through the same servers either way.

How: it (re)creates a throw-away PostgreSQL database (``network_center_bench``; another with
``--database-url`` or ``BENCH_DATABASE_URL``; its name must contain "bench", it is dropped),
migrates it, collects the static files and loads the demo (the tasks it enqueues, the signed
PDFs, run in the loading process, as a worker would run them), all with ``bench.settings``; it logs
every persona in by creating a session for it in the database (as Django's login does: the
user's id, backend and session hash), finds the demo's objects (the Dmitriev center, this year's
plan, the order 1-139/1, the approved plan's signed PDF), starts gunicorn on a free loopback
port and requests every page with the session's cookie. Each page is warmed up, then requested
``--requests`` times, one request at a time, in rounds of ``--batch`` requests of each page in
turn (the references too), so that other work on the machine weighs on all of them alike; the
time of a request is its wall time on the client (loopback; the sync worker closes the
connection after each response, so that includes a TCP connect, as behind a proxy). The query
count is the ``X-Bench-Queries`` header that ``bench.middleware`` adds to every response. The
signed PDF and the two references are also requested by ``--clients`` concurrent clients for
``--seconds`` seconds, in one-second slices taken page after page: the median slice's
requests/s (the template's is the ceiling of this server here). The
share of the CPU other work uses just before and after the run is printed, with a warning when
it is high: the figures are then noisy.

Why the references: milliseconds mean nothing from one machine to the next, so each page is
judged against two views only ``bench.urls`` serves, on the same server, through the same
middleware, with the same session: a small template with no queries (the floor: the request
cycle itself) and the same template after five simple ORM queries (what a plain page costs
here). ``ratio`` is a page's median over the five-query reference's median. Targets: the median
page at most 2×, every page at most 3× the reference, the signed PDF at least 1,000 requests/s.

Pages are served the way the product serves them: a signed-in user's page is cached under the
version of the data (``schools.caching``), so after the first request of each page — the one
request in a hundred with more queries — the pages cost the session's one query. A second pass
then restarts gunicorn with the page cache off (``PAGE_CACHE_SECONDS=0``) and measures every page
rendered on every request, as the first view after any change of the data is: the ``rendered``
columns (``--served-only`` skips it). The targets are judged on the pages as served.

Prints a table and writes ``bench/results/latest.json``: a list of
``{page, queries, median_ms, p95_ms, ratio}`` (the references included; the signed PDF's and the
references' rows also carry ``requests_per_s``; with the second pass, every row also carries
``rendered_queries``, ``rendered_median_ms`` and ``rendered_ratio``, the latter against that
pass's own five-query reference). Stops gunicorn at the end; the
database is left in place (``--keep-db`` reuses it).
"""

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "latest.json"
MEDIA = ROOT / "var" / "bench" / "media"  # bench.settings.MEDIA_ROOT
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/network_center_bench"
SETTINGS = "bench.settings"

# README's demo logins, one home page each; the other pages are the department's.
HOME_LOGINS = [
    "uo_dmitriev",
    "rmk_dmitriev",
    "director_sosh2",
    "head_center",
    "wg_member",
    "school_a",
    "school_b",
    "uo_kupino",
    "region",
]
DEPARTMENT = "uo_dmitriev"
NOTIFIED = "head_center"
HUB = "МКОУ «СОШ № 2 г. Дмитриева»"
ORDER_NUMBER = "1-139/1"

REF_TEMPLATE = "ref: template, no queries"
REF_ORM5 = "ref: five ORM queries"
REFERENCES = [(REF_TEMPLATE, "/bench/ref/template/", 0), (REF_ORM5, "/bench/ref/orm5/", 5)]
SIGNED_PDF = "signed PDF"
BUSY = 0.15  # CPU share used by others above which the figures are called noisy

HTML = "text/html"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


class BenchError(Exception):
    """A step that must succeed did not: the run stops with this message."""


@dataclass
class Page:
    name: str
    path: str
    login: str
    content_type: str = HTML
    times_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    requests_per_s: float | None = None
    rendered: "Page | None" = None  # the same page measured with the page cache off

    @property
    def usual_queries(self):
        """The query count of most requests (a worker's first request of a page that caches
        part of itself runs more)."""
        return Counter(self.queries).most_common(1)[0][0]

    @property
    def median_ms(self):
        return statistics.median(self.times_ms)

    @property
    def p95_ms(self):
        return statistics.quantiles(self.times_ms, n=20, method="inclusive")[18]


# --- database and Django ------------------------------------------------------------------------


def recreate_database(url, *, keep):
    """Drop and create the database of ``url``; with ``keep``, leave an existing one alone.
    Returns whether it was created."""
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in {"postgres", "postgresql"} or "bench" not in name:
        raise BenchError(
            f"{url}: a PostgreSQL database whose name contains 'bench' is needed "
            "(it is dropped and created again)"
        )
    try:
        admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    except psycopg2.Error as error:
        raise BenchError(f"cannot connect to PostgreSQL for {url}: {error}") from error
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if keep and cursor.fetchone():
                return False
            ident = sql.Identifier(name)
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(ident))
    finally:
        admin.close()
    return True


def manage(*args, **env):
    """``manage.py`` with the benchmark's settings and database (both in ``os.environ``) and
    the environment variables ``env``."""
    started = time.perf_counter()
    print(f"manage.py {' '.join(args)} …", end=" ", flush=True)
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        print("failed")
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    print(f"{time.perf_counter() - started:.1f} s", flush=True)


def model(name):
    """The installed model of that class name (found by name, not by module or app label:
    the project's packages may move)."""
    from django.apps import apps

    found = [m for m in apps.get_models() if m.__name__ == name]
    if len(found) != 1:
        raise BenchError(f"expected one model named {name}, found {len(found)}")
    return found[0]


def log_in(logins):
    """A database session for each login, as ``django.contrib.auth.login`` makes it; returns
    the cookie name and the session key of each login."""
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
        load_backend,
    )
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.sessions.backends.db import SessionStore

    # The backend the login form records: the project's model backend.
    backend = next(
        path
        for path in settings.AUTHENTICATION_BACKENDS
        if isinstance(load_backend(path), ModelBackend)
    )
    users = get_user_model().objects.in_bulk(logins, field_name="username")
    missing = sorted(set(logins) - set(users))
    if missing:
        raise BenchError(f"demo logins missing from the database: {', '.join(missing)}")
    keys = {}
    for login, user in users.items():
        session = SessionStore()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys[login] = session.session_key
    return settings.SESSION_COOKIE_NAME, keys


def demo_pages():
    """The pages to measure, their ids read from the demo in the database."""
    Center, Plan, Revision, LegalDocument = map(
        model, ["Center", "Plan", "Revision", "LegalDocument"]
    )
    center = Center.objects.filter(hub__short_name=HUB).select_related("hub").first()
    if center is None:
        raise BenchError(f"the demo has no center at {HUB}")
    plan = Plan.objects.filter(center=center).order_by("-year").first()
    revision = plan and Revision.objects.filter(plan=plan).order_by("-number").first()
    approved = (
        Revision.objects.filter(plan__center=center, approval_document__isnull=False)
        .select_related("approval_document")
        .order_by("-plan__year", "-number")
        .first()
    )
    order = LegalDocument.objects.filter(number=ORDER_NUMBER, parent=None).first()
    if not (plan and revision and approved and order):
        raise BenchError(
            "the demo lacks this year's plan, its revision, an approved plan or the order "
            f"{ORDER_NUMBER} (plan={plan}, revision={revision}, approved={approved}, "
            f"order={order})"
        )
    signed = approved.approval_document
    if not signed.pdf:
        raise BenchError(
            f"the approved plan's document {signed} has no stored PDF (its render task not run)"
        )
    pages = [Page(f"home: {login}", "/", login) for login in HOME_LOGINS]
    pages += [
        Page(name, path, DEPARTMENT, content_type)
        for name, path, content_type in [
            ("schools list", "/schools/", HTML),
            ("school page", f"/schools/{center.hub.pk}/", HTML),
            ("centers list", "/centers/", HTML),
            ("center page", f"/centers/{center.pk}/", HTML),
            ("working group", f"/centers/{center.pk}/working-group/", HTML),
            ("plans list", "/plans/", HTML),
            ("plan page", f"/plans/{plan.pk}/", HTML),
            ("plan XLSX export", f"/plans/revisions/{revision.pk}/export.xlsx", XLSX),
            ("journal", "/documents/", HTML),
            ("document page", f"/documents/{order.pk}/", HTML),
            (SIGNED_PDF, f"/documents/{signed.pk}/pdf/", PDF),
            ("proposals list", "/plans/proposals/", HTML),
        ]
    ]
    # The department has next to none; the center head is told of every visa and proposal.
    notifications = first_route("/notifications/", "/plans/notifications/")
    pages.append(Page(f"notifications: {NOTIFIED}", notifications, NOTIFIED))
    return pages


def first_route(*paths):
    """The first of ``paths`` the URLconf serves (a page that moved between apps)."""
    from django.urls import Resolver404, resolve

    for path in paths:
        try:
            resolve(path)
        except Resolver404:
            continue
        return path
    raise BenchError(f"none of {', '.join(paths)} is served")


# --- server and client --------------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(port, workers, log, env=None):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        raise BenchError(f"{gunicorn} not found: run with the project's .venv/bin/python")
    return subprocess.Popen(
        [
            str(gunicorn),
            "network_center.wsgi:application",
            f"--workers={workers}",
            "--worker-class=sync",
            f"--bind=127.0.0.1:{port}",
            f"--chdir={ROOT}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def stop(server):
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


NGINX_CONF = """
worker_processes 1;
daemon off;
error_log {tmp}/nginx-error.log warn;
pid {tmp}/nginx.pid;
events {{ worker_connections 512; }}
http {{
    access_log off;
    sendfile on;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream app {{ server 127.0.0.1:{app_port}; }}
    server {{
        listen 127.0.0.1:{port};
        # As in the README's production set-up: stored files only after the app's check.
        location {accel} {{
            internal;
            alias {media}/;
            # nginx drops the application's headers when it sends the file itself.
            add_header X-Bench-Queries $upstream_http_x_bench_queries;
        }}
        location / {{ proxy_pass http://app; proxy_set_header Host $host; }}
    }}
}}
"""
ACCEL = "/protected-media/"


def start_nginx(tmp, port, app_port, log):
    """nginx on ``port`` in front of gunicorn on ``app_port``, sending stored files itself."""
    conf = Path(tmp) / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(tmp=tmp, port=port, app_port=app_port, accel=ACCEL, media=MEDIA)
    )
    return subprocess.Popen(
        [shutil.which("nginx"), "-c", str(conf), "-p", tmp], stdout=log, stderr=subprocess.STDOUT
    )


class Client:
    """One client over one HTTP/1.1 connection, reopened when the server closes it. Like a
    browser, it keeps the cookies the server sets (the CSRF cookie) and sends them back."""

    def __init__(self, port, cookie=None):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies = SimpleCookie(cookie or "")
        self.headers = {}
        self._update_header()

    def _update_header(self):
        if self.cookies:
            self.headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())

    def get(self, path):
        self.connection.request("GET", path, headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        set_cookies = response.headers.get_all("Set-Cookie") or []
        for header in set_cookies:
            self.cookies.load(header)
        if set_cookies:
            self._update_header()
        return response, body

    def close(self):
        self.connection.close()


def wait_until_up(server, port, log_path, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(
                f"{server.args[0]} exited ({server.returncode}):\n{log_path.read_text()}"
            )
        client = Client(port)
        try:
            response, _ = client.get(REFERENCES[0][1])
            if response.status == 200:
                return
            raise BenchError(f"{REFERENCES[0][1]} answered {response.status}")
        except OSError:
            time.sleep(0.2)
        finally:
            client.close()
    raise BenchError(f"gunicorn did not answer within {timeout} s:\n{log_path.read_text()}")


def check(page, response, body):
    """Abort unless the page answered 200 with what it should carry."""
    if response.status != 200:
        location = response.getheader("Location", "")
        why = " (not logged in?)" if "/accounts/login/" in location else ""
        raise BenchError(
            f"{page.name}: GET {page.path} as {page.login} answered {response.status}"
            f"{f' → {location}' if location else ''}{why}"
        )
    if response.getheader("X-Bench-Queries") is None:
        raise BenchError(f"{page.name}: no X-Bench-Queries header (not bench.settings?)")
    content_type = response.getheader("Content-Type", "")
    if not content_type.startswith(page.content_type):
        raise BenchError(f"{page.name}: GET {page.path} answered {content_type}")
    if page.content_type == PDF and not body.startswith(b"%PDF"):
        raise BenchError(f"{page.name}: GET {page.path} is not a PDF")


def measure(pages, port, cookies, *, warmup, requests, batch):
    """Warm every page up, then time it in rounds: ``batch`` requests of each page in turn, so
    that a change of the machine's load during the run weighs on pages and references alike.
    Each page has its own client; one request at a time."""
    clients = [Client(port, cookies[page.login]) for page in pages]
    try:
        for page, client in zip(pages, clients, strict=True):
            for _ in range(warmup):
                check(page, *client.get(page.path))
        done = 0
        while done < requests:
            n = min(batch, requests - done)
            for page, client in zip(pages, clients, strict=True):
                for _ in range(n):
                    started = time.perf_counter()
                    response, body = client.get(page.path)
                    page.times_ms.append((time.perf_counter() - started) * 1000)
                    check(page, response, body)
                    page.queries.append(int(response.getheader("X-Bench-Queries")))
            done += n
            print(f"\r  timed {done}/{requests}", end="", flush=True)
        print()
    finally:
        for client in clients:
            client.close()


def cpu_busy(seconds=1.0):
    """The share of the machine's CPU time in use over ``seconds`` (Linux), or None."""

    def sample():
        with open("/proc/stat") as stat:
            ticks = [int(n) for n in stat.readline().split()[1:9]]
        return sum(ticks), ticks[3] + ticks[4]  # all, idle + iowait

    try:
        total, idle = sample()
        time.sleep(seconds)
        total_after, idle_after = sample()
    except (OSError, ValueError, IndexError):
        return None
    return 1 - (idle_after - idle) / max(1, total_after - total)


def requests_per_second(page, port, cookie, *, clients, seconds):
    """Requests/s of ``clients`` concurrent clients, each with its own connection."""
    counts = [0] * clients
    failures = []
    deadline = time.perf_counter() + seconds

    def run(i):
        client = Client(port, cookie)
        try:
            while time.perf_counter() < deadline:
                response, body = client.get(page.path)
                if response.status != 200:
                    failures.append(response.status)
                    return
                counts[i] += 1
        except OSError as error:
            failures.append(repr(error))
        finally:
            client.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise BenchError(f"{page.name} under {clients} clients: {failures[:3]}")
    return sum(counts) / elapsed


# --- report -------------------------------------------------------------------------------------


def rows(references, pages):
    base = references[1].median_ms
    rendered_base = references[1].rendered.median_ms if references[1].rendered else None
    return [
        {
            "page": p.name,
            "queries": p.usual_queries,
            "median_ms": round(p.median_ms, 2),
            "p95_ms": round(p.p95_ms, 2),
            "ratio": round(p.median_ms / base, 2),
            **({"requests_per_s": round(p.requests_per_s)} if p.requests_per_s else {}),
            **(
                {
                    "rendered_queries": p.rendered.usual_queries,
                    "rendered_median_ms": round(p.rendered.median_ms, 2),
                    "rendered_ratio": round(p.rendered.median_ms / rendered_base, 2),
                }
                if p.rendered
                else {}
            ),
        }
        for p in [*references, *pages]
    ]


def report(table, pages):
    width = max(len(row["page"]) for row in table)
    print(
        f"\n{'page':<{width}}  queries  median_ms  p95_ms  ratio  requests/s"
        "  │ rendered: queries  median_ms  ratio"
    )
    for row in table:
        rps = row.get("requests_per_s")
        rendered = (
            f"  │ {row['rendered_queries']:>17}  {row['rendered_median_ms']:>9.2f}"
            f"  {row['rendered_ratio']:>5.2f}"
            if "rendered_median_ms" in row
            else "  │"
        )
        print(
            f"{row['page']:<{width}}  {row['queries']:>7}  {row['median_ms']:>9.2f}"
            f"  {row['p95_ms']:>6.2f}  {row['ratio']:>5.2f}  {rps if rps else '':>10}{rendered}"
        )
    for page in pages:
        counts = Counter(page.queries)
        if len(counts) > 1:
            other = ", ".join(
                f"{n} in {times}" for n, times in sorted(counts.items()) if n != page.usual_queries
            )
            print(
                f"({page.name}: {page.usual_queries} queries in {counts[page.usual_queries]} "
                f"requests of {len(page.queries)}; {other})"
            )
    page_rows = [row for row in table if not row["page"].startswith("ref: ")]
    median_ratio = statistics.median(row["ratio"] for row in page_rows)
    over = [f"{row['page']} {row['ratio']:.2f}×" for row in page_rows if row["ratio"] > 3]
    pdf_rps = next(row["requests_per_s"] for row in table if row["page"] == SIGNED_PDF)
    targets = [
        (f"median page ≤ 2× the five-query reference: {median_ratio:.2f}×", median_ratio <= 2),
        (
            "every page ≤ 3× the five-query reference"
            + (f": over — {'; '.join(over)}" if over else ""),
            not over,
        ),
        (f"signed PDF ≥ 1,000 requests/s: {pdf_rps:,}", pdf_rps >= 1000),
    ]
    print("\nTargets:")
    for text, ok in targets:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")


# --- main ---------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="throw-away PostgreSQL database (default: $BENCH_DATABASE_URL or %(default)s)",
    )
    parser.add_argument("--keep-db", action="store_true", help="reuse the database if it exists")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page first")
    parser.add_argument(
        "--batch", type=int, default=10, help="requests of a page in a row, page after page"
    )
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients for req/s")
    parser.add_argument(
        "--seconds", type=float, default=9.0, help="seconds of req/s per page, in 1 s slices"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--no-nginx",
        action="store_true",
        help="clients talk to gunicorn directly even when nginx is installed",
    )
    parser.add_argument(
        "--served-only",
        action="store_true",
        help="skip the second pass that renders every page with the page cache off",
    )
    args = parser.parse_args()
    if args.requests < 2 or args.batch < 1:
        parser.error("--requests must be at least 2, --batch at least 1")
    try:
        run(args)
    except BenchError as error:
        sys.exit(f"bench: {error}")


def run(args):
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    database = urlsplit(args.database_url).path.lstrip("/")
    created = recreate_database(args.database_url, keep=args.keep_db)
    print(f"{'created' if created else 'reusing'} {database}", flush=True)
    if created:
        shutil.rmtree(MEDIA, ignore_errors=True)  # the dropped database's stored PDFs
    manage("migrate", "--noinput")
    manage("collectstatic", "--noinput")
    # The tasks the demo enqueues (signed PDFs, mail) run in the loading process, as a worker
    # would run them; the benchmark sends no mail.
    manage(
        "load_demo",
        "--quiet-logins",
        *([] if created else ["--if-empty"]),
        DJANGO_TASKS_IMMEDIATE="1",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )

    import django

    django.setup()
    from django.db import connections

    pages = demo_pages()
    cookie_name, sessions = log_in(sorted({p.login for p in pages}))
    connections.close_all()
    cookies = {login: f"{cookie_name}={key}" for login, key in sessions.items()}
    references = [Page(name, path, DEPARTMENT) for name, path, _ in REFERENCES]

    busy_before = cpu_busy()
    if busy_before is not None:
        print(f"CPU in use by other work before the run: {busy_before:.0%}", flush=True)
    serve_and_measure(args, references, pages, cookies)
    if not args.served_only:
        # The same pages rendered on every request (the page cache off): what the first view
        # after a change of the data costs.
        print("the same with the page cache off (PAGE_CACHE_SECONDS=0):", flush=True)
        for page in [*references, *pages]:
            page.rendered = Page(page.name, page.path, page.login, page.content_type)
        serve_and_measure(
            args,
            [p.rendered for p in references],
            [p.rendered for p in pages],
            cookies,
            env={"PAGE_CACHE_SECONDS": "0"},
            throughput=False,
        )
    busy_after = cpu_busy()
    table = rows(references, pages)
    report(table, pages)
    for when, busy in [("before", busy_before), ("after", busy_after)]:
        if busy is not None and busy > BUSY:
            print(
                f"\nWARNING: {busy:.0%} of the CPU was in use by other work just {when} the run: "
                "the figures are noisy; run again on a quiet machine."
            )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(table, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {RESULTS.relative_to(ROOT)} ({time.perf_counter() - started:.0f} s in all)")


def serve_and_measure(args, references, pages, cookies, *, env=None, throughput=True):
    """Start gunicorn (with ``env`` added to its environment) — behind nginx when it is
    installed, unless ``--no-nginx`` —, time every page, measure requests/s unless
    ``throughput`` is false; the servers are stopped whatever happens."""
    app_port = free_port()
    nginx = None if args.no_nginx else shutil.which("nginx")
    env = {**(env or {}), **({"DOCUMENTS_X_ACCEL_REDIRECT": ACCEL} if nginx else {})}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        log_path = Path(tmp) / "servers.log"
        with log_path.open("w") as log:
            server = start_gunicorn(app_port, args.workers, log, env)
            front = None
            try:
                wait_until_up(server, app_port, log_path)
                port = app_port
                if nginx:
                    port = free_port()
                    front = start_nginx(tmp, port, app_port, log)
                    wait_until_up(front, port, log_path)
                print(
                    f"gunicorn: {args.workers} sync workers"
                    + (
                        " behind nginx (one worker; it sends stored files: X-Accel-Redirect)"
                        if nginx
                        else " (no nginx: gunicorn sends stored files)"
                    )
                    + f"; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
                    f"each page: {args.warmup} warm-up, {args.requests} timed requests",
                    flush=True,
                )
                measure(
                    [*references, *pages],
                    port,
                    cookies,
                    warmup=args.warmup,
                    requests=args.requests,
                    batch=args.batch,
                )
                for page, (_, _, expected) in zip(references, REFERENCES, strict=True):
                    if set(page.queries) != {expected}:
                        raise BenchError(
                            f"{page.name} ran {sorted(set(page.queries))} queries, not {expected}"
                        )
                measured = [next(p for p in pages if p.name == SIGNED_PDF), *references]
                if throughput:
                    # In one-second slices, page after page, so that a change of the machine's
                    # load weighs on all of them alike; the median slice is the figure.
                    slices = max(1, round(args.seconds))
                    rates = {page.name: [] for page in measured}
                    for _ in range(slices):
                        for page in measured:
                            rates[page.name].append(
                                requests_per_second(
                                    page,
                                    port,
                                    cookies[page.login],
                                    clients=args.clients,
                                    seconds=args.seconds / slices,
                                )
                            )
                    for page in measured:
                        page.requests_per_s = statistics.median(rates[page.name])
                        spread = f"{min(rates[page.name]):.0f}–{max(rates[page.name]):.0f}"
                        print(
                            f"  {page.name:<28} {page.requests_per_s:8.0f} requests/s "
                            f"(median of {slices} one-second slices, {spread}; "
                            f"{args.clients} clients)",
                            flush=True,
                        )
            finally:
                if front is not None:
                    stop(front)
                stop(server)


if __name__ == "__main__":
    main()
