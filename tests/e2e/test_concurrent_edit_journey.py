"""Two tabs on the same forberedende del (cases.concurrency): the second "Gem" is refused with
what the first saved, and the text typed in the second tab is still there."""

import pytest
from playwright.sync_api import expect

from rehab.models import PreparatoryPart
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

WISHES = "Ønsker, erfaring og ressourcer i forhold til job og uddannelse"


def test_a_second_tab_cannot_overwrite_the_first_tabs_save(
    transactional_db, live_server, page, log_in, caseworker, forloeb
):
    log_in(caseworker)
    address = f"{live_server.url}/forloeb/{forloeb.pk}/forberedende-del/"
    page.goto(address)
    expect(page.get_by_label(WISHES)).to_be_visible()
    assert_accessible(page, "the forberedende del")
    other = page.context.new_page()
    other.goto(address)

    other.get_by_label(WISHES).fill("Vil gerne være buschauffør.")
    other.get_by_role("button", name="Gem den forberedende del").click()
    expect(other.get_by_role("status")).to_contain_text("Den forberedende del er gemt.")
    assert_accessible(other, "the forberedende del after it is saved")

    page.get_by_label(WISHES).fill("Vil gerne arbejde i en butik.")
    page.get_by_role("button", name="Gem den forberedende del").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("En anden har gemt ændringer, efter du åbnede siden.")
    expect(alert).to_contain_text(f"{WISHES}: Vil gerne være buschauffør.")
    expect(page.get_by_label(WISHES)).to_have_value("Vil gerne arbejde i en butik.")
    assert_accessible(page, "the forberedende del refusing a stale save")
    assert PreparatoryPart.objects.get(forloeb=forloeb).wishes == "Vil gerne være buschauffør."
