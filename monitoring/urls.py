from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<id:pk>/", views.campaign_detail, name="campaign"),
    path("<id:pk>/template.xlsx", views.template_download, name="template"),
    path("<id:pk>/import/", views.upload, name="upload"),
    path("imports/<id:pk>/", views.import_detail, name="import"),
    path("imports/<id:pk>/confirm/", views.import_confirm, name="confirm"),
]
