"""Two people on the indsatsplan page at once (cases.concurrency): the second save from a stale
page is refused with what the other person changed, keeps the user's text, and writes nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from cases import clock
from plans import services
from plans.models import ActionPlan, Intervention, InterventionStatus
from tests.conftest import login
from tests.edit_forms import page_token

STALE = "En anden har gemt ændringer, efter du åbnede siden."


@pytest.fixture
def draft(granted, caseworker):
    return services.plan_start(forloeb=granted, actor=caseworker)


@pytest.fixture
def colleague_client(teammate):
    return login(Client(), teammate)


def test_a_stale_save_of_the_indsatsplan_is_refused_and_keeps_the_users_text(
    client, colleague_client, granted, draft, caseworker
):
    page = reverse("plans:plan", args=[granted.pk])
    address = reverse("plans:plan_update", args=[granted.pk])
    login(client, caseworker)
    mine = page_token(client, page, address)
    theirs = page_token(colleague_client, page, address)
    assert mine == theirs

    saved = colleague_client.post(
        address,
        {"borger_perspective": "Jeg vil starte med få timer.", "followup_cadence_weeks": "2", "edit_token": theirs},
    )
    assert saved.status_code == 302

    response = client.post(address, {"borger_perspective": "Jeg vil gerne i praktik i en butik.", "edit_token": mine})
    body = response.content.decode()
    assert response.status_code == 400
    assert STALE in body
    assert "Borgerens perspektiv på de planlagte indsatser: Jeg vil starte med få timer." in body
    assert "Opfølgning hver (uger): 2" in body
    assert "Jeg vil gerne i praktik i en butik.</textarea>" in body
    plan = ActionPlan.objects.get(pk=draft.pk)
    assert (plan.borger_perspective, plan.followup_cadence_weeks) == ("Jeg vil starte med få timer.", 2)


def test_a_step_chosen_on_a_stale_page_is_refused_even_when_still_possible(
    client, colleague_client, granted, draft, caseworker
):
    """Someone planned the indsats; "ikke iværksat" is still possible, but the user chose it on a
    page that showed it as only recommended."""
    mentor = granted.interventions.get(category="mentor")
    page = reverse("plans:plan", args=[granted.pk])
    not_started = reverse("plans:intervention_move", args=[mentor.pk, "not_started"])
    plan_step = reverse("plans:intervention_move", args=[mentor.pk, "plan"])
    login(client, caseworker)
    mine = page_token(client, page, not_started)
    theirs = page_token(colleague_client, page, plan_step)
    colleague_client.post(plan_step, {"planned_start": clock.today().isoformat(), "edit_token": theirs})
    assert Intervention.objects.get(pk=mentor.pk).status == InterventionStatus.PLANLAGT

    response = client.post(
        not_started, {"on": clock.today().isoformat(), "reason": "Borgeren har bostøtte", "edit_token": mine}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert STALE in body and "Status: Planlagt" in body
    assert Intervention.objects.get(pk=mentor.pk).status == InterventionStatus.PLANLAGT
