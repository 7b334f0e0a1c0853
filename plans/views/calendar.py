"""The calendar of events (a month or a week), the user's calendar feeds (make, revoke) and the
public iCalendar file of a feed, read by calendar applications at its secret address."""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from schools.caching import cached_page
from schools.clients import rate_limited
from schools.form_errors import add_service_error
from schools.models import Person
from schools.permissions import can, require

from .. import calendar, feeds, ical
from ..calendar_forms import CalendarFilterForm, FeedForm
from ..models import CalendarFeed
from .common import errors


@login_required
@cached_page
def calendar_page(request):
    """The events the user sees in a month (weeks from Monday) or a week, filtered; an htmx
    request of the filter gets the calendar alone."""
    form = CalendarFilterForm(request.GET or None, user=request.user)
    view, day, filters = form.choice()
    today = timezone.localdate()
    _anchor, start, end = calendar.span(view, day)
    events = calendar.filtered(
        calendar.overlapping(calendar.shown_executions(request.user), start, end), **filters
    )
    layout = calendar.lay_out(view, day, events, today=today)
    center = filters["center"]
    context = {
        "form": form,
        "layout": layout,
        "previous": form.query(view=view, date=layout.previous),
        "following": form.query(view=view, date=layout.following),
        "today": form.query(view=view, date=today),
        "as_month": form.query(view="month", date=day),
        "as_week": form.query(view="week", date=day),
        # The center chosen in the filter: a link to its overdue list for who may see it.
        "overdue_center": center if can(request.user, "plans.view_overdue", center) else None,
    }
    template = (
        "plans/calendar_body.html"
        if request.headers.get("HX-Request") == "true"
        else "plans/calendar.html"
    )
    return render(request, template, context)


# --- feeds ----------------------------------------------------------------------------------------


def feed_url(feed: CalendarFeed) -> str:
    """The feed's public address: it leaves the system, so it is built on ``SITE_URL``."""
    return settings.SITE_URL + reverse("plans:ical", args=[feed.token])


def get_feed_for_user(user, pk) -> CalendarFeed:
    """One of the user's own feeds, or 404: nobody else learns that a feed exists."""
    return get_object_or_404(feeds.feeds_of(user), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def feed_list(request):
    """«Подписки на календарь»: the user's feeds with their addresses, a new one, revoking."""
    options = feeds.subscription_options(request.user)
    form = FeedForm(request.POST or None, options=options)
    if request.method == "POST" and form.is_valid():
        option = form.cleaned_data["subject"]
        try:
            feed = feeds.create_feed(actor=request.user, scope=option.scope, subject=option.subject)
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Подписка создана. Скопируйте её адрес в приложение календаря."),
            )
            return redirect(f"{reverse('plans:feeds')}#feed-{feed.pk}")
    rows = []
    # The active ones first (NULL sorts differently on SQLite and PostgreSQL: said here).
    revoked_last = F("revoked_at").desc(nulls_first=True)
    for feed in feeds.feeds_of(request.user).order_by(revoked_last, "-created_at"):
        rows.append(
            {
                "feed": feed,
                "title": feeds.feed_title(feed),
                "url": feed_url(feed),
                "webcal": "webcal://" + feed_url(feed).split("://", 1)[-1],
            }
        )
    return render(request, "plans/feeds.html", {"form": form, "rows": rows})


@login_required
@require_POST
def feed_revoke(request, pk):
    feed = get_feed_for_user(request.user, pk)
    require(request.user, "plans.revoke_feed", feed, _("Отозвать подписку может её владелец."))
    try:
        feeds.revoke_feed(feed, actor=request.user)
    except ValidationError as exc:
        messages.error(request, errors(exc))
    else:
        messages.success(request, _("Подписка отозвана: её адрес больше не работает."))
    return redirect("plans:feeds")


def _owner_language(owner) -> str:
    language = Person.objects.filter(user=owner).values_list("language", flat=True).first()
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


@require_http_methods(["GET", "HEAD"])
def ical_feed(request, token):
    """Public: the feed's events as ``text/calendar``. No login — the secret token is the
    credential; a revoked or unknown one answers 404. Rate-limited per client like the
    verification page. What it shows is decided again now, as its owner (``plans.feeds``), in
    the owner's language."""
    limit, window = settings.ICAL_RATE_LIMIT
    if rate_limited(request, "ical", limit=limit, window=window):
        response = HttpResponse(
            _("Слишком много запросов. Повторите позже."),
            status=429,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(window)
        return response
    feed = feeds.active_feed(token)
    if feed is None:
        raise Http404
    with translation.override(_owner_language(feed.owner)):
        body = ical.feed_calendar(feeds.feed_title(feed), feeds.feed_executions(feed))
    # Calendar clients poll the address every few minutes: an ETag of the body lets them ask
    # «changed?» and get 304 with no body while nothing moved.
    etag = quote_etag(
        hashlib.sha256(body if isinstance(body, bytes) else body.encode()).hexdigest()[:32]
    )
    not_modified = get_conditional_response(request, etag=etag)
    response = not_modified or HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The events of a school are not for a proxy's cache (PrivateResponsesMiddleware covers
    # only signed-in users): the client may keep it, and must ask again each time.
    patch_cache_control(response, private=True, no_cache=True)
    return response
