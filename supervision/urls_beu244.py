"""URL patterns of the beu244 pages (included in supervision/urls.py)."""

from django.urls import path

from supervision import beu244_views

urlpatterns = [
    path("beu244/", beu244_views.beu244_page, name="beu244"),
    path("beu244.pdf", beu244_views.beu244_pdf, name="beu244_pdf"),
    path("beu244.csv", beu244_views.beu244_download, {"fmt": "csv"}, name="beu244_csv"),
    path("beu244.json", beu244_views.beu244_download, {"fmt": "json"}, name="beu244_json"),
]
