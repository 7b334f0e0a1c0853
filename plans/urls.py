from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/<int:center_pk>/", views.plan_create, name="create"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/compare/", views.revision_compare, name="compare"),
    path("<int:pk>/propose/", views.proposal_create, name="proposal_create"),
    path("revisions/<int:pk>/export.xlsx", views.revision_export, name="export"),
    path("revisions/<int:pk>/pdf/", views.revision_pdf, name="pdf"),
    path("revisions/<int:pk>/lines/add/", views.line_add, name="line_add"),
    path(
        "revisions/<int:pk>/transition/<slug:name>/",
        views.revision_transition,
        name="transition",
    ),
    path("revisions/<int:pk>/visa/<int:school_pk>/", views.give_visa, name="visa"),
    path("lines/<int:pk>/", views.line_row, name="line_row"),
    path("lines/<int:pk>/edit/", views.line_edit, name="line_edit"),
    path("lines/<int:pk>/delete/", views.line_delete, name="line_delete"),
    path("proposals/", views.proposal_list, name="proposals"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/decide/", views.proposal_decide, name="proposal_decide"),
    path("proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="proposal_withdraw"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="proposal_edit"),
]
