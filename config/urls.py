from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("desk.urls")),
    path("", include("cases.urls")),
    path("", include("rehab.urls")),
    path("", include("plans.urls")),
    path("", include("followup.urls")),
    path("", include("interchange.urls")),
    path("", include("outcomes.urls")),
    path("tilsyn/", include("supervision.urls")),
]

# Danish error page without the database; 503 when the database is unreachable (config/views.py).
handler500 = "config.views.server_error"
