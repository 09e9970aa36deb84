"""What a caseworker does in a browser: log in, find the forløb, move it a phase on."""

import re

import pytest
from playwright.sync_api import expect

from cases import services
from cases.models import Phase, PhaseTransition
from tests.e2e.conftest import PASSWORD, assert_accessible
from tests.factories import BorgerFactory, ForloebFactory
from tests.rehab.conftest import make_ready_for_team

pytestmark = pytest.mark.e2e


def test_caseworker_sends_the_forloeb_to_the_rehabiliteringsteam(
    transactional_db, live_server, page, static_failures, log_in, forloeb, caseworker
):
    make_ready_for_team(forloeb, caseworker)
    # 1. Log in through the form; a wrong password is answered on the form.
    page.goto(f"{live_server.url}/login/")
    expect(page.get_by_role("heading", level=1, name="Log ind")).to_be_visible()
    assert_accessible(page, "the login page")
    page.get_by_label("Brugernavn").fill(caseworker.username)
    page.get_by_label("Adgangskode").fill(PASSWORD + "-forkert")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("alert")).to_contain_text("Brugernavn eller adgangskode er forkert.")
    assert_accessible(page, "the login page with an error")
    log_in(caseworker)

    # 2. "Mine forløb" lists the borger; the name opens the forløb.
    expect(page).to_have_url(f"{live_server.url}/min-dag/")  # a caseworker lands on Min dag
    page.get_by_role("link", name="Mine forløb", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Mine forløb")).to_be_visible()
    results = page.locator("#results")
    expect(results.get_by_role("row", name=re.compile("Mette Hansen"))).to_contain_text("Forberedende del")
    assert_accessible(page, "Mine forløb")
    results.get_by_role("link", name="Mette Hansen").click()

    expect(page).to_have_url(f"{live_server.url}/forloeb/{forloeb.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mette Hansen: forløb 1")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Forberedende del")
    assert_accessible(page, "the forløb page")

    # 3. Move the forløb on. The step has a note field, so it sits in a closed <details>.
    step = page.locator("details", has=page.locator("summary", has_text="Send til rehabiliteringsteamet"))
    step.locator("summary").click()
    step.get_by_label("Begrundelse / note").fill("Forberedende del er klar.")
    assert_accessible(page, "the forløb page with the phase step open")
    step.get_by_role("button", name="Send til rehabiliteringsteamet → Afventer rehabiliteringsteam").click()

    expect(page).to_have_url(f"{live_server.url}/forloeb/{forloeb.pk}/")
    expect(page.get_by_role("status")).to_have_text("Forløbet er flyttet til fasen “Afventer rehabiliteringsteam”.")
    expect(facts).to_contain_text("Afventer rehabiliteringsteam")
    timeline = page.locator("ol.timeline > li")
    expect(timeline).to_have_count(2)
    expect(timeline.last).to_contain_text("Forberedende del → Afventer rehabiliteringsteam")
    expect(timeline.last).to_contain_text("Karin Sørensen")
    expect(timeline.last).to_contain_text("Forberedende del er klar.")
    assert_accessible(page, "the forløb page after the phase change")

    # 4. The database agrees.
    forloeb.refresh_from_db()
    assert forloeb.phase == Phase.REHABILITERINGSTEAM
    transition = PhaseTransition.objects.get(forloeb=forloeb)
    assert (transition.from_phase, transition.to_phase) == (Phase.FORBEREDENDE_DEL, Phase.REHABILITERINGSTEAM)
    assert transition.actor == caseworker
    assert transition.reason == "Forberedende del er klar."

    assert static_failures == []


def test_the_phase_filter_updates_the_list_in_place(
    transactional_db, live_server, page, static_failures, log_in, forloeb, caseworker, team
):
    other = ForloebFactory(team=team, borger=BorgerFactory(first_name="Jens", last_name="Nielsen"))
    services.forloeb_assign_coordinator(
        forloeb=other, coordinator=caseworker, valid_from=other.opened_on, actor=caseworker
    )
    make_ready_for_team(other, caseworker)
    services.forloeb_transition(
        forloeb_id=other.pk, transition="to_rehab_team", actor=caseworker, expected_phase=Phase.FORBEREDENDE_DEL
    )

    log_in(caseworker)
    page.get_by_role("link", name="Mine forløb", exact=True).click()
    page.get_by_role("link", name="Borger").click()  # sort by name
    results = page.locator("#results")
    expect(results.get_by_role("link", name=re.compile("Hansen|Nielsen"))).to_have_text(
        ["Mette Hansen", "Jens Nielsen"]
    )
    expect(page.locator("script[src*='htmx']")).to_have_count(1)
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("window.__marker = 1")

    page.get_by_label("Fase").select_option(label="Afventer rehabiliteringsteam")

    expect(page).to_have_url(re.compile(r"[?&]phase=rehabiliteringsteam(&|$)"))
    expect(results.get_by_role("link", name=re.compile("Hansen|Nielsen"))).to_have_text(["Jens Nielsen"])
    expect(results.locator(".count")).to_have_text("1 forløb")
    assert page.evaluate("window.__marker") == 1, "the page was reloaded instead of swapped by htmx"
    assert_accessible(page, "Mine forløb filtered by phase")

    # Back to all phases; still the same page.
    page.get_by_label("Fase").select_option(label="Alle faser")
    expect(results.get_by_role("link", name=re.compile("Hansen|Nielsen"))).to_have_count(2)
    assert page.evaluate("window.__marker") == 1

    assert static_failures == []


def test_the_skip_link_is_the_first_tab_stop(transactional_db, live_server, page, log_in, caseworker):
    log_in(caseworker)
    expect(page.get_by_role("heading", level=1, name="Min dag")).to_be_visible()

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Spring til indhold")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # off-screen until focused

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
