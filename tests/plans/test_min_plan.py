"""Min Plan: the borger's own plan in plain Danish (page and PDF), generated from the current
(latest completed) version of the indsatsplan and never from a draft."""

import datetime as dt
import io
import re
from decimal import Decimal

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from cases import dates
from cases.models import AccessAction, AccessLog
from plans import services
from plans.models import Intervention, InterventionStatus, InterventionType
from tests.conftest import login

TODAY = timezone.localdate()
PRAKTIK_START = TODAY + dt.timedelta(days=14)
PRAKTIK_END = TODAY + dt.timedelta(days=14 + 12 * 7)
NEXT_TALK = TODAY + dt.timedelta(days=28)
STEP = "Møde op i kantinen to dage om ugen"
STEP_DATE = TODAY + dt.timedelta(days=60)
PERSPECTIVE = "Jeg glæder mig til at komme ud blandt andre igen."


def day(d) -> str:
    return dates.text(d)


def complete_plan(forloeb, actor, *, step=STEP):
    """Version 1 of the indsatsplan, completed today: the praktik and the mentor planned (the
    praktik 10 hours a week at a named place), the fysioterapi and the bostøtte not started."""
    plan = services.plan_start(forloeb=forloeb, actor=actor)
    for i in forloeb.interventions.filter(status=InterventionStatus.INDSTILLET).order_by("id"):
        if i.category in ("virksomhedsrettet", "mentor"):
            services.intervention_move(
                intervention=i,
                action="plan",
                on=TODAY,
                planned_start=PRAKTIK_START,
                planned_end=PRAKTIK_END,
                actor=actor,
            )
        else:
            services.intervention_move(
                intervention=i, action="not_started", on=TODAY, reason="Ikke relevant lige nu.", actor=actor
            )
    # Set directly: services.intervention_update fails on Intervention.full_clean() with the
    # protected FSM status field (reported; full_clean(exclude=["status"]) fixes it).
    forloeb.interventions.filter(category="virksomhedsrettet").update(
        hours_per_week=Decimal("10"), provider="Kantinen på Rådhuset"
    )
    services.milestone_add(plan=plan, description=step, target_date=STEP_DATE, actor=actor)
    services.plan_update(
        plan=plan,
        data={"followup_cadence_weeks": 4, "borger_perspective": PERSPECTIVE, "next_followup_on": NEXT_TALK},
        actor=actor,
    )
    services.plan_complete(plan=plan, completed_on=TODAY, actor=actor)
    plan.refresh_from_db()
    assert not plan.is_draft
    return plan


def add_budget_help(forloeb) -> Intervention:
    """A planned indsats registered after the plan was completed. Created directly, since
    services.intervention_add fails on full_clean() with the protected status (reported)."""
    type_ = InterventionType.objects.get(code="gaeldsraadgivning", valid_to__isnull=True)
    return Intervention.objects.create(
        forloeb=forloeb,
        type=type_,
        category=type_.category,
        description="Hjælp til at lægge et budget",
        status=InterventionStatus.PLANLAGT,
        planned_start=TODAY + dt.timedelta(days=3),
    )


@pytest.fixture
def contact(caseworker):
    caseworker.email = "karin.soerensen@testrup.dk"
    caseworker.phone = "72 10 20 30"
    caseworker.save()
    return caseworker


@pytest.fixture
def planned(granted, contact):
    complete_plan(granted, contact)
    return granted


def page_url(forloeb):
    return reverse("plans:min_plan", args=[forloeb.pk])


def pdf_url(forloeb):
    return reverse("plans:min_plan_pdf", args=[forloeb.pk])


def plan_part(body: str) -> str:
    """The borger's part of the page (without the caseworker's header and tabs)."""
    return body[body.index('class="min-plan"') : body.index("</article>")]


def pdf_text(response) -> str:
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def assert_no_cpr(text: str, borger) -> None:
    compact = re.sub(r"\s", "", text)
    assert borger.cpr[:6] not in compact
    assert borger.cpr[6:] not in compact
    assert not re.search(r"(?<!\d)\d{6}-?\d{4}(?!\d)", text)
    born = borger.birth_date
    for shown in (f"{born:%d.%m.%Y}", f"{born:%d.%m.%y}", f"{born:%d-%m-%Y}", day(born)):
        assert shown not in text


# --- Content -----------------------------------------------------------------------------------------


def test_it_shows_the_goal_steps_agreements_next_talk_and_sagsbehandler(client, contact, planned):
    body = login(client, contact).get(page_url(planned)).content.decode()
    mine = plan_part(body)
    for heading in ("Dit mål", "Det skal du i gang med", "Dine aftaler", "Din næste samtale"):
        assert f">{heading}</h3>" in mine
    assert "Din koordinerende sagsbehandler" in mine
    assert "Køkkenmedhjælper i en kantine" in mine and "Køkkenmedhjælpere" in mine
    assert PERSPECTIVE in mine
    assert STEP in mine and f"Gerne inden {day(STEP_DATE)}." in mine
    assert "Virksomhedspraktik i kantine" in mine and "Mentor i praktikken" in mine
    assert f"Starter {day(PRAKTIK_START)}. Slutter {day(PRAKTIK_END)}." in mine
    assert "10 timer om ugen." in mine and "Hvor: Kantinen på Rådhuset." in mine
    assert dates.with_weekday(NEXT_TALK) in mine
    assert "I taler sammen mindst hver 4. uge." in mine
    assert "Karin Sørensen" in mine
    assert 'href="mailto:karin.soerensen@testrup.dk"' in mine and 'href="tel:72102030"' in mine
    assert f"Planen er fra {day(TODAY)}." in mine
    assert f'href="{pdf_url(planned)}"' in body and "Print / PDF" in body
    assert 'aria-current="page"' in body and "Min Plan" in body


def test_it_speaks_plainly_without_codes_or_case_work_terms(client, contact, planned):
    mentor = planned.interventions.get(category="mentor")
    services.intervention_move(intervention=mentor, action="start", on=TODAY, actor=contact)
    mine = plan_part(login(client, contact).get(page_url(planned)).content.decode()).lower()
    assert f"i gang siden {day(TODAY)}".lower() in mine
    for jargon in ("indstillet", "bevilget", "igangsat", "iværksat", "planlagt", "status", "indsatsplan", "9412"):
        assert jargon not in mine, jargon
    assert "disco" not in mine and "lab " not in mine and "§" not in mine


def test_indsatser_not_started_or_outside_the_current_plan_are_not_shown(client, contact, planned):
    # Registered after the plan was completed: not in the plan until a revision says so.
    add_budget_help(planned)
    mine = plan_part(login(client, contact).get(page_url(planned)).content.decode())
    assert "Virksomhedspraktik i kantine" in mine
    assert "Fysioterapi for ryggen" not in mine and "Bostøtte" not in mine  # ikke iværksat
    assert "Hjælp til at lægge et budget" not in mine


def test_it_shows_the_completed_version_until_a_revision_is_completed(client, contact, planned):
    login(client, contact)
    draft = services.plan_revise(forloeb=planned, reason="Opfølgningssamtale i dag", actor=contact)
    services.milestone_add(plan=draft, description="Tage bussen selv til praktikken", target_date=None, actor=contact)
    services.plan_update(plan=draft, data={"next_followup_on": TODAY + dt.timedelta(days=50)}, actor=contact)
    budget = add_budget_help(planned)

    mine = plan_part(client.get(page_url(planned)).content.decode())
    assert STEP in mine and dates.with_weekday(NEXT_TALK) in mine
    assert "Tage bussen selv til praktikken" not in mine
    assert "Hjælp til at lægge et budget" not in mine
    assert dates.with_weekday(TODAY + dt.timedelta(days=50)) not in mine

    services.plan_complete(plan=draft, completed_on=TODAY, actor=contact)
    mine = plan_part(client.get(page_url(planned)).content.decode())
    assert STEP in mine and "Tage bussen selv til praktikken" in mine
    assert "Hjælp til at lægge et budget" in mine and budget.status == InterventionStatus.PLANLAGT
    assert dates.with_weekday(TODAY + dt.timedelta(days=50)) in mine


def test_without_a_completed_plan_it_says_the_plan_is_being_made(client, contact, granted):
    services.plan_start(forloeb=granted, actor=contact)  # a draft only
    mine = plan_part(login(client, contact).get(page_url(granted)).content.decode())
    assert "Din plan er ved at blive lavet sammen med din sagsbehandler." in mine
    assert "Køkkenmedhjælper" not in mine and "Virksomhedspraktik" not in mine
    assert "Karin Sørensen" in mine and "karin.soerensen@testrup.dk" in mine


def test_there_is_no_cpr_nor_birth_date_on_the_page(client, contact, planned):
    body = login(client, contact).get(page_url(planned)).content.decode()
    assert_no_cpr(body, planned.borger)


def test_the_page_runs_a_fixed_number_of_queries(client, contact, planned, django_assert_max_num_queries):
    login(client, contact)
    with django_assert_max_num_queries(15) as few:
        client.get(page_url(planned))
    draft = services.plan_revise(forloeb=planned, reason="Ny samtale", actor=contact)
    for n in range(4):
        services.milestone_add(plan=draft, description=f"Delmål {n}", target_date=STEP_DATE, actor=contact)
    services.plan_complete(plan=draft, completed_on=TODAY, actor=contact)
    with django_assert_max_num_queries(15) as many:
        assert "Delmål 3" in client.get(page_url(planned)).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


# --- The PDF ------------------------------------------------------------------------------------------


def test_the_pdf_holds_the_plan_and_its_name_holds_no_cpr(client, contact, planned):
    response = login(client, contact).get(pdf_url(planned))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="min-plan-{planned.pk}.pdf"'
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response)
    assert "Køkkenmedhjælper i en kantine" in text
    assert STEP in text
    assert "Virksomhedspraktik i kantine" in text
    assert "Karin Sørensen" in text
    assert "Mentor" in text and "Fysioterapi" not in text
    assert_no_cpr(text, planned.borger)


def test_the_pdf_without_a_plan_says_so(client, contact, granted):
    text = pdf_text(login(client, contact).get(pdf_url(granted)))
    assert "Din plan er ved at blive lavet sammen med din sagsbehandler." in text


# --- Who may see it --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["contact", "teammate", "team_leader"])
def test_the_forloebs_team_opens_min_plan(client, who, request, planned):
    login(client, request.getfixturevalue(who))
    assert client.get(page_url(planned)).status_code == 200
    assert client.get(pdf_url(planned)).status_code == 200


@pytest.mark.parametrize("who", ["outsider", "rehab_member"])
def test_everyone_else_gets_404_and_nothing_is_logged(client, who, request, planned):
    login(client, request.getfixturevalue(who))
    assert client.get(page_url(planned)).status_code == 404
    assert client.get(pdf_url(planned)).status_code == 404
    assert not AccessLog.objects.filter(forloeb=planned).exists()


def test_an_unknown_forloeb_gives_404(client, contact):
    login(client, contact)
    assert client.get(reverse("plans:min_plan", args=[999999])).status_code == 404
    assert client.get(reverse("plans:min_plan_pdf", args=[999999])).status_code == 404


def test_opening_min_plan_is_logged(client, contact, planned):
    login(client, contact)
    client.get(page_url(planned))
    client.get(pdf_url(planned))
    rows = list(AccessLog.objects.filter(forloeb=planned).values_list("user", "borger", "action"))
    assert rows == [(contact.pk, planned.borger_id, AccessAction.VIEW_FORLOEB)] * 2
