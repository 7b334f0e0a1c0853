from django.urls import path

from . import views

app_name = "centers"

urlpatterns = [
    path("", views.center_list, name="list"),
    path("new/", views.center_create, name="create"),
    path("<id:pk>/", views.center_detail, name="detail"),
    path("<id:pk>/edit/", views.center_edit, name="edit"),
    path("<id:pk>/close/", views.center_close, name="close"),
    path("<id:pk>/participants/add/", views.participant_add, name="participant_add"),
    path("participants/<id:pk>/edit/", views.participant_edit, name="participant_edit"),
    path("participants/<id:pk>/delete/", views.participant_delete, name="participant_delete"),
    path("<id:pk>/working-group/", views.working_group, name="working_group"),
    path("<id:pk>/working-group/draft/", views.composition_draft, name="composition_draft"),
    path("<id:pk>/working-group/add/", views.member_add, name="member_add"),
    path("<id:pk>/working-group/new-person/", views.member_new_person, name="member_new_person"),
    path("working-group/members/<id:pk>/edit/", views.member_edit, name="member_edit"),
    path("working-group/members/<id:pk>/remove/", views.member_remove, name="member_remove"),
]
