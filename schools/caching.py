"""Rendered pages cached under the version of the data they were rendered from.

A page of this product is a function of the data, the user, the address and the day: the same
user asking for the same address sees the same page until some row changes. So instead of
deciding which change should expire which page (and missing one), every committed transaction
that writes a row of the product adds one to a single counter (``ContentVersion.n``), and a
cached page is looked up under a key that holds the counter. A page in the cache is therefore
never older than the data: the first request after any change renders afresh, the next ones
are served from the cache.

The counter is kept by the database itself — triggers on every table of the product, installed
by ``install_triggers`` after each ``migrate`` (new tables included) — so that no way of writing
escapes it: services, the admin, bulk ``update()``, a migration, the shell. On PostgreSQL the
trigger is deferred to the commit, so the counter's row is locked only while a transaction
commits (two writers never wait on each other for long, and never deadlock on it); the tests,
whose transactions never commit, make it immediate (``CONTENT_VERSION_DEFERRED``). Other
database vendors have no triggers here, and nothing is cached on them.

Because the key carries the version, the cache may be local to each process (the default,
``LocMemCache``): a process that has not seen a change cannot serve a page rendered before it.
"""

import hashlib
import zlib
from contextvars import ContextVar
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpResponse
from django.utils import timezone, translation

VERSION_TABLE = "schools_contentversion"
TRIGGER = "content_version"
# Tables whose rows are not the product's data: sessions, login attempts, the task queue, the
# admin's log and Django's own bookkeeping. Writing them changes no page.
UNVERSIONED_APPS = frozenset(
    {"sessions", "axes", "django_tasks_database", "admin", "contenttypes", "migrations"}
)

# At commit, once per transaction however many rows it wrote; immediate (tests), once per row,
# since a test's single transaction must count each change it makes.
_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {TRIGGER}_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN%s
    UPDATE {VERSION_TABLE} SET n = n + 1, txid = txid_current()
    WHERE id = 1 %s;%s
    RETURN NULL;
END
$$;
"""
# Deferred, the trigger still fires once per row at the commit (a bulk import of 100,000
# values: 100,000 calls); the transaction remembers that it counted (a setting local to it),
# so every call after the first returns before planning its UPDATE.
_PG_ONCE_CHECK = f"""
    IF current_setting('{TRIGGER}.txid', true) = txid_current()::text THEN
        RETURN NULL;
    END IF;"""
_PG_ONCE_MARK = f"""
    PERFORM set_config('{TRIGGER}.txid', txid_current()::text, true);"""


def versioned_tables():
    """The tables of the product's data (the auto-created many-to-many tables included): not
    the version itself, nor the rate-limit counters (``schools.clients``), nor the task
    workers' signs of life (``network_center.workers``)."""
    from .models import ContentVersion, RateCount, WorkerBeat

    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed
            and not model._meta.proxy
            and not model._meta.swapped
            and model._meta.app_label not in UNVERSIONED_APPS
            and model not in (ContentVersion, RateCount, WorkerBeat)
        }
    )


def install_triggers(using=DEFAULT_DB_ALIAS, **kwargs):
    """Put the counting trigger on every versioned table of the database ``using``; a
    ``post_migrate`` receiver, so it also reaches tables that a migration created or (on
    SQLite) rebuilt."""
    connection = connections[using]
    tables = versioned_tables()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if getattr(settings, "CONTENT_VERSION_DEFERRED", True):
                once, timing = (
                    "AND txid IS DISTINCT FROM txid_current()",
                    "DEFERRABLE INITIALLY DEFERRED",
                )
            else:
                once, timing = "", "NOT DEFERRABLE"
            if once:
                cursor.execute(_PG_FUNCTION % (_PG_ONCE_CHECK, once, _PG_ONCE_MARK))
            else:
                cursor.execute(_PG_FUNCTION % ("", once, ""))
            for table in tables:
                name = connection.ops.quote_name(table)
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {name}")
                cursor.execute(
                    f"CREATE CONSTRAINT TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE "
                    f"ON {name} {timing} FOR EACH ROW EXECUTE FUNCTION {TRIGGER}_bump()"
                )
        elif connection.vendor == "sqlite":
            # One writer at a time: no lock to keep short, so the triggers are immediate.
            for table in tables:
                for operation in ("INSERT", "UPDATE", "DELETE"):
                    trigger = connection.ops.quote_name(f"{TRIGGER}_{table}_{operation.lower()}")
                    cursor.execute(
                        f"CREATE TRIGGER IF NOT EXISTS {trigger} AFTER {operation} "
                        f"ON {connection.ops.quote_name(table)} "
                        f"BEGIN UPDATE {VERSION_TABLE} SET n = n + 1 WHERE id = 1; END"
                    )
        cursor.execute(f"INSERT INTO {VERSION_TABLE} (id, n) VALUES (1, 0) ON CONFLICT DO NOTHING")


def content_version(using=DEFAULT_DB_ALIAS):
    """The current version of the data, or ``None`` where it is not kept (a vendor without the
    triggers, a flushed database): then nothing may be cached."""
    connection = connections[using]
    if connection.vendor not in {"postgresql", "sqlite"}:
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT n FROM {VERSION_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


# The version this request works with: ``None`` outside a GET request (a task, the shell, a
# POST), where nothing is remembered; ``_UNREAD`` at the start of a GET, until the session's
# query (see ``schools.sessions``) or the first ``request_version()`` reads it.
_UNREAD = -1
_version: ContextVar[int | None] = ContextVar("content_version", default=None)


def start_request(environ=None, **kwargs):
    """``request_started`` receiver: a GET or HEAD has read no version yet. Other methods
    change data and then read it in the same request, so nothing is remembered for them."""
    method = (environ or {}).get("REQUEST_METHOD", "GET")
    _version.set(_UNREAD if method in {"GET", "HEAD"} else None)


def end_request(**kwargs):
    """``request_finished`` receiver: what follows is no longer this request."""
    _version.set(None)


def in_request():
    return _version.get() is not None


def note_version(version):
    """The version read together with the session (one query for both)."""
    if in_request() and version is not None:
        _version.set(version)


def request_version():
    """The version of the data this request reads, read once: with the session if it was
    loaded, else now. ``None`` outside a request or where no version is kept."""
    version = _version.get()
    if version is None:
        return None
    if version == _UNREAD:
        version = content_version()
        if version is None:
            return None
        _version.set(version)
    return version


_MISSING = object()


def remember(parts, compute, timeout=None):
    """``compute()``, remembered in the cache under ``parts`` and this request's data version:
    what any request computes from the data alone (a user's row, their memberships, an access
    check) is computed once per version of the data. Outside a request it is always computed."""
    version = request_version()
    if version is None or not getattr(settings, "PAGE_CACHE_SECONDS", 0):
        return compute()
    cache = caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]
    key = "v:" + hashlib.sha256(repr((version, *parts)).encode()).hexdigest()
    found = cache.get(key, _MISSING)
    if found is _MISSING:
        found = compute()
        cache.set(key, found, timeout or settings.PAGE_CACHE_SECONDS)
    return found


def _has_messages(request):
    """Messages waiting to be shown (set by the previous request): the page that shows them is
    rendered, never cached or served from the cache."""
    return bool(
        request.COOKIES.get(getattr(settings, "MESSAGE_COOKIE_NAME", "messages"))
        or request.session.get("_messages")
    )


def _key(request, view_name, version, secret):
    # The CSRF secret: the forms of a cached page carry tokens made from it, valid for this
    # browser only. The day: pages say what is due or overdue today.
    parts = [
        view_name,
        str(version),
        str(request.user.pk),
        translation.get_language() or "",
        timezone.localdate().isoformat(),
        request.headers.get("HX-Request", ""),
        hashlib.sha256(secret.encode()).hexdigest(),
        request.get_full_path(),
    ]
    return "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _freeze(response, uses_csrf):
    body = response.content
    compressed = response.get("Content-Type", "").startswith("text/")
    if compressed:
        body = zlib.compress(body, 1)
    headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
    return (response.status_code, headers, compressed, body, uses_csrf)


def _thaw(request, frozen):
    status, headers, compressed, body, uses_csrf = frozen
    if uses_csrf:
        # As the page's {% csrf_token %} did when it was rendered: the middleware renews the
        # CSRF cookie's expiry.
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    response = HttpResponse(zlib.decompress(body) if compressed else body, status=status)
    for name, value in headers:
        response[name] = value
    response["X-Page-Cache"] = "hit"
    return response


def cached_page(view):
    """Serve the view's page from the cache while the data has not changed.

    For a signed-in user's GET: the key holds the view, the data's version, the user, the
    language, the day, whether htmx asked, the browser's CSRF secret and the full address.
    Only a complete ``200`` response without cookies or a new CSRF secret is stored; a request
    that has messages to show, or whose view added one, is neither served from nor stored in
    the cache. The view
    itself decides who sees what (``visible_to``, ``require``): a refused request is never
    stored, and whatever changes who may see a page (a role, a participation) changes the
    version, so a page that was allowed is not served once it would be refused.
    """
    view_name = f"{view.__module__}.{view.__qualname__}"

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if (
            request.method not in {"GET", "HEAD"}
            or not getattr(settings, "PAGE_CACHE_SECONDS", 0)
            or not request.user.is_authenticated
            or _has_messages(request)
        ):
            return view(request, *args, **kwargs)
        # Read before any of the page's data (with the session, as a rule): a change committed
        # in between is then newer than the key, never older.
        version = request_version()
        if version is None:
            return view(request, *args, **kwargs)
        cache = caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]
        secret = request.META.get("CSRF_COOKIE")
        key = _key(request, view_name, version, secret or "")
        frozen = cache.get(key)
        if frozen is not None:
            return _thaw(request, frozen)
        response = view(request, *args, **kwargs)
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            # A browser without a CSRF cookie got a new secret: its page is its own.
            and request.META.get("CSRF_COOKIE") == secret
            and not getattr(messages.get_messages(request), "added_new", False)
        ):
            uses_csrf = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
            cache.set(key, _freeze(response, uses_csrf), settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response

    return wrapper
