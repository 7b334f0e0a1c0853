"""Accessibility in Debian's Chromium: as every demo user (and the anonymous visitor), every page
reached by following links from the home page fits a phone (390 px) and a desktop (1280 px), has
no serious or critical axe-core violation of WCAG 2.1 A/AA at either width, shows where the
keyboard focus is, and has its title and ARIA names in Russian.

axe-core is a test asset (``tests/assets/axe-core``, see its README): its source is evaluated in
the page through Playwright, which the strict Content-Security-Policy does not block, so the
pages are checked exactly as they are served."""

import os
import re
import time
from collections import Counter, defaultdict, deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve

from .conftest import ANONYMOUS, PERSONAS
from .test_browser import ARGS, CHROMIUM

AXE = Path(__file__).parent / "assets" / "axe-core" / "axe.min.js"
WIDTHS = (390, 1280)
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
IMPACTS = ("serious", "critical")
# Pages not crawled: the admin is Django's own; logging out is a POST form; static files.
SKIP = ("/admin/", "/static/", "/accounts/logout/")
MAX_PAGES = 40  # per persona, breadth first from the home page
PER_PATTERN = 3  # pages of one URL pattern (a plan, a document…) differ in data, not in markup
FOCUS_PAGES = 4  # pages per persona and width whose first controls are reached with Tab
FOCUS_STEPS = 15
# A11Y_EVERY_PAGE=1 checks every page reached, not only those that show something new (slower:
# about five times as many pages).
EVERY_PAGE = os.environ.get("A11Y_EVERY_PAGE") == "1"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}"""

# The page's title and every ARIA name it gives: the interface is Russian.
NAMES = """() => [document.title,
  ...Array.from(document.querySelectorAll("[aria-label]"), (e) => e.getAttribute("aria-label"))]"""
CYRILLIC = re.compile("[А-Яа-яЁё]")

# What the focused element looks like. Its focus indicator is an outline or a box shadow whose
# colour stands out at least 3:1 against the background behind the element (the nearest opaque
# background of its parents): Bootstrap's pale focus shadow on the blue navbar would not.
FOCUSED = r"""() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const rgba = (text) => {
    const m = text.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return {r, g, b, a};
  };
  const background = (node) => {
    for (; node && node.nodeType === 1; node = node.parentElement) {
      const c = rgba(getComputedStyle(node).backgroundColor);
      if (c && c.a > 0) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const luminance = ({r, g, b}) => {
    const lin = (v) => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const contrast = (c, bg) => {
    const mixed = {r: c.r * c.a + bg.r * (1 - c.a), g: c.g * c.a + bg.g * (1 - c.a),
                   b: c.b * c.a + bg.b * (1 - c.a)};
    const [l1, l2] = [luminance(mixed), luminance(bg)].sort((x, y) => y - x);
    return (l1 + 0.05) / (l2 + 0.05);
  };
  const style = getComputedStyle(el);
  const behind = background(el.parentElement);
  let best = 0;
  if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) {
    best = Math.max(best, contrast(rgba(style.outlineColor), behind));
  }
  if (style.boxShadow !== "none") {
    for (const m of style.boxShadow.matchAll(/rgba?\([^)]+\)/g)) {
      best = Math.max(best, contrast(rgba(m[0]), behind));
    }
  }
  const name = (el.getAttribute("aria-label") || el.textContent || el.name || "").trim();
  return {
    visible: best >= 3,
    opens: el.matches("[data-bs-toggle=collapse][aria-expanded=false]")
      ? el.getAttribute("aria-controls") : null,
    element: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
      + (el.classList.length ? "." + Array.from(el.classList).join(".") : ""),
    name: name.replace(/\s+/g, " ").slice(0, 40),
    indicator: `outline ${style.outline}; box-shadow ${style.boxShadow}; ` +
      `contrast ${best.toFixed(2)}`,
  };
}"""


@pytest.fixture(scope="module")
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def axe_source():
    return AXE.read_text()


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo12345")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")


def _pattern(path):
    """The URL pattern a path belongs to («documents:detail»)."""
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return path


class _Page(HTMLParser):
    """The links of a page and its markup's kinds of elements: the tag, classes, type, role and
    name of each, without text, addresses or counts. Two plans shown to one user have the same
    kinds; a plan shown to a school has a visa form the center's does not."""

    def __init__(self):
        super().__init__()
        self.links, self.kinds = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        classes = " ".join(sorted((attrs.get("class") or "").split()))
        self.kinds.add((tag, classes, *(attrs.get(a) for a in ("type", "role", "name"))))


def _local(current, href):
    """The same-site path a link leads to, or None for a link the crawl does not follow."""
    url = urldefrag(urljoin(current, href.strip()))[0]
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return None if path.startswith(SKIP) else path


def _discover(client, seeds):
    """The pages a user reaches breadth first from the seeds by following links (at most
    PER_PATTERN of a URL pattern, MAX_PAGES in all): ``[(path, kinds)]``. Fetched with
    Django's test client, which is far quicker than the browser; downloads (anything but
    text/html) are left out."""
    queue, queued, pages, per_pattern = deque(seeds), set(seeds), [], Counter()
    while queue and len(pages) < MAX_PAGES:
        path = queue.popleft()
        pattern = _pattern(path)
        if per_pattern[pattern] >= PER_PATTERN:
            continue
        per_pattern[pattern] += 1
        response = client.get(path, follow=True)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        landed = response.request["PATH_INFO"]
        if response.request.get("QUERY_STRING"):
            landed += "?" + response.request["QUERY_STRING"]
        if any(landed == p for p, _ in pages):
            continue
        parsed = _Page()
        parsed.feed(response.content.decode())
        pages.append((landed, frozenset(parsed.kinds)))
        for href in parsed.links:
            link = _local(landed, href)
            if link is not None and link not in queued:
                queued.add(link)
                queue.append(link)
    return pages


class Findings:
    """What the pages got wrong, for one readable failure message."""

    def __init__(self):
        self.problems = []  # one line each
        self.violations = 0

    def check(self, page, axe_source, where):
        width = page.viewport_size["width"]
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            self.problems.append(f"{where}: the page is {scroll_width}px wide")
        for text in page.evaluate(NAMES):
            if not CYRILLIC.search(text):
                self.problems.append(f"{where}: a title or ARIA name not in Russian: «{text}»")
        page.evaluate(axe_source)
        for v in page.evaluate(RUN_AXE, TAGS):
            if v["impact"] in IMPACTS:
                self.violations += 1
                targets = v["targets"]
                shown = "; ".join(targets[:5]) + (
                    f"; … {len(targets) - 5} more" * bool(targets[5:])
                )
                self.problems.append(
                    f"{v['id']} ({v['impact']}) {where}: {v['help']}\n      {shown}"
                )

    def check_focus(self, page, where):
        """Tabs through the first controls of a page just opened; each must show where the
        focus is. A collapsed menu (the navbar on a phone) is opened with Enter on the way, as
        a keyboard user opens it, so that its links are reached too."""
        seen = set()
        for _ in range(FOCUS_STEPS):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED)
            if focused is None or (focused["element"], focused["name"]) in seen:
                break
            seen.add((focused["element"], focused["name"]))
            if not focused["visible"]:
                self.problems.append(
                    f"no visible focus {where}: {focused['element']} «{focused['name']}» "
                    f"({focused['indicator']})"
                )
            if focused["opens"]:
                page.keyboard.press("Enter")
                page.wait_for_selector(f"#{focused['opens']}.show")


def _deep_pages(persona):
    """Pages a few links deep that the breadth-first walk may not reach within MAX_PAGES:
    monitoring's identification and risk profiles, effectiveness, the bank — always checked."""
    from django.urls import reverse

    from monitoring.models import IdentificationRun
    from network_center.centers.models import Center
    from schools.models import Municipality, Organisation

    if persona == "uo_dmitriev":
        dmitriev = Municipality.objects.get(name="Дмитриевский район")
        run = IdentificationRun.objects.filter(municipality=dmitriev).order_by("-year").first()
        center = Center.objects.filter(municipality=dmitriev).order_by("pk").first()
        return [
            reverse("monitoring:identification", args=[dmitriev.pk]),
            reverse("monitoring:rule_edit", args=[dmitriev.pk, "shnor"]),
            reverse("monitoring:run", args=[run.pk]),
            reverse("monitoring:risk_list", args=[dmitriev.pk]),
            reverse("analytics:center", args=[center.pk]),
            reverse("analytics:municipality", args=[dmitriev.pk]),
            reverse("practices:list"),
        ]
    if persona == "region":
        return [reverse("analytics:region")]
    if persona == "school_a":
        school = Organisation.objects.get(short_name="МКОУ «СОШ № 1 г. Дмитриева»")
        return [reverse("monitoring:risk_profile", args=[school.pk, 2026])]
    return []


def _seeds(persona):
    if persona == "school_a":
        # … and the page of a refusal (403): only the department
        return ["/", "/centers/new/", *_deep_pages(persona)]
    if persona != ANONYMOUS:
        return ["/", *_deep_pages(persona)]
    from network_center.documents.models import LegalDocument

    signed = LegalDocument.objects.filter(state=LegalDocument.State.SIGNED, parent=None)
    code = signed.exclude(verification_code="").values_list("verification_code", flat=True)[0]
    # The login page, the public verification of a real and of an unknown code, a missing page
    # (404).
    return ["/accounts/login/", f"/verify/{code}/", "/verify/2222-3333-4444/", "/no-such-page/"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_a_user_reaches_is_accessible(width, browser, axe_source, live_server, settings):
    """One test per width (the two run side by side under xdist), every persona in it, so that
    the demo is loaded once. A page that shows no kind of element the pages of its URL pattern
    already checked at this width showed (to this persona or another) is not checked again; a
    persona's home page always is."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from network_center.demo import load_demo

    started = time.monotonic()
    load_demo()  # transactional tests start from an empty database
    settings.VERIFY_RATE_LIMIT = (10_000, 600)  # every persona opens the verification pages
    findings, figures, checked_kinds = Findings(), [], defaultdict(set)
    for persona in [ANONYMOUS, *PERSONAS]:
        t0 = time.monotonic()
        client, seeds = Client(), _seeds(persona)
        if persona != ANONYMOUS:
            client.force_login(get_user_model().objects.get(username=persona))
        pages = _discover(client, seeds)
        if persona != ANONYMOUS and len(pages) < 5:  # a crawl that found nothing passes unseen
            findings.problems.append(f"{persona} reaches only {[p for p, _ in pages]}")
        t1 = time.monotonic()
        # Reduced motion: Bootstrap then draws a focus ring at once, not over 0.15 s.
        context = browser.new_context(
            viewport={"width": width, "height": 800}, locale="ru-RU", reduced_motion="reduce"
        )
        page = context.new_page()
        if persona != ANONYMOUS:
            _login(page, live_server, persona)
        before, checked = findings.violations, 0
        for path, kinds in pages:
            known = checked_kinds[_pattern(path)]
            if path not in seeds and kinds <= known and not EVERY_PAGE:
                continue
            known |= kinds
            page.goto(live_server.url + path)
            where = f"{persona} {width}px {path}"
            findings.check(page, axe_source, where)
            if checked < FOCUS_PAGES:
                findings.check_focus(page, where)
            checked += 1
        context.close()
        figures.append(
            f"{persona:15} {len(pages):7} {checked:7} {findings.violations - before:10}"
            f" {t1 - t0:8.1f}s {time.monotonic() - t1:6.1f}s"
        )
    figures = "\n  ".join(
        [
            f"accessibility at {width}px, {time.monotonic() - started:.0f}s in all:",
            "persona         reached checked violations discover  check  (rule × page)",
            *figures,
        ]
    )
    print(figures)  # shown with -s, or -rP
    assert not findings.problems, f"{len(findings.problems)} problems:\n  " + (
        "\n  ".join(findings.problems) + "\n" + figures
    )
