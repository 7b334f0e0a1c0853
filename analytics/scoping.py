"""What of the network a user may ask about at all (out of scope → 404, as for what does not
exist): the centers of ``Center.objects.visible_to``, and the municipalities the user holds any
role in or observes. Whether the user may read a center's or municipality's effectiveness is
then asked of ``analytics.rules`` (403)."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from network_center.centers.models import Center
from schools.access import get_access
from schools.models import Municipality, Region


def municipalities_visible_to(user):
    """Municipalities where the user holds any role, those of the regions it observes; all for
    the administrator; none for anyone else."""
    access = get_access(user)
    if access.is_superuser:
        return Municipality.objects.all()
    if access.user_id is None:
        return Municipality.objects.none()
    q = Q(pk__in=access.municipality_ids())
    if access.observed_region_ids:
        q |= Q(region_id__in=access.observed_region_ids)
    return Municipality.objects.filter(q)


def regions_observed_by(user):
    """The regions of the regional view: those the user observes, every region for the
    administrator."""
    access = get_access(user)
    if access.is_superuser:
        return Region.objects.all()
    return Region.objects.filter(pk__in=access.observed_region_ids)


def get_center_for_user(user, pk) -> Center:
    return get_object_or_404(
        Center.objects.visible_to(user).select_related("municipality__region", "hub", "head"),
        pk=pk,
    )


def get_municipality_for_user(user, pk) -> Municipality:
    return get_object_or_404(municipalities_visible_to(user).select_related("region"), pk=pk)
