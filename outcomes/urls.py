from django.urls import path

from outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("forloeb/<int:pk>/resultat/", views.forloeb_result, name="forloeb_result"),
    path("forloeb/<int:pk>/resultat/status/<str:point>/", views.exit_status_record, name="exit_status_record"),
    path("forloeb/<int:pk>/resultat/oplysninger/", views.result_update, name="result_update"),
    path("forloeb/<int:pk>/resultat/afslutningsaarsag/", views.early_end_reason, name="early_end_reason"),
    path("forloeb/<int:pk>/resultat/sanktioner/", views.sanction_add, name="sanction_add"),
    path("forloeb/<int:pk>/resultat/sanktioner/<int:sanction_pk>/", views.sanction_update, name="sanction_update"),
]
