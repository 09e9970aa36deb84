"""Opret forløb under the law of the day: the form names the rule pack in force today; a forløb whose
forberedende del began after 1.7.2026 is refused with the legal basis on the date field; one begun
before is created."""

import pytest
from playwright.sync_api import expect

from cases import clock, rulepacks
from cases.models import Forloeb
from tests.e2e.conftest import assert_accessible
from tests.factories import allowed_opening_day

pytestmark = pytest.mark.e2e


def test_opret_forloeb_follows_the_law_of_the_day_the_forberedende_del_began(
    transactional_db, live_server, page, static_failures, log_in, caseworker, team
):
    today = clock.today()
    pack = rulepacks.rulepack_on(today)
    log_in(caseworker)
    page.goto(f"{live_server.url}/forloeb/nyt/")
    expect(page.locator("#rulepack-today")).to_contain_text(str(pack.name))
    expect(page.locator("#rulepack-today")).to_contain_text(str(pack.basis))
    assert_accessible(page, "Opret forløb")

    page.get_by_label("CPR-nummer").fill("010190-1234")
    page.get_by_label("Fornavn").fill("Ida")
    page.get_by_label("Efternavn").fill("Holm")
    page.get_by_label("Team").select_option(label=team.name)
    if not rulepacks.new_forloeb_allowed(today):  # after the reform: a case begun today is refused
        page.get_by_label("Sagen oprettet").fill(today.isoformat())
        page.get_by_role("button", name="Opret forløb").click()
        expect(page.locator("#id_opened_on_error")).to_contain_text("Lov nr. 1750 af 29.12.2025")
        assert_accessible(page, "Opret forløb refused")
        assert not Forloeb.objects.exists()

    begun = allowed_opening_day(today)
    page.get_by_label("Sagen oprettet").fill(begun.isoformat())
    page.get_by_role("button", name="Opret forløb").click()
    expect(page.get_by_role("status")).to_contain_text("Forløbet er oprettet.")
    assert_accessible(page, "the new forløb")
    assert Forloeb.objects.get().opened_on == begun
