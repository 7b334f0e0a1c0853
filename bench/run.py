"""Page benchmark of a region against this machine's own reference (not a test; run by hand).

    cd /work/main && .venv/bin/python bench/run.py [--small] [--keep-db] [--requests 200]

What it measures: the time the server takes to answer each main page of the product, as a
logged-in user sees it, on a region's worth of data (SPEC §8: ``manage.py generate_region`` —
40 municipalities, 1,600 schools, 80 centers, 5 years of plans with 50,000 lines, 5,000 users,
500,000 indicator values; ``--small``: a tenth), in production conditions — PostgreSQL,
gunicorn (2 sync workers), DEBUG off, manifest static files — and how many SQL queries each
page runs; the same pages of the demo beside them, for their query counts (which must not
grow with the data).

The pages: each persona's home page (department specialist, department head, methodologist,
hub director, center head, working-group member, participant school, regional observer); the
schools list and the hub's page, the centers list, the center and its working group, the plans
list, the plan page of the region's 150-line plan (the demo's: this year's), its XLSX export,
the calendar, the proposals, the journal, a signed act's page and its stored PDF, the
monitoring campaigns and a campaign, the effectiveness of the municipality and of the center —
as the department's specialist sees them —; the resources search («лаборатория») and the
regional view as the regional observer; the notifications as the center head.

When nginx is installed (Debian's ``nginx-light`` will do; ``--no-nginx`` skips it), it
stands in front of gunicorn as the README's production set-up has it: clients keep their
connection to nginx, and a stored file is sent by nginx after the application's access check
(``X-Accel-Redirect``). References and pages go through the same servers either way.

How: it (re)creates a throw-away PostgreSQL database (``network_center_bench``; another with
``--database-url`` or ``BENCH_DATABASE_URL``; its name must contain "bench", it is dropped),
migrates it, collects the static files, loads the demo (the tasks it enqueues, the signed
PDFs, run in the loading process, as a worker would run them) and generates the region
(``--seed``), all with ``bench.settings``; it logs every persona in by creating a session for
it in the database (as Django's login does: the user's id, backend and session hash), finds
the objects (the region's first center, its 150-line plan of this year, a signed act of its
municipality with a stored PDF; the demo's Dmitriev center), starts gunicorn on a free loopback
port and requests every page with the session's cookie. Each page is warmed up, then requested
``--requests`` times (the demo's ``--demo-requests``), one request at a time, in rounds of
``--batch`` requests of each page in turn (the references too), so that other work on the
machine weighs on all of them alike; the time of a request is its wall time on the client
(loopback; the sync worker closes the connection after each response, so that includes a TCP
connect, as behind a proxy). The query count is the ``X-Bench-Queries`` header that
``bench.middleware`` adds to every response. The signed PDF and the two references are also
requested by ``--clients`` concurrent clients for ``--seconds`` seconds, in one-second slices
taken page after page: the median slice's requests/s (the template's is the ceiling of this
server here). Then the mixed read workload: as many clients, each going through all the
region's pages in its own order with each persona's session, for ``--mixed-seconds``. The
share of the CPU other work uses just before and after the run is printed, with a warning when
it is high: the figures are then noisy.

Why the references: milliseconds mean nothing from one machine to the next, so each page is
judged against two views only ``bench.urls`` serves, on the same server, through the same
middleware, requested with no session (the simplest Django page): a small template with no
queries (the floor: the request cycle itself) and the same template after five simple ORM
queries (what a plain page costs here). ``ratio`` is a page's median over the five-query
reference's median. Targets: every
page at most 2× the reference at median; the same query counts on the demo and on the region;
the signed PDF at least 1,000 requests/s; the mixed read workload at least half the five-query
reference's requests/s. The exit status is 1 when a target is missed.

Pages are served the way the product serves them: a signed-in user's page is cached under the
version of the data (``schools.caching``), so after the first request of each page — the one
request in a hundred with more queries — the pages cost the session's one query. A second pass
then restarts gunicorn with the page cache off (``PAGE_CACHE_SECONDS=0``) and measures every page
rendered on every request, as the first view after any change of the data is: the ``rendered``
columns (``--rendered-requests`` each, the demo's a tenth; ``--served-only`` skips it); their
query counts are compared between the demo and the
region too.

Prints a table and writes ``bench/results/latest.json`` (``--output``): a list of
``{page, queries, median_ms, p95_ms, ratio}`` — the region's pages, the two references and the
mixed workload — with ``demo_queries`` and ``demo_median_ms`` of the page's demo twin; the
signed PDF's, the references' and the mixed workload's rows also carry ``requests_per_s`` (the
mixed one ``share_of_reference_requests_per_s``); with the second pass, every row also carries
``rendered_queries``, ``rendered_demo_queries``, ``rendered_median_ms``, ``rendered_p95_ms``
and ``rendered_ratio``, the latter against that pass's own five-query reference. Stops gunicorn
at the end; the database is left in place (``--keep-db`` reuses it and its region).
"""

import argparse
import http.client
import json
import os
import random
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
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "latest.json"


def media_root():
    """``bench.settings.MEDIA_ROOT``: the stored files of the database of ``DATABASE_URL``."""
    name = urlsplit(os.environ.get("DATABASE_URL", "")).path.lstrip("/") or "default"
    return ROOT / "var" / "bench" / "media" / name


DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/network_center_bench"
SETTINGS = "bench.settings"

# The roles whose home page is measured: (row, the demo's login, the generated region's login —
# its first municipality's, ``{p}`` the municipality's prefix, ``gen01``).
HOME_ROLES = [
    ("department specialist", "uo_dmitriev", "{p}_uo"),
    ("department head", "chief_dmitriev", "{p}_chief"),
    ("methodologist", "rmk_dmitriev", "{p}_rmk"),
    ("hub director", "director_sosh2", "{p}_h1_dir"),
    ("center head", "head_center", "{p}_h1_head"),
    ("working-group member", "wg_member", "{p}_h1_wg"),
    ("participant school", "school_a", None),  # the region's: the center's first participant
    ("regional observer", "region", "gen_region"),
]
HUB = "МКОУ «СОШ № 2 г. Дмитриева»"
RESOURCE_QUERY = "лаборатория"

DUMMY_MAIL = {"DJANGO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
ANONYMOUS = ""  # the references' "login": no session cookie
REF_TEMPLATE = "ref: template, no queries"
REF_ORM5 = "ref: five ORM queries"
REFERENCES = [(REF_TEMPLATE, "/bench/ref/template/", 0), (REF_ORM5, "/bench/ref/orm5/", 5)]
SIGNED_PDF = "signed PDF"
MIXED = "mixed read workload"
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
    world: str = ""  # "demo" or "region" (the references: "")
    requests: int | None = None  # timed requests, when not the run's ``--requests``

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


@dataclass
class World:
    """The objects and logins one set of pages is measured on: the demo's Dmitriev network or
    the generated region's first municipality (its first center, that center's 150-line plan
    of this year). ``logins`` maps each of ``HOME_ROLES`` to a login."""

    name: str
    logins: dict
    department: str  # the login the department's pages are seen by
    observer: str  # the regional observer's
    notified: str  # the center head: told of every visa and proposal
    center: object
    plan: object
    revision: object
    signed: object  # a signed act with its stored PDF
    municipality: object
    campaign: object


def demo_world():
    """The demo's objects: the Dmitriev center, this year's plan, the approved plan's signed
    PDF, the Dmitriev municipality's latest monitoring campaign."""
    Center, Revision, Campaign = map(model, ["Center", "Revision", "Campaign"])
    center = Center.objects.filter(hub__short_name=HUB).select_related("municipality").first()
    if center is None:
        raise BenchError(f"the demo has no center at {HUB}")
    approved = (
        Revision.objects.filter(plan__center=center, approval_document__isnull=False)
        .select_related("approval_document")
        .order_by("-plan__year", "-number")
        .first()
    )
    if approved is None:
        raise BenchError("the demo has no approved plan")
    logins = {role: demo for role, demo, _ in HOME_ROLES}
    return _world(
        "demo",
        center,
        logins,
        signed=approved.approval_document,
        campaign=Campaign.objects.filter(municipality=center.municipality)
        .order_by("-year")
        .first(),
    )


def region_world():
    """The generated region's objects: its first center (the first municipality's), whose
    plan of this year has ``BIG_PLAN_LINES`` lines, and a signed act of the region with its
    stored PDF."""
    from network_center.regiongen import BIG_PLAN_LINES, REGION_NAME

    Center, Campaign, LegalDocument, Membership, Line = map(
        model, ["Center", "Campaign", "LegalDocument", "Membership", "Line"]
    )
    center = (
        Center.objects.filter(municipality__region__name=REGION_NAME)
        .select_related("municipality", "head")
        .order_by("pk")
        .first()
    )
    if center is None:
        raise BenchError(f"no «{REGION_NAME}» in the database (manage.py generate_region)")
    head = Membership.objects.filter(
        organisation=center.hub_id, user__person=center.head
    ).values_list("user__username", flat=True)
    head = next(iter(head), None)
    if not head or not head.endswith("_h1_head"):
        raise BenchError(f"the center head of {center} has no login named <prefix>_h1_head")
    prefix = head.removesuffix("_h1_head")
    participant = (
        Membership.objects.filter(
            organisation__center_participations__center=center, role="coordinator"
        )
        .order_by("organisation__short_name", "user__username")
        .values_list("user__username", flat=True)
        .first()
    )
    logins = {
        role: template.format(p=prefix) if template else participant
        for role, _, template in HOME_ROLES
    }
    signed = (
        LegalDocument.objects.filter(issuer__municipality=center.municipality, parent=None)
        .exclude(pdf="")
        .order_by("pk")
        .first()
    )
    if signed is None:
        raise BenchError(f"no stored PDF of a signed act in {center.municipality}")
    world = _world(
        "region",
        center,
        logins,
        signed=signed,
        campaign=Campaign.objects.filter(municipality=center.municipality)
        .order_by("-year")
        .first(),
    )
    lines = Line.objects.filter(revision=world.revision).count()
    if lines != BIG_PLAN_LINES:
        raise BenchError(f"the region's plan {world.plan} has {lines} lines, not {BIG_PLAN_LINES}")
    return world


def _world(name, center, logins, *, signed, campaign):
    Plan, Revision = map(model, ["Plan", "Revision"])
    plan = Plan.objects.filter(center=center).order_by("-year").first()
    revision = plan and Revision.objects.filter(plan=plan).order_by("-number").first()
    if not (plan and revision and campaign):
        raise BenchError(f"{name}: no plan, revision or campaign of {center}")
    if not signed.pdf:
        raise BenchError(f"{name}: {signed} has no stored PDF (its render task not run)")
    return World(
        name=name,
        logins=logins,
        department=logins["department specialist"],
        observer=logins["regional observer"],
        notified=logins["center head"],
        center=center,
        plan=plan,
        revision=revision,
        signed=signed,
        municipality=center.municipality,
        campaign=campaign,
    )


def world_pages(world):
    """The main pages of ``world``, named alike in both worlds: each persona's home page; the
    others as the department's specialist sees them, the regional view and the resources search
    as the regional observer, the notifications as the center head."""
    center, plan, signed = world.center, world.plan, world.signed
    pages = [Page(f"home: {role}", "/", world.logins[role]) for role, _, _ in HOME_ROLES]
    department = [
        ("schools list", "/schools/", HTML),
        ("school page", f"/schools/{center.hub_id}/", HTML),
        ("centers list", "/centers/", HTML),
        ("center page", f"/centers/{center.pk}/", HTML),
        ("working group", f"/centers/{center.pk}/working-group/", HTML),
        ("plans list", "/plans/", HTML),
        ("plan page", f"/plans/{plan.pk}/", HTML),
        ("plan XLSX export", f"/plans/revisions/{world.revision.pk}/export.xlsx", XLSX),
        ("calendar", "/plans/calendar/", HTML),
        ("proposals list", "/plans/proposals/", HTML),
        ("journal", "/documents/", HTML),
        ("document page", f"/documents/{signed.pk}/", HTML),
        (SIGNED_PDF, f"/documents/{signed.pk}/pdf/", PDF),
        ("monitoring campaigns", "/monitoring/", HTML),
        ("monitoring campaign", f"/monitoring/{world.campaign.pk}/", HTML),
        (
            "effectiveness: municipality",
            f"/analytics/municipalities/{world.municipality.pk}/",
            HTML,
        ),
        ("effectiveness: center", f"/analytics/centers/{center.pk}/", HTML),
    ]
    pages += [Page(name, path, world.department, kind) for name, path, kind in department]
    pages += [
        Page("resources search", f"/schools/resources/?q={quote(RESOURCE_QUERY)}", world.observer),
        Page("regional view", "/analytics/region/", world.observer),
        Page("notifications", "/notifications/", world.notified),
    ]
    for page in pages:
        page.world = world.name
    return pages


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
        NGINX_CONF.format(tmp=tmp, port=port, app_port=app_port, accel=ACCEL, media=media_root())
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
    Each page has its own client; one request at a time. A page's own ``requests`` (the demo's
    pages: fewer, they are there for their query counts) replaces ``requests``."""
    clients = [Client(port, cookies[page.login]) for page in pages]
    wanted = [page.requests or requests for page in pages]
    try:
        for page, client in zip(pages, clients, strict=True):
            for _ in range(warmup):
                check(page, *client.get(page.path))
        rounds = 0
        while any(len(page.times_ms) < n for page, n in zip(pages, wanted, strict=True)):
            for page, client, n in zip(pages, clients, wanted, strict=True):
                for _ in range(min(batch, n - len(page.times_ms))):
                    started = time.perf_counter()
                    response, body = client.get(page.path)
                    page.times_ms.append((time.perf_counter() - started) * 1000)
                    check(page, response, body)
                    page.queries.append(int(response.getheader("X-Bench-Queries")))
            rounds += 1
            print(f"\r  timed {min(rounds * batch, requests)}/{requests}", end="", flush=True)
        print()
    finally:
        for client in clients:
            client.close()


def mixed_workload(pages, port, cookies, *, clients, seconds):
    """Requests/s of ``clients`` concurrent clients each going through all ``pages`` (every
    persona's, each client in its own order, with each persona's session), and the wall time
    of each request: the read workload of many users at once, beside the references'
    requests/s of the same number of clients. Each client is a browser that has been there
    before: it goes through every page once, untimed (as each page is warmed up before it is
    timed), and keeps the cookies it is given; then all start together."""
    counts = [0] * clients
    times_ms = [[] for _ in range(clients)]
    failures = []
    window = {}

    def start():
        window["start"] = time.perf_counter()
        window["deadline"] = window["start"] + seconds

    barrier = threading.Barrier(clients, action=start)

    def run(i):
        order = list(pages)
        random.Random(i).shuffle(order)
        sessions = {}

        def get(page):
            client = sessions.get(page.login)
            if client is None:
                client = sessions[page.login] = Client(port, cookies[page.login])
            response, _ = client.get(page.path)
            if response.status != 200:
                failures.append(f"{page.name}: {response.status}")
            return response.status == 200

        try:
            for page in order:
                get(page)
            barrier.wait()
            while not failures and time.perf_counter() < window["deadline"]:
                for page in order:
                    started = time.perf_counter()
                    if not get(page):
                        return
                    times_ms[i].append((time.perf_counter() - started) * 1000)
                    counts[i] += 1
                    if time.perf_counter() >= window["deadline"]:
                        break
        except (OSError, threading.BrokenBarrierError) as error:
            failures.append(repr(error))
            barrier.abort()
        finally:
            for client in sessions.values():
                client.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise BenchError(f"{MIXED} under {clients} clients: {failures[:3]}")
    elapsed = time.perf_counter() - window["start"]
    mixed = Page(MIXED, "", "")
    mixed.times_ms = [t for chunk in times_ms for t in chunk]
    mixed.queries = [0]
    mixed.requests_per_s = sum(counts) / elapsed
    return mixed


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


def rows(references, pages, demo, mixed):
    """One row per reference and per region page (with its demo twin's query counts), and the
    mixed workload's row."""
    base = references[1]
    twins = {page.name: page for page in demo}

    def row(p):
        out = {
            "page": p.name,
            "queries": p.usual_queries,
            "median_ms": round(p.median_ms, 2),
            "p95_ms": round(p.p95_ms, 2),
            "ratio": round(p.median_ms / base.median_ms, 2),
        }
        if p.requests_per_s:
            out["requests_per_s"] = round(p.requests_per_s)
        twin = twins.get(p.name)
        if twin is not None:
            out["demo_queries"] = twin.usual_queries
            out["demo_median_ms"] = round(twin.median_ms, 2)
        if p.rendered is not None:
            out["rendered_queries"] = p.rendered.usual_queries
            out["rendered_median_ms"] = round(p.rendered.median_ms, 2)
            out["rendered_p95_ms"] = round(p.rendered.p95_ms, 2)
            out["rendered_ratio"] = round(p.rendered.median_ms / base.rendered.median_ms, 2)
            if twin is not None and twin.rendered is not None:
                out["rendered_demo_queries"] = twin.rendered.usual_queries
        return out

    table = [row(p) for p in [*references, *pages]]
    if mixed is not None:
        mixed_row = row(mixed)
        del mixed_row["queries"]
        mixed_row["share_of_reference_requests_per_s"] = round(
            mixed.requests_per_s / base.requests_per_s, 2
        )
        table.append(mixed_row)
    return table


def report(table, pages, demo):
    width = max(len(row["page"]) for row in table)
    print(
        f"\n{'page':<{width}}  queries (demo)  median_ms  p95_ms  ratio  requests/s"
        "  │ rendered: queries (demo)  median_ms  p95_ms  ratio"
    )
    for row in table:
        rps = row.get("requests_per_s")
        queries = f"{row.get('queries', ''):>7} {_twin(row, 'demo_queries', 'queries'):>6}"
        rendered = (
            f"  │ {row['rendered_queries']:>17} "
            f"{_twin(row, 'rendered_demo_queries', 'rendered_queries'):>6}"
            f"  {row['rendered_median_ms']:>9.2f}  {row['rendered_p95_ms']:>6.2f}"
            f"  {row['rendered_ratio']:>5.2f}"
            if "rendered_median_ms" in row
            else "  │"
        )
        print(
            f"{row['page']:<{width}}  {queries}  {row['median_ms']:>9.2f}"
            f"  {row['p95_ms']:>6.2f}  {row['ratio']:>5.2f}  {rps if rps else '':>10}{rendered}"
        )
    for page in [*pages, *demo]:
        for measured in filter(None, [page, page.rendered]):
            counts = Counter(measured.queries)
            if len(counts) > 1:
                other = ", ".join(
                    f"{n} in {times}"
                    for n, times in sorted(counts.items())
                    if n != measured.usual_queries
                )
                print(
                    f"({page.world} {page.name}{' rendered' if measured is page.rendered else ''}:"
                    f" {measured.usual_queries} queries in {counts[measured.usual_queries]} "
                    f"requests of {len(measured.queries)}; {other})"
                )
    page_rows = [row for row in table if not row["page"].startswith("ref: ")]
    over = [f"{row['page']} {row['ratio']:.2f}×" for row in page_rows if row["ratio"] > 2]
    differ = [
        f"{row['page']} {row[demo]} on the demo, {row[region]} on the region"
        for row in page_rows
        for demo, region in [
            ("demo_queries", "queries"),
            ("rendered_demo_queries", "rendered_queries"),
        ]
        if demo in row and row[demo] != row[region]
    ]
    pdf_rps = next(row["requests_per_s"] for row in table if row["page"] == SIGNED_PDF)
    targets = [
        (
            "every page ≤ 2× the five-query reference at median"
            + (f": over — {'; '.join(over)}" if over else ""),
            not over,
        ),
        (
            "query counts the same on the demo and on the region"
            + (f": differ — {'; '.join(differ)}" if differ else ""),
            not differ,
        ),
        (f"signed PDF ≥ 1,000 requests/s: {pdf_rps:,}", pdf_rps >= 1000),
    ]
    mixed = next((row for row in table if row["page"] == MIXED), None)
    if mixed is not None:
        share = mixed["share_of_reference_requests_per_s"]
        targets.append(
            (
                f"mixed read workload ≥ 50 % of the five-query reference's requests/s: "
                f"{mixed['requests_per_s']:,} = {share:.0%}",
                share >= 0.5,
            )
        )
    rendered_over = [
        f"{row['page']} {row['rendered_ratio']:.2f}×"
        for row in page_rows
        if row.get("rendered_ratio", 0) > 2
    ]
    print("\nTargets (the pages as served):")
    for text, ok in targets:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")
    if any("rendered_ratio" in row for row in page_rows):
        print(
            "Rendered on every request (the first view after a change of the data), over 2×: "
            + ("; ".join(rendered_over) if rendered_over else "none")
        )
    return all(ok for _, ok in targets)


def _twin(row, demo, region):
    """The demo's count beside the region's, marked when it differs."""
    if demo not in row:
        return ""
    return f"({row[demo]})" if row[demo] == row[region] else f"({row[demo]})!"


# --- main ---------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="throw-away PostgreSQL database (default: $BENCH_DATABASE_URL or %(default)s)",
    )
    parser.add_argument(
        "--small",
        action="store_true",
        help="a tenth of the region (generate_region --small) and fewer requests: a quick look",
    )
    parser.add_argument(
        "--keep-db",
        action="store_true",
        help="reuse the database if it exists (and its generated region, whatever its size)",
    )
    parser.add_argument("--seed", type=int, default=1, help="generate_region's seed")
    parser.add_argument("--requests", type=int, help="timed requests per page (200; small: 40)")
    parser.add_argument("--demo-requests", type=int, help="timed requests per demo page (20; 8)")
    parser.add_argument(
        "--rendered-requests",
        type=int,
        help="timed requests per page with the page cache off (50; 20; the demo's: a tenth)",
    )
    parser.add_argument("--warmup", type=int, help="untimed requests per page first (20; 5)")
    parser.add_argument(
        "--batch", type=int, default=10, help="requests of a page in a row, page after page"
    )
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients for req/s")
    parser.add_argument(
        "--seconds", type=float, help="seconds of req/s per page, in 1 s slices (9; 4)"
    )
    parser.add_argument(
        "--mixed-seconds", type=float, help="seconds of the mixed read workload (20; 8)"
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
    parser.add_argument("--output", type=Path, default=RESULTS, help="the JSON (%(default)s)")
    args = parser.parse_args()
    for name, full, small in [
        ("requests", 200, 40),
        ("demo_requests", 20, 8),
        ("rendered_requests", 50, 20),
        ("warmup", 20, 5),
        ("seconds", 9.0, 4.0),
        ("mixed_seconds", 20.0, 8.0),
    ]:
        if getattr(args, name) is None:
            setattr(args, name, small if args.small else full)
    if args.requests < 2 or args.demo_requests < 2 or args.batch < 1:
        parser.error("--requests and --demo-requests must be at least 2, --batch at least 1")
    try:
        ok = run(args)
    except BenchError as error:
        sys.exit(f"bench: {error}")
    sys.exit(0 if ok else 1)


def prepare_demo_database(url, *, keep=False):
    """What every benchmark starts with: the database of ``url`` (re)created — left alone with
    ``keep`` when it exists —, migrated, the static files collected and the demo loaded, all with
    ``bench.settings``, then Django set up in this process. The tasks the demo enqueues (signed
    PDFs, mail) run in the loading process, as a worker would run them; no mail is sent. Returns
    whether the database was created."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    created = recreate_database(url, keep=keep)
    print(f"{'created' if created else 'reusing'} {urlsplit(url).path.lstrip('/')}", flush=True)
    if created:
        shutil.rmtree(media_root(), ignore_errors=True)  # the dropped database's stored PDFs
    manage("migrate", "--noinput")
    manage("collectstatic", "--noinput")
    manage(
        "load_demo",
        "--quiet-logins",
        *([] if created else ["--if-empty"]),
        DJANGO_TASKS_IMMEDIATE="1",
        **DUMMY_MAIL,
    )

    import django

    django.setup()
    return created


def run(args):
    started = time.perf_counter()
    prepare_demo_database(args.database_url, keep=args.keep_db)
    from django.db import connections

    from network_center.regiongen import REGION_NAME

    if not model("Region").objects.filter(name=REGION_NAME).exists():
        connections.close_all()
        # The region's own signed acts wait for a worker (but the few whose PDFs it stores);
        # its notifications' mail is not sent.
        manage(
            "generate_region",
            f"--seed={args.seed}",
            *(["--small"] if args.small else []),
            **DUMMY_MAIL,
        )
    print(_sizes(REGION_NAME), flush=True)
    demo = demo_world()
    region = region_world()
    pages = world_pages(region)
    demo_pages = world_pages(demo)
    for page in demo_pages:
        page.requests = args.demo_requests
    cookie_name, sessions = log_in(sorted({p.login for p in [*pages, *demo_pages]}))
    connections.close_all()
    cookies = {login: f"{cookie_name}={key}" for login, key in sessions.items()}
    # The references are requested with no session: the simplest Django page, as the issue's
    # yardstick has it (a signed-in request also loads its session, and the language middleware
    # asks for it on every request — one query the pages pay and the references do not).
    cookies[ANONYMOUS] = None
    references = [Page(name, path, ANONYMOUS) for name, path, _ in REFERENCES]

    busy_before = cpu_busy()
    if busy_before is not None:
        print(f"CPU in use by other work before the run: {busy_before:.0%}", flush=True)
    mixed = serve_and_measure(args, references, pages, demo_pages, cookies)
    if not args.served_only:
        # The same pages rendered on every request (the page cache off): what the first view
        # after a change of the data costs.
        print("the same with the page cache off (PAGE_CACHE_SECONDS=0):", flush=True)
        for page in [*references, *pages, *demo_pages]:
            # Fewer requests: a page rendered every time costs 10–100× one from the cache.
            page.rendered = Page(
                page.name,
                page.path,
                page.login,
                page.content_type,
                # At least 5: a worker's first view of a page runs more queries (2 workers).
                requests=max(5, args.rendered_requests // 10)
                if page.requests
                else args.rendered_requests,
            )
        serve_and_measure(
            args,
            [p.rendered for p in references],
            [p.rendered for p in pages],
            [p.rendered for p in demo_pages],
            cookies,
            env={"PAGE_CACHE_SECONDS": "0"},
            throughput=False,
            requests=args.rendered_requests,
        )
    busy_after = cpu_busy()
    table = rows(references, pages, demo_pages, mixed)
    ok = report(table, pages, demo_pages)
    for when, busy in [("before", busy_before), ("after", busy_after)]:
        if busy is not None and busy > BUSY:
            print(
                f"\nWARNING: {busy:.0%} of the CPU was in use by other work just {when} the run: "
                "the figures are noisy; run again on a quiet machine."
            )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(table, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    shown = args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output
    print(f"\nwrote {shown} ({time.perf_counter() - started:.0f} s in all)")
    return ok


def _sizes(region_name):
    """The generated region's size, as the run's first line of figures says it."""
    Municipality, Organisation, Center, Line, IndicatorValue, User = map(
        model, ["Municipality", "Organisation", "Center", "Line", "IndicatorValue", "User"]
    )
    region = {"municipality__region__name": region_name}
    counts = {
        "municipalities": Municipality.objects.filter(region__name=region_name).count(),
        "schools": Organisation.objects.filter(region__name=region_name, kind="school").count(),
        "centers": Center.objects.filter(**region).count(),
        "plan lines": Line.objects.filter(
            **{f"revision__plan__center__{k}": v for k, v in region.items()}
        ).count(),
        "indicator values": IndicatorValue.objects.filter(
            **{f"campaign__{k}": v for k, v in region.items()}
        ).count(),
        "users": User.objects.filter(memberships__organisation__region__name=region_name)
        .distinct()
        .count(),
    }
    return f"«{region_name}»: " + ", ".join(f"{v:,} {k}" for k, v in counts.items())


def serve_and_measure(
    args, references, pages, demo_pages, cookies, *, env=None, throughput=True, requests=None
):
    """Start gunicorn (with ``env`` added to its environment) — behind nginx when it is
    installed, unless ``--no-nginx`` —, time every page, measure requests/s (the signed PDF,
    the references, the mixed workload of the region's pages) unless ``throughput`` is false;
    the servers are stopped whatever happens. Returns the mixed workload's ``Page``."""
    app_port = free_port()
    nginx = None if args.no_nginx else shutil.which("nginx")
    env = {**(env or {}), **({"DOCUMENTS_X_ACCEL_REDIRECT": ACCEL} if nginx else {})}
    mixed = None
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
                    f"each page: {args.warmup} warm-up, {requests or args.requests} timed "
                    f"requests ({demo_pages[0].requests} on the demo)",
                    flush=True,
                )
                measure(
                    [*references, *pages, *demo_pages],
                    port,
                    cookies,
                    # Rendered every time, a page needs no warming but the worker's first view.
                    warmup=args.warmup if throughput else min(args.warmup, 3),
                    requests=requests or args.requests,
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
                    mixed = mixed_workload(
                        pages, port, cookies, clients=args.clients, seconds=args.mixed_seconds
                    )
                    print(
                        f"  {MIXED:<28} {mixed.requests_per_s:8.0f} requests/s "
                        f"({len(pages)} pages of every persona, {args.clients} clients, "
                        f"{args.mixed_seconds:.0f} s)",
                        flush=True,
                    )
            finally:
                if front is not None:
                    stop(front)
                stop(server)
    return mixed


if __name__ == "__main__":
    main()
