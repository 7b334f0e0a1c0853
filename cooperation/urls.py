from django.urls import path

from .views import groups, mentoring, people

app_name = "cooperation"

urlpatterns = [
    path("centers/<id:pk>/mentoring/", mentoring.center_mentoring, name="center_mentoring"),
    path("centers/<id:pk>/mentoring/new/", mentoring.pair_create, name="pair_create"),
    path("centers/<id:pk>/groups/", groups.center_groups, name="center_groups"),
    path("centers/<id:pk>/groups/new/", groups.group_create, name="group_create"),
    path("schools/<id:pk>/mentoring/", mentoring.school_mentoring, name="school_mentoring"),
    path("mentoring/<id:pk>/", mentoring.pair_detail, name="pair"),
    path("mentoring/<id:pk>/edit/", mentoring.pair_edit, name="pair_edit"),
    path("mentoring/<id:pk>/complete/", mentoring.pair_complete, name="pair_complete"),
    path("mentoring/<id:pk>/stop/", mentoring.pair_stop, name="pair_stop"),
    path("mentoring/<id:pk>/meetings/new/", mentoring.meeting_add, name="meeting_add"),
    path("groups/<id:pk>/", groups.group_detail, name="group"),
    path("groups/<id:pk>/edit/", groups.group_edit, name="group_edit"),
    path("groups/<id:pk>/members/add/", groups.member_add, name="member_add"),
    path("group-members/<id:pk>/remove/", groups.member_remove, name="member_remove"),
    path("people/<id:pk>/", people.person_detail, name="person"),
]
