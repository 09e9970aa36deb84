from django.urls import path

from interchange import views

app_name = "interchange"
urlpatterns = [
    path("udtraek/", views.evaluation_export, name="evaluation_export"),
]
