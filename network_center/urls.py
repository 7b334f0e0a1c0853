from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from schools.forms import LoginForm

from . import views
from .documents import views as document_views

admin.site.site_header = _("Центр сетевого взаимодействия — администрирование")
admin.site.site_title = _("network_center")

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=LoginForm
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/language/", views.language, name="language"),
    path("schools/", include("schools.urls")),
    path("centers/", include("network_center.centers.urls")),
    path("documents/", include("network_center.documents.urls")),
    path("plans/", include("plans.urls")),
    path("cooperation/", include("cooperation.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("practices/", include("practices.urls")),
    path("analytics/", include("analytics.urls")),
    path("notifications/", include("network_center.notifications.urls")),
    path("verify/<str:code>/", document_views.verify, name="verify"),
    path("admin/", admin.site.urls),
]

handler403 = "network_center.views.permission_denied"
