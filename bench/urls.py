"""URLs of the page benchmark: the project's own, plus the two reference views."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("bench/ref/template/", views.reference_template),
    path("bench/ref/orm5/", views.reference_orm5),
    path("", include("network_center.urls")),
]
