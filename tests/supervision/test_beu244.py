"""The BEU 244 report: each of the eleven answers against a hand count of a small population, the
small-cell suppression (with its complements) and the right-censoring of the outcome tables, who
may see which unit, and the page, PDF, CSV, JSON and command.

The population (days before today; the period is the last year, the report day today). Team Nord:
  N1  Anna, started 300, planned 800 days, ended 100 early (kontanthjælp, manglende medvirken);
      status 1m kontanthjælp; a sanction (ikke medvirket) 150
  N2  Anna's second forløb, started 60, planned 400 days, open; a sanction (ikke medvirket) 40
  N3  Bent, started 500, ended 90 as planned (410 days); status 1m FP; indstillet 120, tilkendt 95
  N4  Carl, started 214, planned 500, ended 14 early (job): 1 month after has not come: left out
  N5  Dora, started 800, planned 1200, ended 40 early (job); status 1m ordinary job, 15 hours
  N6  Erik, started 420, ended 35 as planned (385 days); status 1m ledighedsydelse; visiteret 50 (10 h)
  X1  Lis, started 800, ended 500: outside the period (a sanction 600 too)
Team Syd:
  S1  Finn, started 270, planned 700, ended 60 early (fleksjob); status 1m fleksjob; ansat 55 (12 h);
      bonus forhåndsgodkendt 58, udløst 20
  S2  Gitte, started 320, ended 170 as planned (150 days); no status recorded; revalidering from 160
  S3  Hans, started 100, planned 300, open; sanctions 30 (ikke gennemført) and 20 (ikke medvirket)
  S4  Inge, never started, case closed 80
  S5  Jens, started 600, planned 2000, ended 45 early (andet, no reason given); status 1m FP, but
      he had førtidspension during the forløb
  S6  Karen, started 30, no planned end, open
"""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import clock
from cases.models import EarlyEndReason, Forloeb, Outcome, Role
from outcomes.models import (
    BonusStatus,
    ExitStatus,
    ForloebResult,
    RevalideringType,
    Sanction,
    SanctionReason,
    SanctionType,
)
from supervision import beu244
from tests.conftest import login
from tests.factories import BorgerFactory, ForloebFactory, KommuneFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = clock.today()
PERIOD = (TODAY - dt.timedelta(days=364), TODAY)


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


@pytest.fixture
def recorder(kommune):
    return UserFactory(username="registrator", kommune=kommune)


def make(team, name, *, start=None, planned=None, closed=None, outcome="", reason="", borger=None, seq=1):
    """A forløb `start` days ago lasting `planned` days as planned, ended `closed` days ago."""
    start_date = ago(start) if start is not None else None
    f = ForloebFactory(
        team=team,
        borger=borger or BorgerFactory(first_name=name, last_name="Testesen"),
        sequence_no=seq,
        opened_on=(start_date or ago(closed or 0)) - dt.timedelta(days=30),
        start_date=start_date,
        planned_end_date=start_date + dt.timedelta(days=planned) if planned else None,
        closed_on=ago(closed) if closed is not None else None,
        outcome=outcome,
        early_end_reason=reason,
    )
    if closed is not None:
        Forloeb.objects.filter(pk=f.pk).update(phase="afsluttet")
    return f


def status(f, code, user, hours=None):
    ExitStatus.objects.create(
        forloeb=f, point="1m", code=code, job_hours_per_week=hours, recorded_by=user, recorded_at=clock.now()
    )


def result(f, user, **facts):
    ForloebResult.objects.create(forloeb=f, updated_by=user, updated_at=clock.now(), **facts)


def sanction(f, days, reason, user):
    Sanction.objects.create(
        forloeb=f,
        imposed_on=ago(days),
        kind=SanctionType.FRADRAG,
        reason=reason,
        recorded_by=user,
        recorded_at=clock.now(),
    )


@pytest.fixture
def population(team, other_team, recorder):
    nord, syd, u = team, other_team, recorder
    f = {}
    f["N1"] = make(nord, "Anna", start=300, planned=800, closed=100, outcome=Outcome.KONTANTHJAELP,
                   reason=EarlyEndReason.NO_PARTICIPATION)  # fmt: skip
    status(f["N1"], "KONTANTHJ", u)
    sanction(f["N1"], 150, SanctionReason.NOT_TAKEN_PART, u)
    f["N2"] = make(nord, "Anna", start=60, planned=400, borger=f["N1"].borger, seq=2)
    sanction(f["N2"], 40, SanctionReason.NOT_TAKEN_PART, u)
    f["N3"] = make(nord, "Bent", start=500, planned=410, closed=90, outcome=Outcome.FOERTIDSPENSION)
    status(f["N3"], "FP", u)
    result(f["N3"], u, fp_indstillet_on=ago(120), fp_tilkendt_on=ago(95))
    f["N4"] = make(nord, "Carl", start=214, planned=500, closed=14, outcome=Outcome.WAGE_EMPLOYMENT,
                   reason=EarlyEndReason.JOB_EDUCATION)  # fmt: skip
    f["N5"] = make(nord, "Dora", start=800, planned=1200, closed=40, outcome=Outcome.WAGE_EMPLOYMENT,
                   reason=EarlyEndReason.JOB_EDUCATION)  # fmt: skip
    status(f["N5"], "ORD_BESK", u, hours=15)
    result(f["N5"], u, ordinary_job_from=ago(40))
    f["N6"] = make(nord, "Erik", start=420, planned=385, closed=35, outcome=Outcome.LEDIGHEDSYDELSE)
    status(f["N6"], "LEDIGHEDSYDELSE", u)
    result(f["N6"], u, fleksjob_visiteret_on=ago(50), fleksjob_expected_hours=10)
    f["X1"] = make(nord, "Lis", start=800, planned=900, closed=500, outcome=Outcome.OTHER)
    sanction(f["X1"], 600, SanctionReason.NOT_TAKEN_PART, u)

    f["S1"] = make(syd, "Finn", start=270, planned=700, closed=60, outcome=Outcome.FLEKSJOB,
                   reason=EarlyEndReason.FLEKSJOB)  # fmt: skip
    status(f["S1"], "FLEKSJOB", u)
    result(f["S1"], u, fleksjob_employed_on=ago(55), fleksjob_hours_per_week=12,
           fleksjob_bonus_status=BonusStatus.PAID, fleksjob_bonus_preapproved_on=ago(58),
           fleksjob_bonus_paid_on=ago(20))  # fmt: skip
    f["S2"] = make(syd, "Gitte", start=320, planned=150, closed=170, outcome=Outcome.REVALIDERING)
    result(f["S2"], u, revalidering_type=RevalideringType.REVALIDERING, revalidering_from=ago(160))
    f["S3"] = make(syd, "Hans", start=100, planned=300)
    sanction(f["S3"], 30, SanctionReason.NOT_COMPLETED, u)
    sanction(f["S3"], 20, SanctionReason.NOT_TAKEN_PART, u)
    f["S4"] = make(syd, "Inge", closed=80, outcome=Outcome.OTHER)
    f["S5"] = make(syd, "Jens", start=600, planned=2000, closed=45, outcome=Outcome.OTHER)
    status(f["S5"], "FP", u)
    result(f["S5"], u, fp_held_before=True)
    f["S6"] = make(syd, "Karen", start=30)
    return f


def raw(kommune, *, team=None, as_of=TODAY, period=PERIOD, threshold=1) -> dict:
    """The report's data without suppression (threshold 1), as the JSON would have it."""
    qs = Forloeb.objects.filter(kommune=kommune)
    if team is not None:
        qs = qs.filter(team=team)
    rep = beu244.report(qs, *period, as_of, threshold)
    return beu244.as_data(rep, scope={"kommune": kommune.code})


# --- The eleven answers, by hand ---------------------------------------------------------------------


def test_q1_counts_the_forloeb_started_in_the_period_and_the_persons(kommune, population):
    data = raw(kommune)["1"]
    assert data["total"]["startede"] == {"forloeb": 7, "personer": 6, "personer_flere_forloeb": 1}
    assert data["per_team"]["team-nord"]["startede"] == {"forloeb": 3, "personer": 2, "personer_flere_forloeb": 1}
    assert data["per_team"]["team-syd"]["startede"] == {"forloeb": 4, "personer": 4, "personer_flere_forloeb": 0}
    assert data["per_kommune"]["999"]["startede"]["forloeb"] == 7


def test_q2_sets_actual_and_planned_duration_side_by_side(kommune, population):
    data = raw(kommune)["2"]["total"]
    assert data["forloeb"] == {"startede": 7, "afsluttede": 8, "lukket_uden_start": 1}
    actual = data["varighed_faktisk"]
    assert actual["forloeb"] == 8
    assert [actual[k] for k in ("0-6", "6-12", "12-24", "24-36", "36-60", "60+")] == [1, 3, 3, 1, 0, 0]
    assert actual["gennemsnit_dage"] == 358.8  # 2870 / 8
    assert actual["median_dage"] == 297.5  # (210 + 385) / 2
    planned = data["varighed_planlagt"]
    assert [planned[k] for k in ("0-6", "6-12", "12-24", "24-36", "36-60", "60+")] == [1, 0, 4, 1, 1, 1]
    assert planned["gennemsnit_dage"] == 768.1  # 6145 / 8
    assert planned["median_dage"] == 600.0
    started = data["varighed_planlagt_startede"]
    assert started["forloeb"] == 7
    assert started["ikke_oplyst"] == 1  # Karen: no planned end
    assert [started[k] for k in ("0-6", "6-12", "12-24", "24-36")] == [1, 1, 3, 1]
    assert started["gennemsnit_dage"] == 475.0
    assert started["median_dage"] == 450.0
    assert actual["procent"]["6-12"] == 37.5


def test_a_forloeb_ended_two_weeks_ago_is_left_out_of_the_outcome_tables_and_counted(kommune, population):
    data = raw(kommune)
    for number in map(str, range(3, 10)):
        assert data[number]["total"]["opgoerelse"] == {"afsluttede": 8, "udeladt": 1, "i_opgoerelsen": 7}
    assert data["meta"]["udeladt"]["opfoelgning_1m_ikke_naaet"] == 1
    assert data["3"]["per_team"]["team-nord"]["opgoerelse"] == {"afsluttede": 5, "udeladt": 1, "i_opgoerelsen": 4}
    # Carl (ended early with a job) still counts where no follow-up is needed: question 10.
    assert data["10"]["total"]["ikke_gennemfoert"]["succes"] == 3


def test_table_3_is_the_status_one_month_after_with_the_unrecorded_as_its_own_line(kommune, population):
    table = raw(kommune)["3"]["total"]["forsoergelsesstatus_1m"]
    assert {k: v for k, v in table.items() if k != "procent"} == {
        "beskaeftigelse_selvforsoergelse": 1,
        "heraf_ordinaer_beskaeftigelse": 1,
        "heraf_selvforsoergelse": 0,
        "heraf_uddannelse_su": 0,
        "a_dagpenge": 0,
        "kontanthjaelp": 1,
        "revalidering_forrevalidering": 0,
        "sygedagpenge": 0,
        "fleksjob": 1,
        "ledighedsydelse": 1,
        "foertidspension_mv": 2,
        "andet": 0,
        "ikke_registreret": 1,  # Gitte
        "i_alt": 7,
    }
    assert table["procent"]["foertidspension_mv"] == 28.6
    assert table["procent"]["fleksjob"] == 14.3
    assert table["procent"]["i_alt"] == 100.0


def test_q3_to_q9_answer_from_the_facts_and_the_status(kommune, population):
    data = raw(kommune)
    t = {n: data[n]["total"] for n in map(str, range(3, 10))}
    assert t["3"]["ordinaert_job"] == {
        "status_ordinaer_beskaeftigelse": 1,
        "job_registreret": 1,
        "procent": {"status_ordinaer_beskaeftigelse": 14.3, "job_registreret": 14.3},
    }
    assert t["3"]["timer"]["i_alt"] == 1 and t["3"]["timer"]["10-20"] == 1
    assert t["3"]["timer"]["gennemsnit_timer"] == 15.0
    assert t["4"]["fleksjob_visiteret"]["visiteret"] == 1
    assert t["4"]["fleksjob_visiteret"]["status_ledighedsydelse"] == 1
    assert t["4"]["timer"]["median_timer"] == 10.0
    assert t["5"]["fleksjob_ansat"]["ansat"] == 1
    assert t["5"]["fleksjob_ansat"]["status_fleksjob"] == 1
    assert t["5"]["timer"]["gennemsnit_timer"] == 12.0
    assert {k: t["6"]["fleksjobbonus"][k] for k in ("udloest", "forhaandsgodkendt", "ingen", "i_alt")} == {
        "udloest": 1,
        "forhaandsgodkendt": 0,
        "ingen": 6,
        "i_alt": 7,
    }
    assert t["7"]["revalidering"]["i_alt"] == 1
    assert t["7"]["revalidering"]["revalidering"] == 1
    assert t["7"]["revalidering"]["status_revalidering"] == 0
    assert t["8"]["foertidspension_indstillet"]["indstillet"] == 1
    fp = t["9"]["foertidspension_tilkendt"]
    # Jens kept his førtidspension through the forløb: his status is FP, but he was not tilkendt it.
    assert (fp["tilkendt"], fp["status_foertidspension"], fp["havde_foertidspension"]) == (1, 2, 1)
    # The duration of the same seven forløb stands beside every outcome table.
    for number in map(str, range(3, 10)):
        assert t[number]["varighed_faktisk"]["forloeb"] == 7
        assert t[number]["varighed_faktisk"]["median_dage"] == 385.0
        assert t[number]["varighed_planlagt"]["forloeb"] == 7


def test_the_facts_count_as_of_the_report_day(kommune, population):
    """Run as of 25 days ago over the year before: Finn's bonus was approved, not yet paid."""
    as_of = ago(25)
    data = raw(kommune, as_of=as_of, period=(as_of - dt.timedelta(days=364), as_of))
    # Ended by then: Anna, Bent, Dora, Erik, Finn, Gitte, Jens; 1 month after had not come for
    # Dora (40), Erik (35) and Jens (45).
    assert data["3"]["total"]["opgoerelse"] == {"afsluttede": 7, "udeladt": 3, "i_opgoerelsen": 4}
    bonus = data["6"]["total"]["fleksjobbonus"]
    assert (bonus["udloest"], bonus["forhaandsgodkendt"], bonus["ingen"]) == (0, 1, 3)
    assert data["5"]["total"]["fleksjob_ansat"]["ansat"] == 1
    assert data["9"]["total"]["foertidspension_tilkendt"]["tilkendt"] == 1


def test_q10_counts_the_not_completed_with_their_reasons(kommune, population):
    data = raw(kommune)["10"]["total"]
    assert {k: v for k, v in data["ikke_gennemfoert"].items() if k != "procent"} == {
        "afsluttede": 8,
        "foer_planlagt": 5,
        "succes": 3,
        "ikke_gennemfoert": 2,
    }
    reasons = {k: v for k, v in data["aarsager"].items() if k != "procent" and v}
    assert reasons == {"manglende_medvirken": 1, "ikke_angivet": 1, "i_alt": 2}
    assert data["varighed_faktisk"]["forloeb"] == 8


def test_q11_counts_persons_forloeb_and_sanctions_in_the_period_by_reason(kommune, population):
    data = raw(kommune)["11"]
    assert data["total"]["sanktioner"] == {"personer": 2, "forloeb": 3, "sanktioner": 4}
    by_reason = data["total"]["sanktioner_pr_aarsag"]
    assert (by_reason["ikke_medvirket"], by_reason["ikke_gennemfoert"], by_reason["i_alt"]) == (3, 1, 4)
    persons = data["total"]["personer_pr_aarsag"]
    assert (persons["ikke_medvirket"], persons["ikke_gennemfoert"]) == (2, 1)
    assert data["per_team"]["team-nord"]["sanktioner"] == {"personer": 1, "forloeb": 2, "sanktioner": 2}


def test_the_2015_table_3_is_reproduced_to_the_decimal(kommune, team, recorder):
    """Seed 367 forløb with the 2015 answer's distribution (spec scenario 11)."""
    counts = {
        "ORD_BESK": 92,
        "A_DAGPENGE": 5,
        "KONTANTHJ": 28,
        "REVALIDERING": 5,
        "SYGEDAGPENGE": 4,
        "FLEKSJOB": 16,
        "LEDIGHEDSYDELSE": 38,
        "FP": 168,
        "ANDET": 11,
    }
    forloeb = []
    for code, n in counts.items():
        forloeb += [(code, i) for i in range(n)]
    borgere = BorgerFactory.create_batch(len(forloeb))
    made = Forloeb.objects.bulk_create(
        Forloeb(
            borger=b,
            sequence_no=1,
            kommune=kommune,
            team=team,
            phase="afsluttet",
            opened_on=ago(500),
            start_date=ago(400),
            planned_end_date=ago(100),
            closed_on=ago(100),
        )
        for b in borgere
    )
    now = clock.now()
    ExitStatus.objects.bulk_create(
        ExitStatus(forloeb=f, point="1m", code=code, recorded_by=recorder, recorded_at=now)
        for f, (code, _i) in zip(made, forloeb, strict=True)
    )
    shares = raw(kommune)["3"]["total"]["forsoergelsesstatus_1m"]["procent"]
    keys = ["beskaeftigelse_selvforsoergelse", "a_dagpenge", "kontanthjaelp", "revalidering_forrevalidering"]
    keys += ["sygedagpenge", "fleksjob", "ledighedsydelse", "foertidspension_mv", "andet", "i_alt"]
    assert [shares[k] for k in keys] == [25.1, 1.4, 7.6, 1.4, 1.1, 4.4, 10.4, 45.8, 3.0, 100.0]


# --- Suppression -------------------------------------------------------------------------------------


def test_small_team_counts_are_suppressed_and_so_is_a_complement(kommune, population):
    data = beu244.as_data(
        beu244.report(Forloeb.objects.filter(kommune=kommune), *PERIOD, TODAY, 5), scope={"kommune": "999"}
    )
    # Team Nord started 3 and Syd 4: both "<5"; the total of 7 leaves the team as it is.
    assert data["1"]["per_team"]["team-nord"]["startede"]["forloeb"] == "<5"
    assert data["1"]["per_team"]["team-syd"]["startede"]["forloeb"] == "<5"
    assert data["1"]["total"]["startede"]["forloeb"] == 7
    # Of the 8 ended, 1 is left out (too recent) and 7 are counted. The 1 is suppressed, and so is
    # the 7 (else 8 - 7 gives it away); with the 7 go the percentages that are shares of it.
    assert data["3"]["total"]["opgoerelse"] == {"afsluttede": 8, "udeladt": "<5", "i_opgoerelsen": "<5"}
    bonus = data["6"]["total"]["fleksjobbonus"]
    assert (bonus["udloest"], bonus["forhaandsgodkendt"], bonus["ingen"], bonus["i_alt"]) == ("<5", 0, 6, "<5")
    assert bonus["procent"] == {"udloest": None, "forhaandsgodkendt": None, "ingen": None, "i_alt": None}
    # The mean of fewer than 5 is not given.
    assert data["2"]["per_team"]["team-syd"]["varighed_faktisk"]["gennemsnit_dage"] is None  # 3 ended
    assert data["2"]["per_team"]["team-nord"]["varighed_faktisk"]["gennemsnit_dage"] == 391.0  # 5 ended
    assert data["2"]["total"]["varighed_faktisk"]["gennemsnit_dage"] == 358.8


def test_no_suppressed_count_can_be_recomputed_from_a_sum_that_is_shown(kommune, population):
    for threshold in (2, 3, 4, 5, 6):
        rep = beu244.report(Forloeb.objects.filter(kommune=kommune), *PERIOD, TODAY, threshold)
        mask = beu244.suppress(rep, leaves_the_team=True)
        sums = [(total, parts, i) for t in rep.tables() for total, parts in t.sums for i in range(len(rep.units))]
        teams = [i for i, u in enumerate(rep.units) if u.kind == "team"]
        sums += [(r, [r] * len(teams), None) for r in rep.rows() if r.kind == "count"]
        for total, parts, i in sums:
            cells = [(p, i) for p in parts] if i is not None else [(total, t) for t in teams]
            shown_total = not mask(total, i if i is not None else 0)
            hidden = [c for c in cells if mask(*c)]
            assert not (shown_total and len(hidden) == 1), (total.key, i, threshold)
            nonzero = [c for c in cells if c[0].values[c[1]]]
            assert shown_total or hidden or not nonzero, ("a hidden sum of shown parts", total.key, i, threshold)
        for r in rep.rows():
            for i, value in enumerate(r.values):
                if r.kind == "count" and 0 < value < threshold:
                    assert mask(r, i), (r.key, i)


def test_the_page_shows_the_leaders_own_totals_but_suppresses_the_teams(client, kommune, population, team, other_team):
    leader = UserFactory(username="leder-begge", role=Role.TEAM_LEADER, kommune=kommune, teams=[team, other_team])
    body = login(client, leader).get(reverse("supervision:beu244")).content.decode()
    questions = beu244.present(
        beu244.report(Forloeb.objects.filter(kommune=kommune), *PERIOD, TODAY, 5), leaves_the_team=False
    )
    started = questions[0].tables[0]
    assert [u.kind for u in started.columns] == ["total", "team", "team"]  # one kommune: no column of its own
    assert started.lines[0].cells == ["7", "<5", "<5"]
    assert questions[2].tables[1].lines[-1].cells[0] == "7 (100,0 %)"  # table 3, I alt
    assert "PDF, CSV og JSON" in body
    assert "Spørgsmål 11" in body and "&lt;5" in body


# --- Scope and outputs ---------------------------------------------------------------------------------


@pytest.fixture
def leader_syd(kommune, other_team):
    return UserFactory(username="leder-syd", role=Role.TEAM_LEADER, kommune=kommune, teams=[other_team])


@pytest.mark.parametrize("name", ["supervision:beu244", "supervision:beu244_csv", "supervision:beu244_json"])
def test_a_leader_cannot_ask_for_another_team_and_a_caseworker_not_at_all(
    client, name, population, team, leader_syd, caseworker
):
    url = reverse(name)
    assert login(client, leader_syd).get(f"{url}?team={team.pk}").status_code == 404
    assert login(client, caseworker).get(url).status_code == 404


def test_a_leader_sees_only_their_teams_forloeb(client, population, leader_syd, other_team):
    response = login(client, leader_syd).get(reverse("supervision:beu244_json"))
    data = json.loads(response.content)
    assert list(data["1"]["per_team"]) == ["team-syd"]
    assert data["1"]["total"]["startede"]["forloeb"] == "<5"  # Syd's 4 forløb, leaving the team
    assert data["meta"]["team"] is None and data["meta"]["kommune"] == "999"
    one_team = json.loads(
        login(client, leader_syd).get(f"{reverse('supervision:beu244_json')}?team={other_team.pk}").content
    )
    assert one_team["meta"]["team"] == "team-syd"


def test_an_administrator_sees_the_kommune_and_no_access_is_logged(client, kommune, population):
    from cases.models import AccessLog

    admin = UserFactory(username="adm", role=Role.ADMINISTRATOR, kommune=kommune)
    before = AccessLog.objects.count()
    data = json.loads(login(client, admin).get(reverse("supervision:beu244_json")).content)
    assert data["1"]["total"]["startede"]["forloeb"] == 7
    assert AccessLog.objects.count() == before  # figures only: no borger was shown


def test_csv_and_pdf_answer_with_their_content_types(client, kommune, population, team, other_team):
    leader = UserFactory(username="leder-pdf", role=Role.TEAM_LEADER, kommune=kommune, teams=[team, other_team])
    login(client, leader)
    csv_response = client.get(reverse("supervision:beu244_csv"))
    assert csv_response.status_code == 200
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    text = csv_response.content.decode()
    assert text.splitlines()[0] == "spoergsmaal,tabel,linje,enhed,kode,vaerdi,procent"
    assert "1,startede,forloeb,total,,7," in text
    assert "1,startede,forloeb,team,team-nord,<5," in text
    pdf = client.get(reverse("supervision:beu244_pdf"))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_the_period_defaults_to_the_last_year_and_bad_input_falls_back(client, kommune, population, team, other_team):
    leader = UserFactory(username="leder-3", role=Role.TEAM_LEADER, kommune=kommune, teams=[team, other_team])
    login(client, leader)
    data = json.loads(client.get(reverse("supervision:beu244_json")).content)
    assert data["meta"]["periode"] == {"fra": ago(364).isoformat(), "til": TODAY.isoformat()}
    page = client.get(reverse("supervision:beu244"), {"fra": "not a day", "til": "2999-01-01", "team": "x"})
    assert page.status_code == 200


def test_the_page_costs_the_same_number_of_queries_for_more_forloeb(client, kommune, team, other_team, recorder):
    leader = UserFactory(username="leder-q", role=Role.TEAM_LEADER, kommune=kommune, teams=[team, other_team])
    login(client, leader)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("supervision:beu244")).status_code == 200
        return len(ctx.captured_queries)

    make(team, "Et", start=300, planned=400, closed=40, outcome=Outcome.OTHER)
    few = queries()
    for i in range(6):
        f = make(team if i % 2 else other_team, f"Flere{i}", start=300, planned=400, closed=40, outcome=Outcome.OTHER)
        status(f, "FP", recorder)
        result(f, recorder, fp_tilkendt_on=ago(30))
        sanction(f, 50, SanctionReason.NOT_COMPLETED, recorder)
    assert queries() == few


# --- The command ---------------------------------------------------------------------------------------


def run(*args) -> str:
    out = io.StringIO()
    call_command("beu244", *args, stdout=out)
    return out.getvalue()


def test_the_command_gives_the_same_figures_keyed_by_question_number(kommune, population):
    data = json.loads(run("--format", "json", "--graense", "5"))
    assert set(data) == {"meta", *map(str, range(1, 12))}
    assert data["meta"]["graense"] == 5 and data["meta"]["opgjort_pr"] == TODAY.isoformat()
    assert data["1"]["total"]["startede"]["forloeb"] == 7
    assert data["1"]["per_team"]["team-nord"]["startede"]["forloeb"] == "<5"
    assert data["meta"]["udeladt"]["opfoelgning_1m_ikke_naaet"] == "<5"  # 1, leaving the team
    assert set(data["meta"]["definitioner"]) == set(map(str, range(1, 12)))
    unsuppressed = json.loads(run("--format", "json", "--graense", "2", "--team", "team-nord"))
    assert unsuppressed["1"]["total"]["startede"]["forloeb"] == 3
    assert unsuppressed["meta"]["team"] == "team-nord"


def test_the_command_writes_csv(kommune, population, tmp_path):
    target = tmp_path / "beu244.csv"
    assert "skrevet til" in run("--format", "csv", "-o", str(target))
    assert target.read_text(encoding="utf-8").startswith("spoergsmaal,tabel,linje")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--format", "xml"], "--format json"),
        (["--format", "json", "--graense", "fem"], "helt tal"),
        (["--format", "json", "--graense", "1"], "mindst 2"),
        (["--format", "json", "--pr-dato", "2999-01-01"], "Ugyldig dato"),
        (["--format", "json", "--fra", "igår"], "Ugyldig dato"),
        (["--format", "json", "--til", (TODAY + dt.timedelta(days=1)).isoformat()], "ligger efter"),
        (["--format", "json", "--fra", ago(10).isoformat(), "--til", ago(20).isoformat()], "ligger efter"),
        (["--format", "json", "--kommune", "000"], "Ukendt kommunekode"),
        (["--format", "json", "--team", "ingen"], "Ukendt teamkode"),
    ],
)
def test_bad_arguments_are_refused_in_danish(kommune, team, arguments, message):
    with pytest.raises(CommandError, match=message):
        run(*arguments)


def test_with_two_kommuner_the_command_asks_which(kommune, team):
    TeamFactory(kommune=KommuneFactory(code="101", name="København"))
    with pytest.raises(CommandError, match="--kommune"):
        run("--format", "json")


# --- The documentation ---------------------------------------------------------------------------------


def test_the_documentation_names_every_table_and_line_of_every_question():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "beu244.md").read_text(encoding="utf-8")
    keys = text.split("## 6. JSON: alle nøgler")[1].split("## 7. CSV")[0]
    sections = {part.split("\n", 1)[0].strip(): part for part in keys.split("### Spørgsmål ")[1:]}
    questions = beu244.layout()
    assert [q.number for q in questions] == list(sections)
    named = set()  # a table already listed under an earlier question may be named by reference to it
    for q in questions:
        section = sections[q.number]
        for table in q.tables:
            assert f"`{table.key}`" in section, (q.number, table.key)
            if id(table) not in named:
                for line in table.lines:
                    assert f"`{line.key}`" in section, (q.number, table.key, line.key)
            named.add(id(table))


def test_a_duration_band_is_whole_calendar_months_from_the_start():
    """Under 6 months means: ended before the day 6 calendar months after the start (the last day
    of a shorter month), checked against dateutil for every start in four years."""
    import random

    from dateutil.relativedelta import relativedelta

    rng = random.Random(244)
    for start in (dt.date(2024, 1, 1) + dt.timedelta(days=n) for n in range(0, 4 * 366, 3)):
        for days in [rng.randrange(1, 2500) for _ in range(3)] + [181, 182, 183, 184, 365, 366, 730, 731]:
            end = start + dt.timedelta(days=days)
            expected = next(
                key
                for key, _low, high, _l in beu244.DURATION_BANDS
                if high is None or end < start + relativedelta(months=high)
            )
            assert beu244._months_band(beu244._whole_months(start, end)) == expected, (start, end)
