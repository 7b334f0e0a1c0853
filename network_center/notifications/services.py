"""Notifications: an in-app row per recipient and an e-mail, sent after the change commits.

Recipients are decided by the callers (the services of other apps) so that exactly the people
concerned hear of an event. A failed e-mail is logged and loses nothing: the in-app notification
is already saved.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)


def notify(users, text: str, url: str = "") -> None:
    """Queue a notification to ``users`` (an iterable of users or ids), delivered after commit."""
    user_ids = sorted({getattr(u, "pk", u) for u in users if u is not None})
    if not user_ids:
        return

    def deliver():
        Notification.objects.bulk_create(
            Notification(user_id=uid, text=text[:500], url=url) for uid in user_ids
        )
        recipients = list(
            get_user_model()
            .objects.filter(pk__in=user_ids, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if not recipients:
            return
        body = text + (f"\n\n{settings.SITE_URL}{url}" if url else "")
        try:
            send_mail(
                subject=f"[Сетевое взаимодействие] {text[:80]}",
                message=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=recipients,
            )
        except Exception:
            logger.exception("Notification e-mail to %s failed", recipients)

    transaction.on_commit(deliver)


def mark_all_read(user) -> int:
    """Mark every unread notification of ``user`` read; returns how many were."""
    return Notification.objects.filter(user=user, read_at=None).update(read_at=timezone.now())
