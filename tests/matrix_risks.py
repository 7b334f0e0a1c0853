"""Permission-matrix rows of the risk-profile URLs (merged into tests/matrix.py).

Who is who (``monitoring.risks.schools_with_profiles_visible_to``, ``monitoring/rules.py``): a
school's profile is seen by the school itself (its coordinator; the hub's director for the
hub), its municipality's department and РМК, the regional observer and the administrator;
anyone else — another school, the center's staff for a participant, another municipality —
gets 404. The school and its department (and the administrator) save it; the РМК and the
observer who see it are refused (403) and nothing changes. A municipality's list is seen by
whoever sees the municipality whole.
"""

from .matrix import Case, expect, resolve, row_of

DMITRIEV = "Дмитриевский район"
KUPINO = "Купинский район"
SCHOOL_A = "МКОУ «СОШ № 1 г. Дмитриева»"
HUB = "МКОУ «СОШ № 2 г. Дмитриева»"
KUPINO_SCHOOL = "МКОУ «Чаинская СОШ»"

SEES_A = dict(uo_dmitriev=200, rmk_dmitriev=200, school_a=200, region=200, admin=200)
# Seen and saved (a redirect back to the page), seen and refused, else 404.
SAVES_A = dict(uo_dmitriev=302, school_a=302, admin=302, rmk_dmitriev=403, region=403)
REFUSES_A = dict(uo_dmitriev=200, school_a=200, admin=200, rmk_dmitriev=403, region=403)


def _municipality(name):
    def get():
        from schools.models import Municipality

        return Municipality.objects.get(name=name).pk

    return get


def _school(name):
    def get():
        from schools.models import Organisation

        return Organisation.objects.get(short_name=name).pk

    return get


def _profile(name):
    def get():
        from monitoring.models import RiskProfile

        return RiskProfile.objects.get(school__short_name=name, year=2026).pk

    return get


def _form(name, **changed):
    """The profile's form as posted: every factor as saved, ``changed`` by factor code."""

    def data():
        from monitoring import risks
        from monitoring.models import RiskProfile

        profile = RiskProfile.objects.get(pk=resolve(f"risk_profile_{name}"))
        result = {"version": str(profile.version)}
        for rating in profile.ratings.select_related("factor"):
            level, note = changed.get(rating.factor.code, (rating.level, rating.note))
            result[risks.level_field(rating.factor_id)] = level
            result[risks.note_field(rating.factor_id)] = note
        return result

    return data


RISK_TARGETS = {
    "risk_dmitriev": _municipality(DMITRIEV),
    "risk_kupino": _municipality(KUPINO),
    "risk_school_a": _school(SCHOOL_A),
    "risk_hub": _school(HUB),
    "risk_kupino_school": _school(KUPINO_SCHOOL),
    "risk_profile_a": _profile(SCHOOL_A),
    "risk_year": lambda: 2026,
}

RISK_MATRIX = {
    "monitoring:risk_list": [
        Case(
            "monitoring:risk_list",
            expect(404, uo_dmitriev=200, rmk_dmitriev=200, region=200, admin=200),
            args=("risk_dmitriev",),
        ),
        Case(
            "monitoring:risk_list",
            expect(404, uo_kupino=200, region=200, admin=200),
            args=("risk_kupino",),
            label="Kupino",
        ),
    ],
    "monitoring:risk_profile": [
        Case(
            "monitoring:risk_profile",
            expect(404, **SEES_A),
            args=("risk_school_a", "risk_year"),
            label="a participant school",
        ),
        Case(
            "monitoring:risk_profile",
            expect(
                404,
                uo_dmitriev=200,
                rmk_dmitriev=200,
                director_sosh2=200,
                region=200,
                admin=200,
            ),
            args=("risk_hub", "risk_year"),
            label="the hub: its director",
        ),
        Case(
            "monitoring:risk_profile",
            expect(404, uo_kupino=200, region=200, admin=200),
            args=("risk_kupino_school", "risk_year"),
            label="Kupino school",
        ),
        Case(
            "monitoring:risk_profile",
            expect(404, **SAVES_A),
            method="post",
            args=("risk_school_a", "risk_year"),
            data=_form("a", EQUIPMENT=("medium", "Проектор в кабинете математики сломан.")),
            label="a save changes the rating and the version",
            state=row_of("monitoring.RiskProfile", "risk_profile_a", "ratings"),
            changes=("uo_dmitriev", "school_a", "admin"),
        ),
        Case(
            "monitoring:risk_profile",
            expect(404, **REFUSES_A),
            method="post",
            args=("risk_school_a", "risk_year"),
            data=_form("a", EQUIPMENT=("high", "")),
            label="a high rating without a note re-displays the form",
            state=row_of("monitoring.RiskProfile", "risk_profile_a", "ratings"),
            changes=(),
        ),
    ],
}
