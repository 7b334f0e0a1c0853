from django.urls import path

from . import views

app_name = "practices"

urlpatterns = [
    path("", views.practice_list, name="list"),
    path("<id:pk>/", views.practice_detail, name="detail"),
    path("<id:pk>/withdraw/", views.practice_withdraw, name="withdraw"),
    # ``kind``: event, material or resource (``Practice.Kind``); anything else answers 404.
    path("mark/<slug:kind>/<id:pk>/", views.practice_mark, name="mark"),
]
