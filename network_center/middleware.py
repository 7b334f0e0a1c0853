"""Project middleware."""

from functools import cache

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
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
    spool a 200 MB body to disk."""

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
            return render(
                request,
                "413.html",
                {"limit_mb": limit // (1024 * 1024)},
                status=413,
            )
        return self.get_response(request)
