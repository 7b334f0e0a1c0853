"""Notifications: an in-app row per recipient and an e-mail, sent after the change commits.

Recipients are decided by the callers (services) so that exactly the people concerned hear of
an event. A failed e-mail is logged and loses nothing: the in-app notification is already saved.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction

from network_center.models import Center
from schools.models import Membership

from .models import Notification

logger = logging.getLogger(__name__)
Role = Membership.Role


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


def users_with_role(role, organisation_ids):
    return list(
        Membership.objects.filter(role=role, organisation_id__in=organisation_ids).values_list(
            "user_id", flat=True
        )
    )


def center_heads(center: Center):
    ids = set(users_with_role(Role.CENTER_HEAD, [center.hub_id]))
    if center.head_id and center.head.user_id:
        ids.add(center.head.user_id)
    return ids


def coordinators(school_ids):
    return set(users_with_role(Role.COORDINATOR, school_ids))


def approvers(center: Center):
    if center.plan_approver == Center.Approver.HUB_DIRECTOR:
        return set(users_with_role(Role.HUB_DIRECTOR, [center.hub_id]))
    return set(
        Membership.objects.filter(
            role=Role.DEPARTMENT, organisation__municipality_id=center.municipality_id
        ).values_list("user_id", flat=True)
    )


def network(center: Center):
    """Everyone in the network: hub staff, participant coordinators, working group, the
    department and the methodologists of the municipality."""
    school_ids = list(center.participations.values_list("school_id", flat=True))
    ids = set(
        Membership.objects.filter(organisation_id__in=[center.hub_id, *school_ids]).values_list(
            "user_id", flat=True
        )
    )
    ids |= set(
        Membership.objects.filter(
            role__in=[Role.DEPARTMENT, Role.METHODOLOGIST],
            organisation__municipality_id=center.municipality_id,
        ).values_list("user_id", flat=True)
    )
    ids |= set(
        center.compositions.filter(status="in_force")
        .exclude(members__person__user=None)
        .values_list("members__person__user_id", flat=True)
    )
    return ids
