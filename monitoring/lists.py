"""Identification of ШНОР / ШНСУ: the municipality's rules, a run of them, the department's
changes by hand, the confirmation that drafts the order approving the list, and — when that
order is signed — the schools' statuses of the year.

Every function asks the rule first (``schools.permissions.require``), then guards the state,
locks, changes with ``update_fields`` and appends a history row (``RuleEvent``, ``RunEvent``).
``put_list_in_force`` is the receiver's half: it runs inside the signing transaction
(``documents.signals.document_signed``), so the order and the statuses commit together.

The transitions of a run (``RUN_TRANSITIONS``):

=========  ===========  ==========  ==============================================
action     from         to          who
=========  ===========  ==========  ==============================================
change     proposed     proposed    the department (a reason for every manual change)
confirm    proposed     confirmed   the department — drafts the order and its appendix
discard    proposed,    discarded   the department — a confirmed run's draft order goes
           confirmed                too
in_force   confirmed    in_force    whoever signs (or registers) the order
=========  ===========  ==========  ==============================================
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from network_center.documents import services as document_services
from network_center.documents.body import ParsedPoint
from network_center.documents.language import in_russian
from network_center.documents.models import DocumentRelation, LegalDocument, SigningRight
from schools.models import Organisation, SchoolStatus
from schools.permissions import require
from schools.services import replace_year_statuses

from . import selection
from .models import (
    Campaign,
    IdentificationRule,
    IdentificationRun,
    Indicator,
    IndicatorValue,
    RuleEvent,
    RuleIndicator,
    RunEntry,
    RunEvent,
)

Kind = SchoolStatus.Kind
State = IdentificationRun.State

RUN_TRANSITIONS = {
    "change": ({State.PROPOSED}, State.PROPOSED),
    "confirm": ({State.PROPOSED}, State.CONFIRMED),
    "discard": ({State.PROPOSED, State.CONFIRMED}, State.DISCARDED),
    "in_force": ({State.CONFIRMED}, State.IN_FORCE),
}

ORDER_HEADING = (
    "Об утверждении перечня школ с низкими результатами обучения и школ, функционирующих в "
    "неблагоприятных социальных условиях"
)


class StaleRun(ValidationError):
    """The run changed since the form was shown: the second editor is told."""


def _guard(run, action):
    allowed, _target = RUN_TRANSITIONS[action]
    if run.state not in allowed:
        raise ValidationError(
            _("Отбор в состоянии «%(state)s»: это действие уже недоступно.")
            % {"state": run.get_state_display()},
            code="state",
        )


def _lock(run) -> IdentificationRun:
    return IdentificationRun.objects.select_for_update().get(pk=run.pk)


def _event(run, action, actor, *, from_state="", to_state="", entry=None, comment="", **data):
    RunEvent.objects.create(
        run=run,
        action=action,
        from_state=from_state,
        to_state=to_state,
        entry=entry,
        actor=actor,
        comment=comment,
        data=data,
    )


# --- Rules ---------------------------------------------------------------------------------------


def rule_snapshot(rule: IdentificationRule, indicators=None) -> dict:
    """A rule as plain data: stored by every run and by the rule's history."""
    indicators = indicators if indicators is not None else list(rule.indicators.all())
    return {
        "kind": rule.kind,
        "is_active": rule.is_active,
        "method": rule.method,
        "combine": rule.combine,
        "threshold_type": rule.threshold_type,
        "threshold": None if rule.threshold is None else str(rule.threshold),
        "window_years": rule.window_years,
        "min_years": rule.min_years,
        "indicators": [
            {
                "code": ri.indicator.code,
                "weight": str(ri.weight),
                "threshold": None if ri.threshold is None else str(ri.threshold),
            }
            for ri in indicators
        ],
    }


RULE_FIELDS = ("is_active", "method", "combine", "threshold_type", "threshold")
WINDOW_FIELDS = ("window_years", "min_years")


def save_rule(
    municipality, *, actor, kind: str, version: int | None, fields: dict, indicators: list
) -> IdentificationRule:
    """Create or change the municipality's rule for ``kind``.

    ``fields``: is_active, method, combine, threshold_type, threshold, window_years, min_years;
    ``indicators``: [(Indicator, weight, threshold or None)], at least one. ``version`` is the
    version the form was shown at (``None`` for a new rule): a stale form is refused."""
    require(actor, "monitoring.edit_rules", municipality)
    if kind not in Kind.values:
        raise ValidationError(_("Неизвестный статус."), code="kind")
    if not indicators:
        raise ValidationError(_("Выберите хотя бы один показатель."), code="indicators")
    _check_rule(fields, indicators)
    with transaction.atomic():
        rule = (
            IdentificationRule.objects.select_for_update()
            .filter(municipality=municipality, kind=kind)
            .first()
        )
        before = None
        if rule is None:
            rule = IdentificationRule(municipality=municipality, kind=kind)
        else:
            if version is not None and rule.version != version:
                raise StaleRun(
                    _(
                        "Правило уже изменил другой пользователь. Ваши изменения не сохранены: "
                        "проверьте правило ниже и сохраните ещё раз."
                    ),
                    code="stale",
                )
            before = rule_snapshot(rule, list(rule.indicators.select_related("indicator")))
            rule.version += 1
        for name in (*RULE_FIELDS, *WINDOW_FIELDS):
            setattr(rule, name, fields[name])
        rule.updated_by = actor
        if rule.pk is None:
            rule.save()
        else:
            rule.save(
                update_fields=[*RULE_FIELDS, *WINDOW_FIELDS, "version", "updated_by", "updated_at"]
            )
        rule.indicators.all().delete()
        RuleIndicator.objects.bulk_create(
            [
                RuleIndicator(rule=rule, indicator=indicator, weight=weight, threshold=threshold)
                for indicator, weight, threshold in indicators
            ]
        )
        after = rule_snapshot(rule, list(rule.indicators.select_related("indicator")))
        RuleEvent.objects.create(
            rule=rule,
            action="create" if before is None else "change",
            actor=actor,
            data={"before": before, "after": after},
        )
    return rule


def _check_rule(fields, indicators):
    errors = {}
    threshold = fields.get("threshold")
    kind_of_threshold = fields["threshold_type"]
    single_absolute = (
        fields["method"] == IdentificationRule.Method.SINGLE
        and kind_of_threshold == IdentificationRule.ThresholdType.ABSOLUTE
    )
    if single_absolute:
        missing = [i.code for i, _w, t in indicators if t is None]
        if missing:
            errors["indicators"] = _(
                "Для отдельных показателей с абсолютным порогом укажите порог каждого "
                "показателя: не указан у %(codes)s."
            ) % {"codes": ", ".join(missing)}
        for indicator, _w, t in indicators:
            if t is not None and not indicator.min_value <= t <= indicator.max_value:
                errors["indicators"] = _(
                    "Порог показателя %(code)s вне его диапазона %(range)s."
                ) % {"code": indicator.code, "range": indicator.range_label}
    elif threshold is None:
        errors["threshold"] = _("Укажите порог.")
    elif kind_of_threshold == IdentificationRule.ThresholdType.PERCENTILE and not (
        Decimal(0) < threshold <= Decimal(100)
    ):
        errors["threshold"] = _("Процентиль — доля школ от 0 до 100 %.")
    elif kind_of_threshold == IdentificationRule.ThresholdType.RANK and (
        threshold < 1 or threshold != threshold.to_integral_value()
    ):
        errors["threshold"] = _("Место в рейтинге — целое число от 1.")
    if fields["min_years"] < 1 or fields["window_years"] < fields["min_years"]:
        errors["min_years"] = _("Число лет с признаком — от 1 до длины окна.")
    if fields["window_years"] > 10:
        errors["window_years"] = _("Окно — не больше 10 лет.")
    if errors:
        raise ValidationError(errors)


# --- Runs ----------------------------------------------------------------------------------------


def _spec(data: dict, indicators: dict[str, Indicator]) -> selection.RuleSpec:
    """A stored rule snapshot as the engine's RuleSpec."""
    specs = []
    for item in data["indicators"]:
        indicator = indicators[item["code"]]
        specs.append(
            selection.IndicatorSpec(
                code=indicator.code,
                name=indicator.name,
                unit=indicator.unit,
                higher_better=indicator.direction == Indicator.Direction.HIGHER,
                weight=float(item["weight"]),
                threshold=None if item["threshold"] is None else float(item["threshold"]),
                decimals=indicator.decimals,
            )
        )
    return selection.RuleSpec(
        kind=data["kind"],
        method=data["method"],
        combine=data["combine"],
        threshold_type=data["threshold_type"],
        threshold=None if data["threshold"] is None else float(data["threshold"]),
        window_years=data["window_years"],
        min_years=data["min_years"],
        indicators=tuple(specs),
    )


def read_values(municipality, years) -> dict[int, dict[int, dict[str, float]]]:
    """The municipality's campaign values of ``years``: year → school → code → value (one
    query for the campaigns, one for the values)."""
    campaigns = dict(
        Campaign.objects.filter(municipality=municipality, year__in=list(years)).values_list(
            "pk", "year"
        )
    )
    codes = dict(Indicator.objects.values_list("pk", "code"))
    out: dict[int, dict[int, dict[str, float]]] = {year: {} for year in campaigns.values()}
    rows = (
        IndicatorValue.objects.filter(campaign_id__in=list(campaigns))
        .order_by()
        .values_list("campaign_id", "school_id", "indicator_id", "value")
        .iterator(chunk_size=10000)
    )
    for campaign_id, school_id, indicator_id, value in rows:
        out[campaigns[campaign_id]].setdefault(school_id, {})[codes[indicator_id]] = float(value)
    return out


def run_identification(municipality, *, actor, year: int) -> IdentificationRun:
    """Apply the municipality's active rules to its campaigns before ``year`` and store the
    proposed list of ``year`` (2026 → the list of 2026/2027 from the campaigns up to
    2025/2026). A proposed run of the same year is discarded: one proposal at a time."""
    require(actor, "monitoring.run_identification", municipality)
    rules = list(
        IdentificationRule.objects.filter(municipality=municipality, is_active=True)
        .prefetch_related("indicators__indicator")
        .order_by("kind")
    )
    if not rules:
        raise ValidationError(
            _("Правила отбора не заданы: сначала задайте хотя бы одно правило."), code="rules"
        )
    base_year = year - 1
    if not Campaign.objects.filter(municipality=municipality, year__lte=base_year).exists():
        raise ValidationError(
            _("Нет ни одной кампании мониторинга до %(year)s/%(next)s учебного года.")
            % {"year": year, "next": year + 1},
            code="campaigns",
        )
    snapshots = [rule_snapshot(rule) for rule in rules]
    indicators = {i.code: i for i in Indicator.objects.all()}
    specs = [_spec(s, indicators) for s in snapshots]
    longest = max(spec.window_years for spec in specs)
    values = read_values(municipality, range(base_year - longest + 1, base_year + 1))
    schools = list(
        Organisation.objects.filter(municipality=municipality, kind=Organisation.Kind.SCHOOL)
        .order_by("short_name", "pk")
        .values_list("pk", flat=True)
    )
    verdicts, warnings = selection.identify(specs, values, schools, base_year)
    with transaction.atomic():
        stale = list(
            IdentificationRun.objects.select_for_update().filter(
                municipality=municipality, year=year, state=State.PROPOSED
            )
        )
        for old in stale:
            old.state = State.DISCARDED
            old.version += 1
            old.save(update_fields=["state", "version"])
            _event(
                old,
                "discard",
                actor,
                from_state=State.PROPOSED,
                to_state=State.DISCARDED,
                comment=_("Заменён новым отбором."),
            )
        run = IdentificationRun.objects.create(
            municipality=municipality,
            year=year,
            rules=snapshots,
            campaign_years=sorted(values),
            warnings=warnings,
            created_by=actor,
        )
        entries = []
        for kind in Kind.values:
            by_school = {v.school_id: v for v in verdicts.get(kind, [])}
            for school in schools:
                verdict = by_school.get(school)
                if verdict is None:
                    entries.append(
                        RunEntry(
                            run=run,
                            school_id=school,
                            kind=kind,
                            reason=_("Правило отбора для этого статуса не задано."),
                        )
                    )
                    continue
                entries.append(
                    RunEntry(
                        run=run,
                        school_id=school,
                        kind=kind,
                        rank=verdict.rank,
                        score=selection.to_decimal(verdict.score),
                        proposed=verdict.proposed,
                        included=verdict.proposed,
                        reason=verdict.reason,
                        details=_details(verdict),
                    )
                )
        RunEntry.objects.bulk_create(entries, batch_size=2000)
        _event(
            run,
            "create",
            actor,
            to_state=State.PROPOSED,
            proposed={k: sum(1 for v in vs if v.proposed) for k, vs in verdicts.items()},
        )
    return run


def _details(verdict) -> dict:
    return {
        "flagged_years": verdict.flagged_years,
        "excluded_by": verdict.excluded_by,
        "years": {
            str(year): {
                "assessed": r.assessed,
                "flagged": r.flagged,
                "score": None if r.score is None else f"{r.score:.3f}",
                "rank": r.rank,
                "of": r.of,
                "values": {code: f"{v:g}" for code, v in r.values.items()},
            }
            for year, r in verdict.years.items()
        },
    }


def change_entry(entry: RunEntry, *, actor, included: bool, reason: str, version: int) -> RunEntry:
    """The department includes or excludes a school by hand, with a reason (required unless
    the change returns to what the rule proposed)."""
    run = entry.run
    require(actor, "monitoring.change_run", run)
    reason = (reason or "").strip()
    if included != entry.proposed and not reason:
        raise ValidationError(
            {
                "reason": _(
                    "Укажите причину: изменение предложения правила без причины не сохраняется."
                )
            }
        )
    with transaction.atomic():
        run = _lock(run)
        _guard(run, "change")
        if run.version != version:
            raise StaleRun(
                _(
                    "Перечень уже изменил другой пользователь. Ваше изменение не сохранено: "
                    "проверьте перечень и повторите."
                ),
                code="stale",
            )
        entry = RunEntry.objects.select_for_update().get(pk=entry.pk, run=run)
        if entry.included == included:
            raise ValidationError(_("Школа уже в этом положении."), code="same")
        if included:
            _check_precedence(run, entry)
        before = entry.included
        entry.included = included
        entry.manual_reason = reason if included != entry.proposed else ""
        entry.changed_by = actor
        entry.changed_at = timezone.now()
        entry.save(update_fields=["included", "manual_reason", "changed_by", "changed_at"])
        run.version += 1
        run.save(update_fields=["version"])
        action = "restore" if included == entry.proposed else ("include" if included else "exclude")
        _event(
            run,
            action,
            actor,
            entry=entry,
            comment=reason,
            school=entry.school_id,
            kind=entry.kind,
            before=before,
            after=included,
        )
    return entry


def _check_precedence(run, entry):
    """A school is not ШНОР and in the risk group at once, and one with any other status is
    not «стабильно высокие результаты»."""
    clashes = set(selection.EXCLUDED_BY.get(entry.kind, ()))
    clashes |= {k for k, excluded in selection.EXCLUDED_BY.items() if entry.kind in excluded}
    other = (
        run.entries.filter(school_id=entry.school_id, kind__in=clashes, included=True)
        .values_list("kind", flat=True)
        .first()
    )
    if other:
        raise ValidationError(
            _("Школа уже включена в перечень со статусом «%(other)s»: сначала исключите её оттуда.")
            % {"other": Kind(other).label},
            code="precedence",
        )


def confirm_run(run: IdentificationRun, *, actor, version: int) -> IdentificationRun:
    """The department confirms the list: the order approving it is drafted (issued by the
    department, to be signed by the holder of its signing right) with the list as its
    appendix, and cancels the order of an earlier list of the same year."""
    require(actor, "monitoring.confirm_run", run)
    department = Organisation.objects.filter(
        municipality_id=run.municipality_id, kind=Organisation.Kind.DEPARTMENT
    ).first()
    if department is None:
        raise ValidationError(_("У муниципалитета нет управления образования."), code="issuer")
    with transaction.atomic():
        run = _lock(run)
        _guard(run, "confirm")
        if run.version != version:
            raise StaleRun(
                _("Перечень уже изменил другой пользователь: проверьте его и подтвердите снова."),
                code="stale",
            )
        included = list(
            run.entries.filter(included=True).select_related("school").order_by("kind", "rank")
        )
        if not any(e.kind in (Kind.SHNOR, Kind.SHNSU) for e in included):
            raise ValidationError(
                _("В перечне нет ни одной ШНОР или ШНСУ: подтверждать нечего."), code="empty"
            )
        previous = (
            IdentificationRun.objects.filter(
                municipality_id=run.municipality_id,
                year=run.year,
                state=State.IN_FORCE,
                order__lost_force_by=None,
            )
            .select_related("order")
            .order_by("-pk")
            .first()
        )
        order = _draft_order(run, department, included, previous, actor=actor)
        run.order = order
        run.state = State.CONFIRMED
        run.version += 1
        run.save(update_fields=["order", "state", "version"])
        _event(
            run,
            "confirm",
            actor,
            from_state=State.PROPOSED,
            to_state=State.CONFIRMED,
            order=order.pk,
            included={k: sum(1 for e in included if e.kind == k) for k in Kind.values},
        )
    return run


KIND_ORDER = [Kind.SHNOR, Kind.SHNSU, Kind.RISK, Kind.HIGH]
# The list's groups as the appendix prints them.
GROUP_TITLES = {
    Kind.SHNOR: "Школы с низкими результатами обучения",
    Kind.SHNSU: "Школы, функционирующие в неблагоприятных социальных условиях",
    Kind.RISK: "Школы группы риска",
    Kind.HIGH: "Школы со стабильно высокими результатами",
}
COLUMNS = ["№ п/п", "Наименование общеобразовательной организации", "Основание включения"]


def _years_words(years) -> str:
    labels = [f"{y}/{y + 1}" for y in years]
    if len(labels) == 1:
        return f"{labels[0]} учебный год"
    return ", ".join(labels[:-1]) + f" и {labels[-1]} учебные годы"


@in_russian
def order_content(run, included, previous):
    """The order's preamble, points and the appendix's rows — in Russian whatever the
    department specialist's interface language."""
    municipality = run.municipality
    years = run.campaign_years
    preamble = (
        "В целях организации адресной методической поддержки школ с низкими результатами "
        "обучения и школ, функционирующих в неблагоприятных социальных условиях, по результатам "
        f"мониторинга образовательных результатов и социального контекста общеобразовательных "
        f"организаций {municipality.name_genitive or municipality.name} за {_years_words(years)}"
    )
    points = [
        ParsedPoint(
            "numbered",
            "Утвердить перечень школ с низкими результатами обучения и школ, функционирующих в "
            f"неблагоприятных социальных условиях, на {run.academic_year} учебный год "
            "(приложение).",
        ),
        ParsedPoint(
            "numbered",
            "Руководителям общеобразовательных организаций, включённых в перечень, обеспечить "
            "участие в мероприятиях сетевого взаимодействия и разработку программ повышения "
            "качества образования с учётом факторов риска.",
        ),
    ]
    if previous and previous.order and previous.order.is_signed:
        act = previous.order
        points.append(
            ParsedPoint(
                "numbered",
                f"Признать утратившим силу приказ от {act.date:%d.%m.%Y} № {act.number} "
                f"«{act.heading}».",
            )
        )
    points.append(
        ParsedPoint("numbered", "Контроль за исполнением настоящего приказа оставляю за собой.")
    )
    rows = []
    for kind in KIND_ORDER:
        group = [e for e in included if e.kind == kind]
        if not group:
            continue
        rows.append(["", GROUP_TITLES[kind], ""])
        for number, entry in enumerate(group, start=1):
            rows.append(
                [str(number), entry.school.full_name or entry.school.short_name, _basis(entry)]
            )
    return preamble, points, rows


def _basis(entry) -> str:
    if entry.included and not entry.proposed:
        return f"Решение управления образования: {entry.manual_reason}"
    years = [y for y, r in sorted(entry.details.get("years", {}).items()) if r.get("flagged")]
    if not years:
        return "По правилу отбора"
    return (
        "По результатам мониторинга: признак в "
        + ", ".join(f"{y}/{int(y) + 1}" for y in years)
        + " уч. г."
    )


def _draft_order(run, department, included, previous, *, actor) -> LegalDocument:
    preamble, points, rows = order_content(run, included, previous)
    order = document_services.create_document(
        department,
        actor=actor,
        kind=LegalDocument.Kind.ORDER,
        heading=ORDER_HEADING,
        preamble=preamble,
        signing_right=SigningRight.objects.default_for(department),
    )
    document_services.add_appendix(
        order,
        actor=actor,
        kind=LegalDocument.Kind.ROSTER,
        heading=(
            "школ с низкими результатами обучения и школ, функционирующих в неблагоприятных "
            f"социальных условиях, на {run.academic_year} учебный год"
        ),
        approved_by_parent=True,
        table={"columns": COLUMNS, "rows": rows},
    )
    document_services.replace_body(order, points, actor=actor)
    if previous and previous.order and previous.order.is_signed:
        document_services.set_relation(
            order, actor=actor, kind=DocumentRelation.Kind.CANCELS, target=previous.order
        )
    return order


def discard_run(run: IdentificationRun, *, actor, version: int) -> IdentificationRun:
    """Set a run aside; a confirmed run's draft order is deleted with it."""
    require(actor, "monitoring.discard_run", run)
    with transaction.atomic():
        run = _lock(run)
        _guard(run, "discard")
        if run.version != version:
            raise StaleRun(_("Отбор уже изменил другой пользователь."), code="stale")
        order = run.order
        before = run.state
        run.state = State.DISCARDED
        run.order = None
        run.version += 1
        run.save(update_fields=["state", "order", "version"])
        if order is not None and order.is_draft:
            document_services.delete_draft(order, actor=actor)
        _event(run, "discard", actor, from_state=before, to_state=State.DISCARDED)
    return run


def put_list_in_force(document: LegalDocument, *, on_date, actor=None) -> None:
    """Called inside the signing transaction of ``document``: when it is the order approving
    a run's list, the schools' statuses of the run's year become the list's, each naming the
    order; the run is in force."""
    run = (
        IdentificationRun.objects.select_for_update()
        .filter(order=document, state=State.CONFIRMED)
        .select_related("municipality")
        .first()
    )
    if run is None:
        return
    basis = (
        f"приказ {document.issuer.short_name_genitive} от {on_date:%d.%m.%Y} № {document.number}"
    )[:300]
    statuses = list(run.entries.filter(included=True).values_list("school_id", "kind"))
    replace_year_statuses(
        run.municipality, year=run.year, statuses=statuses, act=document, basis=basis, actor=actor
    )
    run.state = State.IN_FORCE
    run.version += 1
    run.save(update_fields=["state", "version"])
    _event(
        run,
        "in_force",
        actor,
        from_state=State.CONFIRMED,
        to_state=State.IN_FORCE,
        order=document.pk,
        statuses=len(statuses),
    )
