"""Reads of the plan and the indsatser, scoped to the user."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils.translation import gettext as _

from cases import clock
from cases import selectors as case_selectors
from cases.concepts import INDSATS_PLANNED, INDSATS_STARTED
from cases.models import Forloeb, User
from plans.models import (
    ActionPlan,
    Consent,
    Intervention,
    InterventionEvent,
    InterventionStatus,
    InterventionType,
    OtherCase,
)
from rehab.models import InterventionCategory, RecommendedIntervention


def forloeb_get(*, user: User, pk: int, perm: str = "plans.view") -> Forloeb:
    return case_selectors.forloeb_get_for_user(user=user, pk=pk, perm=perm)


def _recorded_under_viewable(*, forloeb: Forloeb, user: User) -> Q:
    """The borger is the kommune's, the case history is the team's: a consent or other case of the
    borger shows only under the forløb it was recorded under and the other forløb the user may view."""
    return Q(borger_id=forloeb.borger_id) & (Q(forloeb=forloeb) | Q(forloeb__in=Forloeb.objects.visible_to(user)))


def consents_for(*, forloeb: Forloeb, user: User):
    """The borger's consents the user may see on this forløb's pages (see _recorded_under_viewable)."""
    return Consent.objects.filter(_recorded_under_viewable(forloeb=forloeb, user=user))


def other_cases_for(*, forloeb: Forloeb, user: User):
    """The borger's other cases the user may see on this forløb's pages (see _recorded_under_viewable)."""
    return OtherCase.objects.filter(_recorded_under_viewable(forloeb=forloeb, user=user))


def plan_versions(*, forloeb: Forloeb) -> list[ActionPlan]:
    return list(forloeb.action_plans.select_related("coordinator").order_by("version"))


def current_plan(*, forloeb: Forloeb) -> ActionPlan | None:
    """The plan in force: the latest completed version."""
    return (
        forloeb.action_plans.filter(completed_on__isnull=False)
        .order_by("-version")
        .select_related("coordinator")
        .first()
    )


def draft_plan(*, forloeb: Forloeb) -> ActionPlan | None:
    return forloeb.action_plans.filter(completed_on__isnull=True).select_related("coordinator").first()


def plan_version(*, forloeb: Forloeb, version: int) -> ActionPlan:
    plan = forloeb.action_plans.filter(version=version).select_related("coordinator").first()
    if plan is None:
        raise Http404
    return plan


def interventions(*, forloeb: Forloeb) -> list[Intervention]:
    return list(forloeb.interventions.select_related("type", "recommended").order_by("planned_start", "id"))


def started_before_plan(intervention: Intervention, plan_completed_on) -> bool:
    """Started before the indsatsplan was done (the audit found a quarter did): allowed, but shown.

    It is `cases.concepts.INDSATS_STARTED` read in Python on one object, on the day before the plan
    was completed (with no completed plan: any actual start)."""
    start = intervention.actual_start
    return bool(start and (plan_completed_on is None or start < plan_completed_on))


def current_catalogue():
    return InterventionType.objects.filter(valid_to__isnull=True).order_by("category", "name")


@dataclass(frozen=True)
class FunnelRow:
    category: str
    label: str
    recommended: int
    planned: int
    started: int


# The concepts' ORM form names the table, so it serves a top-level Intervention queryset only:
# inside a subquery (Exists, __in) Django renames the table (U0) and the fragment would miss it.
INDSATS_TABLE = Intervention._meta.db_table


def was_planned(day: date | None = None) -> RawSQL:
    """For an Intervention queryset: the indsats had entered `planlagt` by `day` (default today),
    `cases.concepts.INDSATS_PLANNED`. The funnel and the evaluation exports read it from here."""
    return INDSATS_PLANNED.expression(day or clock.today(), i=INDSATS_TABLE)


def was_started(day: date | None = None) -> RawSQL:
    """For an Intervention queryset: the indsats had an actual start on or before `day` (default
    today), `cases.concepts.INDSATS_STARTED`; the status is not read."""
    return INDSATS_STARTED.expression(day or clock.today(), i=INDSATS_TABLE)


def funnel(*, forloeb: Forloeb) -> list[FunnelRow]:
    """Recommended → planned → started per category (fokusrevision Q1/Q2, R-000-04).

    Recommended counts the team's recommended indsatser; planned counts indsatser planned by today
    (a lifecycle event into `planlagt`, INDSATS_PLANNED); started counts those with an actual start
    on or before today (INDSATS_STARTED, whatever the status says). Planned and executed are kept
    apart, never read from the same field."""
    recommended = dict(
        RecommendedIntervention.objects.filter(recommendation__forloeb=forloeb)
        .values_list("category")
        .annotate(n=Count("id"))
    )
    rows = (
        Intervention.objects.filter(forloeb=forloeb)
        .values("category")
        .annotate(planned=Count("id", filter=was_planned()), started=Count("id", filter=was_started()))
    )
    by_category = {r["category"]: r for r in rows}
    result = []
    for category in InterventionCategory:
        r = by_category.get(category.value, {})
        row = FunnelRow(
            category.value, category.label, recommended.get(category.value, 0), r.get("planned", 0), r.get("started", 0)
        )
        if row.recommended or row.planned or row.started:
            result.append(row)
    return result


def length_warning(intervention: Intervention) -> str:
    """A warning (not a block) when an indsats is longer than its type's maximum."""
    weeks = intervention.length_weeks
    limit = intervention.type.max_weeks
    if weeks is None or limit is None or weeks <= limit:
        return ""
    return _(
        "%(name)s varer %(weeks)s uger; grænsen er %(limit)s uger (%(basis)s). Forlængelse kræver en begrundelse."
    ) % {
        "name": intervention.type.name,
        "weeks": f"{weeks:.1f}".replace(".0", "").replace(".", ","),
        "limit": limit,
        "basis": intervention.type.legal_basis or _("kommunens standard"),
    }


@dataclass
class CitizenPlan:
    """Min Plan: what the borger needs to know, generated from the current plan."""

    forloeb: Forloeb
    plan: ActionPlan | None
    goals: list
    next_steps: list
    interventions: list[Intervention]
    next_followup_on: object
    coordinator: User | None


def citizen_plan(*, forloeb: Forloeb) -> CitizenPlan:
    plan = current_plan(forloeb=forloeb)
    if plan is None:
        return CitizenPlan(forloeb, None, [], [], [], None, forloeb.current_coordinator)
    today = clock.today()
    shown = [InterventionStatus.PLANLAGT, InterventionStatus.BEVILGET, InterventionStatus.IGANGSAT]
    # What was agreed comes from the completed version's frozen items; whether it has started
    # (status, actual dates) from the live indsats. A draft revision changes nothing here.
    items = plan.items.filter(intervention__status__in=shown).select_related("intervention__type")
    interventions = []
    for item in items.order_by("planned_start", "id"):
        intervention = item.intervention
        intervention.planned_start, intervention.planned_end = item.planned_start, item.planned_end
        intervention.hours_per_week, intervention.provider = item.hours_per_week, item.provider
        interventions.append(intervention)
    return CitizenPlan(
        forloeb=forloeb,
        plan=plan,
        goals=list(plan.goals.select_related("occupation").order_by("kind", "id")),
        next_steps=list(
            plan.milestones.filter(Q(target_date__isnull=True) | Q(target_date__gte=today)).order_by(
                "target_date", "order"
            )
        ),
        interventions=interventions,
        next_followup_on=plan.next_followup_on,
        # The borger needs someone they can reach today, even after a handover.
        coordinator=forloeb.current_coordinator or plan.coordinator,
    )


def recommended_never_planned(*, forloeb: Forloeb) -> list[RecommendedIntervention]:
    """The team's recommended indsatser that were never planned (no lifecycle event into
    `planlagt` on an indsats made from them), for the sentence under the funnel. Unlike the
    funnel's per-category difference, a new indsats of the same category does not hide one."""
    planned = InterventionEvent.objects.filter(
        intervention__recommended=OuterRef("pk"), to_status=InterventionStatus.PLANLAGT
    )
    recommended = RecommendedIntervention.objects.filter(recommendation__forloeb=forloeb)
    return list(recommended.exclude(Exists(planned)).order_by("id"))
