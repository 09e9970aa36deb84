from django.urls import path

from desk import views

app_name = "desk"
urlpatterns = [
    path("", views.home, name="home"),
    path("forloeb/", views.my_forloeb, name="my_forloeb"),
    path("soeg/", views.search, name="search"),
]
