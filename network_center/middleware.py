"""Project middleware."""

from functools import cache

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.cache import patch_cache_control


@cache
def _fixed_policy():
    return build_policy()


@receiver(setting_changed)
def _forget_policy(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _fixed_policy.cache_clear()


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, with the project's policy built once per process.

    The policy (``CONTENT_SECURITY_POLICY``) is the same for every response unless a view
    changes or exempts it (django-csp's decorators), a template asks for a nonce, a report-only
    policy or excluded prefixes are configured, or a debug error page is shown; then django-csp
    builds it as usual. Building it for every response took a fifth of the time a stored PDF
    takes to serve."""

    def process_response(self, request, response):
        if (
            getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get(
                "EXCLUDE_URL_PREFIXES"
            )
            or (settings.DEBUG and response.status_code in {404, 500})
            or isinstance(getattr(request, "_csp_nonce", None), str)
            or getattr(response, "_csp_exempt", False)
            or any(
                getattr(response, name, None) is not None
                for name in ("_csp_config", "_csp_update", "_csp_replace")
            )
        ):
            return super().process_response(request, response)
        policy = _fixed_policy()
        if policy and HEADER not in response:
            response[HEADER] = policy
        # As django-csp does: a nonce asked for after the header was written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


class PrivateResponsesMiddleware:
    """A signed-in user's pages and downloads carry personal data and acts: no browser cache,
    proxy or shared computer keeps a copy (``Cache-Control: private, no-store``). Static files
    are answered before this (WhiteNoise) and keep their long cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or response.streaming:
            patch_cache_control(response, private=True, no_store=True)
        return response


class UploadLimitMiddleware:
    """A request body larger than ``UPLOAD_MAX_BYTES`` is refused from its declared length,
    before any of it is read (413, with a page saying so); Django's upload handlers then never
    spool a 200 MB body to disk. A file over ``UPLOAD_FILE_MAX_BYTES`` inside a body under the
    limit is stopped while it is read (``schools.uploads``), with the same page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.shortcuts import render

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.UPLOAD_MAX_BYTES
        if length > limit:
            return render(request, "413.html", {"limit_mb": limit // (1024 * 1024)}, status=413)
        if request.method == "POST" and request.content_type == "multipart/form-data":
            # Parse here, through schools.uploads' handler: a file over the per-file limit stops
            # the reading, and no view ever sees the form without it.
            try:
                request.FILES  # noqa: B018
            except MultiPartParserError:
                return render(request, "400.html", status=400)
            if getattr(request, "upload_refused", False):
                limit_mb = settings.UPLOAD_FILE_MAX_BYTES // (1024 * 1024)
                return render(request, "413.html", {"limit_mb": limit_mb}, status=413)
        return self.get_response(request)


def interface_language(user) -> str:
    """The language of ``user``'s pages: their profile's (``Person.language``), else
    ``LANGUAGE_CODE``. ``schools.backends.CachedModelBackend`` reads it with the user's row
    (``interface_language``: ``None`` without a Person), so it costs no query of its own."""
    if user is None or not user.is_authenticated:
        return settings.LANGUAGE_CODE
    try:
        language = user.interface_language
    except AttributeError:  # a user loaded by another backend
        from schools.models import Person

        language = Person.objects.filter(user=user).values_list("language", flat=True).first()
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class ProfileLanguageMiddleware:
    """The interface language is the signed-in user's choice, Russian for everyone else.

    ``LocaleMiddleware`` (before the session is read) guesses from a language cookie or the
    browser's ``Accept-Language``; a Russian municipal site must not turn English because a
    browser asks, so that guess is replaced here, once the user is known and before any view
    renders or caches a page (``schools.caching.cached_page`` keys pages by the active
    language). The language is active for the view and its response only: afterwards the
    thread is back to ``LANGUAGE_CODE``, not to the browser's guess (which LocaleMiddleware
    would leave active for whatever the thread does next)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = interface_language(getattr(request, "user", None))
        request.LANGUAGE_CODE = language
        translation.activate(language)
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        # LocaleMiddleware would name the language it guessed (it only sets a missing header).
        response.headers["Content-Language"] = language
        return response
