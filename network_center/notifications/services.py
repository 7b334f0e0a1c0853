"""Notifications: an in-app row per recipient and an e-mail, sent once the change commits.

Recipients are decided by the callers (the services of other apps) so that exactly the people
concerned hear of an event. A failed e-mail is logged and loses nothing: the in-app notification
is already saved.
"""

from collections import defaultdict
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone, translation

from schools import outbox
from schools.models import Person

from .models import Notification
from .tasks import send_notification_email


def languages_of(user_ids) -> dict[str, list[int]]:
    """``user_ids`` grouped by the interface language of their person's card (Russian, the
    default, for a login without one)."""
    chosen = dict(Person.objects.filter(user_id__in=user_ids).values_list("user_id", "language"))
    groups: dict[str, list[int]] = defaultdict(list)
    for uid in user_ids:
        groups[chosen.get(uid) or settings.LANGUAGE_CODE].append(uid)
    return dict(groups)


def notify(users, text: str | Callable[[], str], url: str = "") -> None:
    """Notify ``users`` (users or ids): an in-app row each and an e-mail through the task queue
    (``tasks.send_notification_email``), both written in the current transaction — committed
    with the change they tell of, or not at all (``schools.outbox``); the mail is sent by a
    worker once it has committed.

    ``text`` is best a callable (``lambda: _("План %(plan)s утверждён.") % {…}``): it is
    called once per language among the recipients, with that language active, so that each
    reads the notification in their own interface language, not in the language of whoever
    made the change. A plain string goes to everyone as it is. Call this after the change it
    tells of has been made: the text is written now."""
    user_ids = sorted({getattr(u, "pk", u) for u in users if u is not None})
    if not user_ids:
        return
    rows = []
    for language, ids in sorted(languages_of(user_ids).items()):
        with translation.override(language):
            words = str(text()) if callable(text) else text
        rows += [Notification(user_id=uid, text=words[:500], url=url) for uid in ids]
        outbox.enqueue(send_notification_email, ids, words, url, language=language)
    Notification.objects.bulk_create(rows)


def mark_all_read(user) -> int:
    """Mark every unread notification of ``user`` read; returns how many were."""
    return Notification.objects.filter(user=user, read_at=None).update(read_at=timezone.now())
