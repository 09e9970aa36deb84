"""The "Indsatsplan og indsatser" page: the funnel, writing and completing the plan, revisions,
and registering each step of an indsats inline (htmx and without JavaScript)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import AccessAction, AccessLog, Forloeb, Phase
from plans import services
from plans.models import ActionPlan, Intervention, InterventionEvent, InterventionStatus, InterventionType, Milestone
from rehab.models import DocumentKind, Goal
from tests.conftest import login
from tests.edit_forms import post_edit
from tests.plans.conftest import FOUR_RECOMMENDED, grant_forloeb

TODAY = timezone.localdate()
HTMX = {"HX-Request": "true"}
VALID_CVR = "13585628"  # stdnum.dk.cvr.is_valid


def page_url(forloeb):
    return reverse("plans:plan", args=[forloeb.pk])


def url(name, forloeb, *args):
    return reverse(f"plans:{name}", args=[forloeb.pk, *args])


def move_url(intervention, action):
    return reverse("plans:intervention_move", args=[intervention.pk, action])


def post_plan(client, forloeb, data, **kwargs):
    """Save the plan's fields from the page, with the edit token the page gave."""
    return post_edit(client, page_url(forloeb), url("plan_update", forloeb), data, **kwargs)


def post_move(client, intervention, action, data, **kwargs):
    """Post one step of an indsats with the edit token of its row on the page (any of its steps
    carries it, so a step the page no longer offers can be posted too)."""
    row = move_url(intervention, action).rsplit("/", 2)[0] + "/"
    return post_edit(
        client, page_url(intervention.forloeb), move_url(intervention, action), data, token_from=row, **kwargs
    )


def of(forloeb, category) -> Intervention:
    return forloeb.interventions.get(category=category)


def fresh(intervention) -> Intervention:
    """The status field is protected (django-fsm), so read the row again instead of refresh_from_db."""
    return Intervention.objects.get(pk=intervention.pk)


def funnel_rows(html: str) -> dict[str, tuple[int, int, int]]:
    rows = re.findall(
        r'<tr data-category="([^"]+)">\s*<th scope="row">[^<]*</th><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>', html
    )
    return {category: (int(a), int(b), int(c)) for category, a, b, c in rows}


def add(forloeb, type_: InterventionType, actor, **data) -> Intervention:
    return services.intervention_add(forloeb=forloeb, data={"type": type_, **data}, actor=actor)


def ready_to_complete(forloeb, plan, actor):
    """What the plan needs: follow-up agreement, borger perspective, a delmål, and a decision on
    every recommended indsats (three planned, the social one not started)."""
    services.plan_update(
        plan=plan, data={"followup_cadence_weeks": 4, "borger_perspective": "Jeg vil gerne i gang."}, actor=actor
    )
    services.milestone_add(plan=plan, description="Møder stabilt i praktikken", target_date=None, actor=actor)
    for i in forloeb.interventions.all():
        if i.category == "social":
            services.intervention_move(
                intervention=i, action="not_started", on=TODAY, reason="Har allerede bostøtte", actor=actor
            )
        else:
            services.intervention_move(intervention=i, action="plan", on=TODAY, planned_start=TODAY, actor=actor)


@pytest.fixture
def draft(granted, caseworker):
    return services.plan_start(forloeb=granted, actor=caseworker)


@pytest.fixture
def completed(granted, draft, caseworker):
    ready_to_complete(granted, draft, caseworker)
    services.plan_complete(plan=draft, completed_on=TODAY, actor=caseworker)
    granted.refresh_from_db()
    return draft


# --- Who may see and change it ------------------------------------------------------------------


def _state(forloeb):
    return (
        list(ActionPlan.objects.filter(forloeb=forloeb).values_list("version", "borger_perspective", "completed_on")),
        list(Milestone.objects.filter(plan__forloeb=forloeb).values_list("description", flat=True)),
        Goal.objects.filter(forloeb=forloeb).count(),
        list(forloeb.interventions.order_by("pk").values_list("status", "planned_start")),
        InterventionEvent.objects.filter(intervention__forloeb=forloeb).count(),
    )


@pytest.mark.parametrize("who", ["outsider", "rehab_member"])
def test_people_outside_the_team_get_404_on_the_page_and_on_every_write(client, granted, caseworker, who, request):
    login(client, request.getfixturevalue(who))
    assert client.get(page_url(granted)).status_code == 404
    assert client.post(url("plan_start", granted)).status_code == 404
    assert not ActionPlan.objects.filter(forloeb=granted).exists()

    plan = services.plan_start(forloeb=granted, actor=caseworker)
    milestone = services.milestone_add(plan=plan, description="Et delmål", target_date=None, actor=caseworker)
    mentor = of(granted, "mentor")
    before = _state(granted)
    writes = [
        (url("plan_update", granted), {"borger_perspective": "Ændret", "followup_cadence_weeks": "2"}),
        (url("milestone_add", granted), {"description": "Nyt delmål"}),
        (url("milestone_remove", granted, milestone.pk), {}),
        (url("goal_add", granted), {"kind": "uddannelse", "description": "SOSU", "education": "SOSU-hjælper"}),
        (url("plan_complete", granted), {"completed_on": TODAY.isoformat()}),
        (url("plan_revise", granted), {"reason": "Opfølgning"}),
        (
            url("intervention_add", granted),
            {"type": mentor.type_id, "forvaltning": "jobcenter", "source": "registreret"},
        ),
        (move_url(mentor, "plan"), {"planned_start": TODAY.isoformat()}),
        (move_url(mentor, "not_started"), {"on": TODAY.isoformat(), "reason": "Nej"}),
    ]
    for address, data in writes:
        assert client.post(address, data).status_code == 404, address
        assert client.post(address, data, headers=HTMX).status_code == 404, address
    assert client.get(url("plan_version", granted, 1)).status_code == 404
    assert _state(granted) == before


def test_the_team_leader_sees_the_page_and_each_look_is_logged(client, draft, granted, team_leader):
    response = login(client, team_leader).get(page_url(granted))
    assert response.status_code == 200
    assert AccessLog.objects.filter(user=team_leader, forloeb=granted, action=AccessAction.VIEW_FORLOEB).count() == 1
    client.get(url("plan_version", granted, 1))
    assert AccessLog.objects.filter(user=team_leader, forloeb=granted).count() == 2


def test_an_unknown_version_or_action_gives_404(client, draft, granted, caseworker):
    login(client, caseworker)
    assert client.get(url("plan_version", granted, 7)).status_code == 404
    assert client.post(move_url(of(granted, "mentor"), "fly"), {"on": TODAY.isoformat()}).status_code == 404
    assert client.post(reverse("plans:intervention_move", args=[999999, "start"])).status_code == 404


# --- Writing the plan ----------------------------------------------------------------------------


def test_the_caseworker_starts_the_plan_from_the_indstilling(client, granted, caseworker):
    login(client, caseworker)
    assert "Skriv indsatsplan" in client.get(page_url(granted)).content.decode()
    body = client.post(url("plan_start", granted), follow=True).content.decode()
    assert "Indsatsplanen er påbegyndt" in body
    plan = ActionPlan.objects.get(forloeb=granted)
    assert plan.version == 1 and plan.is_draft and plan.coordinator == caseworker and plan.hensyn == ["fysiske"]
    assert body.count('data-status="indstillet"') == 4
    assert "Køkkenmedhjælper i en kantine" in body and "Konkret" in body
    assert "Skriv indsatsplan" not in body


def test_no_plan_is_written_before_the_forloeb_is_granted(client, forloeb, caseworker):
    login(client, caseworker)
    body = client.get(page_url(forloeb)).content.decode()
    assert "Skriv indsatsplan" not in body and "Den skrives, når ressourceforløbet er bevilget." in body
    body = client.post(url("plan_start", forloeb), follow=True).content.decode()
    assert "Indsatsplanen skrives, når ressourceforløbet er bevilget." in body
    assert not ActionPlan.objects.filter(forloeb=forloeb).exists()


def test_the_plan_fields_are_saved_from_the_page(client, draft, granted, caseworker):
    response = post_plan(
        login(client, caseworker),
        granted,
        {
            "coordinator": caseworker.pk,
            "followup_cadence_weeks": "4",
            "followup_agreement": "Samtale hver 4. uge i jobcentret",
            "next_followup_on": (TODAY + dt.timedelta(days=21)).isoformat(),
            "hensyn": ["fysiske", "transport"],
            "borger_perspective": "Jeg glæder mig til praktikken.",
        },
        follow=True,
    )
    assert "Indsatsplanen er gemt." in response.content.decode()
    draft.refresh_from_db()
    assert draft.followup_cadence_weeks == 4 and draft.hensyn == ["fysiske", "transport"]
    assert draft.next_followup_on == TODAY + dt.timedelta(days=21)
    assert draft.borger_perspective == "Jeg glæder mig til praktikken."


def test_a_coordinator_outside_the_team_is_refused(client, draft, granted, caseworker, outsider):
    response = post_plan(
        login(client, caseworker), granted, {"coordinator": outsider.pk, "borger_perspective": "Ændret"}
    )
    assert response.status_code == 400 and "has-error" in response.content.decode()
    draft.refresh_from_db()
    assert draft.coordinator == caseworker and draft.borger_perspective == ""


def test_goals_and_delmaal_are_added_to_the_draft(client, draft, granted, caseworker):
    login(client, caseworker)
    client.post(
        url("goal_add", granted),
        {"kind": "uddannelse", "description": "Uddannelse som SOSU-hjælper", "education": "SOSU-hjælper"},
    )
    goal = Goal.objects.get(forloeb=granted, document_kind=DocumentKind.INDSATSPLAN, kind="uddannelse")
    assert goal.document == draft and goal.is_concrete

    client.post(url("milestone_add", granted), {"description": "Møder stabilt", "target_date": "2027-02-01"})
    milestone = draft.milestones.get()
    assert milestone.target_date == dt.date(2027, 2, 1)
    body = client.get(page_url(granted)).content.decode()
    assert "Møder stabilt" in body and "Uddannelse som SOSU-hjælper" in body

    client.post(url("milestone_remove", granted, milestone.pk))
    assert not draft.milestones.exists()


def test_an_empty_delmaal_is_refused_in_danish(client, draft, granted, caseworker):
    response = login(client, caseworker).post(url("milestone_add", granted), {"description": ""})
    assert response.status_code == 400 and "Beskriv delmålet." in response.content.decode()
    assert not draft.milestones.exists()


def test_completing_too_early_says_what_is_missing(client, draft, granted, caseworker):
    response = login(client, caseworker).post(url("plan_complete", granted), {"completed_on": TODAY.isoformat()})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Indsatsplanen mangler:" in body
    assert "Mindst ét delmål." in body and "Borgerens perspektiv på de planlagte indsatser." in body
    assert "Tag stilling til hver indsats, teamet har anbefalet" in body
    draft.refresh_from_db()
    granted.refresh_from_db()
    assert draft.is_draft and granted.phase == Phase.INDSATSDEL


def test_a_completion_date_in_the_future_is_refused(client, draft, granted, caseworker):
    ready_to_complete(granted, draft, caseworker)
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    response = login(client, caseworker).post(url("plan_complete", granted), {"completed_on": tomorrow})
    assert response.status_code == 400 and "Datoen kan ikke ligge i fremtiden." in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft


def test_completing_the_plan_on_the_page_moves_the_forloeb_to_ivaerksaettelse(client, draft, granted, caseworker):
    login(client, caseworker)
    post_plan(client, granted, {"coordinator": caseworker.pk, "followup_cadence_weeks": "4"})
    post_plan(
        client,
        granted,
        {"coordinator": caseworker.pk, "followup_cadence_weeks": "4", "borger_perspective": "Jeg vil gerne i gang."},
    )
    client.post(url("milestone_add", granted), {"description": "Møder stabilt i praktikken"})
    for category in ("virksomhedsrettet", "mentor", "sundhed_kommunal"):
        post_move(client, of(granted, category), "plan", {"planned_start": TODAY.isoformat()}, headers=HTMX)
    post_move(client, of(granted, "social"), "not_started", {"on": TODAY.isoformat(), "reason": "Har bostøtte"})
    page = client.get(page_url(granted)).content.decode()
    assert "Planen har det, den skal have" in page

    body = client.post(url("plan_complete", granted), {"completed_on": TODAY.isoformat()}, follow=True)
    body = body.content.decode()
    assert "Indsatsplanen (version 1) er færdiggjort." in body
    assert "Forløbet står nu i fasen “Iværksættelse”." in body
    granted.refresh_from_db()
    draft.refresh_from_db()
    assert granted.phase == Phase.IVAERKSAETTELSE and draft.completed_on == TODAY
    assert "Revidér planen" in body and "Jeg vil gerne i gang." in body and "hver 4. uge" in body
    assert draft.items.count() == 3  # the indsats not started is not part of the plan


def test_a_plan_completed_before_the_forloeb_starts_says_why_the_phase_waits(client, draft, granted, caseworker):
    ready_to_complete(granted, draft, caseworker)
    Forloeb.objects.filter(pk=granted.pk).update(start_date=TODAY + dt.timedelta(days=7))
    response = login(client, caseworker).post(
        url("plan_complete", granted), {"completed_on": TODAY.isoformat()}, follow=True
    )
    body = response.content.decode()
    assert "Indsatsplanen (version 1) er færdiggjort." in body
    assert 'class="message message-info"' in body and "Ressourceforløbet er ikke startet endnu." in body
    granted.refresh_from_db()
    draft.refresh_from_db()
    assert granted.phase == Phase.INDSATSDEL and draft.completed_on == TODAY

    # Once the forløb has started, the page offers the step the completion could not take.
    Forloeb.objects.filter(pk=granted.pk).update(start_date=TODAY)
    body = client.get(page_url(granted)).content.decode()
    step = reverse("cases:forloeb_transition", args=[granted.pk, "start_ivaerksaettelse"])
    assert f'action="{step}"' in body
    client.post(step, {"expected_phase": Phase.INDSATSDEL})
    granted.refresh_from_db()
    assert granted.phase == Phase.IVAERKSAETTELSE
    assert f'action="{step}"' not in client.get(page_url(granted)).content.decode()


def test_the_step_ivaerksaet_indsatser_on_the_forloeb_page_leads_here(client, draft, granted, caseworker):
    body = login(client, caseworker).get(reverse("cases:forloeb_detail", args=[granted.pk])).content.decode()
    assert f'<a class="button" href="{page_url(granted)}">Iværksæt indsatser</a>' in body


# --- Revisions ------------------------------------------------------------------------------------


def test_a_revision_is_a_new_version_and_the_old_one_stays_as_it_was(client, completed, granted, caseworker):
    login(client, caseworker)
    mentor = of(granted, "mentor")
    post_move(client, mentor, "start", {"on": TODAY.isoformat()})
    response = client.post(url("plan_revise", granted), {"reason": "Opfølgningssamtalen: praktikken er i gang"})
    assert response.status_code == 302
    post_plan(
        client,
        granted,
        {
            "coordinator": caseworker.pk,
            "followup_cadence_weeks": "2",
            "borger_perspective": "Nu vil jeg have flere timer.",
        },
    )
    client.post(url("milestone_add", granted), {"description": "Ti timer om ugen"})

    v1 = client.get(url("plan_version", granted, 1)).content.decode()
    assert "Jeg vil gerne i gang." in v1 and "Møder stabilt i praktikken" in v1 and "hver 4. uge" in v1
    assert "Nu vil jeg have flere timer." not in v1 and "Ti timer om ugen" not in v1
    items = re.search(r'id="items-heading".*?</table>', v1, re.S).group(0)
    assert "Mentor i praktikken" in items and "Planlagt" in items and "Igangsat" not in items
    assert "Bostøtte" not in items  # not started: not part of the plan

    v2 = client.get(url("plan_version", granted, 2)).content.decode()
    assert "Nu vil jeg have flere timer." in v2 and "Ti timer om ugen" in v2
    assert "Opfølgningssamtalen: praktikken er i gang" in v2
    page = client.get(page_url(granted)).content.decode()
    assert url("plan_version", granted, 1) in page and url("plan_version", granted, 2) in page
    assert ActionPlan.objects.get(forloeb=granted, version=1).borger_perspective == "Jeg vil gerne i gang."


def test_a_revision_needs_a_reason(client, completed, granted, caseworker):
    response = login(client, caseworker).post(url("plan_revise", granted), {"reason": "  "})
    assert response.status_code == 400
    assert "Skriv hvorfor planen revideres" in response.content.decode()
    assert ActionPlan.objects.filter(forloeb=granted).count() == 1


# --- The indsatser, inline ---------------------------------------------------------------------------

STEPS = [
    # action, status before, form data, status after
    (
        "plan",
        None,
        {"planned_start": TODAY, "planned_end": TODAY + dt.timedelta(weeks=12)},
        InterventionStatus.PLANLAGT,
    ),
    ("not_started", None, {"on": TODAY, "reason": "Borgeren er i behandling"}, InterventionStatus.IKKE_IVAERKSAT),
    ("grant", "plan", {"on": TODAY}, InterventionStatus.BEVILGET),
    ("start", "plan", {"on": TODAY}, InterventionStatus.IGANGSAT),
    ("complete", "start", {"on": TODAY}, InterventionStatus.GENNEMFOERT),
    ("interrupt", "start", {"on": TODAY, "reason": "Mentoren stoppede"}, InterventionStatus.AFBRUDT),
]


def _bring(intervention, upto, actor):
    """Move an indstillet indsats to the status before the step under test."""
    for action in {None: [], "plan": ["plan"], "start": ["plan", "start"]}[upto]:
        services.intervention_move(intervention=intervention, action=action, on=TODAY, actor=actor)


@pytest.mark.parametrize(("action", "before", "data", "after"), STEPS)
def test_each_step_is_registered_inline_and_htmx_gets_the_region(
    client, draft, granted, caseworker, action, before, data, after
):
    mentor = of(granted, "mentor")
    _bring(mentor, before, caseworker)
    data = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in data.items()}
    response = post_move(login(client, caseworker), mentor, action, data, headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="interventions"') and "<html" not in body
    assert f"Mentor i praktikken: {after.label}." in body and 'role="status"' in body
    assert 'id="funnel" aria-labelledby="funnel-heading" hx-swap-oob="true"' in body
    mentor = fresh(mentor)
    assert mentor.status == after
    assert mentor.events.last().actor == caseworker and mentor.events.last().action == action


def test_planning_sets_the_planned_dates_and_starting_the_actual_date(client, draft, granted, caseworker):
    login(client, caseworker)
    mentor = of(granted, "mentor")
    end = TODAY + dt.timedelta(weeks=20)
    post_move(client, mentor, "plan", {"planned_start": TODAY.isoformat(), "planned_end": end.isoformat()})
    yesterday = TODAY - dt.timedelta(days=1)
    response = post_move(client, mentor, "start", {"on": yesterday.isoformat()})
    assert response.status_code == 302 and response["Location"].endswith(f"#indsats-{mentor.pk}")
    mentor = fresh(mentor)
    assert (mentor.planned_start, mentor.planned_end, mentor.actual_start) == (TODAY, end, yesterday)


@pytest.mark.parametrize("written", [VALID_CVR, f"DK {VALID_CVR[:4]} {VALID_CVR[4:]}"])
def test_a_virksomhedsrettet_indsats_is_started_with_the_employers_cvr(client, draft, granted, caseworker, written):
    login(client, caseworker)
    praktik = of(granted, "virksomhedsrettet")
    _bring(praktik, "plan", caseworker)
    page = client.get(page_url(granted)).content.decode()
    assert f'id="i{praktik.pk}_start_employer_cvr"' in page
    response = post_move(client, praktik, "start", {"on": TODAY.isoformat(), "employer_cvr": written}, headers=HTMX)
    assert response.status_code == 200
    praktik = fresh(praktik)
    assert praktik.status == InterventionStatus.IGANGSAT and praktik.employer_cvr == VALID_CVR


BAD_INPUT = [
    ("mentor", "plan", "start", {"on": TODAY + dt.timedelta(days=1)}, "Datoen kan ikke ligge i fremtiden."),
    ("mentor", None, "not_started", {"on": TODAY, "reason": ""}, "Skriv begrundelsen."),
    ("mentor", "start", "interrupt", {"on": TODAY, "reason": " "}, "Skriv begrundelsen."),
    ("virksomhedsrettet", "plan", "start", {"on": TODAY, "employer_cvr": "12345678"}, "CVR-nummeret er ikke gyldigt"),
    ("virksomhedsrettet", "plan", "start", {"on": TODAY}, "Angiv arbejdsgiverens CVR-nummer"),
    ("mentor", None, "plan", {"planned_start": ""}, "Angiv datoen."),
    (
        "mentor",
        None,
        "plan",
        {"planned_start": TODAY, "planned_end": TODAY - dt.timedelta(days=3)},
        "Planlagt slut ligger før",
    ),
    ("mentor", "plan", "complete", {"on": TODAY}, "er ikke muligt for en indsats med status"),
]


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
@pytest.mark.parametrize(("category", "before", "action", "data", "message"), BAD_INPUT)
def test_bad_input_shows_the_danish_message_in_the_row_and_changes_nothing(
    client, draft, granted, caseworker, category, before, action, data, message, htmx
):
    intervention = of(granted, category)
    _bring(intervention, before, caseworker)
    intervention = fresh(intervention)
    events = intervention.events.count()
    data = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in data.items()}
    response = post_move(login(client, caseworker), intervention, action, data, headers=HTMX if htmx else {})
    body = response.content.decode()
    assert response.status_code == (422 if htmx else 400)  # base.html configures htmx to swap 422
    assert message in body
    row = re.search(rf'<tr id="indsats-{intervention.pk}".*?</tr>', body, re.S).group(0)
    assert message in row and 'role="alert"' in row
    status = intervention.status
    intervention = fresh(intervention)
    assert intervention.status == status and intervention.events.count() == events
    assert intervention.employer_cvr == ""


def test_a_new_indsats_is_registered_from_the_catalogue(client, draft, granted, caseworker):
    mentor_type = InterventionType.objects.get(code="intensiveret-mentor", valid_to__isnull=True)
    data = {
        "type": mentor_type.pk,
        "description": "Intensiv mentor i opstarten",
        "planned_start": TODAY.isoformat(),
        "hours_per_week": "3",
        "provider": "Mentorhuset",
        "forvaltning": "jobcenter",
        "source": "registreret",
        "part_of_forloeb": "on",
    }
    body = login(client, caseworker).post(url("intervention_add", granted), data, follow=True).content.decode()
    assert "Indsatsen “Intensiv mentor i opstarten” er registreret." in body
    new = granted.interventions.get(description="Intensiv mentor i opstarten")
    assert new.status == InterventionStatus.PLANLAGT and new.recommended is None
    row = re.search(rf'<tr id="indsats-{new.pk}".*?</tr>', body, re.S).group(0)
    assert "ny" in row and "Mentorhuset" in row


def test_a_new_indsats_with_a_bad_cvr_is_refused(client, draft, granted, caseworker):
    praktik = InterventionType.objects.get(code="virksomhedspraktik", valid_to__isnull=True)
    count = granted.interventions.count()
    response = login(client, caseworker).post(
        url("intervention_add", granted),
        {"type": praktik.pk, "employer_cvr": "12345678", "forvaltning": "jobcenter", "source": "registreret"},
    )
    assert response.status_code == 400 and "CVR-nummeret er ikke gyldigt" in response.content.decode()
    assert granted.interventions.count() == count


def test_an_indsats_longer_than_its_type_allows_is_flagged(client, draft, granted, caseworker):
    praktik = InterventionType.objects.get(code="virksomhedspraktik", valid_to__isnull=True)
    add(granted, praktik, caseworker, planned_start=TODAY, planned_end=TODAY + dt.timedelta(weeks=20))
    body = login(client, caseworker).get(page_url(granted)).content.decode()
    assert "Virksomhedspraktik varer 20 uger; grænsen er 13 uger" in body


# --- The funnel and the cost of the page ------------------------------------------------------------


def test_the_funnel_shows_recommended_planned_and_started_per_category(client, completed, granted, caseworker):
    login(client, caseworker)
    post_move(client, of(granted, "mentor"), "start", {"on": TODAY.isoformat()}, headers=HTMX)
    post_move(
        client,
        of(granted, "virksomhedsrettet"),
        "start",
        {"on": TODAY.isoformat(), "employer_cvr": VALID_CVR},
        headers=HTMX,
    )
    body = client.get(page_url(granted)).content.decode()
    assert funnel_rows(body) == {
        "virksomhedsrettet": (1, 1, 1),
        "mentor": (1, 1, 1),
        "sundhed_kommunal": (1, 1, 0),
        "social": (1, 0, 0),
    }
    assert (
        "En indsats, teamet anbefalede, er aldrig blevet planlagt: Bostøtte efter serviceloven § 85 (social indsats)."
        in body
    )


def test_a_new_indsats_of_the_same_category_does_not_hide_an_unplanned_recommendation(
    client, draft, granted, caseworker
):
    add(granted, InterventionType.objects.get(code="intensiveret-mentor", valid_to__isnull=True), caseworker)
    body = login(client, caseworker).get(page_url(granted)).content.decode()
    assert funnel_rows(body)["mentor"] == (1, 1, 0)  # the new one counts as planned …
    assert "4 indsatser, teamet anbefalede, er aldrig blevet planlagt" in body  # … but the recommended one is named
    assert "Mentor i praktikken (mentorstøtte)" in body


def test_the_page_runs_a_fixed_number_of_queries(
    client, forloeb, caseworker, rehab_team, django_assert_max_num_queries
):
    granted = grant_forloeb(forloeb, caseworker, rehab_team, interventions=FOUR_RECOMMENDED[:3])
    plan = services.plan_start(forloeb=granted, actor=caseworker)
    services.milestone_add(plan=plan, description="Et delmål", target_date=None, actor=caseworker)
    login(client, caseworker)
    client.get(page_url(granted))  # warm caches (content types)
    with django_assert_max_num_queries(22) as few:
        assert client.get(page_url(granted)).status_code == 200
    assert granted.interventions.count() == 3

    types = list(InterventionType.objects.filter(valid_to__isnull=True).order_by("id"))
    for n in range(9):
        added = add(granted, types[n], caseworker, planned_start=TODAY, planned_end=TODAY + dt.timedelta(weeks=30))
        if n % 3 == 1:
            services.intervention_move(
                intervention=added, action="start", on=TODAY, employer_cvr=VALID_CVR, actor=caseworker
            )
    services.milestone_add(plan=plan, description="Et andet delmål", target_date=None, actor=caseworker)
    with django_assert_max_num_queries(22) as many:
        assert client.get(page_url(granted)).status_code == 200
    assert granted.interventions.count() == 12
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_goal_can_be_removed_from_a_draft_but_not_from_a_completed_version(client, granted, caseworker):
    from django.urls import reverse

    from plans import services as plan_services
    from tests.conftest import login

    plan = plan_services.plan_start(forloeb=granted, actor=caseworker)
    goal = plan.goals.get()
    login(client, caseworker).post(reverse("plans:goal_remove", args=[granted.pk, goal.pk]))
    assert not plan.goals.exists()

    plan_services.plan_goal_add(plan=plan, actor=caseworker, kind="job", description="Lager")
    plan.completed_on = plan.created_at.date()
    plan.save(update_fields=["completed_on"])
    goal = plan.goals.get()
    response = client.post(reverse("plans:goal_remove", args=[granted.pk, goal.pk]), follow=True)
    assert "kan ikke ændres" in response.content.decode()
    assert plan.goals.filter(pk=goal.pk).exists()


def test_an_indsats_started_before_the_plan_is_allowed_and_marked(client, granted, caseworker):
    from django.urls import reverse
    from django.utils import timezone

    from plans import services as plan_services
    from plans.models import InterventionType
    from tests.conftest import login

    today = timezone.localdate()
    indsats = plan_services.intervention_add(
        forloeb=granted, data={"type": InterventionType.objects.get(code="fysioterapi")}, actor=caseworker
    )
    plan_services.intervention_move(intervention=indsats, action="start", on=today, actor=caseworker)
    page = login(client, caseworker).get(reverse("plans:plan", args=[granted.pk])).content.decode()
    assert "Startet før indsatsplanen" in page
