from django.urls import path

from . import views

app_name = "schools"

urlpatterns = [
    path("", views.school_list, name="list"),
    path("<id:pk>/", views.school_detail, name="detail"),
    path("<id:pk>/edit/", views.school_edit, name="edit"),
    path("<id:pk>/people/new/", views.person_create, name="person_create"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("people/<id:pk>/edit/", views.person_edit, name="person_edit"),
]
