from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("journal.xlsx", views.journal_export, name="export"),
    path("new/", views.document_create, name="create"),
    path("<id:pk>/", views.document_detail, name="detail"),
    path("<id:pk>/edit/", views.document_edit, name="edit"),
    path("<id:pk>/delete/", views.document_delete, name="delete"),
    path("<id:pk>/body/", views.document_body, name="body"),
    path("<id:pk>/body/text/", views.body_text, name="body_text"),
    path("<id:pk>/points/add/", views.point_add, name="point_add"),
    path("points/<id:pk>/edit/", views.point_edit, name="point_edit"),
    path("points/<id:pk>/move/", views.point_move, name="point_move"),
    path("points/<id:pk>/delete/", views.point_delete, name="point_delete"),
    path("<id:pk>/appendices/add/", views.appendix_add, name="appendix_add"),
    path("<id:pk>/relations/add/", views.relation_add, name="relation_add"),
    path("relations/<id:pk>/delete/", views.relation_delete, name="relation_delete"),
    path("<id:pk>/sign/", views.document_sign, name="sign"),
    path("<id:pk>/register/", views.document_register, name="register"),
    path("<id:pk>/pdf/", views.document_pdf, name="pdf"),
    path("<id:pk>/scan/", views.document_scan, name="scan"),
    path("signing-rights/", views.signing_rights, name="signing_rights"),
    path("signing-rights/<id:pk>/end/", views.signing_right_end, name="signing_right_end"),
]
