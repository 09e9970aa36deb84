"""Indstilling and afgørelse: the team's recommendation, the kommune's decision and its legal guards."""

import datetime as dt
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.cpr import fictitious_cpr
from cases.models import Forloeb, Outcome, Phase, PhaseTransition
from rehab.models import Decision, Goal, Recommendation
from tests.conftest import login
from tests.factories import AgendaItemFactory, BorgerFactory, ForloebFactory, OccupationFactory, TeamMeetingFactory
from tests.rehab.conftest import make_ready_for_team, send_to_team

TODAY = timezone.localdate()
TZ = timezone.get_current_timezone()


def recommend(client, forloeb, item, **overrides):
    data = {
        "agenda_item": item.pk,
        "given_on": timezone.localdate(item.meeting.starts_at).isoformat(),
        "ordning": "ressourceforloeb",
        "duration_years": "2",
        "hensyn": ["fysiske", "transport"],
        "followup_assessment": "Tæt opfølgning hver 14. dag de første 3 måneder.",
        "borger_perspective": "Jeg vil gerne prøve, men ikke for mange timer.",
        "goal-TOTAL_FORMS": "2",
        "goal-INITIAL_FORMS": "0",
        "goal-0-kind": "job",
        "goal-0-description": "Køkkenmedhjælper på plejecenter",
        "goal-0-occupation": str(OccupationFactory(code="9412", title="Køkkenmedhjælpere").pk),
        "intervention-TOTAL_FORMS": "3",
        "intervention-INITIAL_FORMS": "0",
        "intervention-0-category": "virksomhedsrettet",
        "intervention-0-description": "Virksomhedspraktik i køkken",
        "intervention-0-within_months": "3",
        "intervention-1-category": "sundhed_kommunal",
        "intervention-1-description": "Fysioterapi for ryggen",
    }
    return client.post(reverse("rehab:recommendation_create", args=[forloeb.pk]), {**data, **overrides})


def decide(client, forloeb, **overrides):
    data = {
        "decided_on": TODAY.isoformat(),
        "ordning": "ressourceforloeb",
        "duration_years": "2",
        "benefit_start_on": TODAY.isoformat(),
    }
    return client.post(reverse("rehab:decision_create", args=[forloeb.pk]), {**data, **overrides})


def phase_of(forloeb):
    return Forloeb.objects.get(pk=forloeb.pk).phase


def forloeb_at_team_on(day, team, caseworker, rehab_team, **factory_kwargs):
    """A forløb opened before `day` and discussed at the team meeting on `day`."""
    forloeb = ForloebFactory(team=team, opened_on=day - dt.timedelta(days=120), **factory_kwargs)
    case_services.forloeb_assign_coordinator(
        forloeb=forloeb, coordinator=caseworker, valid_from=forloeb.opened_on, actor=caseworker
    )
    forloeb.refresh_from_db()
    make_ready_for_team(forloeb, caseworker)
    forloeb = send_to_team(forloeb, caseworker)
    meeting = TeamMeetingFactory(rehab_team=rehab_team, starts_at=dt.datetime.combine(day, dt.time(9), tzinfo=TZ))
    return forloeb, AgendaItemFactory(meeting=meeting, forloeb=forloeb, slot_start=dt.time(9, 0))


# --- Indstilling -------------------------------------------------------------------------------


def test_the_indstilling_is_recorded_with_goals_indsatser_and_timing_and_moves_the_forloeb(client, at_team, caseworker):
    forloeb, item = at_team
    response = recommend(login(client, caseworker), forloeb, item)
    assert response.status_code == 302
    rec = Recommendation.objects.get(forloeb=forloeb)
    assert (rec.ordning, rec.duration_years, rec.agenda_item, rec.hensyn) == (
        "ressourceforloeb",
        2,
        item,
        ["fysiske", "transport"],
    )
    assert [(i.category, i.timing) for i in rec.interventions.all()] == [
        ("virksomhedsrettet", "inden for 3 måneder"),
        ("sundhed_kommunal", ""),
    ]
    goal = Goal.objects.get(document_kind="indstilling")
    assert goal.is_concrete and goal.object_id == rec.pk
    assert phase_of(forloeb) == Phase.INDSTILLING
    assert PhaseTransition.objects.filter(forloeb=forloeb, to_phase=Phase.INDSTILLING).exists()


def test_a_rehab_team_member_on_the_meeting_may_record_the_indstilling(client, at_team, rehab_member):
    forloeb, item = at_team
    assert recommend(login(client, rehab_member), forloeb, item).status_code == 302
    assert phase_of(forloeb) == Phase.INDSTILLING


@pytest.mark.parametrize(
    ("meeting_day", "years", "allowed"),
    [
        (date(2021, 12, 31), 5, True),  # 2020 LAB: 1-5 years
        (date(2021, 12, 31), 6, False),
        (date(2022, 1, 1), 3, True),  # bedre ressourceforløb: 1-3 years
        (date(2022, 1, 1), 4, False),
        (date(2022, 1, 1), 5, False),
    ],
)
def test_the_duration_follows_the_rule_pack_in_force_on_the_date(
    client, team, caseworker, rehab_team, meeting_day, years, allowed
):
    forloeb, item = forloeb_at_team_on(meeting_day, team, caseworker, rehab_team)
    response = recommend(login(client, caseworker), forloeb, item, duration_years=str(years))
    if allowed:
        assert response.status_code == 302 and Recommendation.objects.get().duration_years == years
    else:
        body = response.content.decode()
        limit = "1-5" if meeting_day < date(2022, 1, 1) else "1-3"
        assert f"Et ressourceforløb skal vare {limit} år efter reglerne den {meeting_day:%d.%m.%Y}" in body
        assert not Recommendation.objects.exists() and phase_of(forloeb) == Phase.REHABILITERINGSTEAM


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"duration_years": ""}, "Angiv ressourceforløbets varighed i år."),
        ({"ordning": "fleksjob", "duration_years": ""}, "skal have en faglig begrundelse"),
        (
            {"ordning": "foertidspension", "duration_years": "2", "justification": "x"},
            "Varighed angives kun for et ressourceforløb.",
        ),
        ({"given_on": "2020-01-01"}, "Indstillingen kan ikke være givet før mødet."),
        ({"given_on": (TODAY + dt.timedelta(days=1)).isoformat()}, "Datoen kan ikke ligge i fremtiden."),
        ({"sent_to_borger_on": "2020-01-01"}, "Indstillingen kan ikke være sendt, før den blev givet."),
        (
            {"intervention-0-planned_by": TODAY.isoformat()},
            "Angiv enten “inden for måneder” eller en dato, ikke begge.",
        ),
        ({"goal-0-education": "Tømrer"}, "Et jobmål har ingen uddannelse"),
        ({"agenda_item": ""}, "Dette felt er påkrævet."),
    ],
)
def test_a_flawed_indstilling_is_refused_with_a_danish_message_and_changes_nothing(
    client, at_team, caseworker, overrides, message
):
    forloeb, item = at_team
    response = recommend(login(client, caseworker), forloeb, item, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Recommendation.objects.exists() and not Goal.objects.filter(document_kind="indstilling").exists()
    assert phase_of(forloeb) == Phase.REHABILITERINGSTEAM


def test_the_indstilling_needs_a_meeting(client, ready_forloeb, caseworker):
    send_to_team(ready_forloeb, caseworker)
    body = (
        login(client, caseworker).get(reverse("rehab:recommendation_create", args=[ready_forloeb.pk])).content.decode()
    )
    assert "Indstillingen registreres, når forløbet har været behandlet på et møde i rehabiliteringsteamet." in body


def test_the_indstilling_cannot_be_recorded_before_the_meeting_is_held(client, ready_forloeb, caseworker, rehab_team):
    send_to_team(ready_forloeb, caseworker)
    upcoming = TeamMeetingFactory(rehab_team=rehab_team, starts_at=timezone.now() + dt.timedelta(days=7))
    item = AgendaItemFactory(meeting=upcoming, forloeb=ready_forloeb)
    login(client, caseworker)
    page = client.get(reverse("rehab:forloeb_rehab", args=[ready_forloeb.pk])).content.decode()
    assert "Registrér indstilling" not in page
    response = recommend(client, ready_forloeb, item, given_on=TODAY.isoformat())
    assert response.status_code == 400 and not Recommendation.objects.exists()


def test_a_rehab_member_cannot_record_an_indstilling_for_a_forloeb_not_on_their_agenda(
    client, ready_forloeb, caseworker, rehab_member
):
    send_to_team(ready_forloeb, caseworker)
    item = AgendaItemFactory(forloeb=ready_forloeb)  # another rehab team's meeting
    response = recommend(login(client, rehab_member), ready_forloeb, item)
    assert response.status_code == 404 and not Recommendation.objects.exists()


# --- Afgørelse ---------------------------------------------------------------------------------


@pytest.fixture
def recommended(client, at_team, caseworker):
    forloeb, item = at_team
    assert recommend(login(client, caseworker), forloeb, item).status_code == 302
    client.logout()
    return Forloeb.objects.get(pk=forloeb.pk)


def test_a_positive_afgoerelse_on_ressourceforloeb_moves_the_forloeb_to_indsatsdel(client, recommended, caseworker):
    response = decide(login(client, caseworker), recommended, benefit_start_on=TODAY.isoformat())
    assert response.status_code == 302
    forloeb = Forloeb.objects.get(pk=recommended.pk)
    assert forloeb.phase == Phase.INDSATSDEL
    assert (forloeb.start_date, forloeb.planned_end_date) == (
        TODAY,
        TODAY.replace(year=TODAY.year + 2) - dt.timedelta(days=1),
    )
    decision = Decision.objects.get()
    assert decision.follows_recommendation is True and decision.recommendation.forloeb == forloeb


def test_an_afgoerelse_that_departs_from_the_indstilling_needs_a_reason(client, recommended, caseworker):
    login(client, caseworker)
    response = decide(client, recommended, duration_years="3")
    assert response.status_code == 400
    assert (
        "Afgørelsen følger ikke indstillingen (Ressourceforløb, 2 år). Skriv begrundelsen." in response.content.decode()
    )
    assert not Decision.objects.exists() and phase_of(recommended) == Phase.INDSTILLING

    decide(client, recommended, duration_years="3", deviation_reason="Borgerens helbred kræver længere tid.")
    decision = Decision.objects.get()
    assert decision.follows_recommendation is False and phase_of(recommended) == Phase.INDSATSDEL


@pytest.mark.parametrize(
    ("ordning", "outcome"), [("fleksjob", Outcome.FLEKSJOB), ("foertidspension", Outcome.FOERTIDSPENSION)]
)
def test_an_afgoerelse_on_another_ordning_closes_the_forloeb_with_that_outcome(
    client, recommended, caseworker, ordning, outcome
):
    decide(
        login(client, caseworker),
        recommended,
        ordning=ordning,
        duration_years="",
        benefit_start_on="",
        deviation_reason="Teamet anbefalede ressourceforløb, men helbredet er forværret.",
    )
    forloeb = Forloeb.objects.get(pk=recommended.pk)
    assert (forloeb.phase, forloeb.outcome, forloeb.closed_on) == (Phase.AFSLUTTET, outcome, TODAY)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"benefit_start_on": ""}, "Angiv hvornår ressourceforløbsydelsen starter."),
        ({"decided_on": (TODAY + dt.timedelta(days=1)).isoformat()}, "Afgørelsesdatoen kan ikke ligge i fremtiden."),
        ({"decided_on": "2020-01-01"}, "Afgørelsen kan ikke være truffet før indstillingen."),
        ({"duration_years": "4", "deviation_reason": "x"}, "Et ressourceforløb skal vare 1-3 år"),
    ],
)
def test_a_flawed_afgoerelse_is_refused_and_changes_nothing(client, recommended, caseworker, overrides, message):
    response = decide(login(client, caseworker), recommended, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Decision.objects.exists() and phase_of(recommended) == Phase.INDSTILLING


def _borger_born(years_ago: int):
    born = date(TODAY.year - years_ago, 3, 15)
    return BorgerFactory(cpr=fictitious_cpr(born))


def _with_earlier_ressourceforloeb(borger, team):
    ForloebFactory(
        borger=borger,
        team=team,
        sequence_no=1,
        phase=Phase.AFSLUTTET,
        opened_on=date(2019, 1, 1),
        start_date=date(2019, 5, 1),
        planned_end_date=date(2022, 5, 1),
        closed_on=date(2022, 5, 1),
        outcome="nyt_ressourceforloeb",
    )


def _second_forloeb(client, borger, team, caseworker, rehab_team):
    forloeb, item = forloeb_at_team_on(
        TODAY - dt.timedelta(days=7), team, caseworker, rehab_team, borger=borger, sequence_no=2
    )
    Forloeb.objects.filter(pk=forloeb.pk).update(opened_on=date(2026, 5, 4))
    assert recommend(login(client, caseworker), forloeb, item).status_code == 302
    return Forloeb.objects.get(pk=forloeb.pk)


def test_a_borger_over_40_gets_a_further_ressourceforloeb_only_with_recorded_consent(
    client, team, caseworker, rehab_team
):
    borger = _borger_born(45)
    _with_earlier_ressourceforloeb(borger, team)
    forloeb = _second_forloeb(client, borger, team, caseworker, rehab_team)

    response = decide(client, forloeb)
    assert response.status_code == 400
    assert "Borgeren er fyldt 40 år og har haft et ressourceforløb før." in response.content.decode()
    assert phase_of(forloeb) == Phase.INDSTILLING

    decide(client, forloeb, borger_consent_on=TODAY.isoformat())
    assert phase_of(forloeb) == Phase.INDSATSDEL
    assert Decision.objects.get().borger_consent_on == TODAY


def test_a_borger_under_40_needs_no_consent_for_a_further_forloeb(client, team, caseworker, rehab_team):
    borger = _borger_born(30)
    _with_earlier_ressourceforloeb(borger, team)
    forloeb = _second_forloeb(client, borger, team, caseworker, rehab_team)
    assert decide(client, forloeb).status_code == 302
    assert phase_of(forloeb) == Phase.INDSATSDEL


REFORM_MESSAGE = "Nye ressourceforløb kan ikke bevilges efter 01.07.2026 (Lov nr. 1750 af 29.12.2025"


def test_new_ressourceforloeb_cannot_be_recommended_or_granted_after_the_2026_reform(
    client, team, caseworker, rehab_team
):
    forloeb, item = forloeb_at_team_on(TODAY - dt.timedelta(days=7), team, caseworker, rehab_team)
    Forloeb.objects.filter(pk=forloeb.pk).update(opened_on=date(2026, 8, 1))
    response = recommend(login(client, caseworker), forloeb, item)
    assert response.status_code == 400 and REFORM_MESSAGE in response.content.decode()

    # The team may still recommend fleksjob; a ressourceforløb cannot be granted.
    recommend(client, forloeb, item, ordning="fleksjob", duration_years="", justification="Varigt nedsat arbejdsevne.")
    assert phase_of(forloeb) == Phase.INDSTILLING
    response = decide(client, forloeb, deviation_reason="Kommunen ønsker et ressourceforløb.")
    assert response.status_code == 400 and REFORM_MESSAGE in response.content.decode()
    assert phase_of(forloeb) == Phase.INDSTILLING


def test_a_case_begun_before_the_2026_reform_may_still_be_granted(client, recommended, caseworker):
    assert recommended.opened_on < date(2026, 7, 1)
    assert decide(login(client, caseworker), recommended).status_code == 302


# --- Without the team: frikommune (R9) and obvious førtidspension --------------------------------


def without_team(client, forloeb, **overrides):
    data = {
        "without_team_ground": "frikommune",
        "without_team_documentation": "Kun virksomhedspraktik og mentor.",
        "only_employment_interventions": "on",
    }
    return decide(client, forloeb, **{**data, **overrides})


@pytest.fixture
def frikommune_forloeb(ready_forloeb, kommune):
    kommune.is_frikommune = True
    kommune.save()
    return Forloeb.objects.get(pk=ready_forloeb.pk)


def test_a_frikommune_may_grant_a_first_forloeb_without_the_team(client, frikommune_forloeb, caseworker):
    detail = (
        login(client, caseworker).get(reverse("cases:forloeb_detail", args=[frikommune_forloeb.pk])).content.decode()
    )
    assert "Bevilg ressourceforløb uden rehabiliteringsteamet (frikommune)" in detail
    response = without_team(client, frikommune_forloeb)
    assert response.status_code == 302
    forloeb = Forloeb.objects.get(pk=frikommune_forloeb.pk)
    assert forloeb.phase == Phase.INDSATSDEL
    assert PhaseTransition.objects.get(forloeb=forloeb).transition == "grant_without_team"


def test_the_frikommune_exception_needs_only_employment_indsatser(client, frikommune_forloeb, caseworker):
    response = without_team(login(client, caseworker), frikommune_forloeb, only_employment_interventions="")
    assert (
        "Undtagelsen gælder kun, når der alene planlægges beskæftigelsesrettede indsatser." in response.content.decode()
    )
    assert phase_of(frikommune_forloeb) == Phase.FORBEREDENDE_DEL and not Decision.objects.exists()


def test_an_ordinary_kommune_cannot_grant_without_the_team(client, ready_forloeb, caseworker):
    detail = login(client, caseworker).get(reverse("cases:forloeb_detail", args=[ready_forloeb.pk])).content.decode()
    assert "uden rehabiliteringsteamet" not in detail
    response = without_team(client, ready_forloeb)
    assert response.status_code == 400
    assert (
        "Kun en frikommune kan bevilge et ressourceforløb uden behandling i rehabiliteringsteamet."
        in response.content.decode()
    )
    assert phase_of(ready_forloeb) == Phase.FORBEREDENDE_DEL and not Decision.objects.exists()


def test_the_frikommune_exception_covers_only_the_first_forloeb(client, frikommune_forloeb, caseworker, team):
    Forloeb.objects.filter(pk=frikommune_forloeb.pk).update(sequence_no=2)
    _with_earlier_ressourceforloeb(frikommune_forloeb.borger, team)
    # Consent recorded, so the over-40 rule (R6) cannot be what refuses it, whatever the borger's age.
    response = without_team(login(client, caseworker), frikommune_forloeb, borger_consent_on=TODAY.isoformat())
    assert "Undtagelsen gælder kun borgerens første ressourceforløb" in response.content.decode()
    assert phase_of(frikommune_forloeb) == Phase.FORBEREDENDE_DEL


def test_obvious_foertidspension_is_decided_without_the_team_with_its_ground_recorded(
    client, ready_forloeb, caseworker
):
    response = without_team(
        login(client, caseworker),
        ready_forloeb,
        without_team_ground="aabenbar_fp",
        ordning="foertidspension",
        duration_years="",
        benefit_start_on="",
        without_team_documentation="Terminal sygdom dokumenteret i LÆ 155.",
    )
    assert response.status_code == 302
    forloeb = Forloeb.objects.get(pk=ready_forloeb.pk)
    assert (forloeb.phase, forloeb.outcome) == (Phase.AFSLUTTET, Outcome.FOERTIDSPENSION)
    assert Decision.objects.get().without_team_documentation == "Terminal sygdom dokumenteret i LÆ 155."


def test_obvious_foertidspension_needs_its_documentation(client, ready_forloeb, caseworker):
    response = without_team(
        login(client, caseworker),
        ready_forloeb,
        without_team_ground="aabenbar_fp",
        ordning="foertidspension",
        duration_years="",
        benefit_start_on="",
        without_team_documentation="",
    )
    assert response.status_code == 400 and "Dette felt er påkrævet." in response.content.decode()
    assert phase_of(ready_forloeb) == Phase.FORBEREDENDE_DEL


# --- Who may decide ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["rehab_member", "outsider"])
def test_only_the_kommune_team_may_record_the_afgoerelse(client, recommended, who, request):
    response = decide(login(client, request.getfixturevalue(who)), recommended)
    assert response.status_code == 404
    assert not Decision.objects.exists() and phase_of(recommended) == Phase.INDSTILLING
