"""Permission-matrix rows of the effectiveness URLs (merged into tests/matrix.py).

Who is who (``analytics/rules.py``, ``analytics/scoping.py``): a center's effectiveness is read
by the department and РМК of its municipality, the regional observer, the hub's director and the
center's head, the administrator; the participant schools and the working-group member see the
center but are refused (403); another municipality gets 404. A municipality's is read by its
department and РМК, the observer, the administrator; the center's staff and schools of the
municipality are refused (403), other municipalities' users get 404. The regional view is the
observer's and the administrator's. Every URL is a GET that changes nothing (a POST is 405).
"""

from .matrix import Case, count_of, expect

DMITRIEV = "Дмитриевский район"
KUPINO = "Купинский район"
HUB = "МКОУ «СОШ № 2 г. Дмитриева»"
KUPINO_HUB = "МБОУ «Купинская СОШ № 77»"

# A Dmitriev center's page.
DMITRIEV_CENTER = dict(
    uo_dmitriev=200,
    rmk_dmitriev=200,
    director_sosh2=200,
    head_center=200,
    region=200,
    admin=200,
    wg_member=403,
    school_a=403,
    school_b=403,
    uo_kupino=404,
)
KUPINO_CENTER = dict(uo_kupino=200, region=200, admin=200)
# Dmitriev's municipality page: the district's own staff of centers and schools are refused.
DMITRIEV_MUNICIPALITY = dict(
    uo_dmitriev=200,
    rmk_dmitriev=200,
    region=200,
    admin=200,
    director_sosh2=403,
    head_center=403,
    wg_member=403,
    school_a=403,
    school_b=403,
)


def _center(hub):
    def get():
        from network_center.centers.models import Center

        return Center.objects.get(hub__short_name=hub).pk

    return get


def _municipality(name):
    def get():
        from schools.models import Municipality

        return Municipality.objects.get(name=name).pk

    return get


ANALYTICS_TARGETS = {
    "analytics_dmitriev_center": _center(HUB),
    "analytics_kupino_center": _center(KUPINO_HUB),
    "analytics_dmitriev_municipality": _municipality(DMITRIEV),
    "analytics_kupino_municipality": _municipality(KUPINO),
}


def _center_rows(name):
    return [
        Case(
            name,
            expect(404, **DMITRIEV_CENTER),
            args=("analytics_dmitriev_center",),
            label="Dmitriev center",
        ),
        Case(
            name,
            expect(404, **KUPINO_CENTER),
            args=("analytics_kupino_center",),
            label="Kupino center",
        ),
    ]


def _municipality_rows(name):
    return [
        Case(
            name,
            expect(404, **DMITRIEV_MUNICIPALITY),
            args=("analytics_dmitriev_municipality",),
            label="Dmitriev",
        ),
        Case(
            name,
            expect(404, **KUPINO_CENTER),
            args=("analytics_kupino_municipality",),
            label="Kupino",
        ),
    ]


ANALYTICS_MATRIX = {
    "analytics:index": [
        Case(
            "analytics:index",
            expect(200, wg_member=403, school_a=403, school_b=403),
        )
    ],
    "analytics:region": [
        Case("analytics:region", expect(403, region=200, admin=200)),
        Case(
            "analytics:region",
            expect(405),
            method="post",
            label="nothing to post",
            state=count_of("plans.Execution"),
            changes=(),
        ),
    ],
    "analytics:region_pdf": [Case("analytics:region_pdf", expect(403, region=200, admin=200))],
    "analytics:region_xlsx": [Case("analytics:region_xlsx", expect(403, region=200, admin=200))],
    "analytics:center": _center_rows("analytics:center"),
    "analytics:center_pdf": _center_rows("analytics:center_pdf"),
    "analytics:center_xlsx": _center_rows("analytics:center_xlsx"),
    "analytics:municipality": _municipality_rows("analytics:municipality"),
    "analytics:municipality_pdf": _municipality_rows("analytics:municipality_pdf"),
    "analytics:municipality_xlsx": _municipality_rows("analytics:municipality_xlsx"),
}
