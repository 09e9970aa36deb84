from django.urls import path

from plans.views import citizen, plan, situation

app_name = "plans"
urlpatterns = [
    # The indsatsplan and the indsatser
    path("forloeb/<int:pk>/indsatsplan/", plan.plan_page, name="plan"),
    path("forloeb/<int:pk>/indsatsplan/start/", plan.plan_start, name="plan_start"),
    path("forloeb/<int:pk>/indsatsplan/ret/", plan.plan_update, name="plan_update"),
    path("forloeb/<int:pk>/indsatsplan/delmaal/", plan.milestone_add, name="milestone_add"),
    path(
        "forloeb/<int:pk>/indsatsplan/delmaal/<int:milestone_pk>/slet/", plan.milestone_remove, name="milestone_remove"
    ),
    path("forloeb/<int:pk>/indsatsplan/maal/", plan.goal_add, name="goal_add"),
    path("forloeb/<int:pk>/indsatsplan/maal/<int:goal_pk>/slet/", plan.goal_remove, name="goal_remove"),
    path("forloeb/<int:pk>/indsatsplan/faerdig/", plan.plan_complete, name="plan_complete"),
    path("forloeb/<int:pk>/indsatsplan/revision/", plan.plan_revise, name="plan_revise"),
    path("forloeb/<int:pk>/indsatsplan/version/<int:version>/", plan.plan_version, name="plan_version"),
    path("forloeb/<int:pk>/indsatser/ny/", plan.intervention_add, name="intervention_add"),
    path("indsats/<int:ipk>/<str:action>/", plan.intervention_move, name="intervention_move"),
    # Min Plan
    path("forloeb/<int:pk>/min-plan/", citizen.min_plan, name="min_plan"),
    path("forloeb/<int:pk>/min-plan.pdf", citizen.min_plan_pdf, name="min_plan_pdf"),
    # The borger's situation: other cases, consents, coordination, problem areas, progression
    path("forloeb/<int:pk>/situation/", situation.situation_page, name="situation"),
    path("forloeb/<int:pk>/situation/samtykke/", situation.consent_add, name="consent_add"),
    path("samtykke/<int:consent_pk>/tilbagekald/", situation.consent_withdraw, name="consent_withdraw"),
    path("forloeb/<int:pk>/situation/anden-sag/", situation.other_case_add, name="other_case_add"),
    path("forloeb/<int:pk>/situation/koordinering/", situation.coordination_note_add, name="coordination_note_add"),
    path("forloeb/<int:pk>/situation/problemomraade/", situation.problem_area_add, name="problem_area_add"),
    path("forloeb/<int:pk>/situation/progression/", situation.progress_record, name="progress_record"),
]
