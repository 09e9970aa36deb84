"""What became of the borger, recorded where the caseworker works: the follow-up one month after the
end appears on Min dag on its due day; the button leads to the forløb's Resultat tab, the status is
recorded there, and the caseworker is back on Min dag with the task gone."""

import pytest
from playwright.sync_api import expect

from outcomes.models import ExitStatus, ExitStatusCode, FollowUpPoint
from tests.e2e.conftest import assert_accessible
from tests.outcomes.conftest import closed_forloeb  # noqa: F401 - fixture

pytestmark = pytest.mark.e2e


def test_the_status_one_month_after_the_end_is_recorded_from_min_dag(
    transactional_db,
    live_server,
    page,
    static_failures,
    log_in,
    caseworker,
    closed_forloeb,  # noqa: F811
):
    forloeb = closed_forloeb(days_ago=40)  # one month has passed; 13 weeks have not
    name = forloeb.borger.full_name

    log_in(caseworker)
    page.get_by_role("link", name="Min dag", exact=True).click()
    section = page.locator("section", has=page.get_by_role("heading", name="Opfølgning efter afslutning (1)"))
    expect(section).to_contain_text(name)
    expect(section).to_contain_text("1 måned efter afslutning")
    assert_accessible(page, "Min dag with a follow-up after the end")

    section.get_by_role("link", name="Registrér forsørgelsesstatus").first.click()
    expect(page.get_by_role("heading", name="Forsørgelsesstatus efter afslutningen")).to_be_visible()
    assert_accessible(page, "the forløb's Resultat tab")
    form = page.locator("form", has=page.get_by_label("Forsørgelsesstatus")).first
    form.get_by_label("Forsørgelsesstatus").select_option(ExitStatusCode.FP.value)
    form.get_by_role("button", name="Registrér forsørgelsesstatus").click()

    expect(page.get_by_role("heading", name="Min dag", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Opfølgning efter afslutning (1)")).to_have_count(0)
    status = ExitStatus.objects.get(forloeb=forloeb)
    assert (status.point, status.code, status.recorded_by) == (FollowUpPoint.ONE_MONTH, "FP", caseworker)
