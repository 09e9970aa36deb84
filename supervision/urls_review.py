"""URL patterns of the review pages (included in supervision/urls.py)."""

from django.urls import path

from supervision import review_views

urlpatterns = [
    path("runder/stikproeve/<int:sample_pk>/", review_views.review, name="review"),
    path("runder/fund/<int:answer_pk>/handling/", review_views.finding_action, name="finding_action"),
    path("handlinger/<int:action_pk>/", review_views.action_reply, name="action_reply"),
    path("runder/<int:round_pk>/rapport/", review_views.round_report, name="round_report"),
    path("runder/<int:round_pk>/rapport.pdf", review_views.round_report_pdf, name="round_report_pdf"),
    path("runder/<int:round_pk>/rapport.csv", review_views.round_report_csv, name="round_report_csv"),
    path("runder/<int:round_pk>/rapport.json", review_views.round_report_json, name="round_report_json"),
]
