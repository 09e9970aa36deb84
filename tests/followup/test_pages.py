"""The pages: Min dag, the forløb's Opfølgning tab, registering a samtale, acknowledging a flag,
and the team leader's list and export of every flag."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from cases import clock
from cases.models import AccessLog
from followup.models import Flag, FollowUpMeeting
from tests.conftest import login
from tests.followup.conftest import evaluate

pytestmark = pytest.mark.django_db
TODAY = clock.today()


@pytest.fixture
def due_this_week(make_forloeb, samtale):
    f = make_forloeb(
        opened_on=TODAY - dt.timedelta(days=200),
        start_date=TODAY - dt.timedelta(days=150),
        planned_end_date=TODAY + dt.timedelta(days=500),
    )
    samtale(f, TODAY - dt.timedelta(days=30), next_on=TODAY)
    return f


def test_min_dag_shows_the_caseworkers_overdue_and_due_samtaler_flags_and_endings(
    client, caseworker, overdue, due_this_week
):
    body = login(client, caseworker).get(reverse("followup:min_dag")).content.decode()
    assert "Lovkrav overskredet" in body
    assert overdue.borger.full_name in body and "20" in body  # days overdue: the agreed date passed 20 days ago
    assert "Opfølgningssamtale i dag" in body and due_this_week.borger.full_name in body
    assert "Opfølgningssamtale er overskredet efter kommunens servicestandard" in body
    assert "Slutter inden for 90 dage" in body
    assert reverse("followup:followup_add", args=[overdue.pk]) in body


def test_min_dag_runs_a_fixed_number_of_queries(
    client, caseworker, make_forloeb, samtale, django_assert_max_num_queries
):
    for i in range(25):
        f = make_forloeb(
            opened_on=TODAY - dt.timedelta(days=400),
            start_date=TODAY - dt.timedelta(days=300 - i),
            planned_end_date=TODAY + dt.timedelta(days=30 + i),
        )
        samtale(f, TODAY - dt.timedelta(days=70 + i))
    evaluate(TODAY)
    login(client, caseworker)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("followup:min_dag"))
    assert response.content.decode().count("Registrér samtale") >= 25


def test_the_team_leader_sees_each_caseworker_and_can_open_their_min_dag(client, team_leader, caseworker, overdue):
    login(client, team_leader)
    body = client.get(reverse("followup:min_dag")).content.decode()
    assert "Sagsbehandlerne i dine teams" in body and caseworker.get_full_name() in body
    body = client.get(reverse("followup:min_dag"), {"sagsbehandler": caseworker.pk}).content.decode()
    assert f"Min dag: {caseworker.get_full_name()}" in body and overdue.borger.full_name in body


def test_registering_a_samtale_from_min_dag_goes_back_there(client, caseworker, overdue):
    login(client, caseworker)
    url = reverse("followup:followup_add", args=[overdue.pk])
    form = client.get(url, {"next": reverse("followup:min_dag")}).content.decode()
    assert 'name="held_on"' in form and TODAY.isoformat() in form  # today is filled in
    response = client.post(
        url,
        {
            "held_on": TODAY.isoformat(),
            "setting": "individuel",
            "channel": "fremmoede",
            "borger_attended": "on",
            "status_on_interventions": "Deltager i praktikken som aftalt.",
            "next_on": (TODAY + dt.timedelta(weeks=6)).isoformat(),
            "held_by": caseworker.pk,
            "next": reverse("followup:min_dag"),
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("followup:min_dag")
    assert FollowUpMeeting.objects.filter(forloeb=overdue, held_on=TODAY).exists()
    assert AccessLog.objects.filter(forloeb=overdue, action="change").exists()


def test_a_bad_samtale_form_says_what_is_wrong_and_saves_nothing(client, caseworker, overdue):
    login(client, caseworker)
    response = client.post(
        reverse("followup:followup_add", args=[overdue.pk]),
        {"held_on": "31-02-2026", "setting": "individuel", "channel": "fremmoede", "held_by": caseworker.pk},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Angiv en gyldig dato" in body or "gyldig dato" in body
    response = client.post(
        reverse("followup:followup_add", args=[overdue.pk]),
        {"held_on": TODAY.isoformat(), "setting": "individuel", "channel": "fremmoede", "held_by": caseworker.pk},
    )
    assert response.status_code == 422
    assert "Aftal datoen for næste samtale" in response.content.decode()
    assert FollowUpMeeting.objects.filter(forloeb=overdue).count() == 1


def test_the_opfoelgning_tab_shows_rules_flags_with_their_basis_and_the_samtaler(client, caseworker, overdue):
    login(client, caseworker)
    body = client.get(reverse("followup:forloeb", args=[overdue.pk])).content.decode()
    assert "Regler for forløbet" in body and "Kommunens servicestandard" in body
    assert "STD_SAMTALE_OVERDUE v1" in body and "seks opfølgningssamtaler om året" in body
    assert "Registrér opfølgningssamtale" in body
    assert AccessLog.objects.filter(forloeb=overdue, action="view_forloeb").exists()


def test_acknowledging_a_flag_with_htmx_returns_the_updated_flag(client, caseworker, overdue):
    flag = Flag.objects.filter(forloeb=overdue, resolved_at__isnull=True).first()
    login(client, caseworker)
    url = reverse("followup:flag_acknowledge", args=[flag.pk])
    response = client.post(url, {"comment": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "Skriv kort hvad der gøres" in response.content.decode()
    response = client.post(url, {"comment": "Ringer i morgen"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Kvitteret af" in response.content.decode()
    flag.refresh_from_db()
    assert flag.acknowledge_comment == "Ringer i morgen"


def test_another_team_cannot_see_or_touch_the_forloebs_followup(client, outsider, overdue):
    flag = Flag.objects.filter(forloeb=overdue).first()
    login(client, outsider)
    assert client.get(reverse("followup:forloeb", args=[overdue.pk])).status_code == 404
    assert client.get(reverse("followup:followup_add", args=[overdue.pk])).status_code == 404
    assert client.post(reverse("followup:flag_acknowledge", args=[flag.pk]), {"comment": "x"}).status_code == 404
    assert overdue.borger.full_name not in client.get(reverse("followup:min_dag")).content.decode()


def test_the_team_leader_lists_and_exports_every_flag_without_cpr(client, team_leader, caseworker, overdue):
    login(client, team_leader)
    body = client.get(reverse("followup:flag_list"), {"vis": "alle"}).content.decode()
    assert overdue.borger.full_name in body
    response = client.get(reverse("followup:flag_list"), {"vis": "alle", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == Flag.objects.filter(forloeb=overdue).count()
    assert overdue.borger.cpr not in response.content.decode()
    response = client.get(reverse("followup:flag_list"), {"vis": "alle", "format": "json"})
    assert [r["flag_id"] for r in response.json()] == [int(r["flag_id"]) for r in rows]
    login(client, caseworker)
    assert client.get(reverse("followup:flag_list")).status_code == 404


def test_each_open_flag_offers_the_step_that_deals_with_it(client, caseworker, make_forloeb, recommend):
    f = make_forloeb(
        opened_on=TODAY - dt.timedelta(days=400),
        start_date=TODAY - dt.timedelta(days=300),
        planned_end_date=TODAY + dt.timedelta(days=300),
    )
    recommend(f, TODAY - dt.timedelta(days=310), interventions=[{"category": "mentor", "description": "Mentor"}])
    evaluate(TODAY)
    body = login(client, caseworker).get(reverse("followup:forloeb", args=[f.pk])).content.decode()
    assert f'href="{reverse("plans:plan", args=[f.pk])}#interventions">Start indsatsen</a>' in body
    assert f'href="{reverse("followup:followup_add", args=[f.pk])}">Registrér samtale</a>' in body


def test_the_administrator_configures_the_standard_and_reads_flags_in_the_admin(client, kommune, overdue):
    from tests.factories import UserFactory

    admin = UserFactory(username="admin", is_staff=True, is_superuser=True, kommune=kommune)
    login(client, admin)
    for name in ("rulesettings", "flag", "evaluationrun", "followupmeeting"):
        assert client.get(reverse(f"admin:followup_{name}_changelist")).status_code == 200
    response = client.post(
        reverse("admin:followup_rulesettings_add"),
        {
            "kommune": kommune.pk,
            "standard_enabled": "on",
            "samtaler_per_year": 8,
            "max_gap_days": 45,
            "rehab_wait_days": 61,
            "indstilling_send_days": 14,
            "plan_after_meeting_days": 122,
            "not_started_days": 183,
            "not_started_days_by_category": '{"mentor": 60}',
            "ending_warning_days": 90,
        },
    )
    assert response.status_code == 302
    assert selectors_settings(kommune)["max_gap_days"] == 45
    flag = Flag.objects.filter(forloeb=overdue).first()
    assert client.get(reverse("admin:followup_flag_change", args=[flag.pk])).status_code == 200


def selectors_settings(kommune):
    from followup import selectors

    return selectors.settings_for(kommune_id=kommune.pk)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('{"mentorr": 60}', "Ukendt kategori “mentorr”"),
        ('{"mentor": "tres"}', "skal være et helt tal"),
        ("[60]", "Skriv fx"),
    ],
)
def test_bad_per_category_days_are_refused_in_danish_and_nothing_is_saved(client, kommune, value, message):
    from followup.models import RuleSettings
    from tests.factories import UserFactory

    login(client, UserFactory(username="admin", is_staff=True, is_superuser=True, kommune=kommune))
    response = client.post(
        reverse("admin:followup_rulesettings_add"),
        {
            "kommune": kommune.pk,
            "samtaler_per_year": 6,
            "max_gap_days": 61,
            "rehab_wait_days": 61,
            "indstilling_send_days": 14,
            "plan_after_meeting_days": 122,
            "not_started_days": 183,
            "not_started_days_by_category": value,
            "ending_warning_days": 90,
        },
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not RuleSettings.objects.exists()
