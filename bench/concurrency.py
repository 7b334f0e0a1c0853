"""Concurrency checks: simultaneous approvals, visas and line edits over HTTP (not a test of the
suite; run it by hand).

    cd /work/main && .venv/bin/python bench/concurrency.py [--clients 20]

What it does: it (re)creates a throw-away PostgreSQL database (``network_center_concurrency_bench``;
another with ``--database-url`` or ``CONCURRENCY_BENCH_DATABASE_URL``; its name must contain
"bench", it is dropped), migrates it and loads the demo with ``bench.settings`` (the functions
of ``bench/run.py``), then builds the scenario's world through the services, as a user's
actions would: the department enters ``--clients`` − 5 more schools with a coordinator's login
each and adds them to the demo's Dmitriev center (which has five), so that the center has
``--clients`` participant schools; the center head draws up four plans of later years with
lines and sends three of them for agreement. It serves the database with gunicorn, one sync worker
per client (so that every request is handled at the same moment, each in its own process with
its own database connection), and sends each check's requests from one thread per client, every
thread holding its own session, its page and its CSRF token, released together by a
``threading.Barrier``:

1. **approvals** — the plan agreed by every school is approved ``--clients`` times at once by the
   department's head (the approve form, her password): exactly one request is told that the plan
   is approved, the others are refused; exactly one ``approve`` transition is recorded, the
   revision is approved and its approving order signed once (one signed order, no draft left of
   the others).
2. **visas** — every participant school's coordinator gives its visa on the plan on agreement at
   once: every visa is recorded (one ``visa`` transition each, each visa agreeing with the current
   content) and the revision is agreed by the last of them, once.
3. **line edits** — the center head edits the same line of a draft ``--clients`` times at once,
   every form read at the same version: each request is either saved or told of the conflict (the
   Russian message of ``plans.services.lines.update_line``); the line ends as one of the saved
   edits, its version moved by the number saved, and its history holds exactly the saved edits.
4. **visas and a line edit** — all schools but one give their visa on a revision on agreement
   while the center head edits its line, all at once: every visa and the edit are recorded; a
   visa the edit found given is reset (named in its ``visas_reset`` row), every visa still
   given agrees with the content after the edit, and none is both or neither.

Writes ``bench/results/concurrency.json`` (each check: passed, what was asked, what came back,
what the database holds) and exits non-zero when a check fails.
"""

import argparse
import json
import os
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402
    DUMMY_MAIL,
    BenchError,
    free_port,
    log_in,
    prepare_demo_database,
    start_gunicorn,
    stop,
    wait_until_up,
)

RESULTS = ROOT / "bench" / "results" / "concurrency.json"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/network_center_concurrency_bench"
HUB = "МКОУ «СОШ № 2 г. Дмитриева»"
# The years of the scenario's plans (the demo's are 2025 and 2026).
APPROVE_YEAR, VISA_YEAR, EDIT_YEAR, MIXED_YEAR = 2027, 2028, 2029, 2030
CONFLICT = "уже изменил другой пользователь"  # plans.services.lines.update_line's LineConflict


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("CONCURRENCY_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="throw-away PostgreSQL database "
        "(default: $CONCURRENCY_BENCH_DATABASE_URL or %(default)s)",
    )
    parser.add_argument(
        "--clients", type=int, default=20, help="simultaneous requests of each check"
    )
    args = parser.parse_args()
    if args.clients < 6:
        parser.error("--clients must be at least 6 (the demo center has five schools)")
    try:
        passed = run(args)
    except BenchError as error:
        sys.exit(f"concurrency: {error}")
    sys.exit(0 if passed else 1)


# --- the world, through the services ------------------------------------------------------------


def build_world(clients):
    """The demo's Dmitriev center with ``clients`` participant schools, each with its
    coordinator's login, and four plans: one agreed by every school (to approve), two on
    agreement (for the visas; for visas beside an edit), one draft (for the line edits)."""
    from django.contrib.auth import get_user_model

    from network_center.centers.models import Center, Participation
    from network_center.centers.services import centers as center_services
    from network_center.demo import DEMO_PASSWORD
    from plans import services
    from plans.models import EventForm, Line, Visa
    from schools import services as school_services
    from schools.models import Membership, Organisation

    users = get_user_model().objects
    uo, head = users.get(username="uo_dmitriev"), users.get(username="head_center")
    center = Center.objects.select_related("municipality", "hub").get(hub__short_name=HUB)
    coordinators = {}  # school id → username
    for membership in Membership.objects.filter(
        role=Membership.Role.COORDINATOR,
        organisation__in=center.participations.values("school"),
    ).select_related("user"):
        coordinators.setdefault(membership.organisation_id, membership.user.username)
    for n in range(1, clients - center.participations.count() + 1):
        school = school_services.create_organisation(
            actor=uo,
            kind=Organisation.Kind.SCHOOL,
            municipality=center.municipality,
            short_name=f"МКОУ «Нагрузочная СОШ № {n}»",
            full_name=f"Муниципальное казённое общеобразовательное учреждение «Нагрузочная "
            f"средняя общеобразовательная школа № {n}» Дмитриевского района",
            address=f"Курская обл., Дмитриевский р-н, с. Нагрузочное, ул. Школьная, {n}",
        )
        username = f"bench_school_{n:02}"
        school_services.add_person(
            school,
            actor=uo,
            username=username,
            password=DEMO_PASSWORD,
            role=Membership.Role.COORDINATOR,
            last_name=f"Координатор{n}",
            first_name="Ирина",
            patronymic="Петровна",
            position="заместитель директора по УВР",
        )
        center_services.add_participant(
            center,
            actor=uo,
            school=school,
            category=Participation.Category.SHNOR,
            since=date(2026, 9, 1),
        )
        coordinators[school.pk] = username
    schools = list(center.participations.order_by("school_id").values_list("school", flat=True))
    if len(schools) != clients or set(schools) - set(coordinators):
        raise BenchError(f"the center has {len(schools)} schools, not {clients} with logins")

    services.ensure_event_forms()
    form = EventForm.objects.order_by("position").first()

    def plan(year, *, lines=2):
        plan = services.create_plan(center, year, actor=head)
        revision = plan.revisions.get()
        for i in range(lines):
            services.add_line(
                revision,
                actor=head,
                direction="Адресная методическая поддержка учителей",
                title=f"Семинар сети № {i + 1} ({year}/{year + 1})",
                form=form,
                format=Line.Format.IN_PERSON,
                audience="учителя математики",
                date_kind=Line.DateKind.DAY,
                date_from=date(year, 10 + i, 15),
                expected_result="Методические рекомендации",
                venue=center.hub,
            )
        return revision

    approving = plan(APPROVE_YEAR)
    services.submit(approving, actor=head)
    for school in Organisation.objects.filter(pk__in=schools):
        services.give_visa(
            approving,
            school,
            actor=users.get(username=coordinators[school.pk]),
            decision=Visa.Decision.AGREED,
        )
    approving.refresh_from_db()
    if approving.state != approving.State.AGREED:
        raise BenchError(f"the plan to approve is {approving.state}, not agreed")
    visiting = plan(VISA_YEAR)
    services.submit(visiting, actor=head)
    editing = plan(EDIT_YEAR, lines=1)
    mixed = plan(MIXED_YEAR, lines=1)
    services.submit(mixed, actor=head)
    return {
        "center": center.pk,
        "schools": {school: coordinators[school] for school in schools},
        "approve": {"plan": approving.plan_id, "revision": approving.pk},
        "visa": {"plan": visiting.plan_id, "revision": visiting.pk},
        "edit": {"plan": editing.plan_id, "line": editing.lines.get().pk},
        "mixed": {"plan": mixed.plan_id, "revision": mixed.pk, "line": mixed.lines.get().pk},
        "password": DEMO_PASSWORD,
    }


# --- the clients --------------------------------------------------------------------------------


class Browser:
    """One user's browser: its session cookie, the CSRF cookie the pages set, the forms' token."""

    def __init__(self, base, cookie_name, session_key):
        import requests

        self.base = base
        self.http = requests.Session()
        self.http.cookies.set(cookie_name, session_key)

    def get(self, path):
        response = self.http.get(self.base + path, allow_redirects=False, timeout=120)
        if response.status_code != 200:
            raise BenchError(f"GET {path}: {response.status_code}")
        return response.text

    def token(self, html, action):
        """The CSRF token of the page's form posting to ``action`` (and the form's fields)."""
        form = re.search(
            rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S
        ) or re.search(r'<form method="post"\s*(?:novalidate)?\s*>(.*?)</form>', html, re.S)
        if form is None:
            raise BenchError(f"no form posting to {action}")
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(1)).group(1)

    def post(self, path, data):
        """POST; returns (status, Location, the text of the page it leads to or shows)."""
        response = self.http.post(
            self.base + path,
            data=data,
            allow_redirects=False,
            timeout=120,
            headers={"Referer": self.base + path},
        )
        location = response.headers.get("Location", "")
        if response.status_code == 302:
            landing = self.http.get(self.base + location, allow_redirects=False, timeout=120)
            return response.status_code, location, landing.text
        return response.status_code, location, response.text


def alerts(html, kind):
    blocks = re.findall(rf'class="alert alert-{kind}[^"]*"[^>]*>(.*?)</div>', html, re.S)
    return " ".join(" ".join(re.sub(r"<[^>]+>", " ", b).split()) for b in blocks)


def errors_shown(html):
    """A form page's errors: its alerts and the fields' messages."""
    fields = re.findall(r'class="invalid-feedback[^"]*"[^>]*>(.*?)</', html, re.S)
    return " ".join(
        filter(
            None,
            [
                alerts(html, "danger"),
                *(" ".join(re.sub(r"<[^>]+>", " ", f).split()) for f in fields),
            ],
        )
    )


def at_once(browsers, prepare, send):
    """``prepare(i, browser)`` in every thread (its page, its token), then ``send(i, browser,
    prepared)`` in all of them released together by a barrier. Returns each thread's outcome
    (or the exception it raised) and the spread of the sends' start times in ms."""
    barrier = threading.Barrier(len(browsers))
    outcomes = [None] * len(browsers)
    starts = [0.0] * len(browsers)

    def work(i, browser):
        try:
            prepared = prepare(i, browser)
        except Exception as error:  # the barrier must still be reached, or the others hang
            barrier.abort()
            outcomes[i] = error
            return
        try:
            barrier.wait(timeout=120)
        except threading.BrokenBarrierError as error:
            outcomes[i] = outcomes[i] or error
            return
        starts[i] = time.perf_counter()
        try:
            outcomes[i] = send(i, browser, prepared)
        except Exception as error:
            outcomes[i] = error

    threads = [threading.Thread(target=work, args=(i, b)) for i, b in enumerate(browsers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failed = [o for o in outcomes if isinstance(o, Exception)]
    if failed:
        raise BenchError(f"{len(failed)} clients failed: {failed[0]!r}")
    return outcomes, round((max(starts) - min(starts)) * 1000, 1)


# --- the checks ---------------------------------------------------------------------------------


def check_approvals(base, cookie_name, world, clients):
    from network_center.documents.models import LegalDocument
    from plans.models import Revision, Transition

    revision_pk, plan_pk = world["approve"]["revision"], world["approve"]["plan"]
    action = f"/plans/revisions/{revision_pk}/transition/approve/"
    before = set(LegalDocument.objects.values_list("pk", flat=True))
    _, keys = log_in_many(["chief_dmitriev"] * clients)
    browsers = [Browser(base, cookie_name, key) for key in keys]

    def prepare(i, browser):
        return browser.token(browser.get(f"/plans/{plan_pk}/"), action)

    def send(i, browser, token):
        status, location, html = browser.post(
            action,
            {"csrfmiddlewaretoken": token, "comment": "", "password": world["password"]},
        )
        return {
            "status": status,
            "success": alerts(html, "success"),
            "refusal": alerts(html, "danger"),
        }

    outcomes, spread = at_once(browsers, prepare, send)
    approved = [o for o in outcomes if "План утверждён" in o["success"]]
    refused = [o for o in outcomes if o["refusal"] and not o["success"]]
    revision = Revision.objects.select_related("approval_document").get(pk=revision_pk)
    transitions = Transition.objects.filter(revision=revision, action="approve").count()
    new_documents = LegalDocument.objects.exclude(pk__in=before)
    signed_orders = new_documents.filter(
        state=LegalDocument.State.SIGNED, parent=None, kind=LegalDocument.Kind.ORDER
    )
    drafts_left = new_documents.filter(state=LegalDocument.State.DRAFT).count()
    passed = (
        len(approved) == 1
        and len(refused) == clients - 1
        and transitions == 1
        and revision.state == Revision.State.APPROVED
        and signed_orders.count() == 1
        and revision.approval_document_id == signed_orders.first().pk
        and drafts_left == 0
    )
    return {
        "check": "approvals",
        "passed": passed,
        "asked": f"{clients} simultaneous approvals of one agreed plan by chief_dmitriev "
        "(the approve form with her password)",
        "send_spread_ms": spread,
        "responses": {
            "approved": len(approved),
            "refused": len(refused),
            "refusal_messages": dict(Counter(o["refusal"] for o in refused)),
            "statuses": dict(Counter(o["status"] for o in outcomes)),
        },
        "database": {
            "approve_transitions": transitions,
            "revision_state": revision.state,
            "signed_approval_orders": signed_orders.count(),
            "approval_document_is_the_signed_order": revision.approval_document_id
            == (signed_orders.first().pk if signed_orders.exists() else None),
            "approval_document_number": revision.approval_document.number
            if revision.approval_document_id
            else None,
            "draft_documents_left": drafts_left,
        },
    }


def check_visas(base, cookie_name, world, clients):
    from plans.models import Revision, Transition, Visa

    revision_pk, plan_pk = world["visa"]["revision"], world["visa"]["plan"]
    schools = list(world["schools"].items())
    cookie, keys = log_in_many([username for _, username in schools])
    browsers = [Browser(base, cookie_name, key) for key in keys]

    def prepare(i, browser):
        action = f"/plans/revisions/{revision_pk}/visa/{schools[i][0]}/"
        return action, browser.token(browser.get(f"/plans/{plan_pk}/"), action)

    def send(i, browser, prepared):
        action, token = prepared
        status, location, html = browser.post(
            action, {"csrfmiddlewaretoken": token, "decision": "agreed", "remarks": ""}
        )
        return {"status": status, "success": alerts(html, "success"), "errors": errors_shown(html)}

    outcomes, spread = at_once(browsers, prepare, send)
    recorded = [
        o for o in outcomes if o["status"] == 302 and "Решение школы записано" in o["success"]
    ]
    revision = Revision.objects.get(pk=revision_pk)
    visas = list(Visa.objects.filter(revision=revision))
    agreeing = [
        v
        for v in visas
        if v.decision == Visa.Decision.AGREED and v.content_version == revision.content_version
    ]
    visa_rows = Transition.objects.filter(revision=revision, action="visa").count()
    agreed_rows = Transition.objects.filter(revision=revision, action="agreed").count()
    passed = (
        len(recorded) == clients
        and len(visas) == clients
        and len(agreeing) == clients
        and visa_rows == clients
        and agreed_rows == 1
        and revision.state == Revision.State.AGREED
    )
    return {
        "check": "visas",
        "passed": passed,
        "asked": f"{clients} participant schools' coordinators give their visa (agreed) on the "
        "same revision on agreement at once",
        "send_spread_ms": spread,
        "responses": {
            "recorded": len(recorded),
            "statuses": dict(Counter(o["status"] for o in outcomes)),
            "errors": [o["errors"] for o in outcomes if o not in recorded],
        },
        "database": {
            "visas": len(visas),
            "agreeing_with_current_content": len(agreeing),
            "visa_transitions": visa_rows,
            "agreed_transitions": agreed_rows,
            "revision_state": revision.state,
        },
    }


def check_line_edits(base, cookie_name, world, clients):
    from plans.models import Line, Transition

    line_pk = world["edit"]["line"]
    path = f"/plans/lines/{line_pk}/edit/"
    version_before = Line.objects.get(pk=line_pk).version
    _, keys = log_in_many(["head_center"] * clients)
    browsers = [Browser(base, cookie_name, key) for key in keys]

    def prepare(i, browser):
        html = browser.get(path)
        # Every field as the form holds it (what a browser would send back), the audience
        # changed: each client's own edit.
        data = form_fields(html)
        data["audience"] = [f"Правка № {i + 1}"]
        return data

    def send(i, browser, data):
        status, location, html = browser.post(path, data)
        return {
            "edit": f"Правка № {i + 1}",
            "version_sent": int(data["version"][0]),
            "status": status,
            "saved": status == 302 and "Мероприятие сохранено" in alerts(html, "success"),
            "conflict": status == 200 and CONFLICT in errors_shown(html),
            "errors": errors_shown(html) if status != 302 else "",
        }

    outcomes, spread = at_once(browsers, prepare, send)
    saved = [o["edit"] for o in outcomes if o["saved"]]
    conflicts = [o for o in outcomes if o["conflict"]]
    other = [o for o in outcomes if not o["saved"] and not o["conflict"]]
    line = Line.objects.get(pk=line_pk)
    history = [
        t.data["fields"].get("audience", ["", ""])[1]
        for t in Transition.objects.filter(action="line_edited", data__line=str(line.key))
    ]
    passed = (
        len(saved) >= 1
        and not other
        and len(saved) + len(conflicts) == clients
        and line.audience in saved
        and line.version == version_before + len(saved)
        and sorted(history) == sorted(saved)
    )
    return {
        "check": "line edits",
        "passed": passed,
        "asked": f"{clients} simultaneous edits of the same plan line by head_center, every form "
        f"read at version {version_before}",
        "send_spread_ms": spread,
        "responses": {
            "saved": saved,
            "told_of_conflict": len(conflicts),
            "conflict_message": conflicts[0]["errors"] if conflicts else "",
            "other": [o["errors"] for o in other],
        },
        "database": {
            "line_audience": line.audience,
            "version_before": version_before,
            "version_after": line.version,
            "history_edits": history,
        },
    }


def check_visas_and_edit(base, cookie_name, world, clients):
    """Visas and an edit of the same revision at once: the edit asks again every school whose
    visa it finds given, a visa given after it agrees with the new content; none is lost."""
    from plans.models import Line, Revision, Transition, Visa

    revision_pk, plan_pk = world["mixed"]["revision"], world["mixed"]["plan"]
    line_pk = world["mixed"]["line"]
    # Every school but the last gives its visa; the last client is the center head's edit.
    schools = list(world["schools"].items())[: clients - 1]
    _, keys = log_in_many([username for _, username in schools] + ["head_center"])
    browsers = [Browser(base, cookie_name, key) for key in keys]
    edit_path = f"/plans/lines/{line_pk}/edit/"

    def prepare(i, browser):
        if i == len(schools):
            data = form_fields(browser.get(edit_path))
            data["audience"] = ["Правка во время согласования"]
            return edit_path, data
        action = f"/plans/revisions/{revision_pk}/visa/{schools[i][0]}/"
        token = browser.token(browser.get(f"/plans/{plan_pk}/"), action)
        return action, {"csrfmiddlewaretoken": token, "decision": "agreed", "remarks": ""}

    def send(i, browser, prepared):
        path, data = prepared
        status, location, html = browser.post(path, data)
        return {
            "kind": "edit" if path == edit_path else "visa",
            "status": status,
            "success": alerts(html, "success"),
            "errors": errors_shown(html) if status != 302 else "",
        }

    outcomes, spread = at_once(browsers, prepare, send)
    visas_ok = [
        o for o in outcomes if o["kind"] == "visa" and "Решение школы записано" in o["success"]
    ]
    edit_ok = [
        o for o in outcomes if o["kind"] == "edit" and "Мероприятие сохранено" in o["success"]
    ]
    revision = Revision.objects.get(pk=revision_pk)
    visas = list(Visa.objects.filter(revision=revision).select_related("school"))
    decided = [v for v in visas if v.decision != Visa.Decision.PENDING]
    stale = [v for v in decided if v.content_version != revision.content_version]
    reset_rows = Transition.objects.filter(revision=revision, action="visas_reset")
    reset = sorted(name for row in reset_rows for name in row.data.get("schools", []))
    visa_rows = Transition.objects.filter(revision=revision, action="visa").count()
    line = Line.objects.get(pk=line_pk)
    passed = (
        len(visas_ok) == len(schools)
        and len(edit_ok) == 1
        and visa_rows == len(schools)
        and not stale
        and len(decided) + len(reset) == len(schools)
        and not {v.school.short_name for v in decided} & set(reset)
        and line.audience == "Правка во время согласования"
        and revision.state == Revision.State.ON_AGREEMENT
    )
    return {
        "check": "visas and a line edit",
        "passed": passed,
        "asked": f"{len(schools)} schools give their visa while the center head edits a line of "
        "the same revision, all at once",
        "send_spread_ms": spread,
        "responses": {
            "visas_recorded": len(visas_ok),
            "edit_saved": len(edit_ok),
            "errors": [o["errors"] for o in outcomes if o["errors"]],
        },
        "database": {
            "visa_transitions": visa_rows,
            "visas_given_after_the_edit": len(decided),
            "visas_reset_by_the_edit": len(reset),
            "decided_visas_on_older_content": len(stale),
            "line_audience": line.audience,
            "revision_state": revision.state,
        },
    }


def form_fields(html):
    """The line form's fields as a browser sends them (inputs, chosen options, textareas)."""
    from bench.load.forms import FormParser

    parser = FormParser("http://127.0.0.1/")
    parser.feed(html)
    form = next(f for f in parser.forms if "version" in f.names())
    data = {}
    for name, value in form.fields:
        data.setdefault(name, []).append(value)
    return data


def log_in_many(usernames):
    """A session of its own for each entry of ``usernames`` (a login may repeat)."""
    keys, cookie_name = [], None
    for username in usernames:
        cookie_name, session = log_in([username])
        keys.append(session[username])
    return cookie_name, keys


# --- main ---------------------------------------------------------------------------------------


def run(args):
    started = time.perf_counter()
    prepare_demo_database(args.database_url)
    from django.conf import settings
    from django.db import connections

    print("building the scenario through the services …", end=" ", flush=True)
    world = build_world(args.clients)
    print(f"{len(world['schools'])} participant schools", flush=True)
    cookie_name = settings.SESSION_COOKIE_NAME
    connections.close_all()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    results = []
    with tempfile.TemporaryDirectory(prefix="concurrency-") as tmp:
        log_path = Path(tmp) / "gunicorn.log"
        with log_path.open("w") as log:
            server = start_gunicorn(port, args.clients, log, DUMMY_MAIL)
            try:
                wait_until_up(server, port, log_path)
                print(f"gunicorn: {args.clients} sync workers on {base}", flush=True)
                for check in (
                    check_approvals,
                    check_visas,
                    check_line_edits,
                    check_visas_and_edit,
                ):
                    result = check(base, cookie_name, world, args.clients)
                    connections.close_all()
                    results.append(result)
                    print(
                        f"  {'PASS' if result['passed'] else 'FAIL'}  {result['check']}: "
                        f"{json.dumps(result['responses'], ensure_ascii=False)[:300]}\n"
                        f"        database: {json.dumps(result['database'], ensure_ascii=False)}",
                        flush=True,
                    )
            finally:
                stop(server)
        tracebacks = log_path.read_text().count("Traceback")
    results.append(
        {
            "check": "no traceback in gunicorn's log",
            "passed": not tracebacks,
            "tracebacks": tracebacks,
        }
    )
    passed = all(r["passed"] for r in results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {"clients": args.clients, "passed": passed, "checks": results},
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(
        f"\n{'all checks passed' if passed else 'A CHECK FAILED'}; wrote "
        f"{RESULTS.relative_to(ROOT)} ({time.perf_counter() - started:.0f} s in all)"
    )
    return passed


if __name__ == "__main__":
    main()
