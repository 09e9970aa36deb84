"""A tilsyn round in the browser, from the risk to the report (fokusrevision §6.1): a team leader
writes a risk, starts a round that controls it, draws the sample, reviews a forløb with the
checklist (the flag's suggestion and evidence are on the page) and records a finding with an
action; the koordinerende sagsbehandler sees the action on Min dag and answers it there; the
leader closes the round and downloads its report as a PDF, which shows the finding closed.
axe-core finds no WCAG 2.1 A/AA violation on the risk, round, review, action and report pages."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from cases import clock
from cases.models import Role
from supervision.models import ActionStatus, TilsynAction
from tests.e2e.conftest import assert_accessible
from tests.factories import BorgerFactory, FlagFactory, ForloebFactory, UserFactory

pytestmark = pytest.mark.e2e
RISK = "Samtaler uden konkrete mål"
ROUND = "Vinterens sagsgennemgang"
GOALS = "Konkrete mål: job- eller uddannelsesmål og delmål er konkrete og sat sammen med borgeren"
ACTION = "Aftal et konkret jobmål med borgeren, og skriv det i indsatsplanen."
REPLY = "Jobmålet lagermedarbejder er aftalt med borgeren og skrevet i indsatsplanen."


@pytest.fixture
def unit(kommune, team, caseworker):
    """Team Nord with its leader and one forløb coordinated by the caseworker, with an open flag
    (no next samtale agreed) raised in the period."""
    leader = UserFactory(
        username="leder-runde", first_name="Lone", last_name="Leder", role=Role.TEAM_LEADER, teams=[team]
    )
    today = clock.today()
    forloeb = ForloebFactory(
        team=team,
        borger=BorgerFactory(first_name="Sofie", last_name="Stikprøvesen"),
        opened_on=today - dt.timedelta(days=200),
        start_date=today - dt.timedelta(days=150),
        planned_end_date=today + dt.timedelta(days=600),
        current_coordinator=caseworker,
    )
    FlagFactory(
        forloeb=forloeb,
        rule_id="NO_NEXT_SAMTALE",
        pack="STANDARD",
        basis_kind="servicestandard",
        basis="Kommunens servicestandard: en næste samtale aftales ved hver samtale",
        evidence={"seneste_samtale": (today - dt.timedelta(days=30)).isoformat()},
        raised_on=today - dt.timedelta(days=20),
    )
    return leader, forloeb


def _point(page, label: str):
    return page.get_by_role("group", name=label, exact=True)


def test_a_round_from_risk_to_report_with_a_finding_answered_on_min_dag(
    transactional_db, live_server, page, static_failures, log_in, unit, caseworker
):
    leader, forloeb = unit
    log_in(leader)

    # The risk.
    page.goto(f"{live_server.url}/tilsyn/risici/")
    page.get_by_role("link", name="Ny risiko").click()
    page.get_by_label(re.compile(r"^Risiko( \*)?$")).fill(RISK)
    page.get_by_label("Sandsynlighed").select_option("4")
    page.get_by_label("Konsekvens").select_option("4")
    page.get_by_label("Håndtering").select_option("kontrol")
    page.get_by_label(re.compile(r"^Kontrol( \*)?$")).select_option("sagsgennemgang")
    page.get_by_role("button", name="Gem risikoen").click()
    expect(page.get_by_role("heading", level=1, name=re.compile(RISK))).to_be_visible()
    assert_accessible(page, "the risk")

    # The round, controlling the risk, and its sample.
    page.goto(f"{live_server.url}/tilsyn/runder/")
    page.get_by_role("link", name="Start en ny runde").click()
    page.get_by_label("Titel").fill(ROUND)
    page.get_by_label("Formål").fill("Er målene konkrete, og aftales næste samtale?")
    page.get_by_label(re.compile(RISK)).check()
    page.get_by_role("button", name="Start runden").click()
    expect(page.get_by_role("heading", level=1, name=ROUND)).to_be_visible()
    page.get_by_role("button", name="Træk stikprøven").click()
    expect(page.get_by_role("link", name="Sofie Stikprøvesen")).to_be_visible()
    assert_accessible(page, "the round with its sample")

    # The review: the flag's suggestion and evidence are there; a finding gets its action.
    page.get_by_role("link", name="Sofie Stikprøvesen").click()
    page.get_by_role("button", name="Start gennemgang").click()
    flagged = _point(page, "Der er ikke aftalt en næste opfølgningssamtale")
    expect(flagged).to_contain_text("Forslag: Fund")
    expect(flagged).to_contain_text("Kommunens servicestandard: en næste samtale aftales ved hver samtale")
    assert_accessible(page, "the review with its checklist")
    expect(flagged.get_by_role("radio", name="Fund")).to_be_checked()  # the suggestion, to confirm
    expect(
        _point(page, "Den aftalte opfølgningssamtale er ikke holdt").get_by_role("radio", name="I orden")
    ).to_be_checked()
    flagged.get_by_role("radio", name="I orden").check()  # the reviewer knows better: it was agreed since
    flagged.get_by_label("Kommentar").fill("Næste samtale er aftalt i journalen.")
    for point in page.locator("fieldset.review-point").all():
        if not point.get_by_role("radio", checked=True).count():
            point.get_by_role("radio", name="I orden").check()
    goals = _point(page, GOALS)
    goals.get_by_role("radio", name="Fund").check()
    goals.get_by_label("Kommentar").fill("Indsatsplanen har intet konkret jobmål.")
    goals.get_by_text("Ved fund: opfølgning til den koordinerende sagsbehandler").click()
    goals.get_by_label("Opfølgning: hvad skal den koordinerende sagsbehandler gøre?").fill(ACTION)
    page.get_by_role("button", name="Gem og afslut gennemgangen").click()
    expect(page.get_by_text("Sagsgennemgangen er afsluttet.")).to_be_visible()
    expect(_point(page, GOALS)).to_contain_text(f"Opfølgning til {caseworker.get_full_name()}")
    action = TilsynAction.objects.get()
    assert action.assignee == caseworker and action.due_on == clock.today() + dt.timedelta(days=14)
    page.get_by_role("button", name="Log ud").click()

    # The caseworker answers it on Min dag.
    log_in(caseworker)
    page.goto(f"{live_server.url}/min-dag/")
    section = page.get_by_role("region", name="Opfølgning på tilsyn (1)")
    expect(section).to_contain_text(ACTION)
    section.get_by_role("link", name="Svar på opfølgningen: Sofie Stikprøvesen").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("Opfølgning på tilsyn"))).to_be_visible()
    expect(page.get_by_text("Indsatsplanen har intet konkret jobmål.")).to_be_visible()
    assert_accessible(page, "the action with its reply form")
    page.get_by_label("Dit svar: hvad er gjort?").fill(REPLY)
    page.get_by_role("button", name="Send svar og luk").click()
    expect(page.get_by_role("heading", level=1, name="Min dag")).to_be_visible()
    expect(page.get_by_text("Opfølgningen er besvaret og lukket.")).to_be_visible()
    expect(page.get_by_role("region", name=re.compile("Opfølgning på tilsyn"))).to_have_count(0)
    action.refresh_from_db()
    assert action.status == ActionStatus.CLOSED
    page.get_by_role("button", name="Log ud").click()

    # The leader closes the round and downloads its report.
    log_in(leader)
    page.goto(f"{live_server.url}/tilsyn/runder/")
    page.get_by_role("link", name=ROUND).click()
    page.get_by_role("link", name="Afslut runden").click()
    page.get_by_role("textbox", name="Opsamling").fill("Ét fund om konkrete mål; fulgt op og lukket.")
    page.get_by_label(f"Genvurdering: {RISK}").fill("Risikoen står ved magt; næste runde ser på jobmål igen.")
    page.get_by_role("button", name="Afslut runden").click()
    page.get_by_role("link", name="Rundens rapport").click()
    expect(page.get_by_role("heading", level=1, name=f"Tilsynsrunde: {ROUND}")).to_be_visible()
    findings = page.get_by_role("region", name="Fund og opfølgning")
    expect(findings).to_contain_text("Fundet er lukket")
    expect(findings).to_contain_text(REPLY)
    expect(page.get_by_role("region", name="Risici, runden kontrollerer")).to_contain_text("næste runde ser på jobmål")
    assert_accessible(page, "the round's report")
    pdf_url = page.get_by_role("link", name="PDF – rundens rapport").get_attribute("href")
    pdf = page.request.get(f"{live_server.url}{pdf_url}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    assert static_failures == []
