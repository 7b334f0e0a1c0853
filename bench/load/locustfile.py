"""The load test of network_center (``bench/load_run.py`` runs it; not a test of the suite).

Every simulated user is one of the demo's personas, logged in with a session of its own, and walks
the product as that person would: it follows the links the pages give it (the menu, the lists,
the plan page) rather than ids written here, so a persona only ever asks for what the product
offers it, and a link that leads to an error is the product's error. Between steps a user
thinks for one to five seconds.

Reads (every persona, as far as its menu reaches): the home page, the schools list and a school's
page, the centers list and a center's page, the plans list and a plan's page, the calendar, the
journal of documents and a document's page, a search of the schools' resources, a monitoring
campaign, effectiveness pages, the regional view, a signed PDF, the proposals, the notifications.

Writes, real form POSTs with the form's CSRF token and every field the browser would send
(read from the form the page gives; only what a person would type is changed):

- a participant school's coordinator (``school_a``, ``school_b``) submits a proposal, gives its
  visa on the plan on agreement (agrees, agrees with remarks, objects, in turn) and revises a
  proposal the center returned;
- the center head (``head_center``) edits a line of the plan on agreement (the form carries the
  version it was read at) and decides the schools' proposals: declines most, returns some,
  accepts one in five (each acceptance adds a line and asks the schools again);
- the methodologist (``rmk_dmitriev``) drafts an order of the department with one point, and
  the department's head (``chief_dmitriev``) signs it with her password (its PDF is rendered
  by the task worker);
- Kupino's department (``uo_kupino``) files the reports of its plan's events and returns them;
- everyone marks their notifications read.

What two users write never collides: the users of one persona share its login, so each write
that could meet another (a line, an event's report) is given to one user only — the user's slot
among the persona's users picks it —, and the proposals and drafts pass from the writer to the
decider through queues in this process (locust's users are greenlets of one process). That
collisions are told correctly is ``bench/concurrency.py``'s business; here any refusal, form
error or error page is a failure.

It reads the world ``bench/load_run.py`` writes, a JSON file named by ``LOAD_WORLD``: the session
cookie's name, the session keys of each persona (one per user), the number of users and the
demo password.
"""

import itertools
import json
import os
import random
import re
import sys
from collections import deque
from datetime import date
from pathlib import Path

from locust import HttpUser, between, events, task

# locust puts this file's folder on the path, not the project's.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.load.forms import alert_text, form_errors, forms_of, links, path_of  # noqa: E402

WORLD = json.loads(Path(os.environ["LOAD_WORLD"]).read_text(encoding="utf-8"))
# The order in which users take personas: user i is PERSONAS[i % len], and its slot among that
# persona's users is i // len.
PERSONAS = WORLD["personas"]
_next_user = itertools.count()

# Handed from the user who writes to the user who decides (greenlets of one process: a deque's
# append and popleft are atomic here).
PROPOSALS = deque()  # submitted proposals' pages, for the center head
RETURNED = {persona: deque() for persona in PERSONAS}  # returned proposals, for their school
TO_SIGN = deque()  # drafts with a body, for the department's head

# Per step: how the page cache answered (the X-Page-Cache header: hit, miss — rendered and
# stored —, or none: not cacheable) and the queries run (X-Bench-Queries); written at the end
# to the file LOAD_PAGES names, for the report.
PAGES = {}


def _tally(name, response):
    step = PAGES.setdefault(name, {"hit": 0, "miss": 0, "none": 0, "queries": 0, "count": 0})
    step[response.headers.get("X-Page-Cache", "none")] += 1
    step["queries"] += int(response.headers.get("X-Bench-Queries", 0))
    step["count"] += 1


@events.test_stop.add_listener
def _write_pages(**kwargs):
    if os.environ.get("LOAD_PAGES"):
        Path(os.environ["LOAD_PAGES"]).write_text(json.dumps(PAGES, ensure_ascii=False))


SEARCHES = ["математ", "наставник", "русск", "лаборатор", "учител"]
DECISIONS = ["decline", "return", "decline", "decline", "accept"]
VISAS = [
    ("agreed", ""),
    ("agreed_remarks", "Нагрузочный тест: просим уточнить даты."),
    ("agreed", ""),
    ("objected", "Нагрузочный тест: мероприятие совпадает с ВПР."),
]

HTML = "text/html"
PDF = "application/pdf"


# --- the simulated user -------------------------------------------------------------------------


class Persona(HttpUser):
    """One demo persona (PERSONAS, in turn) with its own session, walking its journeys."""

    wait_time = between(1, 5)

    def on_start(self):
        number = next(_next_user)
        self.persona = PERSONAS[number % len(PERSONAS)]
        self.slot = number // len(PERSONAS)
        keys = WORLD["sessions"][self.persona]
        self.slots = len(keys)  # how many users this persona has
        self.client.cookies.set(WORLD["cookie_name"], keys[self.slot % len(keys)])
        self.counter = itertools.count(self.slot)
        self.discover()

    # --- requests, judged -----------------------------------------------------------------------

    def page(self, path, name, content_type=HTML):
        """GET a page that must answer 200 with ``content_type``; its text (None on failure)."""
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False) as r:
            _tally(name, r)
            if r.status_code != 200:
                r.failure(f"{path}: {r.status_code} {r.headers.get('Location', '')}")
                return None
            if not r.headers.get("Content-Type", "").startswith(content_type):
                r.failure(f"{path}: {r.headers.get('Content-Type')}")
                return None
            if content_type == PDF:
                if not r.content.startswith(b"%PDF"):
                    r.failure(f"{path}: not a PDF")
                return ""
            return r.text

    def form(self, path, name, action):
        """GET ``path`` and return the form whose action matches the ``action`` pattern."""
        html = self.page(path, name)
        if html is None:
            return None
        url = self.host.rstrip("/") + path
        for form in forms_of(html, url):
            if form.method == "post" and re.fullmatch(action, path_of(form.action)):
                return form
        return None

    def submit(self, form, name, done, landing, *, message=True):
        """POST ``form``: it must redirect to a path matching ``done`` (a form shown again is a
        refusal: a failure with what it says); the page it leads to (``landing``) must say
        the action succeeded (unless the view says nothing: ``message`` false). Returns the
        redirect's path, or None."""
        path = path_of(form.action)
        with self.client.post(
            path,
            data=form.fields,
            name=name,
            catch_response=True,
            allow_redirects=False,
            headers={"Referer": form.action},
        ) as r:
            location = r.headers.get("Location", "")
            if r.status_code != 302 or not re.fullmatch(done, location):
                why = form_errors(r.text) if r.status_code == 200 else location
                r.failure(f"POST {path}: {r.status_code} {why}")
                return None
        html = self.page(location, landing)
        if html is None:
            return None
        if message and not alert_text(html, "success"):
            # The message the view set is shown on the page it leads to: none means not done.
            self.environment.events.request.fire(
                request_type="POST",
                name=name + " (message)",
                response_time=0,
                response_length=0,
                exception=AssertionError(f"POST {path}: no success message on {location}"),
                context={},
            )
            return None
        return location

    # --- what the persona's pages offer ---------------------------------------------------------

    def look(self, path, name):
        """A page of the first walk round the menu, read before the next like any other
        (thinking between pages): fifty users arriving must not ask ten pages each at once."""
        html = self.page(path, name) or ""
        self.wait()
        return html

    def discover(self):
        """Read the persona's menu and lists once: the links its journeys follow."""
        home = self.look("/", "home")
        menu = set(links(home, r"/[a-z/]*"))
        self.lists = {}
        for section, pattern, name in [
            ("/schools/", r"/schools/\d+/", "schools list"),
            ("/centers/", r"/centers/\d+/", "centers list"),
            ("/plans/", r"/plans/\d+/", "plans list"),
            ("/documents/", r"/documents/\d+/", "journal"),
            ("/monitoring/", r"/monitoring/\d+/", "monitoring: campaigns"),
            (
                "/analytics/",
                r"/analytics/(?:centers|municipalities)/\d+/|/analytics/region/",
                "effectiveness: index",
            ),
        ]:
            if section in menu:
                self.lists[section] = (name, links(self.look(section, name), pattern))
        self.menu = menu
        # The plan pages: signed PDFs of approved plans, the visa form, the proposal link, the
        # line edit links, the execution overview.
        self.pdfs, self.lines, self.events = [], [], []
        self.propose = self.visa_plan = None
        for plan in self.lists.get("/plans/", ("", []))[1]:
            html = self.look(plan, "plan page")
            self.menu |= set(links(html, r"/plans/proposals/"))
            self.pdfs += links(html, r"/documents/\d+/pdf/")
            if re.search(r'action="/plans/revisions/\d+/visa/\d+/"', html):
                self.visa_plan = plan
            self.propose = self.propose or next(iter(links(html, r"/plans/\d+/propose/")), None)
            if not self.lines:
                self.lines = sorted(
                    links(html, r"/plans/lines/\d+/edit/"), key=lambda p: int(p.split("/")[3])
                )
            for overview in links(html, r"/plans/revisions/\d+/execution/"):
                self.events += links(
                    self.look(overview, "execution overview"), r"/plans/events/\d+/"
                )
        self.events.sort(key=lambda p: int(p.split("/")[3]))

    def _mine(self, items):
        """This user's share of ``items`` (the persona's other users have the rest)."""
        return items[self.slot :: self.slots]

    # --- reads ----------------------------------------------------------------------------------

    @task(3)
    def home(self):
        self.page("/", "home")

    def _list_and_item(self, section, item_name):
        if section in self.lists:
            name, items = self.lists[section]
            self.page(section, name)
            if items:
                self.page(random.choice(items), item_name)

    @task(2)
    def schools(self):
        self._list_and_item("/schools/", "school page")

    @task(2)
    def centers(self):
        self._list_and_item("/centers/", "center page")

    @task(3)
    def plan(self):
        self._list_and_item("/plans/", "plan page")

    @task(1)
    def calendar(self):
        if "/plans/calendar/" in self.menu:
            self.page("/plans/calendar/", "calendar")

    @task(2)
    def journal(self):
        self._list_and_item("/documents/", "document page")

    @task(1)
    def resources(self):
        if "/schools/resources/" in self.menu:
            self.page(f"/schools/resources/?q={random.choice(SEARCHES)}", "resources search")

    @task(1)
    def monitoring(self):
        if self.lists.get("/monitoring/", ("", []))[1]:
            self._list_and_item("/monitoring/", "monitoring: campaign")

    @task(1)
    def effectiveness(self):
        if "/analytics/" not in self.lists:
            return
        name, pages = self.lists["/analytics/"]
        self.page("/analytics/", name)
        for path in pages:
            if path == "/analytics/region/":
                self.page(path, "regional view")
        own = [p for p in pages if p != "/analytics/region/"]
        if own:
            self.page(random.choice(own), "effectiveness")

    @task(1)
    def signed_pdf(self):
        if self.pdfs:
            self.page(random.choice(self.pdfs), "signed PDF", PDF)

    @task(1)
    def proposals(self):
        if "/plans/proposals/" in self.menu:
            self.page("/plans/proposals/", "proposals list")

    @task(1)
    def notifications(self):
        form = self.form("/notifications/", "notifications", r"/notifications/read/")
        if form is not None:
            # «Отметить все прочитанными» leads back to the list (no message: the list shows it).
            with self.client.post(
                "/notifications/read/",
                data=form.fields,
                name="notifications read",
                catch_response=True,
                allow_redirects=False,
            ) as r:
                if r.status_code != 302:
                    r.failure(f"POST /notifications/read/: {r.status_code}")

    # --- writes ---------------------------------------------------------------------------------

    @task(3)
    def write(self):
        """The persona's own writes, one per turn."""
        journeys = {
            "school_a": [self.propose_event, self.give_visa, self.resubmit],
            "school_b": [self.propose_event, self.give_visa, self.resubmit],
            "head_center": [self.edit_line, self.decide_proposal],
            "rmk_dmitriev": [self.draft_document],
            "chief_dmitriev": [self.sign_document],
            "uo_kupino": [self.report_event],
        }.get(self.persona)
        if journeys:
            random.choice(journeys)()
        else:
            self.notifications()

    def propose_event(self):
        if not self.propose:
            return
        form = self.form(self.propose, "proposal form", re.escape(self.propose))
        if form is None:
            return
        n = next(self.counter)
        form.set("title", f"Нагрузочный тест: предложение {self.persona} № {n}")
        form.set("direction", "Адресная методическая поддержка учителей")
        form.choose("form", n % 5)
        form.choose("format")
        form.set("audience", "учителя математики")
        form.set("date_kind", "month")
        form.set("date_from", "2027-03-01")
        form.set("justification", "Проверка под нагрузкой: школе нужна поддержка.")
        proposal = self.submit(form, "proposal submit", r"/plans/proposals/\d+/", "proposal page")
        if proposal:
            PROPOSALS.append((self.persona, proposal))

    def give_visa(self):
        if not self.visa_plan:
            return
        form = self.form(self.visa_plan, "plan page", r"/plans/revisions/\d+/visa/\d+/")
        if form is None:
            return
        decision, remarks = VISAS[next(self.counter) % len(VISAS)]
        form.set("decision", decision)
        form.set("remarks", remarks)
        self.submit(form, "visa", r"/plans/\d+/", "plan page")

    def resubmit(self):
        queue = RETURNED[self.persona]
        if not queue:
            return self.propose_event()
        proposal = queue.popleft()
        form = self.form(proposal + "edit/", "proposal edit form", re.escape(proposal + "edit/"))
        if form is None:
            return
        form.set("justification", "Уточнили темы и участников (нагрузочный тест).")
        self.submit(form, "proposal resubmit", re.escape(proposal), "proposal page")

    def edit_line(self):
        mine = self._mine(self.lines)
        if not mine:
            return self.decide_proposal()
        path = random.choice(mine)
        form = self.form(path, "line edit form", re.escape(path))
        if form is None:
            return
        form.set("audience", f"педагоги сети (правка № {next(self.counter)})")
        self.submit(form, "line edit", r"/plans/\d+/\?revision=\d+", "plan page")

    def decide_proposal(self):
        if not PROPOSALS:
            return
        school, proposal = PROPOSALS.popleft()
        form = self.form(proposal, "proposal page", re.escape(proposal + "decide/"))
        if form is None:
            return
        decision = DECISIONS[next(self.counter) % len(DECISIONS)]
        form.set("decision", decision)
        form.set("comment", "" if decision == "accept" else "Нагрузочный тест: решение центра.")
        done = self.submit(form, f"proposal {decision}", re.escape(proposal), "proposal page")
        if done and decision == "return":
            RETURNED[school].append(proposal)

    def draft_document(self):
        form = self.form("/documents/new/", "document form", r"/documents/new/")
        if form is None:
            return
        form.set("issuer", WORLD["department_id"])
        form.set("kind", "order")
        form.set("heading", f"О проведении сетевого семинара № {next(self.counter)}")
        form.set("place", "г. Дмитриев")
        form.set("preamble", "В целях повышения качества образования")
        body = self.submit(form, "document draft", r"/documents/\d+/body/", "document body")
        if not body:
            return
        point = self.form(body, "document body", r"/documents/\d+/points/add/")
        if point is None:
            return
        point.set("new-text", "Провести семинар для учителей математики школ сети.")
        # The view adds the point without a message: the body page lists it.
        if self.submit(point, "document point", re.escape(body), "document body", message=False):
            TO_SIGN.append(body.removesuffix("body/"))

    def sign_document(self):
        if not TO_SIGN:
            return
        document = TO_SIGN.popleft()
        form = self.form(document + "sign/", "sign form", re.escape(document + "sign/"))
        if form is None:
            return
        form.set("password", WORLD["password"])
        self.submit(form, "document sign", re.escape(document), "document page")

    def report_event(self):
        for event in random.sample(self._mine(self.events), len(self._mine(self.events))):
            html = self.page(event, "event page")
            if html is None:
                return
            if f'href="{event}report/"' in html:
                form = self.form(event + "report/", "report form", re.escape(event + "report/"))
                if form is None:
                    return
                form.set("held_on", date.today().isoformat())
                form.set("outcome", f"Проведено (нагрузочный тест, № {next(self.counter)}).")
                counts = [n for n in form.names() if n.startswith("count_")]
                form.set(sorted(counts)[0], 12)
                self.submit(form, "execution report", re.escape(event), "event page")
                return
            if f'action="{event}decide/return/"' in html:
                form = next(
                    f for f in forms_of(html, self.host + event) if f.action.endswith("return/")
                )
                form.set("comment", "Нагрузочный тест: приложите протокол.")
                self.submit(form, "execution return", re.escape(event), "event page")
                return
