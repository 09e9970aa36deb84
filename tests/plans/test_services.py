"""plans.services and the selectors they feed: the indsats lifecycle (R-000-04), CVR, length
warnings against the versioned catalogue (R-000-03), plan versioning, the recommended →
planned → started funnel (fokusrevision 2020 §3.4) and the records around the plan."""

import datetime as dt
import itertools
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from stdnum.dk import cvr as stdnum_cvr

from cases.models import Phase, PhaseTransition
from plans import selectors, services
from plans.models import (
    ActionPlan,
    Consent,
    ConsentRecipient,
    Forvaltning,
    Intervention,
    InterventionEvent,
    InterventionStatus,
    InterventionType,
    Milestone,
    OtherCaseKind,
    PlanItem,
    ProblemAreaKind,
    ProblemSource,
    Progress,
    Source,
)
from rehab import services as rehab_services
from rehab.models import DocumentKind, Goal
from tests.factories import BorgerFactory, ForloebFactory

TODAY = timezone.localdate()
S = InterventionStatus

# R-000-04: every legal (status, action) and where it leads.
LEGAL = {
    (S.INDSTILLET, "plan"): S.PLANLAGT,
    (S.PLANLAGT, "grant"): S.BEVILGET,
    (S.PLANLAGT, "start"): S.IGANGSAT,
    (S.BEVILGET, "start"): S.IGANGSAT,
    (S.IGANGSAT, "complete"): S.GENNEMFOERT,
    (S.IGANGSAT, "interrupt"): S.AFBRUDT,
    (S.INDSTILLET, "not_started"): S.IKKE_IVAERKSAT,
    (S.PLANLAGT, "not_started"): S.IKKE_IVAERKSAT,
    (S.BEVILGET, "not_started"): S.IKKE_IVAERKSAT,
}
ILLEGAL = sorted(
    (status, action)
    for status, action in itertools.product(InterventionStatus, services.ACTIONS)
    if (status, action) not in LEGAL
)
# How an indsats (a recommended mentor one: no CVR needed) reaches each status, with dates.
PLAN_ON, START_ON, END_ON = TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=20), TODAY - dt.timedelta(days=5)
ROUTE = {
    S.INDSTILLET: [],
    S.PLANLAGT: [("plan", PLAN_ON)],
    S.BEVILGET: [("plan", PLAN_ON), ("grant", PLAN_ON)],
    S.IGANGSAT: [("plan", PLAN_ON), ("start", START_ON)],
    S.GENNEMFOERT: [("plan", PLAN_ON), ("start", START_ON), ("complete", END_ON)],
    S.AFBRUDT: [("plan", PLAN_ON), ("start", START_ON), ("interrupt", END_ON)],
    S.IKKE_IVAERKSAT: [("not_started", PLAN_ON)],
}
NOT_POSSIBLE = "er ikke muligt for en indsats med status"
INVALID_CVR = "CVR-nummeret er ikke gyldigt"


def cvr_with_check_digit(first7: str) -> str | None:
    """The CVR number with these seven first digits, or None when no check digit fits (modulus 11)."""
    digit = -sum(w * int(d) for w, d in zip((2, 7, 6, 5, 4, 3, 2), first7, strict=True)) % 11
    return None if digit == 10 else f"{first7}{digit}"


VALID_CVRS = [c for c in (cvr_with_check_digit(str(n)) for n in range(9912340, 9912360)) if c][:3]


def fresh(intervention: Intervention) -> Intervention:
    # The status field is protected, so refresh_from_db cannot set it; read the row again.
    return Intervention.objects.get(pk=intervention.pk)


def by_category(forloeb, category: str) -> Intervention:
    return forloeb.interventions.get(category=category)


def move(intervention, action, on, actor, **kwargs):
    reason = kwargs.pop("reason", "Begrundelse" if action in ("interrupt", "not_started") else "")
    return services.intervention_move(
        intervention=intervention, action=action, on=on, actor=actor, reason=reason, **kwargs
    )


def mentor_in(status, forloeb, actor) -> Intervention:
    intervention = by_category(forloeb, "mentor")
    for action, on in ROUTE[status]:
        intervention = move(intervention, action, on, actor)
    assert fresh(intervention).status == status
    return intervention


def catalogue(code: str) -> InterventionType:
    return InterventionType.objects.get(code=code, valid_to__isnull=True)


def add(forloeb, actor, code: str, **data) -> Intervention:
    return services.intervention_add(forloeb=forloeb, data={"type": catalogue(code), **data}, actor=actor)


def messages_of(exc: pytest.ExceptionInfo) -> list[str]:
    return exc.value.messages


@pytest.fixture
def plan(granted, caseworker):
    """The first indsatsplan, started from the indstilling (four recommended indsatser, `indstillet`)."""
    return services.plan_start(forloeb=granted, actor=caseworker)


def complete_v1(plan, forloeb, actor) -> ActionPlan:
    """Make the draft complete: a delmål, every recommended indsats decided, cadence and perspective."""
    services.milestone_add(plan=plan, description="Møde stabilt 2 dage om ugen", target_date=TODAY, actor=actor)
    for category in ("virksomhedsrettet", "mentor", "sundhed_kommunal"):
        move(by_category(forloeb, category), "plan", PLAN_ON, actor, planned_start=TODAY + dt.timedelta(days=14))
    move(by_category(forloeb, "social"), "not_started", PLAN_ON, actor, reason="Borgeren har allerede bostøtte.")
    services.plan_update(
        plan=plan,
        data={"followup_cadence_weeks": 6, "borger_perspective": "Jeg glæder mig til praktikken."},
        actor=actor,
    )
    assert services.plan_complete(plan=plan, completed_on=TODAY, actor=actor) == ""
    return ActionPlan.objects.get(pk=plan.pk)


# --- The lifecycle ------------------------------------------------------------------------------


def test_the_state_machine_declares_exactly_the_lifecycle_of_r_000_04():
    transitions = Intervention._meta.get_field("status").get_all_transitions(Intervention)
    declared = {(t.source, t.name): t.target for t in transitions}
    assert declared == LEGAL
    assert set(services.ACTIONS) == {action for _s, action in LEGAL}


@pytest.mark.parametrize(("status", "action"), sorted(LEGAL), ids=lambda v: str(v))
def test_every_legal_move_changes_the_status_and_writes_an_event(plan, granted, caseworker, status, action):
    intervention = mentor_in(status, granted, caseworker)
    events_before = intervention.events.count()
    on = TODAY - dt.timedelta(days=2)
    reason = "Borgeren er flyttet til en anden kommune." if action in ("interrupt", "not_started") else ""

    moved = services.intervention_move(intervention=intervention, action=action, on=on, actor=caseworker, reason=reason)

    assert fresh(moved).status == LEGAL[(status, action)]
    assert intervention.events.count() == events_before + 1
    event = intervention.events.order_by("-id").first()
    assert (event.action, event.from_status, event.to_status) == (action, status, LEGAL[(status, action)])
    assert event.on == on and event.actor == caseworker and event.reason == reason
    row = fresh(moved)
    if action == "start":
        assert row.actual_start == on
    if action in ("complete", "interrupt"):
        assert row.actual_end == on
    if action in ("interrupt", "not_started"):
        assert row.status_reason == reason


@pytest.mark.parametrize(("status", "action"), ILLEGAL, ids=lambda v: str(v))
def test_every_other_move_is_refused_in_danish_and_changes_nothing(plan, granted, caseworker, status, action):
    intervention = mentor_in(status, granted, caseworker)
    before = fresh(intervention)
    events_before = intervention.events.count()

    with pytest.raises(ValidationError) as exc:
        services.intervention_move(
            intervention=intervention, action=action, on=TODAY, actor=caseworker, reason="En begrundelse"
        )

    assert NOT_POSSIBLE in messages_of(exc)[0]
    assert str(S(status).label) in messages_of(exc)[0]
    after = fresh(intervention)
    assert after.status == status
    assert (after.actual_start, after.actual_end, after.status_reason) == (
        before.actual_start,
        before.actual_end,
        before.status_reason,
    )
    assert intervention.events.count() == events_before


def test_an_unknown_action_is_refused(plan, granted, caseworker):
    with pytest.raises(ValidationError, match="Ukendt handling"):
        services.intervention_move(
            intervention=by_category(granted, "mentor"), action="delete", on=TODAY, actor=caseworker
        )


def test_the_recommended_indsatser_are_logged_when_the_plan_starts(plan, granted, caseworker):
    for intervention in granted.interventions.all():
        assert intervention.recommended_id is not None
        (event,) = intervention.events.all()
        assert (event.action, event.from_status, event.to_status) == ("create", "", S.INDSTILLET)
        assert event.actor == caseworker


@pytest.mark.parametrize("action", ["interrupt", "not_started"])
@pytest.mark.parametrize("reason", ["", "   "])
def test_afbrudt_and_ikke_ivaerksat_need_a_reason(plan, granted, caseworker, action, reason):
    intervention = mentor_in(S.IGANGSAT if action == "interrupt" else S.PLANLAGT, granted, caseworker)
    status, events = fresh(intervention).status, intervention.events.count()
    with pytest.raises(ValidationError) as exc:
        services.intervention_move(intervention=intervention, action=action, on=TODAY, actor=caseworker, reason=reason)
    assert exc.value.message_dict["reason"] == ["Skriv begrundelsen."]
    assert fresh(intervention).status == status and intervention.events.count() == events


@pytest.mark.parametrize(
    ("status", "action"), [(S.PLANLAGT, "start"), (S.IGANGSAT, "complete"), (S.IGANGSAT, "interrupt")]
)
def test_a_start_or_end_in_the_future_is_refused(plan, granted, caseworker, status, action):
    intervention = mentor_in(status, granted, caseworker)
    with pytest.raises(ValidationError) as exc:
        move(intervention, action, TODAY + dt.timedelta(days=1), caseworker)
    assert exc.value.message_dict["on"] == ["Datoen kan ikke ligge i fremtiden."]
    assert fresh(intervention).status == status


def test_planning_and_granting_may_be_dated_ahead(plan, granted, caseworker):
    intervention = move(by_category(granted, "mentor"), "plan", TODAY + dt.timedelta(days=7), caseworker)
    assert fresh(intervention).planned_start == TODAY + dt.timedelta(days=7)
    move(intervention, "grant", TODAY + dt.timedelta(days=3), caseworker)
    assert fresh(intervention).status == S.BEVILGET


@pytest.mark.parametrize("action", ["complete", "interrupt"])
def test_an_end_before_the_start_is_refused(plan, granted, caseworker, action):
    intervention = mentor_in(S.IGANGSAT, granted, caseworker)
    with pytest.raises(ValidationError) as exc:
        move(intervention, action, START_ON - dt.timedelta(days=1), caseworker)
    assert exc.value.message_dict["on"] == ["Indsatsen kan ikke slutte, før den startede."]
    assert fresh(intervention).status == S.IGANGSAT and fresh(intervention).actual_end is None
    move(intervention, action, START_ON, caseworker)  # the same day is fine
    assert fresh(intervention).actual_end == START_ON


def test_a_planned_end_before_the_planned_start_is_refused(plan, granted, caseworker):
    intervention = by_category(granted, "mentor")
    with pytest.raises(ValidationError) as exc:
        move(intervention, "plan", TODAY, caseworker, planned_start=TODAY, planned_end=TODAY - dt.timedelta(days=1))
    assert exc.value.message_dict["planned_end"] == ["Planlagt slut ligger før planlagt start."]
    assert fresh(intervention).status == S.INDSTILLET
    with pytest.raises(ValidationError) as exc:
        add(granted, caseworker, "mentor", planned_start=TODAY, planned_end=TODAY - dt.timedelta(days=1))
    assert "planned_end" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.intervention_update(
            intervention=intervention,
            data={"planned_start": TODAY, "planned_end": TODAY - dt.timedelta(days=7)},
            actor=caseworker,
        )
    assert "planned_end" in exc.value.message_dict


def test_a_start_five_years_before_the_forloeb_is_refused(plan, granted, caseworker):
    intervention = mentor_in(S.PLANLAGT, granted, caseworker)
    with pytest.raises(ValidationError) as exc:
        move(intervention, "start", granted.opened_on - dt.timedelta(days=6 * 365), caseworker)
    assert "urimeligt langt tilbage" in exc.value.message_dict["on"][0]


def test_hours_and_cost_are_checked_when_an_indsats_is_added(granted, caseworker):
    with pytest.raises(ValidationError) as exc:
        add(granted, caseworker, "mentor", hours_per_week=Decimal("40"), cost=Decimal("-1"))
    assert set(exc.value.message_dict) == {"hours_per_week", "cost"}
    with pytest.raises(ValidationError) as exc:
        services.intervention_add(forloeb=granted, data={}, actor=caseworker)
    assert exc.value.message_dict["type"] == ["Vælg en indsats fra kataloget."]
    assert not granted.interventions.exists()


def test_an_added_indsats_is_planned_logged_and_takes_the_category_of_its_type(granted, caseworker):
    intervention = add(granted, caseworker, "fysioterapi", planned_start=TODAY, hours_per_week=Decimal("2"))
    row = fresh(intervention)
    assert (row.status, row.category, row.recommended_id, row.part_of_forloeb) == (
        S.PLANLAGT,
        "sundhed_kommunal",
        None,
        True,
    )
    (event,) = row.events.all()
    assert (event.action, event.from_status, event.to_status, event.on) == ("create", "", S.PLANLAGT, TODAY)


def test_no_indsats_is_added_to_a_closed_forloeb(granted, caseworker):
    Forloeb = type(granted)
    Forloeb.objects.filter(pk=granted.pk).update(phase=Phase.AFSLUTTET)
    with pytest.raises(ValidationError, match="afsluttet"):
        add(granted, caseworker, "mentor")


# --- CVR ---------------------------------------------------------------------------------------------


def test_the_valid_cvr_numbers_of_these_tests_are_valid():
    assert len(VALID_CVRS) == 3
    assert all(stdnum_cvr.is_valid(c) for c in VALID_CVRS)
    assert not stdnum_cvr.is_valid(str(int(VALID_CVRS[0]) + 1))


@pytest.mark.parametrize("action", ["grant", "start"])
def test_a_virksomhedsrettet_indsats_needs_an_employer_cvr_to_be_granted_or_started(plan, granted, caseworker, action):
    intervention = move(by_category(granted, "virksomhedsrettet"), "plan", PLAN_ON, caseworker)
    with pytest.raises(ValidationError) as exc:
        move(intervention, action, TODAY, caseworker)
    assert exc.value.message_dict["employer_cvr"] == [
        "Angiv arbejdsgiverens CVR-nummer for en virksomhedsrettet indsats."
    ]
    assert fresh(intervention).status == S.PLANLAGT


@pytest.mark.parametrize("cvr", ["12345678", "1234", "abcdefgh"])
@pytest.mark.parametrize("action", ["grant", "start"])
def test_an_invalid_cvr_is_refused_in_danish(plan, granted, caseworker, action, cvr):
    assert not stdnum_cvr.is_valid(cvr)
    intervention = move(by_category(granted, "virksomhedsrettet"), "plan", PLAN_ON, caseworker)
    events = intervention.events.count()
    with pytest.raises(ValidationError) as exc:
        move(intervention, action, TODAY, caseworker, employer_cvr=cvr)
    assert INVALID_CVR in exc.value.message_dict["employer_cvr"][0]
    row = fresh(intervention)
    assert (row.status, row.employer_cvr, row.events.count()) == (S.PLANLAGT, "", events)


def test_a_valid_cvr_is_accepted_and_kept_for_the_start(plan, granted, caseworker):
    intervention = move(by_category(granted, "virksomhedsrettet"), "plan", PLAN_ON, caseworker)
    move(intervention, "grant", TODAY, caseworker, employer_cvr=VALID_CVRS[0])
    assert (fresh(intervention).status, fresh(intervention).employer_cvr) == (S.BEVILGET, VALID_CVRS[0])
    move(intervention, "start", TODAY, caseworker)  # the CVR from the bevilling is used
    assert fresh(intervention).status == S.IGANGSAT


def test_other_categories_need_no_cvr(plan, granted, caseworker):
    for category in ("mentor", "sundhed_kommunal", "social"):
        intervention = move(by_category(granted, category), "plan", PLAN_ON, caseworker)
        move(intervention, "start", TODAY, caseworker)
        assert fresh(intervention).status == S.IGANGSAT and fresh(intervention).employer_cvr == ""


@pytest.mark.parametrize("cvr", ["12345678", "1234", "abcdefgh"])
def test_an_invalid_cvr_is_refused_when_an_indsats_is_added(granted, caseworker, cvr):
    with pytest.raises(ValidationError) as exc:
        add(granted, caseworker, "virksomhedspraktik", employer_cvr=cvr)
    assert INVALID_CVR in exc.value.message_dict["employer_cvr"][0]
    assert not granted.interventions.exists()


def test_a_valid_cvr_is_accepted_when_an_indsats_is_added(granted, caseworker):
    added = add(granted, caseworker, "virksomhedspraktik", employer_cvr=VALID_CVRS[1])
    assert fresh(added).employer_cvr == VALID_CVRS[1]


def test_an_indsats_is_updated(granted, caseworker):
    """intervention_update changes the planned dates, provider and type (and with it the category)."""
    intervention = add(granted, caseworker, "mentor")
    services.intervention_update(
        intervention=intervention,
        data={
            "planned_start": TODAY,
            "planned_end": TODAY + dt.timedelta(weeks=8),
            "provider": "Mentorhuset",
            "type": catalogue("fysioterapi"),
        },
        actor=caseworker,
    )
    row = fresh(intervention)
    assert (row.planned_start, row.planned_end, row.provider, row.type.code, row.category) == (
        TODAY,
        TODAY + dt.timedelta(weeks=8),
        "Mentorhuset",
        "fysioterapi",
        "sundhed_kommunal",
    )


def test_a_cvr_written_with_spaces_or_dk_is_stored_as_its_eight_digits(plan, granted, caseworker):
    """BUG (plans/services.py intervention_move): validate_cvr accepts "DK 1234 5678" (stdnum compacts
    it) but the raw string is saved into the 8-character column; it should store what validate_cvr returns."""
    cvr = VALID_CVRS[2]
    intervention = move(by_category(granted, "virksomhedsrettet"), "plan", PLAN_ON, caseworker)
    move(intervention, "grant", TODAY, caseworker, employer_cvr=f"DK {cvr[:4]} {cvr[4:]}")
    assert fresh(intervention).employer_cvr == cvr


def test_an_invalid_cvr_is_never_stored_whatever_the_action(plan, granted, caseworker):
    """BUG (plans/services.py intervention_move): the CVR is validated only for grant/start of a
    virksomhedsrettet indsats, but stored for every action and category (`if cvr: … = cvr`)."""
    intervention = by_category(granted, "mentor")
    with pytest.raises(ValidationError):
        move(intervention, "plan", PLAN_ON, caseworker, employer_cvr="12345678")
    assert fresh(intervention).employer_cvr == ""


# --- Length warnings against the catalogue ---------------------------------------------------------------


def planned_for(forloeb, actor, code: str, weeks: int) -> Intervention:
    return add(forloeb, actor, code, planned_start=TODAY, planned_end=TODAY + dt.timedelta(weeks=weeks))


@pytest.mark.parametrize(
    ("code", "weeks", "limit"),
    [("virksomhedspraktik", 15, 13), ("loentilskud", 60, 52), ("mentor", 30, 26), ("intensiveret-mentor", 27, 26)],
)
def test_an_indsats_longer_than_its_maximum_is_warned_about(granted, caseworker, code, weeks, limit):
    intervention = planned_for(granted, caseworker, code, weeks)
    warning = selectors.length_warning(fresh(intervention))
    assert f"{limit} uger" in warning and f"{weeks} uger" in warning
    assert intervention.type.legal_basis and intervention.type.legal_basis in warning
    assert "Lov om en aktiv beskæftigelsesindsats" in warning and "begrundelse" in warning


@pytest.mark.parametrize(
    ("code", "weeks"), [("virksomhedspraktik", 10), ("virksomhedspraktik", 13), ("loentilskud", 52)]
)
def test_an_indsats_within_its_maximum_gets_no_warning(granted, caseworker, code, weeks):
    assert selectors.length_warning(fresh(planned_for(granted, caseworker, code, weeks))) == ""


@pytest.mark.parametrize("code", ["fysioterapi", "socialpaedagogisk-stoette", "ordinaere-timer"])
def test_a_type_without_a_maximum_never_warns(granted, caseworker, code):
    assert selectors.length_warning(fresh(planned_for(granted, caseworker, code, 200))) == ""


def test_an_indsats_without_both_dates_gets_no_warning(granted, caseworker):
    intervention = add(granted, caseworker, "virksomhedspraktik", planned_start=TODAY - dt.timedelta(weeks=30))
    assert selectors.length_warning(fresh(intervention)) == ""


def test_the_actual_dates_count_once_known(granted, caseworker):
    intervention = planned_for(granted, caseworker, "mentor", 20)
    move(intervention, "start", TODAY - dt.timedelta(weeks=40), caseworker)
    move(intervention, "complete", TODAY, caseworker)
    assert "26 uger" in selectors.length_warning(fresh(intervention))


def test_a_new_catalogue_version_applies_to_new_indsatser_and_old_ones_keep_their_row(granted, caseworker):
    old_type = catalogue("virksomhedspraktik")
    old = planned_for(granted, caseworker, "virksomhedspraktik", 11)
    assert selectors.length_warning(fresh(old)) == ""

    change_on = TODAY - dt.timedelta(days=10)
    InterventionType.objects.filter(pk=old_type.pk).update(valid_to=change_on - dt.timedelta(days=1))
    new_type = InterventionType.objects.create(
        code=old_type.code,
        name=old_type.name,
        category=old_type.category,
        domain=old_type.domain,
        legal_basis=f"{old_type.legal_basis} (ændret)",
        max_weeks=8,
        valid_from=change_on,
    )
    assert list(selectors.current_catalogue().filter(code="virksomhedspraktik")) == [new_type]

    new = planned_for(granted, caseworker, "virksomhedspraktik", 11)
    assert fresh(new).type == new_type and fresh(old).type == old_type
    warning = selectors.length_warning(fresh(new))
    assert "8 uger" in warning and "(ændret)" in warning
    assert selectors.length_warning(fresh(old)) == ""  # 11 weeks under the old 13-week rule
    longer_old = Intervention.objects.get(pk=old.pk)
    longer_old.planned_end = TODAY + dt.timedelta(weeks=14)
    assert "13 uger" in selectors.length_warning(longer_old)


# --- The indsatsplan and its versions ------------------------------------------------------------------


def test_the_plan_starts_from_the_indstilling(plan, granted, caseworker):
    recommendation = granted.recommendations.get()
    assert (plan.version, plan.recommendation, plan.coordinator, plan.created_by) == (
        1,
        recommendation,
        caseworker,
        caseworker,
    )
    assert plan.hensyn == recommendation.hensyn == ["fysiske"]
    assert plan.is_draft
    goals = list(plan.goals.values("kind", "description", "occupation__code", "education", "document_kind"))
    assert goals == [
        {
            "kind": "job",
            "description": "Køkkenmedhjælper i en kantine",
            "occupation__code": "9412",
            "education": "",
            "document_kind": DocumentKind.INDSATSPLAN,
        }
    ]
    assert recommendation.goals.count() == 1  # copied, not moved
    carried = {(i.category, i.description, i.recommended.recommendation_id) for i in granted.interventions.all()}
    assert carried == {
        ("virksomhedsrettet", "Virksomhedspraktik i kantine", recommendation.pk),
        ("mentor", "Mentor i praktikken", recommendation.pk),
        ("sundhed_kommunal", "Fysioterapi for ryggen", recommendation.pk),
        ("social", "Bostøtte efter serviceloven § 85", recommendation.pk),
    }
    assert all(i.status == S.INDSTILLET and i.type.category == i.category for i in granted.interventions.all())


def test_the_plan_is_written_only_after_the_grant_and_only_once(forloeb, plan, granted, caseworker):
    with pytest.raises(ValidationError, match="allerede en indsatsplan"):
        services.plan_start(forloeb=granted, actor=caseworker)
    assert granted.action_plans.count() == 1
    early = ForloebFactory(team=granted.team, borger=BorgerFactory())
    with pytest.raises(ValidationError, match="når ressourceforløbet er bevilget"):
        services.plan_start(forloeb=early, actor=caseworker)
    assert not early.action_plans.exists()


def test_the_plan_cannot_be_completed_until_it_has_everything(plan, granted, caseworker):
    with pytest.raises(ValidationError) as exc:
        services.plan_complete(plan=plan, completed_on=TODAY, actor=caseworker)
    missing = exc.value.message_dict["__all__"]
    assert missing[0] == "Indsatsplanen mangler:"
    assert set(missing[1:]) == {
        "Mindst ét delmål.",
        "Mindst én planlagt indsats.",
        "Tag stilling til hver indsats, teamet har anbefalet: planlæg den, eller angiv hvorfor den ikke iværksættes.",
        "Aftalen om opfølgning (hvor ofte I taler sammen).",
        "Borgerens perspektiv på de planlagte indsatser.",
    }
    assert ActionPlan.objects.get(pk=plan.pk).is_draft and not plan.items.exists()
    assert type(granted).objects.get(pk=granted.pk).phase == Phase.INDSATSDEL

    (goal,) = plan.goals.all()
    rehab_services.goal_remove(goal=goal, actor=caseworker)
    services.plan_update(plan=plan, data={"coordinator": None}, actor=caseworker)
    assert {"Mindst ét job- eller uddannelsesmål.", "Den koordinerende sagsbehandler."} <= set(
        services.plan_completion_errors(ActionPlan.objects.get(pk=plan.pk))
    )


def test_each_missing_item_disappears_when_it_is_done(plan, granted, caseworker):
    def missing():
        return services.plan_completion_errors(ActionPlan.objects.get(pk=plan.pk))

    services.milestone_add(plan=plan, description="Møde stabilt", target_date=None, actor=caseworker)
    assert "Mindst ét delmål." not in missing()
    move(by_category(granted, "mentor"), "plan", PLAN_ON, caseworker)
    assert "Mindst én planlagt indsats." not in missing()
    assert any("Tag stilling" in m for m in missing())
    for category in ("virksomhedsrettet", "sundhed_kommunal", "social"):
        move(by_category(granted, category), "not_started", PLAN_ON, caseworker, reason="Ikke relevant nu")
    assert not any("Tag stilling" in m for m in missing())
    services.plan_update(plan=plan, data={"followup_agreement": "Vi taler sammen hver måned."}, actor=caseworker)
    assert "Aftalen om opfølgning (hvor ofte I taler sammen)." not in missing()
    services.plan_update(plan=plan, data={"borger_perspective": "Det giver mening."}, actor=caseworker)
    assert missing() == []


def test_the_coordinator_must_be_in_the_forloebs_team(plan, caseworker, outsider, teammate):
    with pytest.raises(ValidationError) as exc:
        services.plan_update(plan=plan, data={"coordinator": outsider}, actor=caseworker)
    assert "coordinator" in exc.value.message_dict
    assert ActionPlan.objects.get(pk=plan.pk).coordinator == caseworker
    services.plan_update(plan=plan, data={"coordinator": teammate}, actor=caseworker)
    assert ActionPlan.objects.get(pk=plan.pk).coordinator == teammate


@pytest.mark.parametrize("when", ["tomorrow", "before the forløb opened"])
def test_the_completion_date_is_checked(plan, granted, caseworker, when):
    complete_v1_ready(plan, granted, caseworker)
    on = TODAY + dt.timedelta(days=1) if when == "tomorrow" else granted.opened_on - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.plan_complete(plan=plan, completed_on=on, actor=caseworker)
    assert "completed_on" in exc.value.message_dict
    assert ActionPlan.objects.get(pk=plan.pk).is_draft
    assert type(granted).objects.get(pk=granted.pk).phase == Phase.INDSATSDEL


def complete_v1_ready(plan, forloeb, actor):
    services.milestone_add(plan=plan, description="Møde stabilt", target_date=None, actor=actor)
    for intervention in forloeb.interventions.all():
        move(intervention, "not_started" if intervention.category == "social" else "plan", PLAN_ON, actor)
    services.plan_update(plan=plan, data={"followup_cadence_weeks": 4, "borger_perspective": "Godt."}, actor=actor)


def test_completing_v1_moves_the_forloeb_to_ivaerksaettelse_and_freezes_the_items(plan, granted, caseworker):
    v1 = complete_v1(plan, granted, caseworker)
    forloeb = type(granted).objects.get(pk=granted.pk)
    assert forloeb.phase == Phase.IVAERKSAETTELSE
    moved = PhaseTransition.objects.filter(forloeb=forloeb).order_by("-id").first()
    assert (moved.transition, moved.to_phase, moved.actor) == (
        "start_ivaerksaettelse",
        Phase.IVAERKSAETTELSE,
        caseworker,
    )
    assert v1.completed_on == TODAY and not v1.is_draft
    assert selectors.current_plan(forloeb=forloeb) == v1 and selectors.draft_plan(forloeb=forloeb) is None
    items = {i.intervention.category: i for i in v1.items.select_related("intervention")}
    assert set(items) == {"virksomhedsrettet", "mentor", "sundhed_kommunal"}  # not the one ikke iværksat
    assert all(i.status == S.PLANLAGT and i.planned_start == TODAY + dt.timedelta(days=14) for i in items.values())

    mentor = by_category(forloeb, "mentor")
    move(mentor, "start", TODAY, caseworker)
    services.intervention_update(intervention=mentor, data={"provider": "Mentorhuset"}, actor=caseworker)
    frozen = PlanItem.objects.get(plan=v1, intervention=mentor)
    assert (frozen.status, frozen.provider) == (S.PLANLAGT, "")


def test_a_completed_version_cannot_be_edited(plan, granted, caseworker):
    v1 = complete_v1(plan, granted, caseworker)
    milestone = v1.milestones.get()
    for call in (
        lambda: services.plan_update(plan=v1, data={"followup_cadence_weeks": 2}, actor=caseworker),
        lambda: services.milestone_add(plan=v1, description="Nyt delmål", target_date=None, actor=caseworker),
        lambda: services.milestone_remove(milestone=milestone, actor=caseworker),
        lambda: services.plan_complete(plan=v1, completed_on=TODAY, actor=caseworker),
    ):
        with pytest.raises(ValidationError, match="færdiggjort version"):
            call()
    v1_again = ActionPlan.objects.get(pk=v1.pk)
    assert v1_again.followup_cadence_weeks == 6 and v1_again.milestones.count() == 1
    assert v1_again.completed_on == TODAY


def snapshot(plan: ActionPlan) -> dict:
    """Everything a version consists of, as plain values."""
    return {
        "plan": ActionPlan.objects.filter(pk=plan.pk).values().get(),
        "goals": list(Goal.objects.filter(pk__in=plan.goals.values("pk")).order_by("pk").values()),
        "milestones": list(Milestone.objects.filter(plan=plan).order_by("pk").values()),
        "items": list(PlanItem.objects.filter(plan=plan).order_by("pk").values()),
    }


def test_a_revision_is_a_new_version_and_leaves_v1_untouched(plan, granted, caseworker):
    v1 = complete_v1(plan, granted, caseworker)
    before = snapshot(v1)
    (m1,) = v1.milestones.all()

    with pytest.raises(ValidationError) as exc:
        services.plan_revise(forloeb=granted, reason="  ", actor=caseworker)
    assert "reason" in exc.value.message_dict
    v2 = services.plan_revise(forloeb=granted, reason="Opfølgningssamtale den 20.11.2026", actor=caseworker)

    assert (v2.version, v2.is_draft, v2.revision_reason) == (2, True, "Opfølgningssamtale den 20.11.2026")
    for name in (
        "coordinator",
        "followup_cadence_weeks",
        "followup_agreement",
        "hensyn",
        "borger_perspective",
        "recommendation",
    ):
        assert getattr(v2, name) == getattr(v1, name), name
    assert [(g.kind, g.description, g.occupation_id) for g in v2.goals.all()] == [
        (g.kind, g.description, g.occupation_id) for g in v1.goals.all()
    ]
    (m2,) = v2.milestones.all()
    assert (m2.lineage, m2.description) == (m1.lineage, m1.description) and m2.pk != m1.pk

    # Edit everything about v2 and the indsatser.
    services.milestone_add(
        plan=v2, description="Optrappe til 15 timer", target_date=TODAY + dt.timedelta(days=90), actor=caseworker
    )
    services.milestone_remove(milestone=m2, actor=caseworker)
    services.plan_update(
        plan=v2,
        data={
            "followup_cadence_weeks": 2,
            "borger_perspective": "Nu går det bedre.",
            "hensyn": ["fysiske", "psykiske"],
            "next_followup_on": TODAY + dt.timedelta(days=14),
        },
        actor=caseworker,
    )
    mentor = by_category(granted, "mentor")
    services.intervention_update(
        intervention=mentor,
        data={"planned_start": TODAY + dt.timedelta(days=30), "planned_end": TODAY + dt.timedelta(days=120)},
        actor=caseworker,
    )
    move(by_category(granted, "sundhed_kommunal"), "start", TODAY, caseworker)
    rehab_services.goal_add(
        forloeb=granted,
        document=v2,
        document_kind=DocumentKind.INDSATSPLAN,
        kind="uddannelse",
        description="AMU-kursus i hygiejne",
        education="AMU-kursus: rengøringsteknik og hygiejne",
        actor=caseworker,
    )
    services.plan_complete(plan=v2, completed_on=TODAY, actor=caseworker)

    assert snapshot(v1) == before
    v2 = ActionPlan.objects.get(pk=v2.pk)
    assert selectors.current_plan(forloeb=granted) == v2
    assert [p.version for p in selectors.plan_versions(forloeb=granted)] == [1, 2]
    assert PlanItem.objects.get(plan=v2, intervention=mentor).planned_start == TODAY + dt.timedelta(days=30)
    assert PlanItem.objects.get(plan=v1, intervention=mentor).planned_start == TODAY + dt.timedelta(days=14)
    assert PlanItem.objects.get(plan=v2, intervention__category="sundhed_kommunal").status == S.IGANGSAT
    assert type(granted).objects.get(pk=granted.pk).phase == Phase.IVAERKSAETTELSE


def test_only_one_draft_at_a_time(plan, granted, caseworker):
    with pytest.raises(ValidationError, match="allerede en indsatsplan"):
        services.plan_start(forloeb=granted, actor=caseworker)
    with pytest.raises(ValidationError, match="allerede en revision under arbejde"):
        services.plan_revise(forloeb=granted, reason="Ny samtale", actor=caseworker)
    complete_v1(plan, granted, caseworker)
    services.plan_revise(forloeb=granted, reason="Opfølgning", actor=caseworker)
    with pytest.raises(ValidationError, match="allerede en revision under arbejde"):
        services.plan_revise(forloeb=granted, reason="Endnu en", actor=caseworker)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionPlan.objects.create(forloeb=granted, version=9, created_by=caseworker)
    assert granted.action_plans.filter(completed_on__isnull=True).count() == 1


def test_there_is_nothing_to_revise_before_the_first_plan(granted, caseworker):
    with pytest.raises(ValidationError, match="ingen indsatsplan at revidere"):
        services.plan_revise(forloeb=granted, reason="Opfølgning", actor=caseworker)


def test_progress_follows_a_delmaal_through_revisions(plan, granted, caseworker):
    v1 = complete_v1(plan, granted, caseworker)
    services.progress_record(
        milestone=v1.milestones.get(), recorded_on=TODAY - dt.timedelta(days=20), score=2, note="", actor=caseworker
    )
    v2 = services.plan_revise(forloeb=granted, reason="Opfølgning", actor=caseworker)
    services.progress_record(milestone=v2.milestones.get(), recorded_on=TODAY, score=4, note="Bedre", actor=caseworker)
    lineage = v1.milestones.get().lineage
    assert list(Progress.objects.filter(milestone_lineage=lineage).values_list("score", flat=True)) == [2, 4]


# --- The funnel ---------------------------------------------------------------------------------------


def rows(forloeb) -> dict:
    return {r.category: (r.recommended, r.planned, r.started) for r in selectors.funnel(forloeb=forloeb)}


def test_the_funnel_counts_recommended_planned_and_started_per_category(plan, granted, caseworker):
    """The acceptance scenario: four recommended, three planned, one ikke iværksat, two started."""
    for category in ("virksomhedsrettet", "mentor", "sundhed_kommunal"):
        move(by_category(granted, category), "plan", PLAN_ON, caseworker)
    move(by_category(granted, "social"), "not_started", PLAN_ON, caseworker, reason="Har allerede bostøtte.")
    move(by_category(granted, "mentor"), "start", START_ON, caseworker)
    move(by_category(granted, "sundhed_kommunal"), "start", START_ON, caseworker)

    funnel = selectors.funnel(forloeb=granted)
    assert [(r.category, r.recommended, r.planned, r.started) for r in funnel] == [
        ("virksomhedsrettet", 1, 1, 0),
        ("mentor", 1, 1, 1),
        ("sundhed_kommunal", 1, 1, 1),
        ("social", 1, 0, 0),
    ]
    assert [r.label for r in funnel][0] == "Virksomhedsrettet indsats"


def test_the_funnel_before_anything_is_planned(plan, granted):
    assert rows(granted) == {
        "virksomhedsrettet": (1, 0, 0),
        "mentor": (1, 0, 0),
        "sundhed_kommunal": (1, 0, 0),
        "social": (1, 0, 0),
    }


def test_a_started_and_ended_indsats_stays_started_in_the_funnel(plan, granted, caseworker):
    mentor_in(S.AFBRUDT, granted, caseworker)
    assert rows(granted)["mentor"] == (1, 1, 1)


def test_an_indsats_without_a_recommendation_is_planned_but_not_recommended(plan, granted, caseworker):
    extra = add(granted, caseworker, "vejledning-opkvalificering", planned_start=TODAY)
    assert rows(granted)["vejledning_opkvalificering"] == (0, 1, 0)
    move(extra, "start", TODAY, caseworker)
    assert rows(granted)["vejledning_opkvalificering"] == (0, 1, 1)
    assert rows(granted)["mentor"] == (1, 0, 0)


def test_an_indsats_already_running_is_shown_and_counted(plan, granted, caseworker):
    """Decision: an indsats registered as already running when the forløb began (part_of_forloeb
    False, R-000-06) is listed with the others and counted as planned and started in its category.
    The audit's "started" figures include indsatser already running at ydelse start (§3.4: 5-6 %),
    and counting it in both keeps the funnel monotone (started ≤ planned). The flag tells the two apart."""
    running = add(
        granted,
        caseworker,
        "psykiatrisk-behandling",
        part_of_forloeb=False,
        source=Source.OTHER_FORVALTNING,
        forvaltning=Forvaltning.REGION,
        provider="Distriktspsykiatrien",
    )
    move(running, "start", granted.opened_on - dt.timedelta(days=200), caseworker)

    assert running.pk in [i.pk for i in selectors.interventions(forloeb=granted)]
    assert rows(granted)["sundhed_regional"] == (0, 1, 1)
    row = fresh(running)
    assert (row.part_of_forloeb, row.source, row.actual_start) == (
        False,
        Source.OTHER_FORVALTNING,
        granted.opened_on - dt.timedelta(days=200),
    )


def test_the_funnel_counts_started_by_the_actual_start_not_by_the_status(plan, granted, caseworker):
    """`cases.concepts.INDSATS_STARTED`, as the flag rules, the exports and the tilsyn count: an
    import that recorded the status but no start is not started, nor is a start registered for a
    day still to come; a start registered while the status was left behind is."""
    from tests.factories import InterventionEventFactory, InterventionFactory

    for kwargs in (
        {"status": S.IGANGSAT},
        {"status": S.IGANGSAT, "actual_start": TODAY + dt.timedelta(days=3)},
        {"status": S.BEVILGET, "actual_start": TODAY},
    ):
        item = InterventionFactory(forloeb=granted, category="uddannelse", **kwargs)
        InterventionEventFactory(intervention=item, on=TODAY - dt.timedelta(days=7), actor=caseworker)
    assert rows(granted)["uddannelse"] == (0, 3, 1)


def test_the_funnel_of_one_forloeb_ignores_the_others(plan, granted, caseworker, team):
    other = ForloebFactory(team=team, borger=BorgerFactory())
    add(other, caseworker, "mentor")
    assert rows(granted)["mentor"] == (1, 0, 0)
    assert rows(other) == {"mentor": (0, 1, 0)}


# --- Around the plan --------------------------------------------------------------------------------------


def test_a_coordination_note_is_saved_with_its_forvaltning_and_indsats(plan, granted, caseworker):
    social = by_category(granted, "social")
    note = services.coordination_note_add(
        forloeb=granted,
        written_on=TODAY,
        forvaltning=Forvaltning.SOCIAL,
        note="  Aftalt med socialrådgiveren før bevillingen af bostøtte.  ",
        actor=caseworker,
        intervention=social,
    )
    assert (note.note, note.forvaltning, note.intervention, note.author) == (
        "Aftalt med socialrådgiveren før bevillingen af bostøtte.",
        Forvaltning.SOCIAL,
        social,
        caseworker,
    )
    assert list(granted.coordination_notes.all()) == [note]


@pytest.mark.parametrize(
    ("written_on", "text", "field"),
    [(TODAY + dt.timedelta(days=1), "Notat", "written_on"), (TODAY, "   ", "note"), (TODAY, "", "note")],
)
def test_a_coordination_note_needs_a_past_date_and_a_text(granted, caseworker, written_on, text, field):
    with pytest.raises(ValidationError) as exc:
        services.coordination_note_add(
            forloeb=granted, written_on=written_on, forvaltning=Forvaltning.HEALTH, note=text, actor=caseworker
        )
    assert field in exc.value.message_dict
    assert not granted.coordination_notes.exists()


def test_a_consent_expires_after_the_day_it_was_given(granted, caseworker):
    given = TODAY - dt.timedelta(days=10)
    consent = services.consent_add(
        forloeb=granted,
        recipient=ConsentRecipient.GP,
        scope=" Helbredsoplysninger til brug for indsatsplanen ",
        given_on=given,
        expires_on=given + dt.timedelta(days=365),
        actor=caseworker,
    )
    assert consent.borger == granted.borger and consent.scope == "Helbredsoplysninger til brug for indsatsplanen"
    assert consent.is_valid_on(given) and consent.is_valid_on(given + dt.timedelta(days=365))
    assert not consent.is_valid_on(given - dt.timedelta(days=1))
    assert not consent.is_valid_on(given + dt.timedelta(days=366))
    open_ended = services.consent_add(
        forloeb=granted,
        recipient=ConsentRecipient.OTHER_FORVALTNING,
        scope="Deling",
        given_on=given,
        expires_on=None,
        actor=caseworker,
    )
    assert open_ended.is_valid_on(TODAY + dt.timedelta(days=3650))


@pytest.mark.parametrize(
    ("given", "expires", "scope", "field"),
    [
        (TODAY, TODAY, "Deling", "expires_on"),
        (TODAY, TODAY - dt.timedelta(days=1), "Deling", "expires_on"),
        (TODAY + dt.timedelta(days=1), None, "Deling", "given_on"),
        (TODAY, None, "  ", "scope"),
    ],
)
def test_a_consent_is_refused_with_bad_dates_or_no_scope(granted, caseworker, given, expires, scope, field):
    with pytest.raises(ValidationError) as exc:
        services.consent_add(
            forloeb=granted,
            recipient=ConsentRecipient.GP,
            scope=scope,
            given_on=given,
            expires_on=expires,
            actor=caseworker,
        )
    assert field in exc.value.message_dict
    assert not Consent.objects.exists()


def test_a_consent_can_be_withdrawn_from_a_past_day_after_it_was_given(granted, caseworker):
    given = TODAY - dt.timedelta(days=30)
    consent = services.consent_add(
        forloeb=granted,
        recipient=ConsentRecipient.GP,
        scope="Deling",
        given_on=given,
        expires_on=None,
        actor=caseworker,
    )
    for bad, field in ((given - dt.timedelta(days=1), "withdrawn_on"), (TODAY + dt.timedelta(days=1), "withdrawn_on")):
        with pytest.raises(ValidationError) as exc:
            services.consent_withdraw(consent=consent, withdrawn_on=bad, actor=caseworker)
        assert field in exc.value.message_dict
        assert Consent.objects.get(pk=consent.pk).withdrawn_on is None
    services.consent_withdraw(consent=consent, withdrawn_on=TODAY - dt.timedelta(days=5), actor=caseworker)
    consent = Consent.objects.get(pk=consent.pk)
    assert consent.withdrawn_on == TODAY - dt.timedelta(days=5)
    assert consent.is_valid_on(TODAY - dt.timedelta(days=6)) and not consent.is_valid_on(TODAY - dt.timedelta(days=5))
    with pytest.raises(ValidationError, match="allerede trukket tilbage"):
        services.consent_withdraw(consent=consent, withdrawn_on=TODAY, actor=caseworker)
    assert Consent.objects.get(pk=consent.pk).withdrawn_on == TODAY - dt.timedelta(days=5)


def test_another_case_is_recorded_with_the_borgers_own_consent(granted, caseworker):
    consent = services.consent_add(
        forloeb=granted,
        recipient=ConsentRecipient.OTHER_FORVALTNING,
        scope="Misbrugscentret",
        given_on=TODAY,
        expires_on=None,
        actor=caseworker,
    )
    case = services.other_case_add(
        forloeb=granted,
        kind=OtherCaseKind.ADDICTION,
        source=" Misbrugscentret ",
        note="",
        consent=consent,
        actor=caseworker,
    )
    assert (case.borger, case.kind, case.source, case.consent, case.recorded_on, case.active) == (
        granted.borger,
        OtherCaseKind.ADDICTION,
        "Misbrugscentret",
        consent,
        TODAY,
        True,
    )
    without = services.other_case_add(
        forloeb=granted,
        kind=OtherCaseKind.HOUSING,
        source="Borgeren",
        note="Venter på bolig",
        consent=None,
        actor=caseworker,
    )
    assert without.consent is None and without.note == "Venter på bolig"


def test_another_borgers_consent_is_refused(granted, caseworker, team):
    stranger = ForloebFactory(team=team, borger=BorgerFactory())
    theirs = services.consent_add(
        forloeb=stranger,
        recipient=ConsentRecipient.GP,
        scope="Deling",
        given_on=TODAY,
        expires_on=None,
        actor=caseworker,
    )
    with pytest.raises(ValidationError) as exc:
        services.other_case_add(
            forloeb=granted,
            kind=OtherCaseKind.CHILDREN,
            source="Børn og Familie",
            note="",
            consent=theirs,
            actor=caseworker,
        )
    assert exc.value.message_dict["consent"] == ["Samtykket hører til en anden borger."]
    with pytest.raises(ValidationError) as exc:
        services.other_case_add(
            forloeb=granted, kind=OtherCaseKind.CHILDREN, source=" ", note="", consent=None, actor=caseworker
        )
    assert "source" in exc.value.message_dict
    assert not granted.borger.other_cases.exists()


def test_a_problem_area_is_recorded_once_while_open(granted, caseworker):
    area = services.problem_area_add(
        forloeb=granted,
        kind=ProblemAreaKind.PHYSICAL,
        source=ProblemSource.DOCUMENTED,
        recorded_on=TODAY,
        actor=caseworker,
    )
    with pytest.raises(ValidationError) as exc:
        services.problem_area_add(
            forloeb=granted,
            kind=ProblemAreaKind.PHYSICAL,
            source=ProblemSource.BORGER,
            recorded_on=TODAY,
            actor=caseworker,
        )
    assert exc.value.message_dict["kind"] == ["Problemområdet er allerede registreret."]
    services.problem_area_add(
        forloeb=granted, kind=ProblemAreaKind.HOUSING, source=ProblemSource.BORGER, recorded_on=TODAY, actor=caseworker
    )
    area.ended_on = TODAY
    area.save()
    services.problem_area_add(
        forloeb=granted,
        kind=ProblemAreaKind.PHYSICAL,
        source=ProblemSource.CASEWORKER,
        recorded_on=TODAY,
        actor=caseworker,
    )
    assert granted.problem_areas.filter(kind=ProblemAreaKind.PHYSICAL).count() == 2
    with pytest.raises(ValidationError) as exc:
        services.problem_area_add(
            forloeb=granted,
            kind=ProblemAreaKind.FAMILY,
            source=ProblemSource.BORGER,
            recorded_on=TODAY + dt.timedelta(days=1),
            actor=caseworker,
        )
    assert "recorded_on" in exc.value.message_dict


@pytest.mark.parametrize("score", [1, 3, 5])
def test_progress_is_scored_1_to_5(plan, caseworker, score):
    milestone = services.milestone_add(plan=plan, description="Møde stabilt", target_date=None, actor=caseworker)
    row = services.progress_record(milestone=milestone, recorded_on=TODAY, score=score, note=" ok ", actor=caseworker)
    assert (row.score, row.milestone_lineage, row.forloeb, row.note, row.recorded_by) == (
        score,
        milestone.lineage,
        plan.forloeb,
        "ok",
        caseworker,
    )


@pytest.mark.parametrize(
    ("score", "on", "field"),
    [
        (0, TODAY, "score"),
        (6, TODAY, "score"),
        (None, TODAY, "score"),
        (3, TODAY + dt.timedelta(days=1), "recorded_on"),
    ],
)
def test_progress_outside_1_to_5_or_in_the_future_is_refused(plan, caseworker, score, on, field):
    milestone = services.milestone_add(plan=plan, description="Møde stabilt", target_date=None, actor=caseworker)
    with pytest.raises(ValidationError) as exc:
        services.progress_record(milestone=milestone, recorded_on=on, score=score, note="", actor=caseworker)
    assert field in exc.value.message_dict
    assert not Progress.objects.exists()


def test_the_database_refuses_a_score_outside_1_to_5(plan, caseworker):
    with pytest.raises(IntegrityError), transaction.atomic():
        Progress.objects.create(
            forloeb=plan.forloeb, milestone_lineage=uuid.uuid4(), recorded_on=TODAY, score=7, recorded_by=caseworker
        )


def test_a_milestone_needs_a_description(plan, caseworker):
    with pytest.raises(ValidationError) as exc:
        services.milestone_add(plan=plan, description="  ", target_date=None, actor=caseworker)
    assert exc.value.message_dict["description"] == ["Beskriv delmålet."]
    first = services.milestone_add(plan=plan, description=" Første ", target_date=None, actor=caseworker)
    second = services.milestone_add(plan=plan, description="Andet", target_date=None, actor=caseworker)
    assert (first.description, first.order, second.order) == ("Første", 0, 1)


def test_open_interventions_are_those_not_started_yet(plan, granted, caseworker):
    mentor_in(S.IGANGSAT, granted, caseworker)
    move(by_category(granted, "social"), "not_started", PLAN_ON, caseworker)
    assert {i.category for i in services.open_interventions(granted)} == {"virksomhedsrettet", "sundhed_kommunal"}


def test_the_events_of_a_whole_life_read_as_a_story(plan, granted, caseworker, teammate):
    intervention = by_category(granted, "virksomhedsrettet")
    move(
        intervention,
        "plan",
        PLAN_ON,
        caseworker,
        planned_start=TODAY - dt.timedelta(days=25),
        planned_end=TODAY + dt.timedelta(days=60),
    )
    move(intervention, "grant", PLAN_ON, teammate, employer_cvr=VALID_CVRS[0])
    move(intervention, "start", START_ON, teammate)
    move(intervention, "interrupt", END_ON, caseworker, reason="Smerterne blev for store.")
    story = [
        (e.action, e.from_status, e.to_status, e.on, e.actor.username, e.reason) for e in intervention.events.all()
    ]
    assert story == [
        ("create", "", S.INDSTILLET, TODAY, "ks", ""),
        ("plan", S.INDSTILLET, S.PLANLAGT, PLAN_ON, "ks", ""),
        ("grant", S.PLANLAGT, S.BEVILGET, PLAN_ON, "kollega", ""),
        ("start", S.BEVILGET, S.IGANGSAT, START_ON, "kollega", ""),
        ("interrupt", S.IGANGSAT, S.AFBRUDT, END_ON, "ks", "Smerterne blev for store."),
    ]
    row = fresh(intervention)
    assert (row.planned_start, row.actual_start, row.actual_end, row.status_reason) == (
        TODAY - dt.timedelta(days=25),
        START_ON,
        END_ON,
        "Smerterne blev for store.",
    )
    assert InterventionEvent.objects.filter(intervention=intervention).count() == 5
