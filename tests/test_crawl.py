"""Crawling the product as every demo user: every link a page shows opens for the user it is
shown to, and reading changes nothing in the database (no GET ever writes)."""

import hashlib
import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.apps import apps
from django.urls import reverse

from .conftest import PERSONAS

HREF = re.compile(r'href="([^"#][^"]*)"')
# Pages not crawled: the admin is Django's own; logging out is a POST form; static files.
SKIP = ("/admin/", "/static/", "/accounts/logout/")
MAX_PAGES = 80  # per persona, breadth first from the home page
# Tables that reading may touch by design: the session of the logged-in client, axes' log.
VOLATILE = {
    "sessions.session",
    "schools.ratecount",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
}


def _links(html: str):
    for href in HREF.findall(html):
        href = urldefrag(href.replace("&amp;", "&"))[0]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not href.startswith("/"):
            continue
        if href.startswith(SKIP):
            continue
        yield href


def _fingerprint():
    """A digest of every row of every table but the volatile ones."""
    digest = hashlib.sha256()
    for model in apps.get_models():
        if model._meta.label_lower in VOLATILE or model._meta.proxy:
            continue
        for row in model._base_manager.order_by("pk").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()


def _crawl(client):
    seen, broken = set(), []
    queue = deque([reverse("home")])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, follow=True)
        if response.status_code != 200:
            broken.append((url, response.status_code))
            continue
        if "text/html" in response.get("Content-Type", ""):
            for link in _links(response.content.decode()):
                if link not in seen:
                    queue.append(link)
    return seen, broken


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_link_a_user_is_shown_opens_and_reading_changes_nothing(persona, client_of):
    client = client_of(persona)
    before = _fingerprint()
    seen, broken = _crawl(client)
    assert not broken, f"{persona} is shown links that do not open: {broken}"
    assert len(seen) >= 5, f"{persona} reached only {sorted(seen)}"
    assert _fingerprint() == before, f"a GET as {persona} changed the database"
