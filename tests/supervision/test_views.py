"""The ledelsestilsyn pages (/tilsyn/): who may open them, what they show, that bad filter input
never fails the page, that a figure's link lists exactly the forløb behind it, and that the
dashboard costs the same number of queries whatever the number of forløb."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import clock
from cases.models import Role
from supervision import points as cp
from tests.conftest import login
from tests.factories import BorgerFactory, FlagFactory, ForloebFactory, KommuneFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = clock.today()
PAST_MAX = "A/past_max_duration"  # share: open, granted forløb (n) older than the law allows (count)
PAGES = ("supervision:dashboard", "supervision:fokusrevision")


def years_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=365 * n + 30)


@pytest.fixture
def leader(kommune, team, other_team):
    """A team leader of both teams of the kommune."""
    return UserFactory(username="leder2", role=Role.TEAM_LEADER, kommune=kommune, teams=[team, other_team])


@pytest.fixture
def administrator(kommune):
    return UserFactory(username="admin", role=Role.ADMINISTRATOR, kommune=kommune)


@pytest.fixture
def world(team, other_team, caseworker, outsider):
    """Team Nord: one forløb past the longest legal duration and one granted a year ago, both the
    caseworker's; Team Syd: one granted a year ago (the outsider's) and one not granted yet."""

    def forloeb(team, coordinator, last_name, start):
        return ForloebFactory(
            team=team,
            borger=BorgerFactory(first_name="Borger", last_name=last_name),
            opened_on=(start or TODAY) - dt.timedelta(days=60),
            start_date=start,
            current_coordinator=coordinator,
        )

    return {
        "old": forloeb(team, caseworker, "Gammelgaard", years_ago(4)),
        "nord": forloeb(team, caseworker, "Nordmand", years_ago(1)),
        "syd": forloeb(other_team, outsider, "Sydbo", years_ago(1)),
        "new": forloeb(other_team, outsider, "Nybegynder", None),
    }


def names_in(response) -> set[str]:
    return {f.borger.last_name for f in response.context["page"].object_list}


def drill(client, query: str):
    return client.get(f"{reverse('supervision:forloeb_list')}?{query}")


# --- Who may open the pages -------------------------------------------------------------------


@pytest.mark.parametrize("view_name", PAGES)
def test_the_team_leader_the_administrator_and_the_caseworker_can_open_the_pages(
    client, view_name, leader, administrator, caseworker, world
):
    for user in (leader, administrator, caseworker):
        response = login(client, user).get(reverse(view_name))
        assert response.status_code == 200, user
    assert "Ledelsestilsyn" in login(client, leader).get(reverse(view_name)).content.decode()


def test_the_caseworker_sees_only_their_own_forloeb_behind_a_figure(client, caseworker, world):
    response = drill(login(client, caseworker), f"punkt={PAST_MAX}&del=naevner&team={world['syd'].team_id}")
    assert response.status_code == 200
    assert names_in(response) == {"Gammelgaard", "Nordmand"}
    assert "Mine tal" in response.content.decode()


def test_a_rehab_member_gets_404_on_every_page(client, rehab_member, world):
    login(client, rehab_member)
    for name in (*PAGES, "supervision:compare", "supervision:fokusrevision_pdf", "supervision:fokusrevision_json"):
        assert client.get(reverse(name) + f"?punkt={PAST_MAX}").status_code == 404, name
    assert drill(client, f"punkt={PAST_MAX}&del=naevner").status_code == 404


def test_a_team_of_another_kommune_is_404_not_its_figures(client, leader, world):
    foreign = TeamFactory(kommune=KommuneFactory(code="998", name="Fjernby Kommune"), name="Team Fjern")
    ForloebFactory(team=foreign, borger=BorgerFactory(last_name="Fjernbo"), start_date=years_ago(1))
    login(client, leader)
    assert client.get(reverse("supervision:dashboard") + f"?team={foreign.pk}").status_code == 404
    assert drill(client, f"punkt={PAST_MAX}&del=naevner&team={foreign.pk}").status_code == 404
    assert client.get(reverse("supervision:dashboard") + f"?kommune={foreign.kommune_id}").status_code == 404


def test_a_team_leader_of_one_team_cannot_open_the_other_team(client, team_leader, world):
    login(client, team_leader)
    assert drill(client, f"punkt={PAST_MAX}&del=naevner&team={world['syd'].team_id}").status_code == 404
    assert names_in(drill(client, f"punkt={PAST_MAX}&del=naevner")) == {"Gammelgaard", "Nordmand"}


# --- Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("pr=2999-01-01", "pr", "Datoen skal ligge mellem"),
        (f"pr={(TODAY + dt.timedelta(days=1)).isoformat()}", "pr", "kan ikke ligge i fremtiden"),
        ("fra=ikke-en-dato", "fra", "Indtast en gyldig dato"),
        (f"fra={TODAY.isoformat()}&til={(TODAY - dt.timedelta(days=5)).isoformat()}", "fra", "begynde efter"),
        (f"pr={(TODAY - dt.timedelta(days=5)).isoformat()}&til={TODAY.isoformat()}", "til", "slutte efter"),
        ("team=abc", "team", "Vælg et team på listen."),
        ("sagsbehandler=x", "sagsbehandler", "Vælg en sagsbehandler på listen."),
        ("fra=0001-01-01", "fra", "Datoen skal ligge mellem"),
    ],
)
def test_bad_filter_input_shows_a_danish_message_and_the_page_with_defaults(
    client, leader, world, query, field, message
):
    login(client, leader)
    for name in (*PAGES, "supervision:compare"):
        response = client.get(f"{reverse(name)}?punkt={PAST_MAX}&{query}")
        assert response.status_code == 200, name
        form = response.context["form"]
        assert message in " ".join(form.errors[field])
        assert message in response.content.decode()
    unit = response.context["unit"]
    assert unit.period_from <= unit.period_to <= unit.as_of <= TODAY


def test_the_period_and_the_day_are_taken_from_the_filter(client, leader, world):
    day = TODAY - dt.timedelta(days=10)
    query = f"pr={day.isoformat()}&fra={(day - dt.timedelta(days=30)).isoformat()}&til={day.isoformat()}"
    response = login(client, leader).get(f"{reverse('supervision:dashboard')}?{query}")
    unit = response.context["unit"]
    assert (unit.as_of, unit.period_from, unit.period_to) == (day, day - dt.timedelta(days=30), day)
    assert not response.context["form"].errors


# --- What the pages show ----------------------------------------------------------------------


def test_the_dashboard_shows_each_figure_with_its_n_its_denominator_rule_and_its_links(client, leader, world):
    response = login(client, leader).get(reverse("supervision:dashboard"))
    html = response.content.decode()
    row = next(r for _k, _l, rows in response.context["groups"] for r in rows if r.point.ref == PAST_MAX)
    assert (row.value.count, row.value.n, row.share) == (1, 3, "33 %")
    assert "åbne, bevilgede forløb" in html  # the denominator rule in words
    assert row.count_url.replace("&", "&amp;") in html and row.n_url.replace("&", "&amp;") in html
    assert "forløb bag tallet" in html and "Sammenlign" in html
    for group in ("Overholdelse", "Fremdrift", "Kvalitet", "Åbne advarsler", "Sagsbyrde"):
        assert f">{group}</h2>" in html


def test_the_comparison_ranks_the_teams_by_share_beside_the_reference(client, leader, world):
    response = login(client, leader).get(f"{reverse('supervision:compare')}?punkt={PAST_MAX}")
    teams = response.context["teams"]
    assert [(t.name, t.share, t.value.n) for t in teams] == [("Team Nord", "50 %", 2), ("Team Syd", "0 %", 1)]
    html = response.content.decode()
    assert "<svg" in html and "<caption>" in html and "Alle dine forløb i kommunen" in html
    caseworkers = response.context["caseworkers"]
    assert [c.share for c in caseworkers] == ["50 %", "0 %"]


def test_the_comparison_of_a_distribution_draws_stacked_bars(client, leader, world):
    response = login(client, leader).get(f"{reverse('supervision:compare')}?punkt=1.11")
    assert response.status_code == 200
    assert "Stablede søjler" in response.content.decode() or "Ingen data" in response.content.decode()


def test_the_forloeb_behind_a_figure_are_exactly_its_numerator_or_denominator(client, leader, world):
    login(client, leader)
    assert names_in(drill(client, f"punkt={PAST_MAX}&del=taeller")) == {"Gammelgaard"}
    assert names_in(drill(client, f"punkt={PAST_MAX}&del=naevner")) == {"Gammelgaard", "Nordmand", "Sydbo"}
    team_syd = world["syd"].team_id
    assert names_in(drill(client, f"punkt={PAST_MAX}&del=naevner&team={team_syd}")) == {"Sydbo"}


def test_the_links_of_the_comparison_list_the_forloeb_of_that_team(client, leader, world):
    login(client, leader)
    teams = client.get(f"{reverse('supervision:compare')}?punkt={PAST_MAX}").context["teams"]
    nord = next(t for t in teams if t.name == "Team Nord")
    assert names_in(client.get(nord.count_url)) == {"Gammelgaard"}
    assert names_in(client.get(nord.n_url)) == {"Gammelgaard", "Nordmand"}


def test_the_drilldown_keeps_the_filter_in_its_link_back_to_the_dashboard(client, leader, world):
    team_syd = world["syd"].team_id
    response = drill(login(client, leader), f"punkt={PAST_MAX}&del=naevner&team={team_syd}")
    back = f'href="/tilsyn/?kommune={world["syd"].kommune_id}&amp;team={team_syd}&amp;pr={TODAY.isoformat()}'
    assert back in response.content.decode()


def test_the_forloeb_with_open_flags_are_listed_by_rule_by_age_and_acknowledged(client, leader, world):
    FlagFactory(forloeb=world["nord"], raised_on=TODAY - dt.timedelta(days=40))
    FlagFactory(forloeb=world["syd"], acknowledged_at=clock.now(), acknowledged_by=leader)
    login(client, leader)
    assert client.get(reverse("supervision:dashboard")).context["flags"].open == 2
    assert names_in(drill(client, "advarsel=TEST_RULE")) == {"Nordmand", "Sydbo"}
    assert names_in(drill(client, "alder=31-90d")) == {"Nordmand"}
    assert names_in(drill(client, "kvitteret=1")) == {"Sydbo"}


@pytest.mark.parametrize(
    "query",
    ["", "punkt=9.99&del=taeller", f"punkt={PAST_MAX}&del=alt", "punkt=1.11&spand=ukendt", "punkt=1.11&del=taeller"]
    + [f"punkt={PAST_MAX}&spand=%3C%3D2m", "alder=evigt", "advarsel=%3Cscript%3E", "punkt=9.99"],
)
def test_an_unknown_figure_part_or_bucket_is_404(client, leader, world, query):
    login(client, leader)
    assert drill(client, query).status_code == 404
    if query.startswith("punkt=9.99"):
        assert client.get(f"{reverse('supervision:compare')}?{query}").status_code == 404


def test_a_bucket_of_a_distribution_lists_its_forloeb(client, leader, world):
    response = drill(login(client, leader), "punkt=1.11&spand=%3C%3D2m")
    assert response.status_code == 200 and names_in(response) == set()


# --- The report and its downloads -----------------------------------------------------------------


def test_the_report_groups_the_points_by_the_audits_four_questions(client, leader, world):
    response = login(client, leader).get(reverse("supervision:fokusrevision"))
    questions = response.context["questions"]
    assert [number for number, _t, _r in questions] == ["1", "2", "3", "4"]
    refs = {number: [r.point.ref for r in rows] for number, _t, rows in questions}
    assert refs["1"][:2] == ["1.1", "1.2"] and PAST_MAX in refs["1"] and "3.9" in refs["3"] and "4.1" in refs["4"]
    assert sum(len(rows) for rows in refs.values()) == len(cp.POINTS)
    assert "<td>359</td>" in response.content.decode()  # the audit's n beside ours


def test_the_report_as_pdf(client, leader, world):
    response = login(client, leader).get(reverse("supervision:fokusrevision_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_report_downloads_as_json_and_csv(client, leader, world):
    login(client, leader)
    response = client.get(reverse("supervision:fokusrevision_json") + f"?team={world['nord'].team_id}")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["control_points"]["A"]["past_max_duration"] == {"n": 2, "count": 1, "share": 0.5}
    response = client.get(reverse("supervision:fokusrevision_csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "control_point" in response.content.decode("utf-8-sig").splitlines()[0]


# --- Cost -------------------------------------------------------------------------------------------


def test_the_dashboard_costs_the_same_number_of_queries_for_few_and_many_forloeb(
    client, leader, world, team, other_team, caseworker, outsider
):
    login(client, leader)
    client.get(reverse("supervision:dashboard"))  # warm up (sessions, content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("supervision:dashboard")).status_code == 200
    more_caseworkers = [UserFactory(teams=[t]) for t in (team, other_team) for _ in range(3)]
    for i in range(40):
        f = ForloebFactory(
            team=(team, other_team)[i % 2],
            start_date=years_ago(1 + i % 5),
            current_coordinator=more_caseworkers[i % len(more_caseworkers)],
        )
        FlagFactory(forloeb=f, raised_on=TODAY - dt.timedelta(days=i * 7))
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("supervision:dashboard")).status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many]
    print(f"dashboard: {len(few)} queries")


def test_the_drilldown_list_logs_each_borger_it_names(client, team_leader, forloeb):
    """The list names borgere: each forløb on the page is a read, logged with the borger."""
    import datetime as dt

    from cases import clock
    from cases.models import AccessAction, AccessLog, Forloeb

    Forloeb.objects.filter(pk=forloeb.pk).update(start_date=clock.today() - dt.timedelta(days=30))
    client.force_login(team_leader)
    response = client.get(reverse("supervision:forloeb_list"), {"punkt": "2.4/mentor", "del": "naevner"})
    assert response.status_code == 200
    shown = {f.pk for f in response.context["page"]}
    logged = set(
        AccessLog.objects.filter(user=team_leader, action=AccessAction.LIST).values_list("forloeb_id", flat=True)
    )
    assert shown == {forloeb.pk}
    assert logged == shown
    assert all(row.borger_id == row.forloeb.borger_id for row in AccessLog.objects.filter(action=AccessAction.LIST))


def test_a_caseworkers_caseload_links_to_exactly_their_open_forloeb(client, team_leader, caseworker, teammate, forloeb):
    from cases.models import Forloeb
    from tests.factories import ForloebFactory

    closed = ForloebFactory(team=forloeb.team, current_coordinator=caseworker)
    Forloeb.objects.filter(pk=closed.pk).update(phase="afsluttet", closed_on=closed.opened_on)
    ForloebFactory(team=forloeb.team, current_coordinator=teammate)
    client.force_login(team_leader)

    dashboard = client.get(reverse("supervision:dashboard"))
    name = caseworker.get_full_name() or caseworker.username
    row = next(r for r in dashboard.context["caseload"] if r[0] == name)
    assert row[1] == 1
    listed = client.get(row[2])
    assert listed.status_code == 200
    assert [f.pk for f in listed.context["page"]] == [forloeb.pk]
