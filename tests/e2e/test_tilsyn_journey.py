"""Ledelsestilsyn in the browser: a team leader of two teams opens the dashboard, compares the two
teams on one figure, follows a team's figure to the forløb behind it, opens one, and comes back
(the browser's Back button, then the page's own link) to the same filtered views. axe-core finds
no WCAG 2.1 A/AA violation on any of these pages."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from cases import clock
from cases.models import Role
from tests.e2e.conftest import assert_accessible
from tests.factories import BorgerFactory, ForloebFactory, UserFactory

pytestmark = pytest.mark.e2e
TODAY = clock.today()
FIGURE = "Forløb ud over den længste lovlige varighed"


@pytest.fixture
def two_teams(kommune, team, other_team, caseworker, outsider):
    """Team Nord: one forløb older than the law allows and one granted a year ago; Team Syd: one
    granted a year ago. The leader leads both teams."""
    leader = UserFactory(username="leder-to-teams", role=Role.TEAM_LEADER, kommune=kommune, teams=[team, other_team])
    for t, coordinator, last_name, years in (
        (team, caseworker, "Gammelgaard", 4),
        (team, caseworker, "Nordmand", 1),
        (other_team, outsider, "Sydbo", 1),
    ):
        start = TODAY - dt.timedelta(days=365 * years + 30)
        ForloebFactory(
            team=t,
            borger=BorgerFactory(first_name="Borger", last_name=last_name),
            opened_on=start - dt.timedelta(days=60),
            start_date=start,
            current_coordinator=coordinator,
        )
    return leader


def test_the_team_leader_compares_two_teams_and_finds_the_forloeb_behind_a_figure(
    transactional_db, live_server, page, static_failures, log_in, two_teams, team
):
    log_in(two_teams)
    page.get_by_role("link", name="Ledelsestilsyn", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Ledelsestilsyn")).to_be_visible()
    compliance = page.get_by_role("region", name="Overholdelse")
    row = compliance.get_by_role("row", name=re.compile(FIGURE))
    expect(row).to_contain_text("33 % (1 af 3)")
    expect(row).to_contain_text("åbne, bevilgede forløb")
    assert_accessible(page, "the Ledelsestilsyn dashboard")

    row.get_by_role("link", name=f"Sammenlign teams og sagsbehandlere: {FIGURE}").click()
    expect(page.get_by_role("heading", level=1, name=re.compile(FIGURE))).to_be_visible()
    teams = page.get_by_role("region", name="Pr. team")
    expect(teams.get_by_role("img", name=f"{FIGURE} pr. team")).to_be_visible()
    body = teams.get_by_role("table").locator("tbody tr")
    expect(body).to_have_count(2)
    expect(body.nth(0)).to_contain_text("Team Nord")
    expect(body.nth(0)).to_contain_text("50 %")
    expect(body.nth(1)).to_contain_text("Team Syd")
    expect(body.nth(1)).to_contain_text("0 %")
    assert_accessible(page, "the comparison of teams")

    teams.get_by_role("link", name="1 – forløb bag tallet for Team Nord").click()
    expect(page.get_by_role("heading", level=1, name=FIGURE)).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="1 forløb")).to_be_visible()
    list_url = page.url
    assert f"team={team.pk}" in list_url
    assert_accessible(page, "the list of forløb behind a figure")

    page.get_by_role("link", name="Borger Gammelgaard").click()
    expect(page.get_by_role("heading", level=1, name="Borger Gammelgaard: forløb 1")).to_be_visible()
    assert_accessible(page, "a forløb opened from the list")
    page.go_back()
    assert page.url == list_url
    expect(page.get_by_role("link", name="Borger Gammelgaard")).to_be_visible()

    page.get_by_role("link", name="Tilbage til ledelsestilsynet").click()
    expect(page.get_by_role("heading", level=1, name="Ledelsestilsyn")).to_be_visible()
    expect(page.get_by_label("Team", exact=True)).to_have_value(str(team.pk))
    expect(page.locator(".unit-line")).to_contain_text("Team Nord")
    row = page.get_by_role("region", name="Overholdelse").get_by_role("row", name=re.compile(FIGURE))
    expect(row).to_contain_text("50 % (1 af 2)")
    assert_accessible(page, "the dashboard filtered to one team")
    assert static_failures == []
