from django.urls import path

from . import views, views_lists, views_risks

app_name = "monitoring"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<id:pk>/", views.campaign_detail, name="campaign"),
    path("<id:pk>/template.xlsx", views.template_download, name="template"),
    path("<id:pk>/import/", views.upload, name="upload"),
    path("imports/<id:pk>/", views.import_detail, name="import"),
    path("imports/<id:pk>/confirm/", views.import_confirm, name="confirm"),
    path("imports/<id:pk>/progress/", views.import_progress, name="import_progress"),
    # Identification of ШНОР / ШНСУ (``views_lists``).
    path("identification/<id:pk>/", views_lists.identification, name="identification"),
    path("identification/<id:pk>/rules/<slug:kind>/", views_lists.rule_edit, name="rule_edit"),
    path("identification/<id:pk>/run/", views_lists.run_create, name="run_create"),
    path("runs/<id:pk>/", views_lists.run_detail, name="run"),
    path("runs/<id:pk>/confirm/", views_lists.run_confirm, name="run_confirm"),
    path("runs/<id:pk>/discard/", views_lists.run_discard, name="run_discard"),
    path("runs/entries/<id:pk>/", views_lists.entry_change, name="entry_change"),
    # Risk profiles (views_risks)
    path("risks/<id:pk>/", views_risks.risk_list, name="risk_list"),
    path("risks/schools/<id:pk>/<int:year>/", views_risks.risk_profile, name="risk_profile"),
]
