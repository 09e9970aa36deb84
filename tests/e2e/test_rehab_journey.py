"""The whole way from a new forløb to `indsatsdel`, in the browser, as the people who do it:
the caseworker writes the forberedende del with the borger, registers the LÆ 265, sends the
case to the rehabiliteringsteam and books it on a meeting; a team member opens the meeting
packet; the caseworker records the team's indstilling and the kommune's afgørelse."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Forloeb, Phase
from rehab.models import Decision, Recommendation
from tests.e2e.conftest import assert_accessible
from tests.factories import OccupationFactory, RehabMembershipFactory, RehabTeamFactory, TeamMeetingFactory

pytestmark = pytest.mark.e2e

# A case begun before 1.7.2026: after that date new ressourceforløb cannot be granted
# (cases.rulepacks REFORM2026), so the journey to `indsatsdel` starts from a case opened then.
OPENED_ON = "2026-05-04"


def test_a_new_forloeb_goes_from_forberedende_del_through_the_team_to_indsatsdel(
    transactional_db, live_server, page, static_failures, log_in, caseworker, rehab_member, kommune
):
    today = timezone.localdate()
    occupation = OccupationFactory(code="9412", title="Køkkenmedhjælpere")
    rehab_team = RehabTeamFactory(kommune=kommune, name="Rehabiliteringsteamet")
    RehabMembershipFactory(rehab_team=rehab_team, user=rehab_member, sector=rehab_member.sector)
    starts_at = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(minutes=10)
    meeting = TeamMeetingFactory(rehab_team=rehab_team, starts_at=starts_at, place="Jobcentret, mødelokale 2")

    # 1. The caseworker opens a forløb for a new borger.
    log_in(caseworker)
    page.get_by_role("link", name="Opret forløb").click()
    expect(page.get_by_role("heading", level=1, name="Opret forløb")).to_be_visible()
    assert_accessible(page, "the form for a new forløb")
    page.get_by_role("button", name="Opret forløb").click()
    expect(page.get_by_label("CPR-nummer")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "the form for a new forløb with errors")
    page.get_by_label("CPR-nummer").fill("010190-1234")
    page.get_by_label("Fornavn").fill("Ida")
    page.get_by_label("Efternavn").fill("Holm")
    page.get_by_label("Team").select_option(label="Team Nord")
    page.get_by_label("Sagen oprettet").fill(OPENED_ON)
    page.get_by_role("button", name="Opret forløb").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ida Holm: forløb 1")
    assert_accessible(page, "the new forløb's page")
    forloeb = Forloeb.objects.get(borger__first_name="Ida")

    # 2. The forberedende del, written with the borger, section by section.
    page.get_by_role("link", name="Forberedende del og rehabiliteringsteam").click()
    expect(page.locator(".checklist li:not(.done)")).to_have_count(15)
    assert_accessible(page, "the forberedende del and rehabiliteringsteam tab")
    page.get_by_role("link", name="Begynd den forberedende del").click()
    expect(page.get_by_label("Borgerens perspektiv")).to_be_visible()
    assert_accessible(page, "the form for the forberedende del")
    sections = {
        "Arbejdet påbegyndt": OPENED_ON,
        "Ønsker, erfaring og ressourcer": "Vil gerne arbejde i et køkken; har været i praktik i en kantine.",
        "Personlige ressourcer og styrker": "Mødestabil og god til at samarbejde.",
        "Jobmæssige udfordringer": "Ingen fast tilknytning til arbejdsmarkedet i 6 år.",
        "Sociale udfordringer": "Gæld og et lille netværk.",
        "Helbredsmæssige udfordringer": "Kroniske rygsmerter og angst.",
        "Borgerens egen vurdering af helbredet": "Kan stå i to timer ad gangen.",
        "Forsørgelseshistorik": "Kontanthjælp siden 2020.",
        "Tidligere indsatser": "Mentorforløb 2022.",
        "Borgerens perspektiv": "Jeg vil gerne prøve at arbejde igen, men i mit eget tempo.",
        "Underskrevet af borgeren": OPENED_ON,
    }
    for label, value in sections.items():
        page.get_by_label(label).fill(value)
    page.get_by_label("Forsørgelse før forløbet").select_option(label="Kontanthjælp")
    page.get_by_label("Borgerens ønske før mødet").select_option(label="Ressourceforløb")
    page.get_by_role("button", name="Gem den forberedende del").click()
    expect(page.get_by_role("status")).to_contain_text("Den forberedende del er gemt.")

    # A concrete jobmål: it names an occupation.
    page.locator("summary", has_text="Tilføj mål").click()
    goal_form = page.locator("form", has=page.get_by_role("button", name="Tilføj mål"))
    goal_form.get_by_label("Type").select_option(label="Jobmål")
    goal_form.get_by_label("Målet med borgerens ord").fill("Køkkenmedhjælper i en kantine, 15 timer om ugen")
    goal_form.get_by_label("Stilling").select_option(label=str(occupation))
    assert_accessible(page, "the forberedende del with the goal form open")
    goal_form.get_by_role("button", name="Tilføj mål").click()
    expect(page.locator("section", has_text="Job- og uddannelsesmål").locator(".tag-ok")).to_have_text("Konkret")

    # The GP's LÆ 265.
    page.locator("summary", has_text="Registrér helbredsdokument").click()
    health_form = page.locator("form", has=page.get_by_role("button", name="Registrér", exact=True))
    health_form.get_by_label("Dokumenttype").select_option(value="LÆ265")
    health_form.get_by_label("Udarbejdet af").select_option(label="Praktiserende læge")
    health_form.get_by_label("Rekvireret").fill(OPENED_ON)
    health_form.get_by_label("Modtaget").fill("2026-06-01")
    health_form.get_by_label("Kort resumé").fill("Kan arbejde 10-15 timer om ugen uden tunge løft.")
    assert_accessible(page, "the forberedende del with the health document form open")
    health_form.get_by_role("button", name="Registrér", exact=True).click()
    expect(page.locator(".checklist li:not(.done)")).to_have_count(0)
    assert_accessible(page, "the forberedende del with a goal and a health document")

    # 3. Send the case to the team and book it on the meeting.
    page.get_by_role("link", name="Overblik og faser").click()
    step = page.locator("details", has=page.locator("summary", has_text="Send til rehabiliteringsteamet"))
    step.locator("summary").click()
    step.get_by_role("button", name="Send til rehabiliteringsteamet → Afventer rehabiliteringsteam").click()
    expect(page.get_by_role("status")).to_contain_text("Afventer rehabiliteringsteam")

    page.get_by_role("link", name="Forberedende del og rehabiliteringsteam").click()
    assert_accessible(page, "the rehabiliteringsteam tab with the agenda form")
    page.locator("#id_agenda_meeting").select_option(index=1)
    page.get_by_label("Tidspunkt på mødet").fill(f"{starts_at:%H:%M}")
    page.get_by_role("button", name="Sæt på dagsordenen").click()
    expect(
        page.locator("section", has_text="Møder i rehabiliteringsteamet").get_by_role("link", name="Mødepakke")
    ).to_be_visible()
    assert_accessible(page, "the rehabiliteringsteam tab with the case on an agenda")
    page.get_by_role("button", name="Log ud").click()

    # 4. A member of the rehabiliteringsteam opens the meeting packet.
    log_in(rehab_member)
    page.get_by_role("link", name="Møder i rehabiliteringsteamet").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page, "the list of meetings")
    page.get_by_role("link", name=re.compile(f"{starts_at.day}\\. ")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Møde i rehabiliteringsteamet")
    assert_accessible(page, "the meeting")
    page.get_by_role("link", name=re.compile("^Mødepakke")).click()
    expect(page.get_by_text("Køkkenmedhjælper i en kantine, 15 timer om ugen")).to_be_visible()
    expect(page.get_by_text("Jeg vil gerne prøve at arbejde igen, men i mit eget tempo.")).to_be_visible()
    expect(page.get_by_text("Kan arbejde 10-15 timer om ugen uden tunge løft.")).to_be_visible()
    assert_accessible(page, "the meeting packet")
    pdf = page.request.get(f"{live_server.url}/dagsorden/{forloeb.agenda_items.get().pk}/moedepakke.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"
    page.get_by_role("button", name="Log ud").click()

    # 5. The caseworker records the team's indstilling.
    log_in(caseworker)
    page.goto(f"{live_server.url}/forloeb/{forloeb.pk}/rehabilitering/")
    expect(page.get_by_role("link", name="Registrér indstilling")).to_be_visible()
    assert_accessible(page, "the rehabiliteringsteam tab after the meeting")
    page.get_by_role("link", name="Registrér indstilling").click()
    expect(page.get_by_role("group", name="Mål 1")).to_be_visible()
    assert_accessible(page, "the form for the indstilling")
    page.get_by_label("Indstillet ordning").select_option(label="Ressourceforløb")
    page.get_by_label("Varighed (år)").fill("2")
    page.get_by_label("Borgerens perspektiv").fill("Vil gerne i gang, men ikke mere end 15 timer.")
    goal = page.get_by_role("group", name="Mål 1")
    goal.get_by_label("Type").select_option(label="Jobmål")
    goal.get_by_label("Målet med borgerens ord").fill("Køkkenmedhjælper")
    goal.get_by_label("Stilling").select_option(label=str(occupation))
    intervention = page.get_by_role("group", name="Indsats 1")
    intervention.get_by_label("Kategori").select_option(label="Virksomhedsrettet indsats")
    intervention.get_by_label("Indsats", exact=True).fill("Virksomhedspraktik i kantine")
    intervention.get_by_label("Inden for (måneder)").fill("3")
    page.get_by_role("button", name="Registrér indstilling").click()
    expect(page.get_by_role("status")).to_contain_text("Indstillingen er registreret.")
    expect(page.get_by_role("heading", level=3, name=re.compile("Ressourceforløb, 2 år"))).to_be_visible()
    assert_accessible(page, "the rehabiliteringsteam tab with the indstilling")

    # 6. The kommune's afgørelse: the forløb moves to the indsatsdel.
    page.get_by_role("link", name="Registrér afgørelse").click()
    expect(page.get_by_label("Start af ressourceforløbsydelse")).to_be_visible()
    assert_accessible(page, "the form for the afgørelse")
    page.get_by_label("Start af ressourceforløbsydelse").fill(f"{today:%Y-%m-%d}")
    page.get_by_role("button", name="Registrér afgørelse").click()
    expect(page.get_by_role("status")).to_contain_text("Forløbet står nu i fasen “Indsatsdel”.")
    assert_accessible(page, "the forløb in the indsatsdel")

    forloeb.refresh_from_db()
    assert forloeb.phase == Phase.INDSATSDEL
    assert forloeb.start_date == today
    assert Recommendation.objects.get(forloeb=forloeb).agenda_item.meeting == meeting
    assert Decision.objects.get(forloeb=forloeb).follows_recommendation is True
    path = list(forloeb.transitions.values_list("to_phase", flat=True))
    assert path == [Phase.REHABILITERINGSTEAM, Phase.INDSTILLING, Phase.INDSATSDEL]
    assert static_failures == []
