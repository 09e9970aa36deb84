"""The look: Det Fælles Designsystem served from our own static files, and every main page of a
caseworker reflows at 320 CSS px (WCAG 1.4.10): no horizontal page scroll, menu and tables
included, and still no axe violation there. The meeting packet's labels and values are separate."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.rehab.conftest import make_ready_for_team

pytestmark = pytest.mark.e2e

NARROW = {"width": 320, "height": 720}
NO_PAGE_SCROLL = "() => document.documentElement.scrollWidth"


def assert_reflows(page, what: str) -> None:
    width = page.evaluate(NO_PAGE_SCROLL)
    assert width <= NARROW["width"], f"{what} scrolls sideways at 320 px ({width} px wide)"
    assert_accessible(page, f"{what} at 320 px")


def test_the_design_system_comes_from_our_static_files(
    transactional_db, live_server, page, static_failures, log_in, caseworker
):
    log_in(caseworker)
    expect(page.get_by_role("navigation", name="Hovedmenu")).to_be_visible()
    sheets = page.evaluate("() => [...document.styleSheets].map(s => s.href).filter(Boolean)")
    dkfds = [href for href in sheets if "dkfds" in href]
    assert dkfds and all(href.startswith(f"{live_server.url}/static/vendor/dkfds/") for href in dkfds), sheets
    assert all(href.startswith(live_server.url) for href in sheets), "a stylesheet from elsewhere (a CDN?)"
    scripts = page.evaluate("() => [...document.scripts].map(s => s.src).filter(Boolean)")
    assert all(src.startswith(live_server.url) for src in scripts), scripts
    assert page.evaluate("() => typeof window.DKFDS") == "object"
    # The design system's font is in use (the WOFF2 vendored with it), not a system fallback.
    assert page.evaluate("async () => (await document.fonts.load('16px \"IBM Plex Sans\"')).length") > 0
    assert static_failures == []


def test_a_caseworkers_pages_reflow_at_320_px(
    transactional_db, live_server, page, static_failures, log_in, caseworker, forloeb
):
    page.set_viewport_size(NARROW)
    log_in(caseworker)
    expect(page.get_by_role("navigation", name="Hovedmenu")).to_be_visible()
    assert_reflows(page, "the start page")

    pages = [
        ("/min-dag/", "Min dag"),
        ("/forloeb/", "Mine forløb"),
        ("/forloeb/nyt/", "Opret forløb"),
        (f"/forloeb/{forloeb.pk}/", "the forløb's overview"),
        (f"/forloeb/{forloeb.pk}/rehabilitering/", "the forløb's rehab tab"),
        (f"/forloeb/{forloeb.pk}/indsatsplan/", "the forløb's plan tab"),
        (f"/forloeb/{forloeb.pk}/situation/", "the borger's situation tab"),
        (f"/forloeb/{forloeb.pk}/opfoelgning/", "the forløb's opfølgning tab"),
        (f"/forloeb/{forloeb.pk}/min-plan/", "Min Plan"),
    ]
    for path, what in pages:
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("main h1").first).to_be_visible()
        assert_reflows(page, what)
    assert static_failures == []


def test_a_form_with_errors_has_a_summary_at_the_top(
    transactional_db, live_server, page, static_failures, log_in, caseworker, forloeb
):
    log_in(caseworker)
    page.goto(f"{live_server.url}/forloeb/nyt/")  # Opret forløb, sent empty
    page.locator("main form button[type=submit]").last.click()
    summary = page.get_by_role("alert").filter(has_text="Der er fejl i formularen")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert_accessible(page, "a form with errors")
    summary.get_by_role("link").first.click()
    expect(page.locator("main [aria-invalid=true]").first).to_be_focused()
    assert static_failures == []


def test_text_areas_grow_with_their_text(transactional_db, live_server, page, log_in, caseworker, forloeb):
    log_in(caseworker)
    page.goto(f"{live_server.url}/forloeb/{forloeb.pk}/forberedende-del/")
    area = page.locator("main textarea").first
    before = area.bounding_box()["height"]
    area.fill("\n".join(f"Linje {n}" for n in range(15)))
    assert area.bounding_box()["height"] > before + 100


def test_the_packet_keeps_labels_and_values_apart(
    transactional_db, live_server, page, static_failures, log_in, caseworker, forloeb
):
    from datetime import time

    from tests.factories import AgendaItemFactory, RehabTeamFactory, TeamMeetingFactory

    make_ready_for_team(forloeb, caseworker)
    meeting = TeamMeetingFactory(rehab_team=RehabTeamFactory(kommune=forloeb.kommune))
    item = AgendaItemFactory(meeting=meeting, forloeb=forloeb, slot_start=time(10, 30))
    log_in(caseworker)
    page.goto(f"{live_server.url}/dagsorden/{item.pk}/moedepakke/")
    situation = page.locator("#packet-situation").locator("xpath=..")
    expect(situation).to_be_visible()
    text = situation.evaluate("e => e.textContent")
    assert re.search(r"Forsørgelse før forløbet[:\s]+\S", text), text
    assert not re.search(r"Forsørgelse før forløbet[^\s:]", text), text
    assert_accessible(page, "the meeting packet")
    page.set_viewport_size(NARROW)
    assert_reflows(page, "the meeting packet")
    assert static_failures == []
