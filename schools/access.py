"""Who may see what: the one place that turns a user's memberships into query filters.

``get_access(user)`` loads the user's memberships once per request (one query) and caches the
result on the user object. Every ``visible_to(user)`` queryset method of every app builds its
filter from it, so a user of one municipality or school never sees another's objects; views load
objects through those querysets and answer 404 for anything outside them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q

from .caching import remember
from .models import Membership

Role = Membership.Role

# Roles that see everything of their municipality.
MUNICIPALITY_WIDE = frozenset({Role.DEPARTMENT, Role.METHODOLOGIST})
# Roles that see the schools of the network of the centers their organisation hosts or joins.
NETWORK_STAFF = frozenset({Role.HUB_DIRECTOR, Role.CENTER_HEAD, Role.WG_MEMBER})


# Functions ``(access) -> [id queryset, …]`` by which higher apps widen what a user sees of the
# organisations (the centers app: the hub's staff see the schools of their network). The schools
# app knows no higher app; they register here in their ``AppConfig.ready``.
_ORGANISATION_SCOPES: list[Callable[["Access"], object]] = []


def register_organisation_scope(scope):
    """Add ``scope(access)``, which returns querysets of organisation ids the user may also see
    (an empty list when none); used as a decorator."""
    if scope not in _ORGANISATION_SCOPES:
        _ORGANISATION_SCOPES.append(scope)
    return scope


@dataclass(frozen=True)
class Grant:
    role: str
    organisation_id: int
    municipality_id: int | None
    region_id: int


@dataclass
class Access:
    user_id: int | None
    is_superuser: bool = False
    grants: list[Grant] = field(default_factory=list)

    # --- what the user holds -------------------------------------------------------------------
    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    def has_role(self, *roles) -> bool:
        return any(g.role in roles for g in self.grants)

    def organisation_ids(self, *roles) -> set[int]:
        return {g.organisation_id for g in self.grants if not roles or g.role in roles}

    def municipality_ids(self, *roles) -> set[int]:
        return {
            g.municipality_id
            for g in self.grants
            if g.municipality_id and (not roles or g.role in roles)
        }

    @property
    def observed_region_ids(self) -> set[int]:
        return {g.region_id for g in self.grants if g.role == Role.OBSERVER}

    @property
    def full_municipality_ids(self) -> set[int]:
        return self.municipality_ids(*MUNICIPALITY_WIDE)

    @property
    def is_read_only(self) -> bool:
        """A regional observer reads across municipalities and changes nothing."""
        return not self.is_superuser and self.roles <= {Role.OBSERVER}

    # --- query filters -------------------------------------------------------------------------
    def organisation_q(self, prefix: str = "") -> Q:
        """Filter for organisations visible to the user; ``prefix`` points at an Organisation
        relation from another model (``"school__"``).

        Of constant shape: columns of the organisation compared with the user's ids, and id
        subqueries from the scopes that higher apps register (``register_organisation_scope``)
        — no joins, so no duplicates and no ``DISTINCT``."""
        if self.is_superuser:
            return Q()
        if self.user_id is None:
            return Q(pk__in=[])
        q = Q(**{f"{prefix}pk__in": self.organisation_ids()})
        if self.full_municipality_ids:
            q |= Q(**{f"{prefix}municipality_id__in": self.full_municipality_ids})
        if self.observed_region_ids:
            q |= Q(**{f"{prefix}region_id__in": self.observed_region_ids})
        for scope in _ORGANISATION_SCOPES:
            for ids in scope(self):
                q |= Q(**{f"{prefix}pk__in": ids})
        return q

    def municipality_q(self, prefix: str = "") -> Q:
        """Filter for objects that belong to a municipality the user sees as a whole."""
        if self.is_superuser:
            return Q()
        q = Q(**{f"{prefix}pk__in": self.full_municipality_ids})
        if self.observed_region_ids:
            q |= Q(**{f"{prefix}region_id__in": self.observed_region_ids})
        return q


_CACHE_ATTR = "_network_center_access"


def get_access(user) -> Access:
    """The user's access: one query for the memberships, once per request and version of the
    data (``schools.caching.remember``)."""
    if user is None or not user.is_authenticated:
        return Access(user_id=None)
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached

    def load():
        rows = Membership.objects.filter(user=user).values_list(
            "role", "organisation_id", "organisation__municipality_id", "organisation__region_id"
        )
        return Access(
            user_id=user.pk,
            is_superuser=user.is_superuser,
            grants=[Grant(*row) for row in rows],
        )

    # Memberships and the superuser flag are rows of the data: remembered per its version.
    access = remember(("access", user.pk, user.is_superuser), load)
    setattr(user, _CACHE_ATTR, access)
    return access


def forget_access(user) -> None:
    """Drop the cached access (after memberships of this user changed in the same request)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
