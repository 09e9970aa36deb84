"""A new forløb by CPR number: the borger (CPR, name) is the kommune's, the case history is the team's.

A caseworker may open a forløb for a borger another team of the kommune knows, but learns no stored
name before the forløb exists (the typed name must match), and afterwards sees none of the other
team's consents or other cases; of earlier forløb only the number, period and outcome. A borger known
only in another kommune is never found or linked. Every look-up is access-logged, without the CPR."""

from datetime import timedelta

import pytest
from django.urls import reverse

from cases import clock, services
from cases import selectors as case_selectors
from cases.models import AccessAction, AccessLog, Forloeb, Phase, Role
from plans import services as plan_services
from plans.models import Consent
from tests.conftest import login
from tests.factories import (
    BorgerFactory,
    ForloebFactory,
    KommuneFactory,
    TeamFactory,
    UserFactory,
    allowed_opening_day,
)

TODAY = clock.today()


def post_create(client, team, borger, **overrides):
    data = {
        "cpr": borger.cpr,
        "first_name": borger.first_name,
        "last_name": borger.last_name,
        "team": team.pk,
        "opened_on": allowed_opening_day(TODAY).isoformat(),  # before the 2026 reform stopped new forløb
    }
    return client.post(reverse("cases:forloeb_create"), {**data, **overrides})


@pytest.fixture
def closed_with_history(forloeb, caseworker):
    """Team Nord's forløb of Mette Hansen, closed, with a consent and another case on it."""
    consent = plan_services.consent_add(
        forloeb=forloeb,
        recipient="anden_forvaltning",
        scope="Misbrugsbehandling i Socialforvaltningen",
        given_on=TODAY - timedelta(days=30),
        expires_on=None,
        actor=caseworker,
    )
    plan_services.other_case_add(
        forloeb=forloeb,
        kind="misbrug",
        source="Rusmiddelcentret Nord",
        note="Ambulant behandling",
        consent=consent,
        actor=caseworker,
    )
    services.forloeb_transition(
        forloeb_id=forloeb.pk,
        transition="close",
        actor=caseworker,
        expected_phase=forloeb.phase,
        outcome="kontanthjaelp",
        closed_on=TODAY,
    )
    return forloeb


def test_a_caseworker_of_another_team_typing_a_wrong_name_learns_nothing_and_nothing_is_made(
    client, outsider, other_team, closed_with_history
):
    borger = closed_with_history.borger
    response = post_create(login(client, outsider), other_team, borger, first_name="Ida", last_name="Holm")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Navnet passer ikke" in body
    assert borger.first_name not in body and borger.last_name not in body
    assert Forloeb.objects.filter(borger=borger).count() == 1


def test_the_look_up_is_access_logged_without_the_cpr_even_when_refused(
    client, outsider, other_team, closed_with_history
):
    borger = closed_with_history.borger
    post_create(login(client, outsider), other_team, borger, first_name="Ida", last_name="Holm")
    rows = list(AccessLog.objects.filter(user=outsider).values_list("action", "borger", "forloeb"))
    assert rows == [(AccessAction.LOOKUP, borger.pk, None)]
    assert all(borger.cpr not in str(value) for row in AccessLog.objects.values() for value in row.values())


def test_a_caseworker_may_open_a_forloeb_for_a_borger_known_to_another_team(
    client, outsider, other_team, closed_with_history
):
    borger = closed_with_history.borger
    response = post_create(
        login(client, outsider), other_team, borger, first_name=borger.first_name.upper(), last_name=borger.last_name
    )
    new = Forloeb.objects.get(borger=borger, team=other_team)
    assert response.status_code == 302 and response["Location"] == reverse("cases:forloeb_detail", args=[new.pk])
    assert new.sequence_no == 2 and new.current_coordinator == outsider
    assert AccessLog.objects.filter(user=outsider, borger=borger, action=AccessAction.LOOKUP).exists()


def test_after_opening_the_forloeb_the_other_teams_consents_and_other_cases_stay_hidden(
    client, outsider, other_team, closed_with_history
):
    borger = closed_with_history.borger
    post_create(login(client, outsider), other_team, borger)
    new = Forloeb.objects.get(borger=borger, team=other_team)
    situation = client.get(reverse("plans:situation", args=[new.pk]))
    assert situation.status_code == 200
    body = situation.content.decode()
    assert "Misbrugsbehandling" not in body and "Rusmiddelcentret" not in body and "Ambulant" not in body
    borger_page = client.get(reverse("cases:borger_detail", args=[borger.pk])).content.decode()
    assert "Team Nord" not in borger_page
    assert reverse("cases:forloeb_detail", args=[closed_with_history.pk]) not in borger_page


def test_another_teams_consent_can_be_neither_withdrawn_nor_linked_by_its_id(
    client, outsider, other_team, closed_with_history
):
    borger = closed_with_history.borger
    post_create(login(client, outsider), other_team, borger)
    new = Forloeb.objects.get(borger=borger, team=other_team)
    consent = Consent.objects.get(forloeb=closed_with_history)
    response = client.post(reverse("plans:consent_withdraw", args=[consent.pk]), {"forloeb": new.pk})
    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_on is None
    response = client.post(
        reverse("plans:other_case_add", args=[new.pk]), {"kind": "bolig", "source": "Borgeren", "consent": consent.pk}
    )
    assert response.status_code == 400
    assert not new.other_cases.exists()


def test_the_own_team_still_sees_its_consents_on_the_new_forloeb(client, caseworker, team, closed_with_history):
    borger = closed_with_history.borger
    post_create(login(client, caseworker), team, borger)
    new = Forloeb.objects.get(borger=borger, sequence_no=2)
    body = client.get(reverse("plans:situation", args=[new.pk])).content.decode()
    assert "Misbrugsbehandling i Socialforvaltningen" in body and "Rusmiddelcentret Nord" in body


def test_a_borger_known_only_in_another_kommune_is_never_found_or_linked(client, caseworker, team):
    elsewhere = TeamFactory(kommune=KommuneFactory(name="Andenby Kommune", code="998"), name="Team Andenby")
    borger = BorgerFactory(first_name="Jens", last_name="Kofoed")
    ForloebFactory(team=elsewhere, borger=borger)
    response = post_create(login(client, caseworker), team, borger)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Der kan ikke oprettes et forløb med dette CPR-nummer" in body
    assert "Andenby" not in body
    assert not Forloeb.objects.filter(borger=borger, kommune=team.kommune).exists()


def test_earlier_forloeb_are_those_of_the_kommune_only(forloeb):
    elsewhere = TeamFactory(kommune=KommuneFactory(name="Andenby Kommune", code="998"))
    closed = {"borger": forloeb.borger, "phase": Phase.AFSLUTTET, "outcome": "kontanthjaelp"}
    ForloebFactory(team=elsewhere, sequence_no=2, **closed)
    same_kommune = ForloebFactory(team=TeamFactory(kommune=forloeb.kommune), sequence_no=3, **closed)
    assert case_selectors.earlier_forloeb(forloeb=forloeb) == [same_kommune]


def test_a_team_leader_of_another_team_gets_the_same_rule(client, kommune, other_team, closed_with_history):
    leader = UserFactory(kommune=kommune, role=Role.TEAM_LEADER, teams=[other_team])
    borger = closed_with_history.borger
    response = post_create(login(client, leader), other_team, borger, last_name="Andersen")
    assert response.status_code == 400
    assert borger.last_name not in response.content.decode()
