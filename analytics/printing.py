"""The effectiveness report as PDF: «Аналитическая справка о результативности сетевого
взаимодействия …» — the figures of ``metrics`` in words and tables, with the same SVG charts as
the page (``presentation``), inline.

Printed by the legal documents' machinery (``network_center.documents.pdf``): its stylesheet
(print.css: A4, the ГОСТ margins, the bundled Liberation Serif, page numbers from page 2, its
tables), its renderer (PDF/A-3b, fonts embedded) and its language (``in_russian``: a printed
document is Russian whatever the reader's interface language). The note is not an act — no
number, no signature, nothing stored: it is the state of the data on the day it is downloaded,
and says so under its heading.
"""

from datetime import date

from django.template.loader import render_to_string

from network_center.documents.language import in_russian

from .metrics import CenterEffectiveness, Effectiveness, MunicipalityEffectiveness
from .presentation import charted_regions, effectiveness_charts

TEMPLATE = "analytics/report_pdf.html"
REGION_TEMPLATE = "analytics/region_pdf.html"


@in_russian
def report_heading(data: Effectiveness) -> str:
    if isinstance(data, CenterEffectiveness):
        subject = data.center.short_name_genitive()
    else:
        subject = f"центров {data.municipality.name_genitive or data.municipality.name}"
    return (
        f"о результативности сетевого взаимодействия {subject} за {data.academic_year} учебный год"
    )


@in_russian
def report_html(data: Effectiveness, *, today: date) -> str:
    return render_to_string(
        TEMPLATE,
        {
            "data": data,
            "heading": report_heading(data),
            "today": today,
            "is_municipality": isinstance(data, MunicipalityEffectiveness),
            "charts": effectiveness_charts(data, prefix="report"),
        },
    )


@in_russian
def report_pdf(data: Effectiveness, *, today: date) -> bytes:
    # The documents package renders a LegalDocument; this note is none, so it hands its own
    # HTML to the same renderer (the stylesheets and fonts parsed once per process). Not a
    # draft: no «ПРОЕКТ» — it is not an act that will be signed.
    from network_center.documents.pdf.weasy import render_html_pdf

    return render_html_pdf(report_html(data, today=today))


@in_russian
def file_name(data: Effectiveness, extension: str) -> str:
    year = data.academic_year.replace("/", "-")
    if isinstance(data, CenterEffectiveness):
        subject = data.center.short_name
    else:
        subject = data.municipality.name
    subject = "".join(ch if ch.isalnum() else "_" for ch in subject).strip("_")
    while "__" in subject:
        subject = subject.replace("__", "_")
    return f"Аналитическая_справка_{subject}_{year}.{extension}"


# --- the regional view ------------------------------------------------------------------------


@in_russian
def region_heading(groups, year_label: str) -> str:
    names = ", ".join(region.name for region, _rows in groups)
    where = f" ({names})" if names else ""
    return (
        f"о результативности сетевого взаимодействия по муниципалитетам{where} "
        f"за {year_label} учебный год"
    )


@in_russian
def region_html(groups, year_label: str, *, today: date) -> str:
    return render_to_string(
        REGION_TEMPLATE,
        {
            "heading": region_heading(groups, year_label),
            "today": today,
            "year_label": year_label,
            "groups": charted_regions(groups, year_label=year_label, prefix="report-region"),
        },
    )


@in_russian
def region_pdf(groups, year_label: str, *, today: date) -> bytes:
    """The regional view printed as the municipalities' notes are (``report_pdf``)."""
    from network_center.documents.pdf.weasy import render_html_pdf

    return render_html_pdf(region_html(groups, year_label, today=today))


def region_file_name(year_label: str, extension: str) -> str:
    return f"Аналитическая_справка_муниципалитеты_{year_label.replace('/', '-')}.{extension}"
