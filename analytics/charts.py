"""Server-rendered SVG charts of the effectiveness pages and of the PDF report: one code for both.

Three kinds: a horizontal bar chart (``bars``), a stacked bar of the events held on time / late /
not held / upcoming (``timeliness``), and a «baseline → latest» dot-and-arrow chart of a
school's indicators (``indicator_changes``). Each is a string of SVG, marked safe, that the
templates put inline, always next to a ``<table>`` with the same numbers (the table is the
accessible source; the chart is where a person would rather look than read).

Every chart has ``role="img"``, a ``<title>`` and an ``aria-label``; a ``viewBox`` and no fixed
size, so it scales to the width of a 390 px phone (labels sit above their bars, not beside,
to leave the bars the whole width); and reads in monochrome print: the segments of a stacked
bar differ by pattern and outline, not only by colour, the baseline and the latest value by a
hollow and a filled dot with the arrow between them, and every number is also printed as text.
No style attributes (the site's CSP forbids inline styles): presentation attributes only. No
JavaScript, no library.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 320
FONT = 13
SMALL = 11
INK = "#212529"
FONT_FAMILY = "Liberation Serif, Times New Roman, serif"


def _fmt(value) -> str:
    if isinstance(value, float):
        text = f"{value:.1f}".rstrip("0").rstrip(".")
        return text.replace(".", ",")
    return str(value)


def _svg(chart_id: str, title: str, height: float, body: list[str], defs: str = "") -> SafeString:
    title = escape(title)
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="analytics-chart" id="{chart_id}" '
        f'role="img" aria-label="{title}" aria-labelledby="{chart_id}-title" '
        f'width="100%" viewBox="0 0 {WIDTH} {height:g}" preserveAspectRatio="xMinYMin meet" '
        f'font-family="{FONT_FAMILY}" font-size="{FONT}" fill="{INK}">'
        f'<title id="{chart_id}-title">{title}</title>'
        + (f"<defs>{defs}</defs>" if defs else "")
        + "".join(body)
        + "</svg>"
    )


# The average advance of a character of the serif at 1 em, Cyrillic and digits mixed
# (Liberation Serif): what a label over the whole width may hold before it is cut.
CHAR_EM = 0.5


def _fit(text: str, size=FONT, width=WIDTH) -> str:
    """``text`` cut with «…» to the chart's width: the SVG does not wrap, and the full label is
    in the table beside the chart."""
    room = int(width / (size * CHAR_EM))
    return text if len(text) <= room else text[: room - 1].rstrip() + "…"


def _text(x, y, text, *, size=FONT, anchor="start", weight="", fill=INK) -> str:
    weight = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{x:g}" y="{y:g}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}"{weight}>{escape(text)}</text>'
    )


# --- horizontal bars ------------------------------------------------------------------------------


def bars(
    chart_id: str, title: str, items: list[tuple[str, float]], *, unit: str = "", maximum=None
) -> SafeString:
    """One bar per ``(label, value)``, the label above its bar and the value after it."""
    row = 40
    top = 4
    height = top + row * max(len(items), 1) + 4
    peak = maximum if maximum is not None else max((v for _, v in items), default=0)
    span = WIDTH - 70
    body = []
    if not items:
        body.append(_text(0, 20, _("Нет данных")))
        height = 30
    for n, (label, value) in enumerate(items):
        y = top + n * row
        width = 0 if not peak else span * float(value) / float(peak)
        body.append(_text(0, y + 13, _fit(label)))
        body.append(
            f'<rect x="0" y="{y + 18:g}" width="{max(width, 1):.1f}" height="14" '
            f'fill="#495057" stroke="{INK}" stroke-width="0.8"/>'
        )
        body.append(_text(width + 5, y + 30, f"{_fmt(value)}{unit}", weight="bold"))
    return _svg(chart_id, title, height, body)


# --- stacked bars: on time / late / not held / upcoming -------------------------------------------


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    fill: str  # a colour or a pattern's url
    text: str  # the colour of the number printed inside


def _segments(chart_id: str) -> list[Segment]:
    return [
        Segment("on_time", _("в срок"), "#1e5f3a", "#ffffff"),
        Segment("late", _("с опозданием"), f"url(#{chart_id}-hatch)", INK),
        Segment("not_held", _("не проведено"), "#ffffff", INK),
        Segment("upcoming", _("предстоит"), f"url(#{chart_id}-dots)", INK),
    ]


def _patterns(chart_id: str) -> str:
    return (
        f'<pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f3d9b1"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{INK}" stroke-width="2"/></pattern>'
        f'<pattern id="{chart_id}-dots" width="5" height="5" patternUnits="userSpaceOnUse">'
        f'<rect width="5" height="5" fill="#e9ecef"/>'
        f'<circle cx="2.5" cy="2.5" r="1" fill="{INK}"/></pattern>'
    )


def timeliness(chart_id: str, title: str, rows: list[tuple[str, object]]) -> SafeString:
    """A 100 % bar per ``(label, Timeliness)``: its events held on time, late, not held and
    upcoming, each segment with its count; the legend below names the patterns."""
    segments = _segments(chart_id)
    row = 40
    top = 4
    body = []
    for n, (label, counts) in enumerate(rows):
        y = top + n * row
        values = [
            counts.on_time,
            counts.late,
            counts.not_held,
            counts.upcoming,
        ]
        total = sum(values)
        share = counts.percent_on_time
        caption = label if share is None else f"{label} — {share} % {_('в срок')}"
        if share is not None and len(caption) > len(_fit(caption)):
            # The share is what the caption is for: the name gives way to it.
            tail = f" — {share} % {_('в срок')}"
            caption = _fit(label, width=WIDTH - len(tail) * FONT * CHAR_EM) + tail
        body.append(_text(0, y + 13, _fit(caption)))
        if not total:
            body.append(
                f'<rect x="0" y="{y + 18}" width="{WIDTH}" height="16" fill="none" '
                f'stroke="{INK}" stroke-width="0.6" stroke-dasharray="3 3"/>'
            )
            body.append(_text(6, y + 30, _("мероприятий нет"), size=SMALL))
            continue
        x = 0.0
        for segment, value in zip(segments, values, strict=True):
            if not value:
                continue
            width = WIDTH * value / total
            body.append(
                f'<rect x="{x:.1f}" y="{y + 18}" width="{width:.1f}" height="16" '
                f'fill="{segment.fill}" stroke="{INK}" stroke-width="0.8">'
                f"<title>{escape(segment.label)}: {value}</title></rect>"
            )
            if width >= 16:
                body.append(
                    _text(
                        x + width / 2,
                        y + 30,
                        str(value),
                        anchor="middle",
                        weight="bold",
                        fill=segment.text,
                    )
                )
            x += width
    legend_y = top + row * max(len(rows), 1) + 6
    # The legend in two columns: it fits the phone's width whatever the language.
    for n, segment in enumerate(segments):
        x, y = (n % 2) * WIDTH / 2, legend_y + (n // 2) * 17
        body.append(
            f'<rect x="{x:g}" y="{y}" width="14" height="12" fill="{segment.fill}" '
            f'stroke="{INK}" stroke-width="0.8"/>'
        )
        body.append(_text(x + 18, y + 11, segment.label, size=SMALL))
    return _svg(chart_id, title, legend_y + 35, body, _patterns(chart_id))


# --- baseline → latest, per indicator -------------------------------------------------------------


def _window(change) -> tuple[float, float]:
    """The part of the indicator's range a row shows: around its two values, wide enough that
    the change reads as a distance (at least a tenth of the range, three times the change),
    inside the range. The row prints its ends, so the scale is never implied."""
    low, high = float(change.min_value), float(change.max_value)
    values = [float(v) for v in (change.baseline, change.latest) if v is not None]
    if not values:
        return low, high
    middle = (min(values) + max(values)) / 2
    span = min(max((max(values) - min(values)) * 3, (high - low) / 10), high - low)
    start = min(max(middle - span / 2, low), high - span)
    return start, start + span


def indicator_changes(chart_id: str, title: str, changes: list) -> SafeString:
    """A row per indicator (``IndicatorChange``): a window of its range (``_window``) as a
    line, the baseline a hollow
    dot, the latest a filled dot, an arrow from one to the other; the values and «лучше» /
    «хуже» as text above, so the direction reads without colour."""
    row = 44
    top = 4
    left, right = 8, WIDTH - 8
    body = []
    defs = (
        f'<marker id="{chart_id}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{INK}"/></marker>'
    )
    shown = [c for c in changes if c.baseline is not None or c.latest is not None]
    if not shown:
        body.append(_text(0, 20, _("Нет данных")))
    for n, change in enumerate(shown):
        y = top + n * row
        low, high = _window(change)
        span = (high - low) or 1.0

        def x_of(value, low=low, span=span):
            return left + (right - left) * (float(value) - low) / span

        verdict = {True: _("лучше"), False: _("хуже"), None: _("без изменений")}[change.improved]
        if change.baseline is None or change.latest is None:
            verdict = _("нет данных для сравнения")
        values = " → ".join(v for v in (change.baseline_display, change.latest_display) if v)
        body.append(_text(0, y + 13, change.code, weight="bold"))
        body.append(
            _text(WIDTH, y + 13, f"{values} {change.unit}, {verdict}", anchor="end", size=SMALL)
        )
        line_y = y + 28
        body.append(
            f'<line x1="{left}" y1="{line_y}" x2="{right}" y2="{line_y}" stroke="#adb5bd" '
            f'stroke-width="1"/>'
        )
        body.append(_text(left, line_y + 13, change.display(low), size=9))
        body.append(_text(right, line_y + 13, change.display(high), size=9, anchor="end"))
        if change.baseline is not None and change.latest is not None and change.change:
            x1, x2 = x_of(change.baseline), x_of(change.latest)
            # Stop the arrow at the filled dot's edge.
            x2_tip = x2 - 5 if x2 > x1 else x2 + 5
            body.append(
                f'<line x1="{x1:.1f}" y1="{line_y}" x2="{x2_tip:.1f}" y2="{line_y}" '
                f'stroke="{INK}" stroke-width="1.6" marker-end="url(#{chart_id}-arrow)"/>'
            )
        if change.baseline is not None:
            body.append(
                f'<circle cx="{x_of(change.baseline):.1f}" cy="{line_y}" r="4.5" fill="#ffffff" '
                f'stroke="{INK}" stroke-width="1.5"><title>{escape(_("базовое значение"))}: '
                f"{escape(change.baseline_display)}</title></circle>"
            )
        if change.latest is not None:
            body.append(
                f'<circle cx="{x_of(change.latest):.1f}" cy="{line_y}" r="4.5" fill="{INK}">'
                f"<title>{escape(_('последнее значение'))}: {escape(change.latest_display)}"
                f"</title></circle>"
            )
    legend_y = top + row * max(len(shown), 1) + 4
    body.append(
        f'<circle cx="6" cy="{legend_y + 6}" r="4.5" fill="#ffffff" stroke="{INK}" '
        f'stroke-width="1.5"/>'
    )
    body.append(_text(16, legend_y + 10, _("базовая кампания"), size=SMALL))
    body.append(f'<circle cx="{WIDTH / 2 + 6:g}" cy="{legend_y + 6}" r="4.5" fill="{INK}"/>')
    body.append(_text(WIDTH / 2 + 16, legend_y + 10, _("последняя кампания"), size=SMALL))
    return _svg(chart_id, title, legend_y + 16, body, defs)
