from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.index, name="index"),
    path("region/", views.region, name="region"),
    path("region/report.pdf", views.region_pdf, name="region_pdf"),
    path("region/report.xlsx", views.region_xlsx, name="region_xlsx"),
    path("centers/<id:pk>/", views.center, name="center"),
    path("centers/<id:pk>/report.pdf", views.center_pdf, name="center_pdf"),
    path("centers/<id:pk>/report.xlsx", views.center_xlsx, name="center_xlsx"),
    path("municipalities/<id:pk>/", views.municipality, name="municipality"),
    path("municipalities/<id:pk>/report.pdf", views.municipality_pdf, name="municipality_pdf"),
    path("municipalities/<id:pk>/report.xlsx", views.municipality_xlsx, name="municipality_xlsx"),
]
