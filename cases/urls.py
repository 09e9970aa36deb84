from django.urls import path

from cases import views

app_name = "cases"
urlpatterns = [
    path("forloeb/nyt/", views.forloeb_create, name="forloeb_create"),
    path("forloeb/<int:pk>/", views.forloeb_detail, name="forloeb_detail"),
    path("forloeb/<int:pk>/fase/<str:transition>/", views.forloeb_transition, name="forloeb_transition"),
    path("forloeb/<int:pk>/koordinator/", views.forloeb_assign_coordinator, name="forloeb_assign_coordinator"),
    path("borger/<int:pk>/", views.borger_detail, name="borger_detail"),
]
