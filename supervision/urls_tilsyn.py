"""URL patterns of the tilsyn pages (included in supervision/urls.py)."""

from django.urls import path

from supervision import tilsyn_views

urlpatterns = [
    path("risici/", tilsyn_views.risk_list, name="risk_list"),
    path("risici.csv", tilsyn_views.risk_export, {"fmt": "csv"}, name="risk_export_csv"),
    path("risici.json", tilsyn_views.risk_export, {"fmt": "json"}, name="risk_export_json"),
    path("risici/ny/", tilsyn_views.risk_create, name="risk_create"),
    path("risici/<int:risk_pk>/", tilsyn_views.risk_detail, name="risk_detail"),
    path("risici/<int:risk_pk>/udgaa/", tilsyn_views.risk_retire, name="risk_retire"),
    path("runder/", tilsyn_views.round_list, name="round_list"),
    path("runder/ny/", tilsyn_views.round_create, name="round_create"),
    path("runder/<int:round_pk>/", tilsyn_views.round_detail, name="round_detail"),
    path("runder/<int:round_pk>/traek/", tilsyn_views.round_draw, name="round_draw"),
    path("runder/<int:round_pk>/kontrol/", tilsyn_views.round_redraw_check, name="round_redraw_check"),
    path("runder/<int:round_pk>/stikproeve.json", tilsyn_views.round_sample_json, name="round_sample_json"),
    path("runder/<int:round_pk>/afslut/", tilsyn_views.round_close, name="round_close"),
]
