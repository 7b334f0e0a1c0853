"""Risk profiles of schools: a school rates each risk factor for an academic year (high, medium,
low, not relevant, with a note); the department of its municipality may correct the rating.

``save_profile`` is the one way a profile changes: the rule first
(``monitoring.edit_risk_profile``), then an optimistic version (a second editor working on a
stale form is told — ``StaleProfile`` — and keeps their input), the row locked, only the
ratings that changed written, and one append-only ``RiskProfileEvent`` naming each changed
factor before → after. Nothing is written when nothing changed.

The reads: ``schools_with_profiles_visible_to`` (the scoping of the profile pages: the same
people as ``RiskProfile.visible_to``, for a school whose profile may not exist yet),
``municipality_summary`` (the list of a municipality's profiles for a year) and
``high_risks_unaddressed`` (the plan page's «Риски без мероприятий»). Monitoring never imports
plans: what addresses a risk is handed in by the caller as a queryset of measures.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from schools.access import get_access
from schools.models import Organisation
from schools.permissions import can, require

from .models import (
    SCHOOL_ROLES,
    RiskFactor,
    RiskProfile,
    RiskProfileEvent,
    RiskRating,
    _municipality_filter,
)

Level = RiskRating.Level
NOTE_MAX = RiskRating._meta.get_field("note").max_length
YEAR_MIN, YEAR_MAX = 2000, 2100


class StaleProfile(ValidationError):
    """The profile was saved by someone else since the form was shown: nothing is written, the
    second editor is told and keeps their input."""


def level_field(factor_id) -> str:
    """The name of a factor's level in the form; the service's errors name the same fields."""
    return f"level_{factor_id}"


def note_field(factor_id) -> str:
    return f"note_{factor_id}"


def profile_factors(profile: RiskProfile | None, ratings=None) -> list[RiskFactor]:
    """The factors a profile shows and rates: every active factor, and a retired one the profile
    has already rated (it stays on the profile). ``ratings``: the profile's, when loaded."""
    rated = {r.factor_id for r in ratings} if ratings is not None else set()
    if profile is not None and ratings is None:
        rated = set(profile.ratings.values_list("factor_id", flat=True))
    return list(RiskFactor.objects.filter(Q(is_active=True) | Q(pk__in=rated)))


def save_profile(
    school: Organisation,
    year: int,
    *,
    actor,
    ratings: dict[int, tuple[str, str]],
    version: int | None,
) -> RiskProfile:
    """Create or change the school's risk profile for ``year``.

    ``ratings``: {factor id: (level, note)}. A new profile rates every active factor; a change
    may name only some. ``version`` is the profile's version the form was shown at (``None``
    when it showed no profile yet): if the profile was saved since, ``StaleProfile`` is raised
    and nothing is written. A «high» rating needs a note (what the rating rests on). Errors name
    the form's fields (``level_<factor id>``, ``note_<factor id>``)."""
    require(
        actor,
        "monitoring.edit_risk_profile",
        school,
        _(
            "Профиль рисков школы заполняет сама школа; управление образования её "
            "муниципалитета может его уточнить."
        ),
    )
    if not (YEAR_MIN <= year <= YEAR_MAX):
        raise ValidationError(_("Учебный год указан неверно."), code="year")
    cleaned = _clean_ratings(ratings)
    with transaction.atomic():
        profile = (
            RiskProfile.objects.select_for_update(of=("self",))
            .filter(school=school, year=year)
            .first()
        )
        if profile is not None and profile.version != version:
            raise _stale()
        existing = {} if profile is None else {r.factor_id: r for r in profile.ratings.all()}
        factors = {f.pk: f for f in profile_factors(profile, list(existing.values()))}
        unknown = [pk for pk in cleaned if pk not in factors]
        if unknown:
            raise ValidationError(_("Такого фактора риска нет в перечне."), code="factor")
        if profile is None:
            missing = [f for pk, f in factors.items() if pk not in cleaned and f.is_active]
            if missing:
                raise ValidationError(
                    {level_field(f.pk): _("Оцените этот фактор риска.") for f in missing}
                )
        changes = {}
        for pk, (level, note) in cleaned.items():
            old = existing.get(pk)
            before = (old.level, old.note) if old else ("", "")
            if before == (level, note):
                continue
            change = {}
            if before[0] != level:
                change["level"] = [before[0], level]
            if before[1] != note:
                change["note"] = [before[1], note]
            changes[pk] = change
        if not changes:
            return profile
        action = "change"
        if profile is None:
            action = "create"
            profile = _create(school, year, actor)
        else:
            profile.version += 1
            profile.updated_by = actor
            profile.save(update_fields=["version", "updated_by", "updated_at"])
        new, changed = [], []
        for pk in changes:
            level, note = cleaned[pk]
            rating = existing.get(pk)
            if rating is None:
                new.append(RiskRating(profile=profile, factor_id=pk, level=level, note=note))
            else:
                rating.level, rating.note = level, note
                changed.append(rating)
        RiskRating.objects.bulk_create(new)
        if changed:
            RiskRating.objects.bulk_update(changed, ["level", "note"])
        RiskProfileEvent.objects.create(
            profile=profile,
            action=action,
            actor=actor,
            data={factors[pk].code: change for pk, change in changes.items()},
        )
        _tell_the_school(profile, school, actor=actor)
    return profile


def _tell_the_school(profile, school, *, actor) -> None:
    """The department changed a school's self-assessment: the school's coordinators and its
    director are told, after the commit, in their own language. A school's own change tells
    nobody (it knows)."""
    from network_center.notifications.services import notify
    from schools.models import Membership

    own = set(
        Membership.objects.filter(organisation=school, role__in=SCHOOL_ROLES).values_list(
            "user_id", flat=True
        )
    )
    if school.head_id and school.head.user_id:
        own.add(school.head.user_id)
    if not own or actor.pk in own:
        return
    year = f"{profile.year}/{profile.year + 1}"
    notify(
        own,
        lambda: (
            _(
                "Управление образования изменило профиль рисков школы %(school)s за %(year)s "
                "учебный год."
            )
            % {"school": school.short_name, "year": year}
        ),
        reverse("monitoring:risk_profile", args=[school.pk, profile.year]),
    )


def _stale() -> StaleProfile:
    return StaleProfile(
        _(
            "Пока вы заполняли форму, профиль рисков сохранил другой пользователь. Ваши оценки "
            "не сохранены: они остались в форме — сверьте их с сохранёнными и сохраните ещё раз."
        ),
        code="stale",
    )


def _create(school, year, actor) -> RiskProfile:
    """The profile's first save. Two editors creating it at once meet on the unique
    (school, year): the second is told, as for a stale form."""
    try:
        with transaction.atomic():
            return RiskProfile.objects.create(school=school, year=year, updated_by=actor)
    except IntegrityError:
        raise _stale() from None


def _clean_ratings(ratings) -> dict[int, tuple[str, str]]:
    errors = {}
    cleaned = {}
    for pk, (level, note) in ratings.items():
        note = (note or "").strip()
        if level not in Level.values:
            errors[level_field(pk)] = _("Выберите уровень риска из списка.")
        elif level == Level.HIGH and not note:
            errors[note_field(pk)] = _("Для высокого уровня риска укажите, на чём основана оценка.")
        if len(note) > NOTE_MAX:
            errors[note_field(pk)] = _("Не больше %(n)s символов.") % {"n": NOTE_MAX}
        if "\x00" in note:
            errors[note_field(pk)] = _("Недопустимый символ в тексте.")
        cleaned[int(pk)] = (level, note)
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- Reads ---------------------------------------------------------------------------------------


def schools_with_profiles_visible_to(user):
    """The schools whose risk profiles the user sees — the same scope as
    ``RiskProfile.visible_to``, on the school itself, so that a profile not made yet opens for
    the same people: the municipalities seen whole (department, РМК, the region's observer)
    and the user's own school. Anything else answers 404."""
    schools = Organisation.objects.filter(kind=Organisation.Kind.SCHOOL)
    access = get_access(user)
    if access.is_superuser:
        return schools
    if access.user_id is None:
        return schools.none()
    q = _municipality_filter(access, "")
    own = access.organisation_ids(*SCHOOL_ROLES)
    if own:
        q |= Q(pk__in=own)
    return schools.filter(q)


def current_year(today) -> int:
    """The academic year ``today`` belongs to (from June on, the one starting this year): the
    year a profile link opens by default."""
    return today.year if today.month >= 6 else today.year - 1


def municipality_summary(municipality, year):
    """The municipality's schools with the counts of their ratings in ``year`` (a school not
    assessed yet has ``profile_id`` ``None``), most high risks first; and per active factor, how
    many schools rate it high. Two queries, whatever the number of schools."""
    in_year = Q(risk_profiles__year=year)

    def count(level):
        return Count(
            "risk_profiles__ratings", filter=in_year & Q(risk_profiles__ratings__level=level)
        )

    profiles = RiskProfile.objects.filter(school=OuterRef("pk"), year=year)
    schools = list(
        Organisation.objects.filter(municipality=municipality, kind=Organisation.Kind.SCHOOL)
        .annotate(
            high=count(Level.HIGH),
            medium=count(Level.MEDIUM),
            low=count(Level.LOW),
            not_relevant=count(Level.NOT_RELEVANT),
            assessed=Exists(profiles),
        )
        .only("pk", "short_name")
        .order_by("-high", "-medium", "short_name")
    )
    factors = list(
        RiskFactor.objects.filter(is_active=True).annotate(
            schools_high=Count(
                "ratings",
                filter=Q(
                    ratings__level=Level.HIGH,
                    ratings__profile__year=year,
                    ratings__profile__school__municipality=municipality,
                    ratings__profile__school__kind=Organisation.Kind.SCHOOL,
                ),
            )
        )
    )
    return schools, factors


def high_risks_unaddressed(plan, *, user, school_ids, measures):
    """The plan page's «Риски без мероприятий»: per school of ``school_ids`` (the plan's
    participants), the factors rated high in its profile of the plan's year (``plan.year``)
    that no measure addresses — only the profiles ``user`` may see, asked of the rule.

    ``measures``: a queryset of what addresses risks (the plan's lines), each naming a
    ``risk_factor`` and its ``schools``; a measure addresses a school's risk when it names the
    factor and the school takes part in it, or names no school at all (an event of the whole
    network). One query: the measures are a subquery. Returns [(school, profile, [rating, …]),
    …] by school name, the ratings in the factors' order."""
    if not school_ids or not _may_see_any_profile(user):
        return []
    addressed = measures.filter(risk_factor_id=OuterRef("factor_id")).filter(
        Q(schools=OuterRef("profile__school_id")) | Q(schools__isnull=True)
    )
    ratings = (
        RiskRating.objects.filter(
            level=Level.HIGH,
            profile__year=plan.year,
            profile__school_id__in=school_ids,
            profile__in=RiskProfile.objects.visible_to(user),
        )
        .exclude(Exists(addressed))
        .select_related("factor", "profile__school")
        .order_by("profile__school__short_name", "factor__position", "factor__code")
    )
    groups: dict[int, tuple] = {}
    for rating in ratings:
        school = rating.profile.school
        if not can(user, "monitoring.view_risk_profile", school):
            continue
        groups.setdefault(school.pk, (school, rating.profile, []))[2].append(rating)
    return list(groups.values())


def _may_see_any_profile(user) -> bool:
    """Whether any profile may be visible to the user — the center's staff without a school
    of their own see none, and cost no query."""
    if user is None or not user.is_authenticated:
        return False
    access = get_access(user)
    return (
        access.is_superuser
        or bool(access.full_municipality_ids)
        or bool(access.observed_region_ids)
        or bool(access.organisation_ids(*SCHOOL_ROLES))
    )
