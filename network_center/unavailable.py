"""The database unreachable (restarted, failed over, out of connections): a page that says so.

While PostgreSQL restarts, every query raises ``OperationalError`` (or ``InterfaceError`` on a
connection it dropped). Left alone, that is Django's «Ошибка сервера» (500) — a page that tells
the user something broke for good — and the broken connection stays in the process until the
request ends. ``DatabaseUnavailableMiddleware`` answers instead with 503 and ``Retry-After``:
«Сервис временно недоступен», rendered from ``templates/503.html`` with no request context (no
session, no user, no context processor: nothing that needs the database), and closes the
process's broken connections so the next request opens a new one. Nothing is half-written by
the failure: every change of state is one transaction (the services' ``atomic``), which
PostgreSQL rolls back when its connection goes; the page tells a user who sent a form to look
before sending it again.

The error reaches this middleware two ways. Raised by a view, it comes to ``process_exception``
with the user's language active (``ProfileLanguageMiddleware``). Raised by a middleware before
the view — most often: the session and the user are read by ``ProfileLanguageMiddleware`` on
every signed-in request — Django's handler has already made it a 500 response at that
middleware; ``got_request_exception``, which that handler sends first, marks the request, and
``__call__`` replaces the 500 with the 503, in Russian: the user's language is in the database.
"""

import logging
import sys
from contextlib import suppress

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import DatabaseError, connections
from django.db.utils import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control

logger = logging.getLogger(__name__)

DATABASE_DOWN = (OperationalError, InterfaceError)
# A restart of PostgreSQL takes seconds; a browser or client that honours the header retries
# after this many.
RETRY_AFTER_SECONDS = 30
_MARK = "_database_unavailable"


class DatabaseUnavailableMiddleware:
    """503 with the «Сервис временно недоступен» page for a database error of the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        error = getattr(request, _MARK, None)
        if error is not None and response.status_code == 500:
            return unavailable_response(request, error, settings.LANGUAGE_CODE)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN):
            return unavailable_response(request, exception, translation.get_language())
        return None


@receiver(got_request_exception)
def _mark_database_error(sender, request=None, **kwargs):
    """Remember on the request a database error that a middleware raised (Django's handler
    sends this signal inside its ``except``, before it renders the 500)."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_DOWN):
        setattr(request, _MARK, error)


def unavailable_response(request, error, language):
    """The 503 page in ``language``; the broken connections are closed first."""
    logger.error("Database unavailable: %s %s: %s", request.method, request.path, error)
    close_broken_connections()
    with translation.override(language or settings.LANGUAGE_CODE):
        # No request: no context processor runs (they read the session, the user, the
        # notifications — the database).
        body = render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS})
        language = translation.get_language()
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Content-Language"] = language
    # A passing failure must not be kept by a browser or proxy in place of the page.
    patch_cache_control(response, no_store=True)
    return response


def close_broken_connections():
    """Close this thread's open database connections, so that the next query (this request's
    response middleware, or the next request) connects anew instead of failing on the dead
    one. A connection inside a transaction is left to whoever opened it (nothing of the
    request's own is open by now; the test suite's wrapping transaction is)."""
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            continue
        # A connection the server already dropped may refuse to be closed: it is gone anyway.
        with suppress(DatabaseError):
            connection.close()
