"""The forløb's Resultat tab and Min dag's follow-up after the end: who may open them, the access
log, bad input, and the task that appears on its due day and goes when the status is recorded."""

import datetime as dt

import pytest
from django.urls import reverse

from cases import clock
from cases.concurrency import edit_token
from cases.models import AccessAction, AccessLog
from outcomes import services
from outcomes.models import ExitStatus, FollowUpPoint, ForloebResult, Sanction
from tests.conftest import login
from tests.edit_forms import page_token, post_edit

pytestmark = pytest.mark.django_db
TODAY = clock.today()
MIN_DAG = reverse("followup:min_dag")


def result_url(forloeb):
    return reverse("outcomes:forloeb_result", args=[forloeb.pk])


def status_url(forloeb, point="1m"):
    return reverse("outcomes:exit_status_record", args=[forloeb.pk, point])


def closed_days_ago_for_due_today(point: FollowUpPoint) -> int:
    """How many days ago a forløb closed whose follow-up at `point` is due today."""
    days = 20
    while point.due_on(TODAY - dt.timedelta(days=days)) < TODAY:
        days -= 1
    while point.due_on(TODAY - dt.timedelta(days=days)) > TODAY:
        days += 1
    return days


# --- The Resultat tab ---------------------------------------------------------------------------


def test_the_resultat_page_shows_the_follow_up_points_and_logs_the_read(client, closed_forloeb, caseworker):
    forloeb = closed_forloeb(days_ago=40)
    response = login(client, caseworker).get(result_url(forloeb))
    body = response.content.decode()
    assert response.status_code == 200
    assert "1 måned efter afslutning" in body and "13 uger efter afslutning" in body
    assert 'aria-current="page">Resultat</a>' in body
    assert page_token(client, result_url(forloeb), status_url(forloeb))  # the form of the due point carries a token
    assert f'action="{status_url(forloeb, "13u")}"' not in body  # not due yet: no form
    assert AccessLog.objects.filter(
        user=caseworker, forloeb=forloeb, borger=forloeb.borger, action=AccessAction.VIEW_FORLOEB
    ).exists()


def test_an_open_forloeb_says_it_is_not_closed(client, running_forloeb, caseworker):
    body = login(client, caseworker).get(result_url(running_forloeb)).content.decode()
    assert "Forløbet er ikke afsluttet." in body
    assert "/resultat/status/" not in body


def test_every_forloeb_page_has_the_resultat_tab(client, running_forloeb, caseworker):
    body = login(client, caseworker).get(reverse("cases:forloeb_detail", args=[running_forloeb.pk])).content.decode()
    assert result_url(running_forloeb) in body


def test_another_team_gets_404_and_writes_nothing(client, closed_forloeb, outsider):
    forloeb = closed_forloeb(days_ago=40)
    login(client, outsider)
    assert client.get(result_url(forloeb)).status_code == 404
    assert client.post(status_url(forloeb), {"code": "FP"}).status_code == 404
    assert client.post(reverse("outcomes:result_update", args=[forloeb.pk]), {}).status_code == 404
    assert client.post(reverse("outcomes:sanction_add", args=[forloeb.pk]), {}).status_code == 404
    assert not ExitStatus.objects.exists() and not AccessLog.objects.filter(user=outsider).exists()


def test_an_unknown_follow_up_point_is_404(client, closed_forloeb, caseworker):
    forloeb = closed_forloeb(days_ago=400)
    response = login(client, caseworker).post(status_url(forloeb, "2aar"), {"code": "FP", "edit_token": "x"})
    assert response.status_code == 404


def test_a_sanction_of_another_forloeb_is_404(client, closed_forloeb, running_forloeb, caseworker):
    other = services.sanction_add(
        forloeb=running_forloeb, imposed_on=TODAY, kind="fradrag", reason="ikke_medvirket", actor=caseworker
    )
    forloeb = closed_forloeb(days_ago=40)
    url = reverse("outcomes:sanction_update", args=[forloeb.pk, other.pk])
    assert login(client, caseworker).post(url, {"imposed_on": TODAY.isoformat()}).status_code == 404


def test_recording_a_status_writes_it_and_the_access_log(client, closed_forloeb, caseworker):
    forloeb = closed_forloeb(days_ago=40)
    response = post_edit(
        login(client, caseworker),
        result_url(forloeb),
        status_url(forloeb),
        {"code": "ORD_BESK", "job_hours_per_week": "22.5", "hours_source": "kontrakt", "note": "Butiksjob."},
    )
    assert response.status_code == 302 and response["Location"].endswith("/resultat/#status-1m")
    status = ExitStatus.objects.get(forloeb=forloeb, point="1m")
    assert (status.code, str(status.job_hours_per_week), status.recorded_by) == ("ORD_BESK", "22.5", caseworker)
    assert AccessLog.objects.filter(user=caseworker, forloeb=forloeb, action=AccessAction.CHANGE).count() == 1
    body = client.get(result_url(forloeb)).content.decode()
    assert "Ordinær beskæftigelse, 22,5 timer om ugen" in body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"code": "ORD_BESK", "job_hours_per_week": "50", "hours_source": "borger"},
            "Angiv timer om ugen mellem 0 og 37.",
        ),
        ({"code": "ORD_BESK", "job_hours_per_week": "mange"}, "Indtast et tal."),
        ({"code": "ORD_BESK"}, "Angiv hvor mange timer om ugen borgeren arbejder."),
        ({"code": ""}, "Vælg borgerens forsørgelsesstatus."),
        ({"code": "KONTANTHJ", "note": "x" * 2001}, "2000 tegn"),
    ],
)
def test_bad_status_input_shows_a_danish_message_on_the_field_and_changes_nothing(
    client, closed_forloeb, caseworker, data, message
):
    forloeb = closed_forloeb(days_ago=40)
    response = post_edit(login(client, caseworker), result_url(forloeb), status_url(forloeb), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body and "Der er fejl i formularen" in body
    assert not ExitStatus.objects.exists()
    assert not AccessLog.objects.filter(action=AccessAction.CHANGE).exists()


def test_a_status_posted_before_its_due_day_is_refused(client, closed_forloeb, caseworker):
    forloeb = closed_forloeb(days_ago=10)
    none_yet = edit_token(ExitStatus(forloeb=forloeb, point="1m"), services.EXIT_STATUS_FIELDS)
    response = login(client, caseworker).post(status_url(forloeb), {"code": "FP", "edit_token": none_yet})
    assert response.status_code == 400
    assert "Forsørgelsesstatus 1 måned efter afslutning kan registreres fra" in response.content.decode()
    assert not ExitStatus.objects.exists()


def test_a_correction_from_a_stale_page_keeps_the_users_input_and_says_what_changed(
    client, closed_forloeb, caseworker, teammate
):
    from django.test import Client

    forloeb = closed_forloeb(days_ago=40)
    services.exit_status_record(forloeb=forloeb, point="1m", code="KONTANTHJ", actor=caseworker)
    login(client, caseworker)
    mine = page_token(client, result_url(forloeb), status_url(forloeb))
    colleague = login(Client(), teammate)
    assert post_edit(colleague, result_url(forloeb), status_url(forloeb), {"code": "SYGEDAGPENGE"}).status_code == 302

    response = client.post(status_url(forloeb), {"code": "FP", "note": "Min egen note", "edit_token": mine})
    body = response.content.decode()
    assert response.status_code == 400
    assert "En anden har gemt ændringer" in body and "Forsørgelsesstatus: Sygedagpenge" in body
    assert "Min egen note" in body
    assert ExitStatus.objects.get(forloeb=forloeb).code == "SYGEDAGPENGE"


def test_the_result_form_saves_and_the_page_shows_the_effective_values(client, closed_forloeb, caseworker):
    forloeb = closed_forloeb(days_ago=10)
    visited = forloeb.closed_on - dt.timedelta(days=100)
    response = post_edit(
        login(client, caseworker),
        result_url(forloeb),
        reverse("outcomes:result_update", args=[forloeb.pk]),
        {
            "fleksjob_visiteret_on": visited.isoformat(),
            "fleksjob_expected_hours": "12",
            "fleksjob_bonus_status": "ingen",
            "fp_indstillet_on": forloeb.closed_on.isoformat(),
        },
    )
    assert response.status_code == 302
    result = ForloebResult.objects.get(forloeb=forloeb)
    assert (result.fleksjob_visiteret_on, result.fp_indstillet_on, result.fp_tilkendt_on) == (
        visited,
        forloeb.closed_on,
        None,
    )
    body = client.get(result_url(forloeb)).content.decode()
    assert "forventet 12,0 timer om ugen" in body
    assert "Indstillet og tilkendt førtidspension holdes adskilt" in body


def test_a_bad_cvr_number_is_refused_on_its_field(client, closed_forloeb, caseworker):
    forloeb = closed_forloeb(days_ago=10)
    employed = forloeb.closed_on - dt.timedelta(days=20)
    response = post_edit(
        login(client, caseworker),
        result_url(forloeb),
        reverse("outcomes:result_update", args=[forloeb.pk]),
        {
            "fleksjob_visiteret_on": (employed - dt.timedelta(days=30)).isoformat(),
            "fleksjob_employed_on": employed.isoformat(),
            "fleksjob_employer_cvr": "12345678",
            "fleksjob_bonus_status": "ingen",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="result_fleksjob_employer_cvr_error"' in body and "CVR-nummeret er ikke gyldigt" in body
    assert not ForloebResult.objects.exists()


def test_a_sanction_is_added_and_corrected_on_the_page(client, running_forloeb, caseworker):
    login(client, caseworker)
    added = client.post(
        reverse("outcomes:sanction_add", args=[running_forloeb.pk]),
        {"imposed_on": TODAY.isoformat(), "kind": "fradrag", "reason": "ikke_medvirket"},
    )
    assert added.status_code == 302
    sanction = Sanction.objects.get(forloeb=running_forloeb)
    corrected = post_edit(
        client,
        result_url(running_forloeb),
        reverse("outcomes:sanction_update", args=[running_forloeb.pk, sanction.pk]),
        {"imposed_on": TODAY.isoformat(), "kind": "ophoer", "reason": "ikke_gennemfoert"},
    )
    assert corrected.status_code == 302
    sanction.refresh_from_db()
    assert (sanction.kind, sanction.reason) == ("ophoer", "ikke_gennemfoert")
    assert "Ophør af ydelsen" in client.get(result_url(running_forloeb)).content.decode()


def test_a_sanction_without_a_date_is_refused_in_danish(client, running_forloeb, caseworker):
    response = login(client, caseworker).post(
        reverse("outcomes:sanction_add", args=[running_forloeb.pk]), {"kind": "fradrag", "reason": "ikke_medvirket"}
    )
    assert response.status_code == 400
    assert "Angiv datoen for sanktionen." in response.content.decode()
    assert not Sanction.objects.exists()


def test_the_resultat_page_runs_a_fixed_number_of_queries(
    client, closed_forloeb, caseworker, django_assert_max_num_queries
):
    forloeb = closed_forloeb(days_ago=200)
    login(client, caseworker)
    with django_assert_max_num_queries(40) as before:
        client.get(result_url(forloeb))
    for point in FollowUpPoint.values:
        services.exit_status_record(forloeb=forloeb, point=point, code="FP", actor=caseworker)
    for days in range(5):
        services.sanction_add(
            forloeb=forloeb,
            imposed_on=forloeb.closed_on - dt.timedelta(days=days),
            kind="fradrag",
            reason="ikke_medvirket",
            actor=caseworker,
        )
    services.result_update(forloeb=forloeb, actor=caseworker, fp_tilkendt_on=forloeb.closed_on)
    with django_assert_max_num_queries(40) as after:
        client.get(result_url(forloeb))
    assert len(after.captured_queries) == len(before.captured_queries)


# --- Min dag --------------------------------------------------------------------------------------


def test_min_dag_shows_the_follow_up_on_its_due_day_and_not_before(client, closed_forloeb, caseworker):
    days = closed_days_ago_for_due_today(FollowUpPoint.ONE_MONTH)
    due_today = closed_forloeb(days_ago=days, last_name="Idag")
    not_yet = closed_forloeb(days_ago=days - 1, last_name="Imorgen")

    body = login(client, caseworker).get(MIN_DAG).content.decode()

    assert "Opfølgning efter afslutning (1)" in body
    assert due_today.borger.full_name in body and not_yet.borger.full_name not in body
    assert "1 måned efter afslutning" in body and "forfalder i dag" in body
    link = f"{result_url(due_today)}?next={MIN_DAG}#status-1m"
    assert link in body and "Registrér forsørgelsesstatus" in body


def test_min_dag_says_how_many_days_a_follow_up_is_overdue(client, closed_forloeb, caseworker):
    days = closed_days_ago_for_due_today(FollowUpPoint.THIRTEEN_WEEKS) + 5
    closed_forloeb(days_ago=days)
    body = login(client, caseworker).get(MIN_DAG).content.decode()
    assert "13 uger efter afslutning" in body and "5 dage over" in body


def test_min_dag_shows_no_section_when_nothing_is_due(client, running_forloeb, caseworker):
    body = login(client, caseworker).get(MIN_DAG).content.decode()
    assert "Opfølgning efter afslutning" not in body


def test_recording_the_status_from_min_dag_returns_there_and_removes_the_task(client, closed_forloeb, caseworker):
    forloeb = closed_forloeb(days_ago=closed_days_ago_for_due_today(FollowUpPoint.ONE_MONTH))
    login(client, caseworker)
    page = f"{result_url(forloeb)}?next={MIN_DAG}"
    body = client.get(page).content.decode()
    assert f'name="next" value="{MIN_DAG}"' in body

    response = post_edit(client, page, status_url(forloeb), {"code": "KONTANTHJ", "next": MIN_DAG})

    assert response.status_code == 302 and response["Location"] == MIN_DAG
    assert "Opfølgning efter afslutning" not in client.get(MIN_DAG).content.decode()


def test_a_next_parameter_to_another_site_is_ignored(client, closed_forloeb, caseworker):
    forloeb = closed_forloeb(days_ago=40)
    response = post_edit(
        login(client, caseworker),
        result_url(forloeb),
        status_url(forloeb),
        {"code": "FP", "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"].startswith(result_url(forloeb))
