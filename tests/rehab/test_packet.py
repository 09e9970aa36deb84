"""The meeting packet: one concise page (HTML and PDF) with what the team needs about one forløb,
shown only to the forløb's own team and to the rehabiliteringsteam that has it on its agenda."""

import io
import re
from datetime import date, time, timedelta

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import AccessAction, AccessLog, Outcome, Phase
from rehab import services as rehab_services
from rehab.models import DocumentKind, GoalKind
from tests.conftest import login
from tests.factories import (
    AgendaItemFactory,
    BorgerFactory,
    ForloebFactory,
    HealthDocumentFactory,
    OccupationFactory,
    PreparatoryPartFactory,
    RehabMembershipFactory,
    RehabTeamFactory,
    TeamMeetingFactory,
)

CONCRETE_GOAL = "Arbejde som social- og sundhedshjælper i hjemmeplejen"
VAGUE_GOAL = "At komme i job"
HEALTH_SUMMARY = "Kroniske lænderygsmerter; kan arbejde 10-15 timer om ugen i skånejob."
PERSPECTIVE = "Jeg vil gerne have et arbejde, men jeg er bange for at falde igennem igen."


@pytest.fixture
def rehab_team(kommune):
    return RehabTeamFactory(kommune=kommune, name="Rehabiliteringsteamet Nord")


@pytest.fixture
def member(rehab_member, rehab_team):
    RehabMembershipFactory(rehab_team=rehab_team, user=rehab_member)
    return rehab_member


@pytest.fixture
def other_member(kommune):
    return RehabMembershipFactory(rehab_team=RehabTeamFactory(kommune=kommune, name="Rehabiliteringsteamet Syd")).user


@pytest.fixture
def meeting(rehab_team):
    return TeamMeetingFactory(rehab_team=rehab_team, starts_at=timezone.now() + timedelta(days=5))


@pytest.fixture
def borger():
    return BorgerFactory(first_name="Mette", last_name="Hansen")


@pytest.fixture
def ready(team, caseworker, borger):
    """Forløb nr. 2 of a borger whose first forløb ended; complete forberedende del, on the team's desk."""
    ForloebFactory(
        team=team,
        borger=borger,
        sequence_no=1,
        phase=Phase.AFSLUTTET,
        opened_on=date(2019, 3, 1),
        start_date=date(2019, 6, 1),
        planned_end_date=date(2021, 6, 1),
        closed_on=date(2021, 5, 20),
        outcome=Outcome.KONTANTHJAELP,
    )
    f = ForloebFactory(team=team, borger=borger, sequence_no=2, phase=Phase.REHABILITERINGSTEAM)
    case_services.forloeb_assign_coordinator(
        forloeb=f, coordinator=caseworker, valid_from=f.opened_on, actor=caseworker
    )
    return f


def add_goals(forloeb, part, actor, *, concrete=CONCRETE_GOAL, vague=VAGUE_GOAL):
    common = {"forloeb": forloeb, "document": part, "document_kind": DocumentKind.FORBEREDENDE_DEL, "actor": actor}
    rehab_services.goal_add(kind=GoalKind.JOB, description=concrete, occupation=OccupationFactory(), **common)
    rehab_services.goal_add(kind=GoalKind.JOB, description=vague, **common)


@pytest.fixture
def item(ready, meeting, caseworker):
    part = PreparatoryPartFactory(forloeb=ready)
    add_goals(ready, part, caseworker)
    HealthDocumentFactory(forloeb=ready)
    HealthDocumentFactory(forloeb=ready, form="LÆ275", author_role="klinisk_funktion", received_on=None, summary="")
    return AgendaItemFactory(meeting=meeting, forloeb=ready, slot_start=time(10, 30))


def packet_url(item):
    return reverse("rehab:packet", args=[item.pk])


def pdf_url(item):
    return reverse("rehab:packet_pdf", args=[item.pk])


def assert_no_cpr(text: str, borger) -> None:
    compact = re.sub(r"\s", "", text)
    assert borger.cpr not in compact
    assert borger.formatted_cpr not in compact
    assert f"-{borger.cpr[6:]}" not in compact
    assert not re.search(r"(?<!\d)\d{6}-?\d{4}(?!\d)", text)


def pdf_text(response) -> tuple[str, int]:
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split()), len(reader.pages)


# --- Content ---------------------------------------------------------------------------------------


def test_the_packet_shows_the_essentials_and_no_cpr(client, caseworker, item, borger):
    response = login(client, caseworker).get(packet_url(item))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Mødepakke: Mette Hansen" in body
    age = rehab_services.age_on(item.forloeb, timezone.localdate(item.meeting.starts_at))
    assert f"{age} år" in body
    assert "Karin Sørensen" in body and "kl. 10:30" in body
    assert "Kontanthjælp" in body and "Ressourceforløb" in body  # forsørgelse and the borger's wish
    goals = body[body.index('id="packet-goals"') : body.index('id="packet-resources"')]
    assert CONCRETE_GOAL in goals and VAGUE_GOAL in goals
    assert goals.index("[konkret]") < goals.index(CONCRETE_GOAL) < goals.index("[ikke konkret]")
    assert "Social- og sundhedshjælper" in goals
    health = body[body.index('id="packet-health"') : body.index('id="packet-interventions"')]
    assert HEALTH_SUMMARY in health and "ikke modtaget" in health
    perspective = body[body.index('id="packet-perspective"') : body.index('id="packet-earlier"')]
    assert "<blockquote>" in perspective and PERSPECTIVE in perspective
    earlier = body[body.index('id="packet-earlier"') :]
    assert "Kontanthjælp" in earlier and "maj 2021" in earlier  # outcome and end of forløb nr. 1
    assert body.count(reverse("rehab:forloeb_rehab", args=[item.forloeb_id])) >= 6  # each section links on
    assert_no_cpr(body, borger)


def test_a_missing_forberedende_del_is_said_plainly(client, caseworker, ready, meeting):
    item = AgendaItemFactory(meeting=meeting, forloeb=ready, slot_start=time(9, 0))
    body = login(client, caseworker).get(packet_url(item)).content.decode()
    assert "Den forberedende del mangler." in body
    assert "Der er ingen job- eller uddannelsesmål i den forberedende del." in body
    assert "Der er ingen helbredsdokumenter før mødet." in body
    text, pages = pdf_text(client.get(pdf_url(item)))
    assert "Den forberedende del mangler." in text and pages == 1


def test_the_packet_page_has_ordered_headings_and_scoped_table_headers(client, caseworker, item):
    body = login(client, caseworker).get(packet_url(item)).content.decode()
    levels = [int(level) for level in re.findall(r"<h([1-6])", body)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    assert "<th>" not in body
    ids = re.findall(r'\sid="([^"]+)"', body)
    assert len(ids) == len(set(ids))


def test_the_packet_runs_a_fixed_number_of_queries(client, member, item, caseworker, django_assert_max_num_queries):
    login(client, member)
    with django_assert_max_num_queries(12) as few:
        client.get(packet_url(item))
    add_goals(item.forloeb, item.forloeb.preparatory_part, caseworker)
    for _ in range(3):
        HealthDocumentFactory(forloeb=item.forloeb)
    with django_assert_max_num_queries(12) as many:
        assert client.get(packet_url(item)).content.decode().count("[konkret]") == 2
    assert len(many.captured_queries) == len(few.captured_queries)


# --- Who may open it ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["caseworker", "teammate", "team_leader", "member"])
def test_the_forloebs_team_and_the_meetings_rehab_team_open_the_packet(client, who, request, item):
    login(client, request.getfixturevalue(who))
    assert client.get(packet_url(item)).status_code == 200
    assert client.get(pdf_url(item)).status_code == 200


@pytest.mark.parametrize("who", ["outsider", "other_member"])
def test_everyone_else_gets_404(client, who, request, item):
    login(client, request.getfixturevalue(who))
    assert client.get(packet_url(item)).status_code == 404
    assert client.get(pdf_url(item)).status_code == 404
    assert not AccessLog.objects.exists()


def test_a_rehab_member_sees_only_forloeb_on_their_own_teams_agendas(client, member, other_member, item, team):
    theirs = TeamMeetingFactory(rehab_team=other_member.rehab_teams.get(), starts_at=timezone.now())
    elsewhere = AgendaItemFactory(meeting=theirs, forloeb=ForloebFactory(team=team), slot_start=time(9, 0))
    also_there = AgendaItemFactory(meeting=theirs, forloeb=item.forloeb, slot_start=time(10, 0))
    login(client, member)
    assert client.get(packet_url(elsewhere)).status_code == 404
    assert client.get(pdf_url(elsewhere)).status_code == 404
    # The forløb is on my agenda too, but that other team's meeting is none of my business.
    assert client.get(packet_url(also_there)).status_code == 404
    # The case pages themselves are for the forløb's own team only.
    assert client.get(reverse("cases:forloeb_detail", args=[elsewhere.forloeb_id])).status_code == 404
    assert client.get(reverse("cases:forloeb_detail", args=[item.forloeb_id])).status_code == 404


def test_an_unknown_agenda_item_gives_404(client, caseworker):
    login(client, caseworker)
    assert client.get(reverse("rehab:packet", args=[999999])).status_code == 404
    assert client.get(reverse("rehab:packet_pdf", args=[999999])).status_code == 404


def test_opening_the_packet_is_logged_without_the_cpr(client, member, item):
    login(client, member)
    client.get(packet_url(item))
    client.get(pdf_url(item))
    rows = list(AccessLog.objects.values_list("user", "borger", "forloeb", "action"))
    expected = (member.pk, item.forloeb.borger_id, item.forloeb_id, AccessAction.VIEW_FORLOEB)
    assert rows == [expected, expected]


def test_the_packet_is_not_cached(client, caseworker, item):
    login(client, caseworker)
    for url in (packet_url(item), pdf_url(item)):
        assert "no-store" in client.get(url)["Cache-Control"]


# --- The PDF -------------------------------------------------------------------------------------------


def test_the_pdf_holds_the_packet_and_its_name_holds_no_cpr(client, caseworker, item, borger):
    response = login(client, caseworker).get(pdf_url(item))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="moedepakke-{item.forloeb_id}.pdf"'
    assert borger.cpr[:6] not in response["Content-Disposition"]
    assert "Hansen" not in response["Content-Disposition"]
    text, pages = pdf_text(response)
    assert "Mette Hansen" in text
    assert "Borgerens perspektiv" in text
    assert CONCRETE_GOAL in text and "[ikke konkret]" in text
    assert HEALTH_SUMMARY in text
    assert pages == 1
    assert_no_cpr(text, borger)


SENTENCE = (
    "borgeren fortæller at hverdagen er præget af smerter træthed og bekymringer om økonomien men også af "
    "et ønske om at bidrage og komme tilbage på en arbejdsplads med gode kolleger og faste rammer"
)


def long_text(n=400, start=0) -> str:
    """About n words of plausible Danish prose (each section of a thorough forberedende del)."""
    words = SENTENCE.split()
    return " ".join(words[(start + i) % len(words)] for i in range(n))


def test_the_pdf_stays_on_one_or_two_pages_however_long_the_texts(client, caseworker, ready, meeting, borger):
    sections = [
        "wishes",
        "personal_resources",
        "challenges_job",
        "challenges_social",
        "challenges_health",
        "self_assessed_health",
        "benefit_history",
        "earlier_interventions",
        "borger_perspective",
        "cv",
    ]
    part = PreparatoryPartFactory(forloeb=ready, **{name: long_text(start=i) for i, name in enumerate(sections)})
    for _ in range(3):  # six goals, each long
        add_goals(ready, part, caseworker, concrete=CONCRETE_GOAL + " " + long_text(150), vague=long_text(150))
    for form in ("LÆ265", "LÆ145", "LÆ275", "LÆ155", "journal", "raadgivning", "andet", "LÆ265"):
        HealthDocumentFactory(forloeb=ready, form=form, summary=long_text(300))
    for n in range(3, 7):  # a long history: forløb nr. 1-6 before this one
        ForloebFactory(
            team=ready.team,
            borger=borger,
            sequence_no=n,
            phase=Phase.AFSLUTTET,
            opened_on=date(2010 + n, 1, 1),
            closed_on=date(2010 + n, 12, 1),
            outcome=Outcome.SYGEDAGPENGE,
        )
    item = AgendaItemFactory(meeting=meeting, forloeb=ready, slot_start=time(11, 0))

    text, pages = pdf_text(login(client, caseworker).get(pdf_url(item)))
    print(f"long-text packet: {pages} PDF page(s)")
    assert 1 <= pages <= 2, pages
    assert "Og 1 mål mere." in text and "Og 2 dokumenter mere." in text
    assert "Mette Hansen" in text and "Borgerens perspektiv" in text and CONCRETE_GOAL in text
    assert "Tidligere forløb" in text  # the last section made it onto the page
    assert_no_cpr(text, borger)


def test_pdf_rendering_never_fetches_from_the_network_or_the_disk():
    from rehab.pdf import offline_url_fetcher

    fetcher = offline_url_fetcher()
    for url in ("http://169.254.169.254/latest/meta-data/", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/css,p{}").read() == b"p{}"
