"""The evaluation export in the browser: a team leader opens "Udtræk" from the menu, asks for E1 as
CSV with the pseudonymised default, and gets a file with the team's forløb and no CPR number; the
export is logged. Asking for CPR answers with a Danish error next to the field."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from interchange.models import ExportLog
from tests.e2e.conftest import assert_accessible
from tests.followup.conftest import make_forloeb  # noqa: F401 - fixture

pytestmark = pytest.mark.e2e
TODAY = timezone.localdate()


def test_the_team_leader_downloads_a_pseudonymised_e1_and_cannot_take_cpr(
    transactional_db,
    live_server,
    page,
    static_failures,
    log_in,
    team_leader,
    make_forloeb,  # noqa: F811
):
    f = make_forloeb(
        opened_on=TODAY - dt.timedelta(days=200),
        start_date=TODAY - dt.timedelta(days=100),
        planned_end_date=TODAY + dt.timedelta(days=600),
    )

    log_in(team_leader)
    page.get_by_role("link", name="Udtræk", exact=True).click()
    expect(page.get_by_role("heading", name="Udtræk til evaluering")).to_be_visible()
    assert_accessible(page, "the export page")
    page.get_by_label("E1: ét forløb pr. række").check()
    page.get_by_label("CSV (UTF-8)").check()
    expect(page.get_by_label("Pseudonymiseret")).to_be_checked()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Hent udtræk").click()
    text = open(download_info.value.path(), encoding="utf-8-sig").read()  # noqa: PTH123, SIM115

    assert str(f.uuid) in text
    assert f.borger.cpr not in text and f.borger.cpr[:6] not in text
    log = ExportLog.objects.get()
    assert (log.user, log.kind, log.via, log.pseudonymised, log.rows) == (team_leader, "e1", "web", True, 1)

    page.get_by_label("Pseudonymiseret").uncheck()
    page.get_by_role("button", name="Hent udtræk").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.locator(".field-error")).to_contain_text("administrator")
    assert_accessible(page, "the export page with an error")
    assert ExportLog.objects.count() == 1
    assert static_failures == []
