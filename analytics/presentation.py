"""The charts of an effectiveness page and its PDF, built from the figures of ``metrics``: the
page and the report call the same functions, so they show the same pictures."""

from django.utils.translation import gettext as _

from monitoring.models import Indicator

from . import charts
from .metrics import Effectiveness, MunicipalityEffectiveness, RegionRow


def effectiveness_charts(data: Effectiveness, *, prefix: str, schools: bool = True) -> dict:
    """The charts of one center's or one municipality's figures; without ``schools``, none of
    each school's indicators (the municipality's page sums them up per center instead)."""
    year = data.academic_year
    rows = [(_("Всего"), data.timeliness)]
    if isinstance(data, MunicipalityEffectiveness):
        rows = [(c.center.short_name, c.timeliness) for c in data.centers] + rows
    return {
        "timeliness_rows": rows,
        "timeliness": charts.timeliness(
            f"{prefix}-timeliness",
            _(
                "Исполнение мероприятий плана %(year)s: в срок, с опозданием, не проведено, "
                "предстоит"
            )
            % {"year": year},
            rows,
        ),
        "forms": charts.bars(
            f"{prefix}-forms",
            _("Проведённые мероприятия по формам, %(year)s") % {"year": year},
            [(t.label, t.n) for t in data.forms],
        ),
        "formats": charts.bars(
            f"{prefix}-formats",
            _("Проведённые мероприятия по формату, %(year)s") % {"year": year},
            [(t.label, t.n) for t in data.formats],
        ),
        "reach": charts.bars(
            f"{prefix}-reach",
            _("Участники мероприятий по школам, %(year)s") % {"year": year},
            [(r.name, r.participants) for r in data.reach],
        ),
        "indicators": [
            (
                school,
                charts.indicator_changes(
                    f"{prefix}-indicators-{school.school_id}",
                    _("%(school)s: образовательные результаты %(base)s → %(latest)s")
                    % {
                        "school": school.name,
                        "base": school.baseline_year,
                        "latest": school.latest_year,
                    },
                    # The results (ВПР, ОГЭ, ЕГЭ) of the shown indicators are the chart; the
                    # page's table has the shown ones, the PDF's and the XLSX every one.
                    [c for c in school.shown if c.group == Indicator.Group.RESULTS],
                ),
            )
            for school in data.indicators
            if schools and school.comparable
        ],
    }


def region_charts(rows: list[RegionRow], *, year_label: str, prefix: str) -> dict:
    return {
        "timeliness": charts.timeliness(
            f"{prefix}-timeliness",
            _("Исполнение мероприятий планов %(year)s по муниципалитетам") % {"year": year_label},
            [(r.municipality.name, r.timeliness) for r in rows],
        ),
        "reach": charts.bars(
            f"{prefix}-reach",
            _("Участники мероприятий сети по муниципалитетам, %(year)s") % {"year": year_label},
            [(r.municipality.name, r.participants) for r in rows],
        ),
    }


def charted_regions(groups, *, year_label: str, prefix: str) -> list:
    """``(region, rows)`` pairs of the regional view as ``(region, rows, charts)``, the charts'
    ids prefixed with ``prefix`` and the region's id (the page and the PDF each their own)."""
    return [
        (region, rows, region_charts(rows, year_label=year_label, prefix=f"{prefix}-{region.pk}"))
        for region, rows in groups
    ]
