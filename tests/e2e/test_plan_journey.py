"""From the indstilling to indsatser under way, in the browser: the caseworker writes the
indsatsplan from an indstilling with four recommended indsatser, plans three of them, marks the
fourth ikke iværksat with a reason, completes the plan, starts two indsatser, and the forløb's
"Indsatsplan og indsatser" page shows the recommended → planned → started funnel per category.

It also counts the clicks of the two commonest registrations: they must take at most three."""

import importlib
import re

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Phase
from plans import selectors
from plans.models import ActionPlan, Intervention, InterventionStatus
from tests.e2e.conftest import assert_accessible
from tests.factories import RehabTeamFactory
from tests.plans.conftest import grant_forloeb

pytestmark = pytest.mark.e2e

VALID_CVR = "13585628"  # stdnum.dk.cvr.is_valid("13585628") is True
PRAKTIK = "Virksomhedspraktik i kantine"
MENTOR = "Mentor i praktikken"
FYSIO = "Fysioterapi for ryggen"
BOSTOETTE = "Bostøtte efter serviceloven § 85"


class Clicks:
    """Counts the clicks of one registration, from the page as it stands to the saved step."""

    def __init__(self):
        self.counts: dict[str, list[int]] = {}
        self._n = 0

    def click(self, locator):
        locator.click()
        self._n += 1

    def done(self, task: str) -> None:
        self.counts.setdefault(task, []).append(self._n)
        self._n = 0


def test_the_caseworker_writes_the_plan_registers_indsatser_and_sees_the_funnel(
    transactional_db, live_server, page, static_failures, log_in, forloeb, caseworker, kommune
):
    # Transactional tests empty the tables, so the catalogue a migration loaded may be gone: load it again.
    importlib.import_module("plans.migrations.0002_catalogue").load(apps, None)
    granted = grant_forloeb(forloeb, caseworker, RehabTeamFactory(kommune=kommune))
    today = timezone.localdate()
    clicks = Clicks()

    # 1. From "Mine forløb" to the forløb's tab "Indsatsplan og indsatser".
    log_in(caseworker)
    page.get_by_role("link", name="Mine forløb", exact=True).click()
    page.locator("#results").get_by_role("link", name="Mette Hansen").click()
    page.get_by_role("link", name="Indsatsplan og indsatser").click()
    expect(page.get_by_role("heading", level=2, name="Anbefalet → planlagt → igangsat")).to_be_visible()
    assert_accessible(page, "the forløb's plan tab before the plan")

    # 2. The plan starts from the indstilling: its goal and the four recommended indsatser.
    page.get_by_role("button", name="Skriv indsatsplan").click()
    expect(page.get_by_role("status")).to_contain_text("Indsatsplanen er påbegyndt")
    rows = page.locator("#interventions tbody tr")
    expect(rows).to_have_count(4)
    expect(page.locator("#interventions tbody tr[data-status='indstillet']")).to_have_count(4)
    assert_accessible(page, "the new indsatsplan")

    # 3. The plan's fields, written with the borger.
    page.get_by_label("Opfølgning hver (uger)").fill("4")
    page.get_by_label("Aftale om opfølgning").fill("Vi taler sammen hver 4. uge, gerne i jobcentret.")
    page.get_by_label("Borgerens perspektiv på de planlagte indsatser").fill("Jeg vil gerne prøve praktikken.")
    page.get_by_role("button", name="Gem indsatsplanen").click()
    expect(page.get_by_role("status")).to_contain_text("Indsatsplanen er gemt.")

    # 4. A delmål.
    page.locator("summary", has_text="Tilføj delmål").click()
    milestone_form = page.locator("form", has=page.get_by_role("button", name="Tilføj delmål"))
    milestone_form.get_by_label("Delmål").fill("Møder stabilt i praktikken to dage om ugen")
    assert_accessible(page, "the indsatsplan with the delmål form open")
    milestone_form.get_by_role("button", name="Tilføj delmål").click()
    expect(page.get_by_role("status")).to_contain_text("Delmålet er tilføjet.")

    # 5. Three recommended indsatser planned: "Planlæg", then "Gem" (the start is pre-filled: today).
    for description in (PRAKTIK, MENTOR, FYSIO):
        row = rows.filter(has_text=description)
        clicks.click(row.locator("summary", has_text="Planlæg"))
        if description == PRAKTIK:
            assert_accessible(page, "the indsatsplan with an indsats' Planlæg form open")
        clicks.click(row.get_by_role("button", name=re.compile("^Gem.*Planlæg")))
        expect(row).to_have_attribute("data-status", "planlagt")
        clicks.done("plan a recommended indsats")
        # htmx answered with the region: the page did not reload, the region says what happened.
        expect(page.locator("#interventions [role=status]")).to_have_text(f"{description}: Planlagt.")
    assert_accessible(page, "the indsatser after htmx swapped the region")

    # 6. The fourth is not started, with a reason.
    row = rows.filter(has_text=BOSTOETTE)
    row.locator("summary", has_text="Ikke iværksat").click()
    row.get_by_role("textbox", name="Begrundelse").fill("Borgeren har allerede bostøtte fra socialforvaltningen.")
    assert_accessible(page, "the indsatsplan with the Ikke iværksat form open")
    row.get_by_role("button", name=re.compile("^Gem.*Ikke iværksat")).click()
    expect(row).to_have_attribute("data-status", "ikke_ivaerksat")

    # 7. The checklist was refreshed with the region; the plan is completed.
    expect(page.locator("#plan-completion")).to_contain_text("Planen har det, den skal have")
    page.get_by_role("button", name="Færdiggør indsatsplan").click()
    expect(page.get_by_role("status")).to_contain_text("Indsatsplanen (version 1) er færdiggjort.")
    expect(page.get_by_role("status")).to_contain_text("Forløbet står nu i fasen “Iværksættelse”.")
    expect(page.get_by_text("Jeg vil gerne prøve praktikken.")).to_be_visible()
    assert_accessible(page, "the completed indsatsplan")

    # 8. Two indsatser start: "Start", then "Gem" (the date is pre-filled: today). The
    #    virksomhedsrettet one also needs the employer's CVR number.
    row = rows.filter(has_text=MENTOR)
    clicks.click(row.locator("summary", has_text="Start"))
    clicks.click(row.get_by_role("button", name=re.compile("^Gem.*Start")))
    expect(row).to_have_attribute("data-status", "igangsat")
    clicks.done("start an indsats")

    row = rows.filter(has_text=PRAKTIK)
    clicks.click(row.locator("summary", has_text="Start"))
    row.get_by_role("textbox", name="Arbejdsgivers CVR-nummer").fill(VALID_CVR)
    assert_accessible(page, "the indsatser with the Start form open")
    clicks.click(row.get_by_role("button", name=re.compile("^Gem.*Start")))
    expect(row).to_have_attribute("data-status", "igangsat")
    clicks.done("start an indsats")

    # 9. The forløb's page shows the funnel per category.
    page.reload()
    funnel = page.locator("#funnel")
    for category, numbers in {
        "virksomhedsrettet": ["1", "1", "1"],
        "mentor": ["1", "1", "1"],
        "sundhed_kommunal": ["1", "1", "0"],
        "social": ["1", "0", "0"],
    }.items():
        expect(funnel.locator(f"tr[data-category='{category}'] td")).to_have_text(numbers)
    expect(funnel.locator("tbody tr")).to_have_count(4)
    expect(funnel).to_contain_text(
        f"En indsats, teamet anbefalede, er aldrig blevet planlagt: {BOSTOETTE} (social indsats)."
    )
    assert_accessible(page, "the plan tab with the funnel")

    # 10. The database agrees.
    granted.refresh_from_db()
    assert granted.phase == Phase.IVAERKSAETTELSE
    plan = ActionPlan.objects.get(forloeb=granted)
    assert plan.completed_on == today and plan.followup_cadence_weeks == 4 and plan.milestones.count() == 1
    status = dict(Intervention.objects.filter(forloeb=granted).values_list("category", "status"))
    assert status == {
        "virksomhedsrettet": InterventionStatus.IGANGSAT,
        "mentor": InterventionStatus.IGANGSAT,
        "sundhed_kommunal": InterventionStatus.PLANLAGT,
        "social": InterventionStatus.IKKE_IVAERKSAT,
    }
    praktik = Intervention.objects.get(forloeb=granted, category="virksomhedsrettet")
    assert praktik.employer_cvr == VALID_CVR and praktik.actual_start == today and praktik.planned_start == today
    funnel_db = {row.category: (row.recommended, row.planned, row.started) for row in selectors.funnel(forloeb=granted)}
    assert funnel_db == {
        "virksomhedsrettet": (1, 1, 1),
        "mentor": (1, 1, 1),
        "sundhed_kommunal": (1, 1, 0),
        "social": (1, 0, 0),
    }

    # Fewer clicks: each common registration is two clicks from the page (typing aside).
    assert clicks.counts == {"plan a recommended indsats": [2, 2, 2], "start an indsats": [2, 2]}
    assert static_failures == []
