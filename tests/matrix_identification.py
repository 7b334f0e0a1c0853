"""Permission-matrix rows of the identification URLs (merged into tests/matrix.py).

Who is who (``monitoring.models.municipalities_seen_whole``, ``monitoring/rules.py``): Dmitriev's
rules and runs are seen by its department and РМК, the regional observer and the
administrator; the schools, the center staff and Kupino get 404. Only the department of the
municipality (and the administrator) edits the rules, runs, changes, confirms and discards;
the РМК and the observer who see them are refused (403) and nothing changes.
"""

from .matrix import Case, count_of, expect, row_of

DMITRIEV = "Дмитриевский район"
KUPINO = "Купинский район"
SEES = dict(uo_dmitriev=200, rmk_dmitriev=200, region=200, admin=200)
CHANGERS = ("uo_dmitriev", "admin")
# Seen but refused: the РМК and the observer (403); everyone else 404.
ACTS = dict(uo_dmitriev=200, admin=200, rmk_dmitriev=403, region=403)


def _municipality(name):
    def get():
        from schools.models import Municipality

        return Municipality.objects.get(name=name).pk

    return get


def _in_force_run(name):
    def get():
        from monitoring.models import IdentificationRun

        return (
            IdentificationRun.objects.filter(municipality__name=name, state="in_force")
            .order_by("-year")
            .first()
            .pk
        )

    return get


def _proposed_run():
    """A fresh proposed run of Dmitriev's 2026/2027 list, made on first use."""
    from django.contrib.auth import get_user_model

    from monitoring import lists
    from schools.models import Municipality

    actor = get_user_model().objects.get(username="uo_dmitriev")
    municipality = Municipality.objects.get(name=DMITRIEV)
    return lists.run_identification(municipality, actor=actor, year=2026).pk


def _entry():
    """Фатеевская ООШ as ШНСУ in the proposed run (proposed by the rule, included)."""
    from monitoring.models import RunEntry

    from .matrix import resolve

    return RunEntry.objects.get(
        run_id=resolve("dmitriev_proposed_run"),
        kind="shnsu",
        school__short_name="МКОУ «Фатеевская ООШ»",
    ).pk


def _run_version():
    from monitoring.models import IdentificationRun

    from .matrix import resolve

    return str(IdentificationRun.objects.get(pk=resolve("dmitriev_proposed_run")).version)


def _rules_of_dmitriev():
    from monitoring.models import IdentificationRule

    return sorted(
        IdentificationRule.objects.filter(municipality__name=DMITRIEV).values_list(
            "kind", "threshold", "version"
        )
    )


def _rule_data():
    from monitoring.models import IdentificationRule

    rule = IdentificationRule.objects.get(municipality__name=DMITRIEV, kind="shnor")
    return {
        "version": str(rule.version),
        "is_active": "on",
        "method": "composite",
        "combine": "any",
        "threshold_type": "absolute",
        "threshold": "-0,4",
        "window_years": "3",
        "min_years": "2",
        "use_VPR_FAIL": "on",
        "weight_VPR_FAIL": "2",
        "use_OGE_FAIL": "on",
    }


IDENTIFICATION_TARGETS = {
    "dmitriev_municipality": _municipality(DMITRIEV),
    "kupino_municipality": _municipality(KUPINO),
    "dmitriev_in_force_run": _in_force_run(DMITRIEV),
    "kupino_in_force_run": _in_force_run(KUPINO),
    "dmitriev_proposed_run": _proposed_run,
    "dmitriev_entry": _entry,
    "kind_shnor": lambda: "shnor",
}

IDENTIFICATION_MATRIX = {
    "monitoring:identification": [
        Case(
            "monitoring:identification",
            expect(404, **SEES),
            args=("dmitriev_municipality",),
        ),
        Case(
            "monitoring:identification",
            expect(404, uo_kupino=200, region=200, admin=200),
            args=("kupino_municipality",),
            label="Kupino",
        ),
    ],
    "monitoring:rule_edit": [
        Case(
            "monitoring:rule_edit",
            expect(404, **ACTS),
            args=("dmitriev_municipality", "kind_shnor"),
        ),
        Case(
            "monitoring:rule_edit",
            expect(404, **ACTS),
            method="post",
            args=("dmitriev_municipality", "kind_shnor"),
            data=_rule_data,
            label="saving the ШНОР rule changes it (a new version)",
            state=_rules_of_dmitriev,
            changes=CHANGERS,
        ),
        Case(
            "monitoring:rule_edit",
            expect(404, **ACTS),
            method="post",
            args=("dmitriev_municipality", "kind_shnor"),
            data=lambda: {**_rule_data(), "threshold_type": "rank", "threshold": "1,5"},
            label="a fractional rank re-displays the form, nothing saved",
            state=_rules_of_dmitriev,
            changes=(),
        ),
    ],
    "monitoring:run_create": [
        Case(
            "monitoring:run_create",
            expect(404, **ACTS),
            method="post",
            args=("dmitriev_municipality",),
            data={"year": "2026"},
            label="a run of the 2026/2027 list",
            state=count_of("monitoring.IdentificationRun"),
            changes=CHANGERS,
        ),
        Case(
            "monitoring:run_create",
            expect(405, anonymous=405),
            args=("dmitriev_municipality",),
            label="GET is refused",
        ),
    ],
    "monitoring:run": [
        Case("monitoring:run", expect(404, **SEES), args=("dmitriev_in_force_run",)),
        Case(
            "monitoring:run",
            expect(404, uo_kupino=200, region=200, admin=200),
            args=("kupino_in_force_run",),
            label="Kupino's list",
        ),
    ],
    "monitoring:entry_change": [
        Case(
            "monitoring:entry_change",
            expect(404, **ACTS),
            method="post",
            args=("dmitriev_entry",),
            data=lambda: {
                "version": _run_version(),
                "included": "0",
                "reason": "Школа переведена в новое здание, социальный паспорт обновлён",
            },
            label="excluding a school with a reason",
            state=row_of("monitoring.RunEntry", "dmitriev_entry"),
            changes=CHANGERS,
        ),
        Case(
            "monitoring:entry_change",
            expect(404, **ACTS),
            method="post",
            args=("dmitriev_entry",),
            data=lambda: {"version": _run_version(), "included": "0", "reason": ""},
            label="excluding without a reason is refused",
            state=row_of("monitoring.RunEntry", "dmitriev_entry"),
            changes=(),
        ),
    ],
    "monitoring:run_confirm": [
        Case(
            "monitoring:run_confirm",
            expect(404, **ACTS),
            method="post",
            args=("dmitriev_proposed_run",),
            data=lambda: {"version": _run_version()},
            label="confirming drafts the order",
            state=row_of("monitoring.IdentificationRun", "dmitriev_proposed_run"),
            changes=CHANGERS,
        ),
    ],
    "monitoring:run_discard": [
        Case(
            "monitoring:run_discard",
            expect(404, **ACTS),
            method="post",
            args=("dmitriev_proposed_run",),
            data=lambda: {"version": _run_version()},
            label="discarding a proposal",
            state=row_of("monitoring.IdentificationRun", "dmitriev_proposed_run"),
            changes=CHANGERS,
        ),
        Case(
            "monitoring:run_discard",
            expect(404, uo_dmitriev=403, admin=403, rmk_dmitriev=403, region=403),
            method="post",
            args=("dmitriev_in_force_run",),
            data={"version": "1"},
            label="a list in force cannot be discarded",
            state=row_of("monitoring.IdentificationRun", "dmitriev_in_force_run"),
            changes=(),
        ),
    ],
}
