"""Loading the app's objects for a user (out of scope → 404, the same as missing) and what the
views share."""

from django.shortcuts import get_object_or_404

from network_center.centers.models import Center
from schools.models import Organisation, Person

from ..models import GroupMember, InteractionGroup, MentoringPair


def get_center_for_user(user, pk) -> Center:
    return get_object_or_404(
        Center.objects.visible_to(user).select_related("hub", "head", "municipality"), pk=pk
    )


def get_school_for_user(user, pk) -> Organisation:
    return get_object_or_404(
        Organisation.objects.visible_to(user).filter(kind=Organisation.Kind.SCHOOL), pk=pk
    )


def get_person_for_user(user, pk) -> Person:
    return get_object_or_404(Person.objects.visible_to(user).select_related("organisation"), pk=pk)


PAIR_RELATED = (
    "center__hub",
    "center__head",
    "center__municipality",
    "mentor__organisation",
    "mentee__organisation",
    "line__revision__plan",
)


def get_pair_for_user(user, pk) -> MentoringPair:
    return get_object_or_404(
        MentoringPair.objects.visible_to(user).select_related(*PAIR_RELATED), pk=pk
    )


def get_group_for_user(user, pk) -> InteractionGroup:
    return get_object_or_404(
        InteractionGroup.objects.visible_to(user).select_related(
            "center__hub", "center__head", "center__municipality", "coordinator__organisation"
        ),
        pk=pk,
    )


def get_member_for_user(user, pk) -> GroupMember:
    return get_object_or_404(
        GroupMember.objects.filter(
            group__in=InteractionGroup.objects.visible_to(user)
        ).select_related(
            "person__organisation",
            "group__center__hub",
            "group__center__head",
            "group__center__municipality",
        ),
        pk=pk,
    )


def visible_ids(queryset, user, ids) -> set[int]:
    """Which of ``ids`` the user may open (one query, none when there is nothing to ask):
    links are drawn only to pages that will not answer 404."""
    ids = {pk for pk in ids if pk}
    if not ids:
        return set()
    return set(queryset.visible_to(user).filter(pk__in=ids).order_by().values_list("pk", flat=True))


def errors(exc) -> str:
    return " ".join(getattr(exc, "messages", [str(exc)]))
