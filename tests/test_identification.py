"""Identification of ШНОР / ШНСУ: the engine on small hand-computed data sets, and the flow a
department goes through — run, change by hand with a reason, confirm (the order is drafted),
sign (the schools' statuses change, each naming the act)."""

import math
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from monitoring import lists, selection
from monitoring.models import IdentificationRun, RunEntry, RunEvent
from network_center.documents import services as document_services
from network_center.documents.models import LegalDocument
from schools.models import Municipality, Organisation, SchoolStatus

S = selection


def spec(code, higher=True, weight=1.0, threshold=None):
    return S.IndicatorSpec(
        code=code, name=code, unit="%", higher_better=higher, weight=weight, threshold=threshold
    )


def rule(kind=S.SHNOR, method="composite", ttype="absolute", threshold=None, window=1, k=1, *,
         indicators, combine="any"):  # fmt: skip
    return S.RuleSpec(
        kind=kind,
        method=method,
        threshold_type=ttype,
        threshold=threshold,
        window_years=window,
        min_years=k,
        indicators=tuple(indicators),
        combine=combine,
    )


def proposed(verdicts, kind=S.SHNOR):
    return {v.school_id for v in verdicts[kind] if v.proposed}


# --- The engine, by hand -------------------------------------------------------------------------


def test_composite_index_is_the_mean_of_z_scores_with_directions():
    # P (higher better) 1, 2, 3 and F (lower better) 30, 20, 10: both give z = −1.2247, 0,
    # +1.2247 (population sd √(2/3)); the index is their mean.
    values = {2025: {1: {"P": 1, "F": 30}, 2: {"P": 2, "F": 20}, 3: {"P": 3, "F": 10}}}
    r = rule(threshold=-1.0, indicators=[spec("P"), spec("F", higher=False)])
    verdicts, warnings = S.identify([r], values, [1, 2, 3], 2025)
    by_school = {v.school_id: v for v in verdicts[S.SHNOR]}
    assert by_school[1].score == pytest.approx(-math.sqrt(1.5))
    assert by_school[2].score == pytest.approx(0)
    assert by_school[3].score == pytest.approx(math.sqrt(1.5))
    assert proposed(verdicts) == {1}
    assert by_school[1].rank == 1 and by_school[3].rank == 3
    assert "индекс −1,22, место 1 из 3 — признак" in by_school[1].reason
    assert warnings == []


def test_weights_decide_between_indicators_that_disagree():
    # P says school 1 is worst, F (lower better, 10 < 30) says it is best.
    values = {2025: {1: {"P": 1, "F": 10}, 2: {"P": 2, "F": 20}, 3: {"P": 3, "F": 30}}}
    equal = rule(threshold=-0.1, indicators=[spec("P"), spec("F", higher=False)])
    verdicts, _ = S.identify([equal], values, [1, 2, 3], 2025)
    assert proposed(verdicts) == set()  # every index is 0
    heavy = rule(threshold=-0.1, indicators=[spec("P", weight=3), spec("F", higher=False)])
    verdicts, _ = S.identify([heavy], values, [1, 2, 3], 2025)
    by_school = {v.school_id: v for v in verdicts[S.SHNOR]}
    # (3 × −1.2247 + 1 × 1.2247) / 4 = −0.6124
    assert by_school[1].score == pytest.approx(-0.6124, abs=1e-4)
    assert proposed(verdicts) == {1}


def test_percentile_includes_every_tie_at_the_cut():
    # Fail shares 40, 30, 30, 20, 10 (lower better); the worst 40 %: ⌈0.4 × 5⌉ = 2nd worst is
    # 30, and both schools at 30 are flagged.
    values = {2025: {1: {"F": 40}, 2: {"F": 30}, 3: {"F": 30}, 4: {"F": 20}, 5: {"F": 10}}}
    r = rule(method="single", ttype="percentile", threshold=40, indicators=[spec("F", False)])
    verdicts, _ = S.identify([r], values, [1, 2, 3, 4, 5], 2025)
    assert proposed(verdicts) == {1, 2, 3}
    composite = rule(ttype="percentile", threshold=40, indicators=[spec("F", False)])
    verdicts, _ = S.identify([composite], values, [1, 2, 3, 4, 5], 2025)
    assert proposed(verdicts) == {1, 2, 3}


def test_rank_shares_places_between_ties():
    values = {2025: {1: {"F": 40}, 2: {"F": 30}, 3: {"F": 30}, 4: {"F": 20}}}
    r = rule(ttype="rank", threshold=2, indicators=[spec("F", False)])
    verdicts, _ = S.identify([r], values, [1, 2, 3, 4], 2025)
    ranks = {v.school_id: v.rank for v in verdicts[S.SHNOR]}
    assert ranks == {1: 1, 2: 2, 3: 2, 4: 4}
    assert proposed(verdicts) == {1, 2, 3}


def test_missing_values_renormalise_weights_or_leave_the_school_unassessed():
    values = {
        2025: {
            1: {"P": 1, "F": 30},
            2: {"P": 2, "F": 20},
            3: {"P": 3, "F": 10},
            4: {"P": 1},  # no F
        }
    }
    # Half the weight present: assessed on P alone.
    even = rule(threshold=-0.5, indicators=[spec("P"), spec("F", higher=False)])
    verdicts, _ = S.identify([even], values, [1, 2, 3, 4], 2025)
    school_4 = next(v for v in verdicts[S.SHNOR] if v.school_id == 4)
    assert school_4.years[2025].assessed and school_4.proposed
    # F weighs 3 of 4: school 4 is not assessed, not proposed, and the reason says so.
    heavy = rule(threshold=-0.5, indicators=[spec("P"), spec("F", higher=False, weight=3)])
    verdicts, _ = S.identify([heavy], values, [1, 2, 3, 4], 2025)
    school_4 = next(v for v in verdicts[S.SHNOR] if v.school_id == 4)
    assert not school_4.years[2025].assessed and not school_4.proposed
    assert "нет данных" in school_4.reason
    # Single indicators with «all»: a missing indicator is not flagged.
    single_all = rule(
        method="single",
        threshold=None,
        combine="all",
        indicators=[spec("P", threshold=1.5), spec("F", higher=False, threshold=25)],
    )
    verdicts, _ = S.identify([single_all], values, [1, 2, 3, 4], 2025)
    assert proposed(verdicts) == {1}


def test_k_of_n_window_and_missing_campaigns():
    flagged = {"P": 1}
    fine = {"P": 5}
    values = {
        2023: {1: flagged, 2: fine, 3: fine},
        2024: {1: fine, 2: flagged, 3: fine},
        2025: {1: flagged, 2: fine, 3: fine},
    }
    two_of_three = rule(threshold=-0.5, window=3, k=2, indicators=[spec("P")])
    verdicts, warnings = S.identify([two_of_three], values, [1, 2, 3], 2025)
    assert proposed(verdicts) == {1}
    assert warnings == []
    three_of_three = rule(threshold=-0.5, window=3, k=3, indicators=[spec("P")])
    verdicts, _ = S.identify([three_of_three], values, [1, 2, 3], 2025)
    assert proposed(verdicts) == set()
    # Without the 2023 campaign: 2 of the 2 present still makes 2, with a warning.
    del values[2023]
    verdicts, warnings = S.identify([two_of_three], values, [1, 2, 3], 2025)
    assert proposed(verdicts) == set()  # school 1 is flagged only in 2025 now
    assert "нет кампаний за 2023/2024" in warnings[0]
    # Fewer campaigns than required years: nobody, and the warning says why.
    verdicts, warnings = S.identify([three_of_three], values, [1, 2, 3], 2025)
    assert proposed(verdicts) == set()
    assert "по этому правилу никто не отобран" in warnings[0]


def test_equal_values_flag_nobody_by_an_absolute_index():
    values = {2025: {1: {"P": 3}, 2: {"P": 3}, 3: {"P": 3}}}
    r = rule(threshold=-0.5, indicators=[spec("P")])
    verdicts, _ = S.identify([r], values, [1, 2, 3], 2025)
    assert proposed(verdicts) == set()
    assert all(v.score == 0 for v in verdicts[S.SHNOR])


def test_precedence_and_the_best_end():
    values = {2025: {1: {"P": 1}, 2: {"P": 2}, 3: {"P": 5}, 4: {"P": 6}}}
    shnor = rule(S.SHNOR, ttype="rank", threshold=1, indicators=[spec("P")])
    risk = rule(S.RISK, ttype="rank", threshold=2, indicators=[spec("P")])
    high = rule(S.HIGH, ttype="rank", threshold=1, indicators=[spec("P")])
    verdicts, _ = S.identify([shnor, risk, high], values, [1, 2, 3, 4], 2025)
    assert proposed(verdicts, S.SHNOR) == {1}
    # School 1 is among the worst two, but ШНОР takes precedence over the risk group.
    assert proposed(verdicts, S.RISK) == {2}
    school_1 = next(v for v in verdicts[S.RISK] if v.school_id == 1)
    assert school_1.excluded_by == S.SHNOR and "отобрана как ШНОР" in school_1.reason
    assert proposed(verdicts, S.HIGH) == {4}


def test_single_indicators_with_own_thresholds_any():
    values = {2025: {1: {"A": 30, "B": 10}, 2: {"A": 10, "B": 30}, 3: {"A": 10, "B": 10}}}
    r = rule(
        S.SHNSU,
        method="single",
        indicators=[spec("A", higher=False, threshold=25), spec("B", higher=False, threshold=25)],
    )
    verdicts, _ = S.identify([r], values, [1, 2, 3], 2025)
    assert proposed(verdicts, S.SHNSU) == {1, 2}
    school_1 = next(v for v in verdicts[S.SHNSU] if v.school_id == 1)
    assert "A 30,0 %" in school_1.reason


# --- The department's flow -----------------------------------------------------------------------

DMITRIEV = "Дмитриевский район"
FATEEVKA = "МКОУ «Фатеевская ООШ»"


def _statuses(year=2026):
    return sorted(
        SchoolStatus.objects.filter(school__municipality__name=DMITRIEV, year=year).values_list(
            "school__short_name", "kind"
        )
    )


@pytest.mark.django_db
def test_demo_statuses_come_from_signed_list_orders():
    """The demo's statuses are those of its lists, each naming the order that set it."""
    assert _statuses(2026) == [
        ("МКОУ «Крупецкая СОШ»", "shnor"),
        ("МКОУ «Крупецкая СОШ»", "shnsu"),
        ("МКОУ «Первоавангардская СОШ»", "risk"),
        ("МКОУ «СОШ № 1 г. Дмитриева»", "shnor"),
        ("МКОУ «СОШ № 2 г. Дмитриева»", "high"),
        ("МКОУ «Старогородская СОШ»", "shnsu"),
        ("МКОУ «Фатеевская ООШ»", "shnsu"),
    ]
    assert ("МКОУ «Первоавангардская СОШ»", "shnor") in _statuses(2025)
    numbers = set(
        SchoolStatus.objects.filter(school__municipality__name=DMITRIEV).values_list(
            "year", "act__number", "act__state"
        )
    )
    assert numbers == {(2025, "1-201", "signed"), (2026, "1-188", "signed")}
    assert not SchoolStatus.objects.filter(act=None).exists()


@pytest.mark.django_db
def test_run_change_confirm_sign_changes_the_statuses(user_of, client):
    uo = user_of("uo_dmitriev")
    municipality = Municipality.objects.get(name=DMITRIEV)
    run = lists.run_identification(municipality, actor=uo, year=2026)
    included = sorted(run.entries.filter(included=True).values_list("school__short_name", "kind"))
    assert included == _statuses(2026)  # the same rules, the same data: the same list

    entry = run.entries.get(school__short_name=FATEEVKA, kind="shnsu")
    with pytest.raises(ValidationError) as refused:
        lists.change_entry(entry, actor=uo, included=False, reason=" ", version=run.version)
    assert "Укажите причину" in str(refused.value)
    lists.change_entry(
        entry, actor=uo, included=False, reason="Социальный паспорт уточнён", version=run.version
    )
    run.refresh_from_db()
    entry.refresh_from_db()
    assert not entry.included and entry.manual_reason == "Социальный паспорт уточнён"
    event = RunEvent.objects.get(run=run, action="exclude")
    assert event.actor == uo and event.data["before"] is True and event.data["after"] is False
    # A stale form is told, nothing changes.
    with pytest.raises(lists.StaleRun):
        lists.change_entry(entry, actor=uo, included=True, reason="", version=run.version - 1)
    # ШНОР and the risk group exclude each other.
    sosh1_risk = run.entries.get(school__short_name="МКОУ «СОШ № 1 г. Дмитриева»", kind="risk")
    with pytest.raises(ValidationError, match="уже включена"):
        lists.change_entry(sosh1_risk, actor=uo, included=True, reason="x", version=run.version)

    run = lists.confirm_run(run, actor=uo, version=run.version)
    order = run.order
    assert run.state == IdentificationRun.State.CONFIRMED and order.is_draft
    assert order.heading == lists.ORDER_HEADING
    appendix = order.appendices.get()
    assert appendix.kind == LegalDocument.Kind.ROSTER
    names = [row[1] for row in appendix.table["rows"]]
    assert not any("Фатеевская" in n for n in names)
    assert "Школы с низкими результатами обучения" in names
    old_order = LegalDocument.objects.get(issuer__municipality=municipality, number="1-188")
    assert order.relations.filter(kind="cancels", target=old_order).exists()
    assert _statuses(2026) == included  # nothing changes until the order is signed

    chief = user_of("chief_dmitriev")
    signed = document_services.sign_document(order, actor=chief, password="demo12345")
    assert signed.is_signed and signed.signatory.user == chief
    expected = [row for row in included if row != (FATEEVKA, "shnsu")]
    assert _statuses(2026) == expected
    acts = set(
        SchoolStatus.objects.filter(school__municipality=municipality, year=2026).values_list(
            "act_id", flat=True
        )
    )
    assert acts == {signed.pk}
    status = SchoolStatus.objects.filter(school__short_name="МКОУ «Крупецкая СОШ»", year=2026)
    assert status.first().basis.endswith(f"№ {signed.number}")
    run.refresh_from_db()
    old_order.refresh_from_db()
    assert run.state == IdentificationRun.State.IN_FORCE
    assert old_order.lost_force_by_id == signed.pk
    # The removed status stays in the history.
    fateevka = Organisation.objects.get(short_name=FATEEVKA)
    assert SchoolStatus.history.filter(school=fateevka, year=2026, history_type="-").exists()
    # The schools' pages name the act that set each status; the removed one is gone from it.
    client.force_login(uo)
    krupets = Organisation.objects.get(short_name="МКОУ «Крупецкая СОШ»")
    page = client.get(reverse("schools:detail", args=[krupets.pk])).content.decode()
    assert f"№ {signed.number}" in page and "2026/2027" in page
    page = client.get(reverse("schools:detail", args=[fateevka.pk])).content.decode()
    assert "2026/2027" not in page
    if (FATEEVKA, "shnsu") in _statuses(2025):
        assert "№ 1-201" in page


@pytest.mark.django_db
def test_discarding_a_confirmed_run_deletes_its_draft_order(user_of):
    uo = user_of("uo_dmitriev")
    municipality = Municipality.objects.get(name=DMITRIEV)
    run = lists.run_identification(municipality, actor=uo, year=2026)
    run = lists.confirm_run(run, actor=uo, version=run.version)
    order_pk = run.order_id
    lists.discard_run(run, actor=uo, version=run.version)
    assert not LegalDocument.objects.filter(pk=order_pk).exists()
    run.refresh_from_db()
    assert run.state == IdentificationRun.State.DISCARDED and run.order_id is None


@pytest.mark.django_db
def test_a_new_run_supersedes_the_proposal_of_the_same_year(user_of):
    uo = user_of("uo_dmitriev")
    municipality = Municipality.objects.get(name=DMITRIEV)
    first = lists.run_identification(municipality, actor=uo, year=2026)
    second = lists.run_identification(municipality, actor=uo, year=2026)
    first.refresh_from_db()
    assert first.state == IdentificationRun.State.DISCARDED
    assert second.state == IdentificationRun.State.PROPOSED


@pytest.mark.django_db
def test_rule_validation_and_history(user_of):
    from monitoring.models import IdentificationRule, Indicator, RuleEvent

    uo = user_of("uo_dmitriev")
    municipality = Municipality.objects.get(name=DMITRIEV)
    rule = IdentificationRule.objects.get(municipality=municipality, kind="shnor")
    fields = {
        "is_active": True,
        "method": "composite",
        "combine": "any",
        "threshold_type": "percentile",
        "threshold": Decimal(150),
        "window_years": 3,
        "min_years": 2,
    }
    vpr = Indicator.objects.get(code="VPR_FAIL")
    with pytest.raises(ValidationError) as refused:
        lists.save_rule(
            municipality,
            actor=uo,
            kind="shnor",
            version=rule.version,
            fields=fields,
            indicators=[(vpr, Decimal(1), None)],
        )
    assert "threshold" in refused.value.error_dict
    fields["threshold"] = Decimal(10)
    saved = lists.save_rule(
        municipality,
        actor=uo,
        kind="shnor",
        version=rule.version,
        fields=fields,
        indicators=[(vpr, Decimal(1), None)],
    )
    assert saved.version == rule.version + 1
    event = RuleEvent.objects.filter(rule=saved).latest("pk")
    assert event.data["before"]["threshold_type"] == "absolute"
    assert event.data["after"]["threshold_type"] == "percentile"
    with pytest.raises(lists.StaleRun):
        lists.save_rule(
            municipality,
            actor=uo,
            kind="shnor",
            version=rule.version,
            fields=fields,
            indicators=[(vpr, Decimal(1), None)],
        )


@pytest.mark.django_db
def test_the_observer_and_kupino_change_nothing(user_of):
    from django.core.exceptions import PermissionDenied

    municipality = Municipality.objects.get(name=DMITRIEV)
    for login in ("region", "uo_kupino", "rmk_dmitriev", "school_a"):
        with pytest.raises(PermissionDenied):
            lists.run_identification(municipality, actor=user_of(login), year=2026)
    assert not IdentificationRun.objects.filter(state="proposed").exists()


# --- Pinned query counts -------------------------------------------------------------------------


def _add_schools(municipality, n):
    for i in range(n):
        Organisation.objects.create(
            kind=Organisation.Kind.SCHOOL,
            region=municipality.region,
            municipality=municipality,
            short_name=f"МКОУ «Новая школа № {i}»",
            full_name=f"Новая школа № {i}",
        )


@pytest.mark.django_db
def test_identification_pages_do_not_grow_with_schools(client, user_of, page_cache_off):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    uo = user_of("uo_dmitriev")
    client.force_login(uo)
    municipality = Municipality.objects.get(name=DMITRIEV)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    run = lists.run_identification(municipality, actor=uo, year=2026)
    run_url = reverse("monitoring:run", args=[run.pk])
    page_url = reverse("monitoring:identification", args=[municipality.pk])
    before = count(run_url), count(page_url)
    _add_schools(municipality, 5)
    run = lists.run_identification(municipality, actor=uo, year=2026)
    assert RunEntry.objects.filter(run=run).count() == 4 * 11
    after = count(reverse("monitoring:run", args=[run.pk])), count(page_url)
    assert before == after
    assert before == (RUN_QUERIES, PAGE_QUERIES)


RUN_QUERIES = 7
PAGE_QUERIES = 9
