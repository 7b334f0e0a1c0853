from django.urls import path

from .views import lines, plans, proposals, revisions, visas

app_name = "plans"

urlpatterns = [
    path("", plans.plan_list, name="list"),
    path("new/<int:center_pk>/", plans.plan_create, name="create"),
    path("<int:pk>/", plans.plan_detail, name="detail"),
    path("<int:pk>/compare/", revisions.revision_compare, name="compare"),
    path("<int:pk>/propose/", proposals.proposal_create, name="proposal_create"),
    path("revisions/<int:pk>/export.xlsx", revisions.revision_export, name="export"),
    path("revisions/<int:pk>/pdf/", revisions.revision_pdf, name="pdf"),
    path("revisions/<int:pk>/lines/add/", lines.line_add, name="line_add"),
    path(
        "revisions/<int:pk>/transition/<slug:name>/",
        revisions.revision_transition,
        name="transition",
    ),
    path("revisions/<int:pk>/visa/<int:school_pk>/", visas.give_visa, name="visa"),
    path("lines/<int:pk>/", lines.line_row, name="line_row"),
    path("lines/<int:pk>/edit/", lines.line_edit, name="line_edit"),
    path("lines/<int:pk>/delete/", lines.line_delete, name="line_delete"),
    path("proposals/", proposals.proposal_list, name="proposals"),
    path("proposals/<int:pk>/", proposals.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/decide/", proposals.proposal_decide, name="proposal_decide"),
    path("proposals/<int:pk>/withdraw/", proposals.proposal_withdraw, name="proposal_withdraw"),
    path("proposals/<int:pk>/edit/", proposals.proposal_edit, name="proposal_edit"),
]
