from django.urls import path, re_path

from .views import calendar, execution, lines, overdue, plans, proposals, revisions, visas

app_name = "plans"

urlpatterns = [
    path("", plans.plan_list, name="list"),
    path("new/<id:center_pk>/", plans.plan_create, name="create"),
    path("<id:pk>/", plans.plan_detail, name="detail"),
    path("<id:pk>/compare/", revisions.revision_compare, name="compare"),
    path("<id:pk>/propose/", proposals.proposal_create, name="proposal_create"),
    path("revisions/<id:pk>/export.xlsx", revisions.revision_export, name="export"),
    path("revisions/<id:pk>/pdf/", revisions.revision_pdf, name="pdf"),
    path("revisions/<id:pk>/lines/add/", lines.line_add, name="line_add"),
    path(
        "revisions/<id:pk>/transition/<slug:name>/",
        revisions.revision_transition,
        name="transition",
    ),
    path("revisions/<id:pk>/visa/<id:school_pk>/", visas.give_visa, name="visa"),
    path("lines/<id:pk>/", lines.line_row, name="line_row"),
    path("lines/<id:pk>/edit/", lines.line_edit, name="line_edit"),
    path("lines/<id:pk>/delete/", lines.line_delete, name="line_delete"),
    path("proposals/", proposals.proposal_list, name="proposals"),
    path("proposals/<id:pk>/", proposals.proposal_detail, name="proposal"),
    path("proposals/<id:pk>/decide/", proposals.proposal_decide, name="proposal_decide"),
    path("proposals/<id:pk>/withdraw/", proposals.proposal_withdraw, name="proposal_withdraw"),
    path("proposals/<id:pk>/edit/", proposals.proposal_edit, name="proposal_edit"),
    # --- execution --------------------------------------------------------------------------
    path("events/<id:pk>/", execution.execution_detail, name="execution"),
    path("events/<id:pk>/report/", execution.execution_report, name="execution_report"),
    path("events/<id:pk>/postpone/", execution.execution_postpone, name="execution_postpone"),
    path(
        "events/<id:pk>/decide/<slug:name>/",
        execution.execution_transition,
        name="execution_transition",
    ),
    path("events/<id:pk>/files/", execution.evidence_add, name="evidence_add"),
    path("files/<id:pk>/", execution.evidence_download, name="evidence"),
    path("files/<id:pk>/delete/", execution.evidence_delete, name="evidence_delete"),
    path("revisions/<id:pk>/execution/", execution.execution_overview, name="execution_overview"),
    path(
        "revisions/<id:pk>/execution/report.pdf",
        execution.execution_report_pdf,
        name="execution_report_pdf",
    ),
    path(
        "revisions/<id:pk>/execution/report.xlsx",
        execution.execution_report_xlsx,
        name="execution_report_xlsx",
    ),
    # --- calendar, feeds, overdue ---
    path("calendar/", calendar.calendar_page, name="calendar"),
    path("calendar/feeds/", calendar.feed_list, name="feeds"),
    path("calendar/feeds/<id:pk>/revoke/", calendar.feed_revoke, name="feed_revoke"),
    # The token is the credential (``plans.feeds``): anything else is not a feed's address.
    re_path(r"^ical/(?P<token>[A-Za-z0-9_-]{20,64})\.ics$", calendar.ical_feed, name="ical"),
    path("centers/<id:pk>/overdue/", overdue.center_overdue, name="overdue"),
]
