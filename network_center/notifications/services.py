"""Notifications: an in-app row per recipient and an e-mail, sent after the change commits.

Recipients are decided by the callers (the services of other apps) so that exactly the people
concerned hear of an event. A failed e-mail is logged and loses nothing: the in-app notification
is already saved.
"""

from django.db import transaction
from django.utils import timezone

from .models import Notification
from .tasks import send_notification_email


def notify(users, text: str, url: str = "") -> None:
    """Notify ``users`` (users or ids) after the current transaction commits: an in-app row each,
    and an e-mail through the task queue (``tasks.send_notification_email``)."""
    user_ids = sorted({getattr(u, "pk", u) for u in users if u is not None})
    if not user_ids:
        return

    def deliver():
        Notification.objects.bulk_create(
            Notification(user_id=uid, text=text[:500], url=url) for uid in user_ids
        )
        send_notification_email.enqueue(user_ids, text, url)

    transaction.on_commit(deliver)


def mark_all_read(user) -> int:
    """Mark every unread notification of ``user`` read; returns how many were."""
    return Notification.objects.filter(user=user, read_at=None).update(read_at=timezone.now())
