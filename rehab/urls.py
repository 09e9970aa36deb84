from django.urls import path

from rehab.views import decisions, meetings, preparatory

app_name = "rehab"
urlpatterns = [
    # Forberedende del, goals and health documents (per forløb)
    path("forloeb/<int:pk>/rehabilitering/", preparatory.overview, name="forloeb_rehab"),
    path("forloeb/<int:pk>/forberedende-del/", preparatory.edit, name="preparatory_edit"),
    path("forloeb/<int:pk>/maal/", preparatory.goal_add, name="goal_add"),
    path("forloeb/<int:pk>/maal/<int:goal_pk>/slet/", preparatory.goal_remove, name="goal_remove"),
    path("forloeb/<int:pk>/helbred/", preparatory.health_add, name="health_add"),
    path("forloeb/<int:pk>/helbred/<int:doc_pk>/modtaget/", preparatory.health_received, name="health_received"),
    # Meetings, agenda, attendance and the meeting packet
    path("moeder/", meetings.meeting_list, name="meeting_list"),
    path("moeder/nyt/", meetings.meeting_create, name="meeting_create"),
    path("moeder/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("forloeb/<int:pk>/dagsorden/", meetings.agenda_add, name="agenda_add"),
    path("dagsorden/<int:item_pk>/fremmoede/", meetings.attendance, name="attendance"),
    path("dagsorden/<int:item_pk>/moedepakke/", meetings.packet, name="packet"),
    path("dagsorden/<int:item_pk>/moedepakke.pdf", meetings.packet_pdf, name="packet_pdf"),
    # Indstilling and afgørelse
    path("forloeb/<int:pk>/indstilling/", decisions.recommendation_create, name="recommendation_create"),
    path("indstilling/<int:rec_pk>/sendt/", decisions.recommendation_sent, name="recommendation_sent"),
    path("forloeb/<int:pk>/afgoerelse/", decisions.decision_create, name="decision_create"),
]
