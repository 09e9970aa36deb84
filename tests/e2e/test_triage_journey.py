"""Min dag's triage list in the browser: the most urgent forløb first, one rule's flags on several
subjects as one line, and a good-practice flag put off through the page: it leaves the list and
its snooze shows in the forløb's history on the Opfølgning tab."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from cases import clock
from followup.models import Flag, FlagSnooze
from tests.e2e.conftest import assert_accessible
from tests.factories import FlagFactory
from tests.followup.conftest import make_forloeb, running_forloeb, samtale  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e
TODAY = clock.today()
GOAL = "Intet konkret job- eller uddannelsesmål: indstilling og indsatsplan og Min Plan"


def test_the_most_urgent_comes_first_and_a_good_practice_flag_is_put_off(
    transactional_db,
    live_server,
    page,
    static_failures,
    log_in,
    caseworker,
    running_forloeb,  # noqa: F811
    samtale,  # noqa: F811
):
    running = running_forloeb
    calm = running()
    samtale(calm, TODAY - dt.timedelta(days=10))
    for subject in ("indstilling", "indsatsplan"):
        FlagFactory(forloeb=calm, rule_id="NO_CONCRETE_GOAL", basis_kind="servicestandard", subject=subject)
    urgent = running()
    samtale(urgent, TODAY - dt.timedelta(days=40), next_on=TODAY - dt.timedelta(days=12))
    nudge = FlagFactory(forloeb=urgent, rule_id="NO_NEXT_SAMTALE", basis_kind="servicestandard")

    log_in(caseworker)
    page.get_by_role("link", name="Min dag", exact=True).click()
    assert_accessible(page, "Min dag's triage list")
    rows = page.locator("section[aria-labelledby='handling-heading'] tbody tr")
    expect(rows.first).to_contain_text(urgent.borger.full_name)
    expect(rows.first).to_contain_text("Opfølgningssamtalen er overskredet")
    expect(rows.first.get_by_role("link", name=f"Registrér samtale: {urgent.borger.full_name}")).to_be_visible()
    folded = page.locator("#god-praksis")
    folded.locator("summary").first.click()
    expect(folded.get_by_text(GOAL)).to_have_count(1)  # two flags, one line
    assert_accessible(page, "Min dag with the good-practice forløb unfolded")

    row = page.locator(f"#forloeb-{urgent.pk}")
    row.locator("summary").first.click()
    flag_row = page.locator(f"#flag-{nudge.pk}")
    flag_row.locator("summary", has_text="Udsæt").click()
    until = TODAY + dt.timedelta(days=21)
    flag_row.get_by_label("Udsæt til").fill(until.isoformat())
    flag_row.get_by_label("Hvorfor").fill("Borgeren er indlagt; aftales når hun er udskrevet.")
    assert_accessible(page, "Min dag with the snooze form open")
    with page.expect_response(lambda r: "/udsaet/" in r.url) as answer:
        flag_row.get_by_role("button", name="Udsæt").click()
    assert answer.value.status == 200
    expect(page.locator(f"#flag-{nudge.pk}")).to_contain_text("udsat til")
    assert FlagSnooze.objects.get(flag=nudge).until == until

    page.reload()
    expect(page.locator(f"#forloeb-{urgent.pk}")).not_to_contain_text("Der er ikke aftalt en næste")
    expect(page.locator("#udsat")).to_contain_text(urgent.borger.full_name)
    assert_accessible(page, "Min dag after the snooze")

    page.get_by_role("link", name=urgent.borger.full_name).first.click()
    expect(page.locator(f"#flag-{nudge.pk}")).to_contain_text(
        "af Karin Sørensen: Borgeren er indlagt; aftales når hun er udskrevet."
    )
    assert_accessible(page, "the forløb's Opfølgning tab with the snooze in the flag's history")
    assert Flag.objects.get(pk=nudge.pk).is_open
    assert static_failures == []
