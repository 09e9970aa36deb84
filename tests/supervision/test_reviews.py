"""Case reviews of a tilsyn round: the checklist pre-filled from the flags, answers saved (and a
stale one refused), a finding becoming an action for the koordinerende sagsbehandler, who
answers it on Min dag, which closes the finding; the round's report as page, PDF, CSV and JSON;
who may open what, and the access log."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from cases import clock
from cases import services as case_services
from cases.models import AccessLog, Role
from supervision import reviews
from supervision.models import (
    ActionStatus,
    Answer,
    ReviewAnswer,
    RoundStatus,
    SampleItem,
    TilsynAction,
    TilsynRound,
)
from tests.conftest import login
from tests.factories import FlagFactory, UserFactory

pytestmark = pytest.mark.django_db

STALE = "En anden har gemt ændringer, efter du åbnede siden."


@pytest.fixture
def leader(team):
    return UserFactory(username="leder", first_name="Lis", last_name="Leder", role=Role.TEAM_LEADER, teams=[team])


@pytest.fixture
def tilsyn_round(kommune, team, leader):
    today = clock.today()
    return TilsynRound.objects.create(
        kommune=kommune,
        team=team,
        title="Efterårets runde",
        purpose="Holdes samtalerne, og er målene konkrete?",
        period_from=today - dt.timedelta(days=90),
        period_to=today,
        started_by=leader,
        started_at=clock.now(),
    )


@pytest.fixture
def item(tilsyn_round, forloeb):
    return SampleItem.objects.create(
        round=tilsyn_round, forloeb=forloeb, position=1, coordinator=forloeb.current_coordinator
    )


def _answers(review) -> dict[str, ReviewAnswer]:
    return {a.point: a for a in review.answers.select_related("action")}


def _review_url(item) -> str:
    return reverse("supervision:review", kwargs={"sample_pk": item.pk})


def _page_forms(client, item) -> dict:
    """The review page's POST data as loaded: each point's answer, comment and edit token."""
    response = client.get(_review_url(item))
    assert response.status_code == 200
    form = response.context["point_forms"]
    data = {}
    for f in form:
        data[f"{f.prefix}-edit_token"] = f["edit_token"].value()
        data[f"{f.prefix}-answer"] = f["answer"].value() or ""
        data[f"{f.prefix}-comment"] = f["comment"].value() or ""
    return data


# --- The checklist --------------------------------------------------------------------------------


def test_a_flag_in_the_period_is_suggested_as_a_finding_with_its_evidence(item, forloeb, leader):
    today = clock.today()
    FlagFactory(
        forloeb=forloeb,
        rule_id="NO_NEXT_SAMTALE",
        pack="STANDARD",
        basis_kind="servicestandard",
        basis="Kommunens servicestandard for opfølgning",
        evidence={"seneste_samtale": (today - dt.timedelta(days=40)).isoformat()},
        raised_on=today - dt.timedelta(days=20),
    )
    review = reviews.review_start(item=item, reviewer=leader)

    answers = _answers(review)
    flagged = answers["NO_NEXT_SAMTALE"]
    assert flagged.suggested == Answer.FINDING
    assert "Der er ikke aftalt en næste opfølgningssamtale" in flagged.evidence
    assert "Kommunens servicestandard for opfølgning" in flagged.evidence
    assert "stadig åben" in flagged.evidence
    assert (today - dt.timedelta(days=40)).strftime("%d.%m.%Y") in flagged.evidence
    quiet = answers["STD_SAMTALE_OVERDUE"]
    assert quiet.suggested == Answer.OK and quiet.evidence == "Ingen advarsel i perioden"
    assert not flagged.answer  # the reviewer answers; the app only suggests


def test_a_flag_resolved_before_the_period_suggests_nothing_wrong(item, forloeb, leader, tilsyn_round):
    before = tilsyn_round.period_from - dt.timedelta(days=10)
    FlagFactory(
        forloeb=forloeb,
        rule_id="NO_NEXT_SAMTALE",
        raised_on=before - dt.timedelta(days=30),
        resolved_on=before,
        resolved_at=clock.now(),
        resolution="ophoert",
    )
    review = reviews.review_start(item=item, reviewer=leader)
    assert _answers(review)["NO_NEXT_SAMTALE"].suggested == Answer.OK


def test_the_checklist_has_the_quality_points_with_hints_from_the_data(item, leader):
    review = reviews.review_start(item=item, reviewer=leader)
    quality = [a for a in review.answers.order_by("position") if a.kind == "kvalitet"]
    assert [a.point for a in quality] == [
        "Q_GOALS",
        "Q_BORGER_PERSPECTIVE",
        "Q_COORDINATION",
        "Q_SAMTALE_CONTENT",
        "Q_PROGRESSION",
    ]
    assert all(a.suggested == "" for a in quality)
    by_point = {a.point: a for a in quality}
    assert "0 af 0 job- og uddannelsesmål er konkrete" in by_point["Q_GOALS"].evidence
    assert "Ingen opfølgningssamtale registreret" in by_point["Q_SAMTALE_CONTENT"].evidence


def test_the_quality_hints_read_the_goals_and_the_samtaler_in_the_period(item, forloeb, leader):
    from tests.factories import FollowUpMeetingFactory, GoalFactory, PreparatoryPartFactory

    part = PreparatoryPartFactory(forloeb=forloeb)
    GoalFactory(document=part, concrete=True)
    GoalFactory(document=part)
    today = clock.today()
    FollowUpMeetingFactory(
        forloeb=forloeb, held_on=today - dt.timedelta(days=10), next_on=today + dt.timedelta(days=30)
    )
    FollowUpMeetingFactory(forloeb=forloeb, held_on=today - dt.timedelta(days=5), borger_attended=False)
    review = reviews.review_start(item=item, reviewer=leader)
    by_point = _answers(review)
    assert "1 af 2 job- og uddannelsesmål er konkrete" in by_point["Q_GOALS"].evidence
    content = by_point["Q_SAMTALE_CONTENT"].evidence
    assert "1 samtaler med borgeren i perioden" in content  # an udeblivelse is not a samtale held
    assert (today - dt.timedelta(days=5)).strftime("%d.%m.%Y") in content  # the latest registered


def test_a_service_standard_switched_off_is_left_out(item, leader, kommune):
    from followup.models import RuleSettings

    RuleSettings.objects.create(kommune=kommune, standard_enabled=False)
    review = reviews.review_start(item=item, reviewer=leader)
    assert "STD_SAMTALE_OVERDUE" not in _answers(review)


# --- The review page ------------------------------------------------------------------------------


def test_an_unanswered_point_starts_at_the_suggestion_for_the_reviewer_to_confirm(client, item, forloeb, leader):
    FlagFactory(forloeb=forloeb, rule_id="NO_NEXT_SAMTALE", raised_on=clock.today() - dt.timedelta(days=5))
    reviews.review_start(item=item, reviewer=leader)
    login(client, leader)
    forms = {f.point.point: f for f in client.get(_review_url(item)).context["point_forms"]}
    assert forms["NO_NEXT_SAMTALE"]["answer"].value() == Answer.FINDING
    assert forms["NO_NEXT_SAMTALE"].action_open  # the action's fields are shown unfolded
    assert forms["STD_SAMTALE_OVERDUE"]["answer"].value() == Answer.OK
    assert not forms["Q_GOALS"]["answer"].value()  # quality: the reviewer's own judgement


def test_the_leader_starts_the_review_and_answers_the_points(client, item, leader):
    login(client, leader)
    page = client.get(_review_url(item))
    assert page.status_code == 200 and "Start gennemgang" in page.content.decode()

    assert client.post(_review_url(item), {"start": "1"}).status_code == 302
    data = _page_forms(client, item)
    review = item.review
    goals = _answers(review)["Q_GOALS"]
    data[f"p{goals.pk}-answer"] = Answer.OK
    data[f"p{goals.pk}-comment"] = "Jobmålet er konkret: lagermedarbejder."
    response = client.post(_review_url(item), {**data, "save": "1"})

    assert response.status_code == 302
    goals.refresh_from_db()
    assert goals.answer == Answer.OK and goals.comment == "Jobmålet er konkret: lagermedarbejder."
    body = client.get(_review_url(item)).content.decode()
    assert "Jobmålet er konkret: lagermedarbejder." in body


def test_a_stale_answer_is_refused_and_the_reviewers_text_kept(client, item, leader, team):
    other_leader = UserFactory(username="leder-b", role=Role.TEAM_LEADER, teams=[team])
    reviews.review_start(item=item, reviewer=leader)
    goals = _answers(item.review)["Q_GOALS"]
    colleague = login(Client(), other_leader)
    login(client, leader)
    mine, theirs = _page_forms(client, item), _page_forms(colleague, item)
    theirs[f"p{goals.pk}-answer"] = Answer.NOT_RELEVANT
    assert colleague.post(_review_url(item), {**theirs, "save": "1"}).status_code == 302

    mine[f"p{goals.pk}-answer"] = Answer.OK
    mine[f"p{goals.pk}-comment"] = "Min egen vurdering"
    response = client.post(_review_url(item), {**mine, "save": "1"})

    body = response.content.decode()
    assert response.status_code == 400
    assert STALE in body and "Min egen vurdering" in body
    goals.refresh_from_db()
    assert goals.answer == Answer.NOT_RELEVANT and goals.comment == ""


def test_a_finding_without_an_action_text_gets_a_field_message(client, item, leader):
    reviews.review_start(item=item, reviewer=leader)
    goals = _answers(item.review)["Q_GOALS"]
    login(client, leader)
    data = _page_forms(client, item)
    data[f"p{goals.pk}-answer"] = Answer.FINDING

    response = client.post(_review_url(item), {**data, "save": "1"})

    assert response.status_code == 400
    assert "Skriv, hvad den koordinerende sagsbehandler skal gøre ved fundet." in response.content.decode()
    goals.refresh_from_db()
    assert goals.answer == "" and not TilsynAction.objects.exists()


def test_a_finding_becomes_an_action_for_the_current_coordinator(client, item, leader, forloeb, teammate):
    case_services.forloeb_assign_coordinator(
        forloeb=forloeb, coordinator=teammate, valid_from=clock.today(), actor=leader
    )
    reviews.review_start(item=item, reviewer=leader)
    goals = _answers(item.review)["Q_GOALS"]
    login(client, leader)
    data = _page_forms(client, item)
    data[f"p{goals.pk}-answer"] = Answer.FINDING
    data[f"p{goals.pk}-comment"] = "Intet konkret jobmål"
    data[f"p{goals.pk}-action_text"] = "Aftal et konkret jobmål med borgeren"

    assert client.post(_review_url(item), {**data, "save": "1"}).status_code == 302

    action = TilsynAction.objects.get(finding=goals)
    assert action.assignee == teammate  # today's koordinerende sagsbehandler, not the one sampled
    assert action.due_on == clock.today() + dt.timedelta(days=14)
    assert action.created_by == leader and action.status == ActionStatus.OPEN


def test_an_action_due_in_the_past_is_refused(item, leader):
    review = reviews.review_start(item=item, reviewer=leader)
    goals = _answers(review)["Q_GOALS"]
    reviews.review_answer(answer=goals, value=Answer.FINDING, comment="", reviewer=leader, edit_token=None)
    with pytest.raises(ValidationError) as caught:
        reviews.finding_action_create(
            finding=goals, text="Ret det", due_on=clock.today() - dt.timedelta(days=1), actor=leader
        )
    assert "Fristen kan ikke ligge før i dag." in caught.value.message_dict["due_on"]


def test_a_review_is_completed_only_when_every_point_is_answered(client, item, leader):
    review = reviews.review_start(item=item, reviewer=leader)
    with pytest.raises(ValidationError):
        reviews.review_complete(review=review, reviewer=leader)
    for answer in review.answers.all():
        reviews.review_answer(answer=answer, value=Answer.OK, comment="", reviewer=leader, edit_token=None)
    assert reviews.review_complete(review=review, reviewer=leader).completed_at is not None


def test_a_closed_round_refuses_changes(item, leader, tilsyn_round):
    review = reviews.review_start(item=item, reviewer=leader)
    TilsynRound.objects.filter(pk=tilsyn_round.pk).update(status=RoundStatus.CLOSED)
    answer = review.answers.first()
    with pytest.raises(ValidationError, match="afsluttet"):
        reviews.review_answer(answer=answer, value=Answer.OK, comment="", reviewer=leader, edit_token=None)


# --- From finding to Min dag and back -------------------------------------------------------------


@pytest.fixture
def action(item, leader):
    review = reviews.review_start(item=item, reviewer=leader)
    goals = _answers(review)["Q_GOALS"]
    reviews.review_answer(
        answer=goals, value=Answer.FINDING, comment="Intet konkret jobmål", reviewer=leader, edit_token=None
    )
    return reviews.finding_action_create(
        finding=goals, text="Aftal et konkret jobmål med borgeren", due_on=None, actor=leader
    )


def test_an_action_closed_on_min_dag_closes_the_finding(client, action, caseworker, leader, item):
    login(client, caseworker)
    min_dag = reverse("followup:min_dag")
    body = client.get(min_dag).content.decode()
    assert "Opfølgning på tilsyn (1)" in body
    assert "Aftal et konkret jobmål med borgeren" in body
    reply_url = reverse("supervision:action_reply", kwargs={"action_pk": action.pk})
    assert f"{reply_url}?next=" in body

    page = client.get(reply_url, {"next": min_dag})
    assert page.status_code == 200 and "Intet konkret jobmål" in page.content.decode()  # the reviewer's comment
    assert AccessLog.objects.filter(user=caseworker, forloeb=item.forloeb, action="view_forloeb").exists()
    response = client.post(reply_url, {"reply": "Jobmål aftalt: lagermedarbejder.", "next": min_dag})

    assert response.status_code == 302 and response["Location"] == min_dag
    action.refresh_from_db()
    assert action.status == ActionStatus.CLOSED and action.closed_by == caseworker and action.closed_at
    assert "Opfølgning på tilsyn" not in client.get(min_dag).content.decode()
    summary = reviews.round_summary(item.round)
    assert summary.total.actions_closed == 1 and summary.findings_closed == 1
    login(client, leader)
    report = client.get(reverse("supervision:round_report", kwargs={"round_pk": item.round_id})).content.decode()
    assert "Fundet er lukket" in report and "Jobmål aftalt: lagermedarbejder." in report


def test_an_empty_reply_is_refused_and_a_second_reply_too(client, action, caseworker):
    login(client, caseworker)
    url = reverse("supervision:action_reply", kwargs={"action_pk": action.pk})
    assert client.post(url, {"reply": "  "}).status_code == 400
    assert client.post(url, {"reply": "Gjort"}).status_code == 302
    response = client.post(url, {"reply": "Gjort igen"})
    assert response.status_code == 400 and "Opfølgningen er allerede lukket." in response.content.decode()
    action.refresh_from_db()
    assert action.reply == "Gjort"


def test_a_caseworker_of_another_team_or_not_assigned_gets_404_on_the_action(client, action, outsider, teammate):
    url = reverse("supervision:action_reply", kwargs={"action_pk": action.pk})
    for user in (outsider, teammate):
        login(client, user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"reply": "Ikke min sag"}).status_code == 404
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_the_leader_over_the_forloeb_may_answer_the_action(client, action, leader):
    login(client, leader)
    url = reverse("supervision:action_reply", kwargs={"action_pk": action.pk})
    assert client.post(url, {"reply": "Lukket efter samtale med sagsbehandleren"}).status_code == 302
    action.refresh_from_db()
    assert action.closed_by == leader


def test_a_reply_never_redirects_off_site(client, action, caseworker):
    login(client, caseworker)
    url = reverse("supervision:action_reply", kwargs={"action_pk": action.pk})
    response = client.post(url, {"reply": "Gjort", "next": "https://example.org/"})
    assert response["Location"] == reverse("followup:min_dag")


# --- The round's report ---------------------------------------------------------------------------

REPORTS = ("round_report", "round_report_pdf", "round_report_csv", "round_report_json")


@pytest.mark.parametrize("name", REPORTS)
def test_the_report_opens_for_the_leader_and_for_no_one_else(
    client, name, action, item, leader, caseworker, other_team
):
    url = reverse(f"supervision:{name}", kwargs={"round_pk": item.round_id})
    other_leader = UserFactory(username="leder-syd", role=Role.TEAM_LEADER, teams=[other_team])
    for user in (caseworker, other_leader):
        login(client, user)
        assert client.get(url).status_code == 404, user
    login(client, leader)
    before = AccessLog.objects.filter(user=leader, forloeb=item.forloeb).count()
    response = client.get(url)
    assert response.status_code == 200
    assert AccessLog.objects.filter(user=leader, forloeb=item.forloeb).count() == before + 1


def test_the_csv_has_one_row_per_answered_point(client, action, item, leader):
    other = item.review.answers.exclude(pk=action.finding_id).first()
    reviews.review_answer(answer=other, value=Answer.NOT_RELEVANT, comment="=SUM(A1)", reviewer=leader, edit_token=None)
    login(client, leader)
    response = client.get(reverse("supervision:round_report_csv", kwargs={"round_pk": item.round_id}))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 2
    finding = next(r for r in rows if r["punkt"] == "Q_GOALS")
    assert finding["svar"] == "Fund" and finding["opfoelgning"] == "Aftal et konkret jobmål med borgeren"
    assert finding["fund_lukket"] == "nej"
    assert next(r for r in rows if r["punkt"] != "Q_GOALS")["kommentar"] == "'=SUM(A1)"  # never a formula
    assert item.forloeb.borger.cpr not in response.content.decode()


def test_the_json_carries_the_summary_per_unit_and_point(client, action, item, leader):
    login(client, leader)
    response = client.get(reverse("supervision:round_report_json", kwargs={"round_pk": item.round_id}))
    data = json.loads(response.content)
    assert data["runde"]["titel"] == "Efterårets runde"
    assert data["opsummering"]["i_alt"]["fund"] == 1
    assert data["opsummering"]["i_alt"]["opfoelgninger_aabne"] == 1
    assert data["opsummering"]["pr_team"][0]["team"] == "Team Nord"
    assert [p["punkt"] for p in data["opsummering"]["pr_punkt"] if p["fund"]] == ["Q_GOALS"]


def test_the_summary_counts_per_coordinator_and_team(item, action, leader, tilsyn_round, team, teammate):
    from tests.factories import BorgerFactory, ForloebFactory

    second = ForloebFactory(team=team, borger=BorgerFactory(), current_coordinator=teammate)
    SampleItem.objects.create(round=tilsyn_round, forloeb=second, position=2, coordinator=teammate)
    summary = reviews.round_summary(tilsyn_round)
    assert summary.total.sampled == 2 and summary.total.started == 1 and summary.total.reviewed == 0
    by_name = {row.name: row.tally for row in summary.by_coordinator}
    assert by_name["Karin Sørensen"].findings == 1 and by_name["Karin Sørensen"].actions_open == 1
    assert by_name[teammate.get_full_name()].sampled == 1 and by_name[teammate.get_full_name()].findings == 0
    assert [row.name for row in summary.by_team] == ["Team Nord"]


# --- Scope and the access log ---------------------------------------------------------------------


def test_the_review_page_is_404_outside_the_leaders_teams_and_logs_the_read(
    client, item, caseworker, leader, other_team
):
    url = _review_url(item)
    other_leader = UserFactory(username="leder-syd", role=Role.TEAM_LEADER, teams=[other_team])
    for user in (caseworker, other_leader):
        login(client, user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"start": "1"}).status_code == 404
    assert not hasattr(SampleItem.objects.get(pk=item.pk), "review")
    login(client, leader)
    assert client.get(url).status_code == 200
    assert AccessLog.objects.filter(user=leader, forloeb=item.forloeb, action="view_forloeb").exists()


# --- Cost -----------------------------------------------------------------------------------------


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_report_and_the_review_cost_the_same_queries_whatever_the_sample(client, action, item, leader, team):
    from tests.factories import BorgerFactory, ForloebFactory

    login(client, leader)
    report = reverse("supervision:round_report", kwargs={"round_pk": item.round_id})
    review = _review_url(item)
    small = _queries(client, report), _queries(client, review)
    for position in range(2, 5):
        f = ForloebFactory(team=team, borger=BorgerFactory(), current_coordinator=leader)
        extra = SampleItem.objects.create(round=item.round, forloeb=f, position=position, coordinator=leader)
        started = reviews.review_start(item=extra, reviewer=leader)
        finding = started.answers.get(point="Q_GOALS")
        reviews.review_answer(answer=finding, value=Answer.FINDING, comment="", reviewer=leader, edit_token=None)
        reviews.finding_action_create(finding=finding, text="Ret det", due_on=None, actor=leader)
    assert (_queries(client, report), _queries(client, review)) == small


def test_a_forloeb_that_left_the_leaders_teams_is_reported_without_its_borger(client, action, item, leader, other_team):
    from cases.models import Forloeb

    Forloeb.objects.filter(pk=item.forloeb_id).update(team=other_team)
    login(client, leader)
    assert client.get(_review_url(item)).status_code == 404
    before = AccessLog.objects.filter(user=leader).count()
    body = client.get(reverse("supervision:round_report", kwargs={"round_pk": item.round_id})).content.decode()
    assert "Mette Hansen" not in body and "Ikke længere i dine teams" in body
    assert AccessLog.objects.filter(user=leader).count() == before
