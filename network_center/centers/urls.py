from django.urls import path

from . import views

app_name = "centers"

urlpatterns = [
    path("", views.center_list, name="list"),
    path("new/", views.center_create, name="create"),
    path("<int:pk>/", views.center_detail, name="detail"),
    path("<int:pk>/edit/", views.center_edit, name="edit"),
    path("<int:pk>/close/", views.center_close, name="close"),
    path("<int:pk>/participants/add/", views.participant_add, name="participant_add"),
    path("participants/<int:pk>/edit/", views.participant_edit, name="participant_edit"),
    path("participants/<int:pk>/delete/", views.participant_delete, name="participant_delete"),
    path("<int:pk>/working-group/", views.working_group, name="working_group"),
    path("<int:pk>/working-group/draft/", views.composition_draft, name="composition_draft"),
    path("<int:pk>/working-group/add/", views.member_add, name="member_add"),
    path("<int:pk>/working-group/new-person/", views.member_new_person, name="member_new_person"),
    path("working-group/members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("working-group/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
]
