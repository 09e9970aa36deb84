"""A samtale registered from Min dag with the keyboard only: Tab to "Registrér samtale", Enter,
the focus is in the status field (the date and the rest are filled in), type, Tab to "Gem samtale",
Enter; the samtale is saved and the message says so."""

import pytest
from playwright.sync_api import expect

from cases import clock
from followup.models import FollowUpMeeting
from tests.e2e.conftest import assert_accessible
from tests.followup.conftest import evaluate, make_forloeb, overdue_forloeb, running_forloeb, samtale  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e
TODAY = clock.today()
STATUS = "Møder stabilt i praktikken tre dage om ugen."


def focused(page, js: str):
    return page.evaluate(f"() => {{ const el = document.activeElement; return {js}; }}")


def tab_until(page, predicate_js: str, limit: int = 200) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page, predicate_js):
            return
    raise AssertionError(f"never reached an element where {predicate_js}")


def test_a_samtale_is_registered_from_min_dag_with_the_keyboard_only(
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
    page.get_by_role("link", name="Min dag", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Min dag")).to_be_visible()
    assert_accessible(page, "Min dag")

    # The link's accessible name, wherever Min dag puts it.
    tab_until(
        page,
        f"el && el.tagName === 'A' && (el.innerText + ' ' + (el.getAttribute('aria-label') || '')).includes('Registrér samtale') && (el.innerText + ' ' + (el.getAttribute('aria-label') || '')).includes({name!r})",
    )
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Registrér opfølgningssamtale")).to_be_visible()
    assert focused(page, "el.id") == "samtale_status_on_interventions"
    assert_accessible(page, "the form for a samtale")

    page.keyboard.type(STATUS)
    tab_until(page, "el.tagName === 'BUTTON' && el.innerText.includes('Gem samtale')")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text(f"med {name} er registreret")
    assert_accessible(page, "the page after the samtale is saved")
    meeting = FollowUpMeeting.objects.get(forloeb=f, held_on=TODAY)
    assert meeting.status_on_interventions == STATUS and meeting.borger_attended
