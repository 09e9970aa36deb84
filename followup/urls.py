from django.urls import path

from followup import views

app_name = "followup"
urlpatterns = [
    path("min-dag/", views.min_dag, name="min_dag"),
    path("advarsler/", views.flag_list, name="flag_list"),
    path("advarsel/<int:flag_pk>/", views.flag_row, name="flag_row"),
    path("advarsel/<int:flag_pk>/kvitter/", views.flag_acknowledge, name="flag_acknowledge"),
    path("advarsel/<int:flag_pk>/udsaet/", views.flag_snooze, name="flag_snooze"),
    path("forloeb/<int:pk>/opfoelgning/", views.forloeb_followup, name="forloeb"),
    path("forloeb/<int:pk>/opfoelgning/ny/", views.followup_add, name="followup_add"),
]
