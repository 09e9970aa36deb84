"""The desk in a browser: each role's landing page after login, and the search in the header by
name and by CPR number landing on the borger's forløb (the CPR never in an address)."""

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Role
from tests.e2e.conftest import assert_accessible
from tests.factories import AgendaItemFactory, BorgerFactory, ForloebFactory, TeamMeetingFactory, UserFactory

pytestmark = pytest.mark.e2e

CPR = "0102034321"


def test_search_from_the_header_by_name_and_by_cpr(
    transactional_db, live_server, page, static_failures, log_in, forloeb, caseworker, team
):
    ForloebFactory(team=team, borger=BorgerFactory(first_name="Åse", last_name="Bødker", cpr=CPR))
    addresses = []
    page.on("request", lambda request: addresses.append(request.url))
    log_in(caseworker)
    expect(page).to_have_url(f"{live_server.url}/min-dag/")
    expect(page.get_by_role("heading", level=1, name=re.compile("Min dag"))).to_be_visible()
    assert_accessible(page, "Min dag, the caseworker's landing page")

    # By name: the list of hits, then the forløb.
    search = page.get_by_role("search", name="Søg efter borger eller forløb")
    search.get_by_label("Søg efter borger eller forløb").fill("mette hansen")
    search.get_by_role("button", name="Søg").click()
    expect(page.get_by_role("heading", level=2, name=re.compile("Resultater"))).to_be_visible()
    assert_accessible(page, "the search results")
    page.get_by_role("link", name="Mette Hansen").click()
    expect(page).to_have_url(f"{live_server.url}/forloeb/{forloeb.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mette Hansen")

    # By CPR number: straight to the forløb.
    search = page.get_by_role("search", name="Søg efter borger eller forløb")
    search.get_by_label("Søg efter borger eller forløb").fill("010203-4321")
    search.get_by_label("Søg efter borger eller forløb").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Åse Bødker")
    assert re.fullmatch(rf"{live_server.url}/forloeb/\d+/", page.url)
    assert_accessible(page, "the forløb found by CPR number")
    assert not [a for a in addresses if "4321" in a or "0102034" in a], "a CPR number in an address"

    # Mine forløb from the menu, sorted by a column header with the keyboard.
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Mine forløb").click()
    expect(page.get_by_role("heading", level=1, name="Mine forløb")).to_be_visible()
    assert_accessible(page, "Mine forløb")
    header = page.locator("#results").get_by_role("link", name="Planlagt slut")
    header.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#results th[aria-sort='ascending']")).to_contain_text("Planlagt slut")
    assert_accessible(page, "Mine forløb sorted by planned end")


@pytest.mark.parametrize(
    ("role", "landing", "heading"),
    [
        (Role.TEAM_LEADER, "/tilsyn/", None),
        (Role.REHAB_MEMBER, "/moeder/", "Møder i rehabiliteringsteamet"),
    ],
)
def test_each_role_lands_where_its_work_is(
    transactional_db, live_server, page, static_failures, log_in, forloeb, team, rehab_team, role, landing, heading
):
    if role == Role.REHAB_MEMBER:
        user = rehab_team.memberships.get().user
        meeting = TeamMeetingFactory(rehab_team=rehab_team, starts_at=timezone.now() + timedelta(days=3))
        AgendaItemFactory(meeting=meeting, forloeb=forloeb, slot_start=time(10, 0))
    else:
        user = UserFactory(username="leder-e2e", role=role, kommune=team.kommune, teams=[team])
    log_in(user)
    expect(page).to_have_url(f"{live_server.url}{landing}")
    if heading:
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    assert_accessible(page, f"the landing page of {role}")
    if role == Role.REHAB_MEMBER:
        page.get_by_role("row", name="Mette Hansen").get_by_role("link", name="Mødepakke", exact=False).first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Mette Hansen")
        assert_accessible(page, "the packet opened from the landing page")
    assert not static_failures
