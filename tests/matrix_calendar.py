"""Permission-matrix rows of the calendar, the calendar feeds and the overdue lists (merged into
tests/matrix.py).

Everyone signed in has a calendar and feeds of their own; a feed's address answers anyone who
holds its token (no login) until it is revoked; a center's overdue list is for who sees every
event of the center, not for a participant school (403), nor for another district (404).
"""

from .matrix import Case, count_of, expect, resolve, row_of
from .matrix_plans import KUPINO, SEES


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def _dmitriev_center():
    from network_center.centers.models import Center

    return Center.objects.get(hub__short_name="МКОУ «СОШ № 2 г. Дмитриева»")


def _head_center_feed():
    from plans import feeds

    return feeds.create_feed(
        actor=_user("head_center"), scope="center", subject=_dmitriev_center()
    ).pk


def _school_a_feed_token(revoked=False):
    def get():
        from plans import feeds
        from schools.models import Organisation

        owner = _user("school_a")
        feed = feeds.create_feed(
            actor=owner,
            scope="school",
            subject=Organisation.objects.get(short_name="МКОУ «СОШ № 1 г. Дмитриева»"),
        )
        if revoked:
            feeds.revoke_feed(feed, actor=owner)
        return feed.token

    return get


class Subject:
    """A feed's subject in a POST («center:12»), its id resolved when the request is made."""

    def __init__(self, scope, target):
        self.scope, self.target = scope, target

    def __str__(self):
        return f"{self.scope}:{resolve(self.target)}"


CALENDAR_TARGETS = {
    "head_center_feed": _head_center_feed,
    "school_a_feed_token": _school_a_feed_token(),
    "revoked_feed_token": _school_a_feed_token(revoked=True),
}

FEEDS = count_of("plans.CalendarFeed")

CALENDAR_MATRIX = {
    "plans:calendar": [
        Case("plans:calendar", expect(200), label="this month"),
        Case(
            "plans:calendar",
            expect(200),
            data={"view": "week", "date": "2025-10-13", "format": "in_person"},
            label="a week, filtered",
        ),
    ],
    "plans:feeds": [
        Case("plans:feeds", expect(200)),
        Case(
            "plans:feeds",
            # Whoever sees the Dmitriev center subscribes to it; Kupino's department does not
            # (the choice is not theirs: the form says so).
            expect(200, **dict.fromkeys(SEES, 302)),
            method="post",
            data={"subject": Subject("center", "dmitriev_center")},
            label="subscribe to the Dmitriev center",
            state=FEEDS,
            changes=tuple(SEES),
        ),
        Case(
            "plans:feeds",
            expect(200),
            method="post",
            data={"subject": "school:0"},
            label="an unknown subject re-displays the form",
            state=FEEDS,
        ),
    ],
    "plans:feed_revoke": [
        Case(
            "plans:feed_revoke",
            expect(404, head_center=302),
            method="post",
            args=("head_center_feed",),
            label="only the owner revokes",
            state=row_of("plans.CalendarFeed", "head_center_feed"),
            changes=("head_center",),
        ),
        Case(
            "plans:feed_revoke",
            expect(405),
            args=("head_center_feed",),
            label="GET is refused",
        ),
    ],
    "plans:ical": [
        Case(
            "plans:ical",
            expect(200, anonymous=200),
            args=("school_a_feed_token",),
            label="the token is the credential",
        ),
        Case(
            "plans:ical",
            expect(404, anonymous=404),
            args=("revoked_feed_token",),
            label="a revoked feed",
        ),
    ],
    "plans:overdue": [
        Case(
            "plans:overdue",
            expect(404, **{**SEES, "school_a": 403, "school_b": 403}),
            args=("dmitriev_center",),
            label="the Dmitriev center",
        ),
        Case("plans:overdue", expect(404, **KUPINO), args=("kupino_center",)),
    ],
}
