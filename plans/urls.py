from django.urls import path

from .views import lines, plans, proposals, revisions, visas

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
]
