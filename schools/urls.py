from django.urls import path

from . import views, views_resources

app_name = "schools"

urlpatterns = [
    path("", views.school_list, name="list"),
    path("<id:pk>/", views.school_detail, name="detail"),
    path("<id:pk>/edit/", views.school_edit, name="edit"),
    path("<id:pk>/people/new/", views.person_create, name="person_create"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("people/<id:pk>/edit/", views.person_edit, name="person_edit"),
    # The resources schools offer to the network (``views_resources``).
    path("resources/", views_resources.resource_list, name="resource_list"),
    path("resources/<id:pk>/", views_resources.resource_detail, name="resource_detail"),
    path("resources/<id:pk>/edit/", views_resources.resource_edit, name="resource_edit"),
    path("resources/<id:pk>/delete/", views_resources.resource_delete, name="resource_delete"),
    path("<id:pk>/resources/", views_resources.school_resources, name="school_resources"),
    path(
        "<id:pk>/resources/new/<slug:kind>/",
        views_resources.resource_create,
        name="resource_create",
    ),
]
