"""Who may do what in monitoring: the permissions the views ask through
``schools.permissions.require`` / ``can`` and the services ask again; anything not granted here
is refused (deny by default). Visibility is decided by ``monitoring.models`` (out of scope → 404).

=============================  ==============  ===============================================
permission                     object          granted to
=============================  ==============  ===============================================
monitoring.view_campaigns      —               whoever may see some campaign (the navbar's
                                               item «Мониторинг»)
monitoring.add_campaign        Municipality /  the department of that municipality (of any,
                               None            when no municipality is named), the
                                               administrator
monitoring.import_values       Campaign        the department of the campaign's municipality,
                                               the administrator; while the campaign is open
                                               (the template, the upload, the confirmation)
=============================  ==============  ===============================================

The methodologist (РМК), the regional observer and the schools read; they change nothing.
"""

import rules

from schools.access import MUNICIPALITY_WIDE, Role, get_access

from .models import SCHOOL_ROLES, Campaign


@rules.predicate
def changes_something(user):
    """Signed in and not only a regional observer."""
    if user is None or not user.is_authenticated:
        return False
    return not get_access(user).is_read_only


@rules.predicate
def is_administrator(user):
    return get_access(user).is_superuser


@rules.predicate
def is_department_of(user, municipality):
    """The department of ``municipality``; of any municipality when it is ``None``."""
    ids = get_access(user).municipality_ids(Role.DEPARTMENT)
    return bool(ids) if municipality is None else municipality.pk in ids


@rules.predicate
def is_campaign_department(user, campaign):
    return campaign is not None and campaign.municipality_id in get_access(user).municipality_ids(
        Role.DEPARTMENT
    )


@rules.predicate
def campaign_open(user, campaign):
    return campaign is not None and campaign.state == Campaign.State.OPEN


@rules.predicate
def sees_monitoring(user):
    """Whether any campaign may be visible to the user: its municipality's department or РМК,
    the regional observer, a school (coordinator, the hub's director), the administrator."""
    if user is None or not user.is_authenticated:
        return False
    access = get_access(user)
    return access.is_superuser or access.has_role(*MUNICIPALITY_WIDE, Role.OBSERVER, *SCHOOL_ROLES)


rules.add_perm("monitoring.view_campaigns", sees_monitoring)
rules.add_perm("monitoring.add_campaign", changes_something & (is_administrator | is_department_of))
rules.add_perm(
    "monitoring.import_values",
    changes_something & campaign_open & (is_administrator | is_campaign_department),
)


# --- Identification (``monitoring.lists``) --------------------------------------------------------
#
# =============================  ==============  ===============================================
# monitoring.view_identification Municipality    who sees the municipality whole: its department
#                                                and РМК, the regional observer, the administrator
# monitoring.edit_rules          Municipality    the department of that municipality, the
#                                                administrator
# monitoring.run_identification  Municipality    the same
# monitoring.change_run          Run             the same, while the run is a proposal
# monitoring.confirm_run         Run             the same, while the run is a proposal
# monitoring.discard_run         Run             the same, while proposed or confirmed
# =============================  ==============  ===============================================


@rules.predicate
def sees_municipality(user, municipality):
    if municipality is None or user is None or not user.is_authenticated:
        return False
    access = get_access(user)
    return (
        access.is_superuser
        or municipality.pk in access.municipality_ids(*MUNICIPALITY_WIDE)
        or municipality.region_id in access.observed_region_ids
    )


@rules.predicate
def is_run_department(user, run):
    return run is not None and run.municipality_id in get_access(user).municipality_ids(
        Role.DEPARTMENT
    )


@rules.predicate
def run_proposed(user, run):
    return run is not None and run.state == "proposed"


@rules.predicate
def run_discardable(user, run):
    return run is not None and run.state in ("proposed", "confirmed")


rules.add_perm("monitoring.view_identification", sees_municipality)
rules.add_perm("monitoring.edit_rules", changes_something & (is_administrator | is_department_of))
rules.add_perm(
    "monitoring.run_identification", changes_something & (is_administrator | is_department_of)
)
rules.add_perm(
    "monitoring.change_run",
    changes_something & run_proposed & (is_administrator | is_run_department),
)
rules.add_perm(
    "monitoring.confirm_run",
    changes_something & run_proposed & (is_administrator | is_run_department),
)
rules.add_perm(
    "monitoring.discard_run",
    changes_something & run_discardable & (is_administrator | is_run_department),
)


# --- Risk profiles (``monitoring.risks``) ---------------------------------------------------------
#
# =============================  ==============  ===============================================
# monitoring.view_risk_profile   School          whoever sees the school's own monitoring
#                                                values: the school itself (its coordinator,
#                                                the hub's director), its municipality's
#                                                department and РМК, the regional observer, the
#                                                administrator (``RiskProfile.visible_to``)
# monitoring.edit_risk_profile   School          the school itself (it assesses its risks), the
#                                                department of its municipality (it may correct
#                                                them), the administrator; never the РМК, the
#                                                observer or another municipality
# =============================  ==============  ===============================================
#
# Both take the school, not the profile: a profile not made yet is seen and made by the same
# people. The answers need only the user's memberships and the school's own columns — no query.


def _is_school(school) -> bool:
    return school is not None and getattr(school, "kind", None) == "school"


@rules.predicate
def is_the_school(user, school):
    """The school's own representative: its coordinator, or its director when it is a hub."""
    return _is_school(school) and school.pk in get_access(user).organisation_ids(*SCHOOL_ROLES)


@rules.predicate
def sees_school_whole(user, school):
    """The school's municipality seen whole: its department and РМК, the region's observer."""
    if not _is_school(school) or user is None or not user.is_authenticated:
        return False
    access = get_access(user)
    return (
        school.municipality_id in access.municipality_ids(*MUNICIPALITY_WIDE)
        or school.region_id in access.observed_region_ids
    )


@rules.predicate
def is_school_department(user, school):
    return _is_school(school) and school.municipality_id in get_access(user).municipality_ids(
        Role.DEPARTMENT
    )


@rules.predicate
def is_a_school(user, school):
    return _is_school(school)


rules.add_perm(
    "monitoring.view_risk_profile",
    is_a_school & (is_administrator | is_the_school | sees_school_whole),
)
rules.add_perm(
    "monitoring.edit_risk_profile",
    changes_something & is_a_school & (is_administrator | is_the_school | is_school_department),
)
