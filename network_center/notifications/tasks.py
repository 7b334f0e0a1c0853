"""Mail of notifications, sent by the task workers: a slow or failing mail server never holds up
the request whose change caused the notification, and never loses the in-app notification."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def send_notification_email(user_ids: list[int], text: str, url: str = "") -> int:
    """E-mail ``text`` to the active users among ``user_ids`` who have an address; returns how
    many were sent to. A failure is logged (the in-app notification is already saved)."""
    recipients = list(
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return 0
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
        return 0
    return len(recipients)
