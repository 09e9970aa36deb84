"""Min dag in the browser: a caseworker opens Min dag, sees an overdue samtale and its flag,
registers the samtale from there, and is back on Min dag with the samtale no longer overdue
and the flag gone. Registering takes at most five clicks (here: two)."""

import pytest
from playwright.sync_api import expect

from cases import clock
from followup.models import Flag, FollowUpMeeting
from tests.e2e.conftest import assert_accessible
from tests.followup.conftest import evaluate, make_forloeb, overdue_forloeb, running_forloeb, samtale  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e
TODAY = clock.today()
FLAG_TEXT = "Opfølgningssamtale er overskredet efter kommunens servicestandard"


@pytest.fixture
def overdue_flag(overdue_forloeb):  # noqa: F811
    """The open flag of a running forløb whose agreed samtale is two weeks overdue."""
    return Flag.objects.get(forloeb=overdue_forloeb, rule_id="STD_SAMTALE_OVERDUE")


def test_the_caseworker_registers_an_overdue_samtale_from_min_dag_and_the_flag_disappears(
    transactional_db,
    live_server,
    page,
    static_failures,
    log_in,
    caseworker,
    overdue_forloeb,  # noqa: F811
):
    f = overdue_forloeb
    name = f.borger.full_name

    log_in(caseworker)
    page.get_by_role("link", name="Min dag", exact=True).click()
    row = page.locator(f"#forloeb-{f.pk}")
    expect(row).to_contain_text("Opfølgningssamtalen er overskredet")
    expect(row).to_contain_text("14")  # days overdue
    assert_accessible(page, "Min dag")

    clicks = 0
    row.get_by_role("link", name=f"Registrér samtale: {name}").click()
    clicks += 1
    expect(page.get_by_role("heading", name="Registrér opfølgningssamtale")).to_be_visible()
    expect(page.get_by_role("textbox", name="Dato", exact=True)).to_have_value(TODAY.isoformat())
    assert_accessible(page, "the form for a samtale")
    page.get_by_label("Status på deltagelse i indsatser").fill("Er i gang med praktikken tre dage om ugen.")
    page.get_by_label("Borgerens perspektiv").fill("Det går bedre, end jeg troede.")
    page.get_by_role("button", name="Gem samtale").click()
    clicks += 1
    assert clicks <= 5

    expect(page.get_by_role("heading", level=1, name="Min dag")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(f"med {name} er registreret")
    expect(page.locator(f"#forloeb-{f.pk}")).not_to_contain_text("Opfølgningssamtalen er overskredet")
    assert_accessible(page, "Min dag after the samtale is registered")
    assert FollowUpMeeting.objects.filter(forloeb=f, held_on=TODAY).exists()
    flag = Flag.objects.get(forloeb=f, rule_id="STD_SAMTALE_OVERDUE")
    assert flag.resolved_on == TODAY
    assert static_failures == []


def test_acknowledging_a_flag_without_a_comment_shows_the_danish_message_then_a_comment_acknowledges_it(
    transactional_db,
    live_server,
    page,
    static_failures,
    log_in,
    caseworker,
    overdue_flag,
):
    """htmx form errors answer 422 (cases.http.HTMX_FORM_ERROR), which base.html tells htmx 2 to
    swap: without that the caseworker clicks and sees nothing."""
    flag = overdue_flag

    log_in(caseworker)
    page.get_by_role("link", name="Min dag", exact=True).click()
    page.locator(f"#forloeb-{flag.forloeb_id} summary").first.click()  # the row's other items
    row = page.locator(f"#flag-{flag.pk}")
    row.locator("summary").first.click()  # opens the <details>
    assert_accessible(page, "Min dag with a flag's acknowledge form open")
    with page.expect_response(lambda r: "/kvitter/" in r.url) as answer:
        row.get_by_role("button", name="Kvittér").click()
    assert answer.value.status == 422
    row = page.locator(f"#flag-{flag.pk}")
    expect(row.get_by_role("alert")).to_have_text("Skriv kort hvad der gøres ved det.")
    expect(row.get_by_role("textbox", name="Hvad gøres der ved det")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "Min dag with the acknowledge form's error")
    flag.refresh_from_db()
    assert flag.acknowledged_at is None

    row.get_by_role("textbox", name="Hvad gøres der ved det").fill("Ringer til borgeren i morgen.")
    with page.expect_response(lambda r: "/kvitter/" in r.url) as answer:
        row.get_by_role("button", name="Kvittér").click()
    assert answer.value.status == 200
    expect(page.locator(f"#flag-{flag.pk}")).to_contain_text("kvitteret: Ringer til borgeren i morgen.")
    expect(page.get_by_role("alert")).to_have_count(0)
    assert_accessible(page, "Min dag with the flag acknowledged")
    flag.refresh_from_db()
    assert flag.acknowledge_comment == "Ringer til borgeren i morgen." and flag.acknowledged_by == caseworker
    assert static_failures == []


def test_an_htmx_action_that_fails_on_the_server_says_so_in_the_page(
    transactional_db,
    live_server,
    page,
    log_in,
    caseworker,
    overdue_flag,
):
    """A 500 (or 403, 404, no answer) is not swapped by htmx 2; the page says in Danish that the
    action failed instead of leaving the click without effect (static/js/failed-requests.js)."""
    flag = overdue_flag

    log_in(caseworker)
    page.get_by_role("link", name="Min dag", exact=True).click()
    page.route("**/kvitter/", lambda route: route.fulfill(status=500, body="Server Error"))
    page.locator(f"#forloeb-{flag.forloeb_id} summary").first.click()  # the row's other items
    row = page.locator(f"#flag-{flag.pk}")
    row.locator("summary").first.click()
    row.get_by_role("textbox", name="Hvad gøres der ved det").fill("Ringer til borgeren i morgen.")
    row.get_by_role("button", name="Kvittér").click()
    alert = page.locator("#htmx-error")
    expect(alert).to_be_visible()
    expect(alert).to_have_text(
        "Handlingen kunne ikke gennemføres (fejl 500). Genindlæs siden for at se, hvad der er gemt, og prøv igen."
    )
    expect(row.get_by_role("textbox", name="Hvad gøres der ved det")).to_have_value("Ringer til borgeren i morgen.")
    assert_accessible(page, "Min dag saying the action failed")
