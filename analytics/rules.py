"""Who may read the effectiveness of the network. Visibility comes first (``analytics.scoping``:
a center or municipality out of the user's scope answers 404); these rules then decide (403).

==========================================  ============  =====================================
permission                                  object        granted to
==========================================  ============  =====================================
analytics.view_center_effectiveness         Center        the department and РМК of its
                                                          municipality, the regional observer
                                                          of its region, the hub's director and
                                                          the center's head, the administrator
analytics.view_municipality_effectiveness   Municipality  its department and РМК, the regional
                                                          observer of its region, the
                                                          administrator
analytics.view_region                       —             the regional observer, the
                                                          administrator
analytics.view_any                          —             whoever may hold one of the above
                                                          (the navbar's item)
==========================================  ============  =====================================

Participant schools and working-group members see no effectiveness page (403), though they see
the center: SPEC §2 gives a participant school «only its own school's data and the plans it
takes part in», and the page compares every participant school's results and reach. A school
reads its own monitoring values on the monitoring pages and its events on the plan's pages.

Everything here is read-only (every page and download is a GET): the observer changes nothing
because nothing here changes anything.
"""

import rules

from schools.access import MUNICIPALITY_WIDE, Role, get_access

# The center's own staff who monitor its effectiveness (the regulation: «руководитель центра …
# осуществляет мониторинг эффективности деятельности центра»).
CENTER_STAFF = (Role.HUB_DIRECTOR, Role.CENTER_HEAD)


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated


@rules.predicate
def is_administrator(user):
    return _signed_in(user) and get_access(user).is_superuser


@rules.predicate
def sees_municipality_whole(user, municipality):
    """The department and РМК of ``municipality``, the observer of its region."""
    if municipality is None or not _signed_in(user):
        return False
    access = get_access(user)
    return (
        municipality.pk in access.municipality_ids(*MUNICIPALITY_WIDE)
        or municipality.region_id in access.observed_region_ids
    )


@rules.predicate
def sees_center_municipality(user, center):
    return center is not None and sees_municipality_whole(user, center.municipality)


@rules.predicate
def is_center_staff(user, center):
    """The hub's director and the center's head (by role at the hub, or named on the card)."""
    if center is None or not _signed_in(user):
        return False
    access = get_access(user)
    if center.hub_id in access.organisation_ids(*CENTER_STAFF):
        return True
    return center.head_id is not None and center.head.user_id == user.pk


@rules.predicate
def is_observer(user):
    return _signed_in(user) and get_access(user).has_role(Role.OBSERVER)


@rules.predicate
def may_see_some(user):
    if not _signed_in(user):
        return False
    access = get_access(user)
    return access.is_superuser or access.has_role(*MUNICIPALITY_WIDE, Role.OBSERVER, *CENTER_STAFF)


rules.add_perm(
    "analytics.view_center_effectiveness",
    is_administrator | sees_center_municipality | is_center_staff,
)
rules.add_perm(
    "analytics.view_municipality_effectiveness", is_administrator | sees_municipality_whole
)
rules.add_perm("analytics.view_region", is_administrator | is_observer)
rules.add_perm("analytics.view_any", may_see_some)
