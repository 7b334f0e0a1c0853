"""Mail of notifications, sent by the task workers: a slow or failing mail server never holds up
the request whose change caused the notification, and never loses the in-app notification."""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

logger = logging.getLogger(__name__)


# Delays before the 2nd, 3rd … attempt at sending; after the last, the failed task stays in the
# queue's results (admin: «Task results») with its traceback for the administrator.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
)
SUBJECT_LENGTH = 80


def subject_of(text: str) -> str:
    """A mail subject is one line: the notification's words with line breaks and runs of
    white space made single spaces, cut at a word."""
    words = " ".join(text.split())
    if len(words) > SUBJECT_LENGTH:
        words = words[:SUBJECT_LENGTH].rsplit(" ", 1)[0] + "…"
    return _("[Сетевое взаимодействие] %(text)s") % {"text": words}


@task()
def send_notification_email(
    user_ids: list[int], text: str, url: str = "", attempt: int = 1, language: str = ""
) -> int:
    """E-mail ``text`` to the active users among ``user_ids`` who have an address, the words the
    mail adds in their ``language``; returns how many were sent to. A failure is logged and
    retried later (the in-app notification is already saved); the task then fails, so the
    queue's results show it."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return _send(user_ids, text, url, attempt, language)


def _send(user_ids, text, url, attempt, language) -> int:
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
            subject=subject_of(text),
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
        )
    except Exception:
        logger.exception("Notification e-mail to %s failed (attempt %s)", recipients, attempt)
        backend = send_notification_email.get_backend()
        if attempt <= len(RETRY_DELAYS) and backend.supports_defer:
            send_notification_email.using(
                run_after=timezone.now() + RETRY_DELAYS[attempt - 1]
            ).enqueue(user_ids, text, url, attempt + 1, language)
        raise
    return len(recipients)
