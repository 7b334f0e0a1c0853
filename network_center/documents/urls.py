from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("journal.xlsx", views.journal_export, name="export"),
    path("new/", views.document_create, name="create"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/edit/", views.document_edit, name="edit"),
    path("<int:pk>/delete/", views.document_delete, name="delete"),
    path("<int:pk>/body/", views.document_body, name="body"),
    path("<int:pk>/body/text/", views.body_text, name="body_text"),
    path("<int:pk>/points/add/", views.point_add, name="point_add"),
    path("points/<int:pk>/edit/", views.point_edit, name="point_edit"),
    path("points/<int:pk>/move/", views.point_move, name="point_move"),
    path("points/<int:pk>/delete/", views.point_delete, name="point_delete"),
    path("<int:pk>/appendices/add/", views.appendix_add, name="appendix_add"),
    path("<int:pk>/relations/add/", views.relation_add, name="relation_add"),
    path("relations/<int:pk>/delete/", views.relation_delete, name="relation_delete"),
    path("<int:pk>/sign/", views.document_sign, name="sign"),
    path("<int:pk>/register/", views.document_register, name="register"),
    path("<int:pk>/pdf/", views.document_pdf, name="pdf"),
    path("<int:pk>/scan/", views.document_scan, name="scan"),
    path("signing-rights/", views.signing_rights, name="signing_rights"),
    path("signing-rights/<int:pk>/end/", views.signing_right_end, name="signing_right_end"),
]
