from django.urls import path

from supervision import urls_beu244, urls_review, urls_tilsyn, views

app_name = "supervision"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("punkt/", views.compare, name="compare"),
    path("forloeb/", views.forloeb_list, name="forloeb_list"),
    path("fokusrevision/", views.fokusrevision, name="fokusrevision"),
    path("fokusrevision.pdf", views.fokusrevision_pdf, name="fokusrevision_pdf"),
    path("fokusrevision.json", views.fokusrevision_download, {"fmt": "json"}, name="fokusrevision_json"),
    path("fokusrevision.csv", views.fokusrevision_download, {"fmt": "csv"}, name="fokusrevision_csv"),
    # Ledelsestilsyn II: the risk register and the rounds, the case reviews, the BEU 244 report.
    *urls_tilsyn.urlpatterns,
    *urls_review.urlpatterns,
    *urls_beu244.urlpatterns,
]
