"""Reads of borgere and forløb. Every page reads through these, scoped to the user."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse

from cases import rules as case_rules
from cases.models import Borger, Forloeb, Phase, PhaseTransition, Role, Team, User


def teams_for_user(*, user: User) -> QuerySet:
    if user.is_administrator:
        return Team.objects.all() if user.is_superuser else Team.objects.filter(kommune_id=user.kommune_id)
    return Team.objects.filter(pk__in=user.team_ids)


def forloeb_get_for_user(*, user: User, pk: int, perm: str = "cases.view_forloeb") -> Forloeb:
    """Load a forløb the user holds `perm` on, or raise 404 (never reveal that it exists).
    Every app's pages load their forløb through this, each with its own permission."""
    try:
        forloeb = Forloeb.objects.select_related("borger", "team", "kommune", "current_coordinator").get(pk=pk)
    except Forloeb.DoesNotExist:
        raise Http404 from None
    if not user.has_perm(perm, forloeb):
        raise Http404
    return forloeb


def forloeb_timeline(*, forloeb: Forloeb) -> list[PhaseTransition]:
    return list(forloeb.transitions.select_related("actor").order_by("at", "id"))


def forloeb_coordinator_history(*, forloeb: Forloeb):
    return list(forloeb.coordinator_assignments.select_related("coordinator").order_by("valid_from", "id"))


@dataclass(frozen=True)
class NextStep:
    name: str
    label: str
    target: str
    blocked_by: list[str]  # Danish guard messages; empty when the step is possible
    url: str = ""  # where the step is made, when another app's form makes it


def forloeb_next_steps(*, forloeb: Forloeb, user: User) -> list[NextStep]:
    """The transitions the user could take now, each with what still blocks it."""
    steps = []
    for t in forloeb.get_all_phase_transitions():
        if t.source != forloeb.phase or not user.has_perm(f"cases.transition_{t.name}", forloeb):
            continue
        url_name = case_rules.STEP_URLS.get(t.name)
        failed = case_rules.failed_guards(t.name, forloeb)
        if any(g.hides_step for g in failed):
            continue
        blocked = [str(g.message) for g in failed if not (url_name and g.met_by_step_form)]
        url = reverse(url_name, args=[forloeb.pk]) if url_name else ""
        steps.append(NextStep(t.name, str(case_rules.TRANSITION_LABELS[t.name]), Phase(t.target).label, blocked, url))
    order = list(case_rules.TRANSITIONS)  # forward moves first, afslutning last
    return sorted(steps, key=lambda step: order.index(step.name))


def borger_get_for_user(*, user: User, pk: int) -> tuple[Borger, list[Forloeb]]:
    """A borger and the forløb of theirs the user may see; 404 if the user sees none."""
    try:
        borger = Borger.objects.get(pk=pk)
    except Borger.DoesNotExist:
        raise Http404 from None
    forloeb = list(
        Forloeb.objects.visible_to(user)
        .filter(borger=borger)
        .select_related("team", "current_coordinator")
        .order_by("sequence_no")
    )
    if not forloeb:
        raise Http404
    return borger, forloeb


def coordinators_for_team(*, team_id: int) -> QuerySet:
    return User.objects.filter(memberships__team_id=team_id, role__in=[Role.CASEWORKER, Role.COORDINATOR]).order_by(
        "first_name", "last_name"
    )


def earlier_forloeb(*, forloeb: Forloeb) -> list[Forloeb]:
    """The borger's other forløb in the same kommune, whatever the team: whether this is a first or
    a further ressourceforløb matters by law (R6, R9, the duration), so the number, period and
    outcome may be shown to whoever sees this forløb. Nothing else of them (team, coordinator,
    content); a forløb in another kommune is never included."""
    return list(
        Forloeb.objects.filter(borger_id=forloeb.borger_id, kommune_id=forloeb.kommune_id)
        .exclude(pk=forloeb.pk)
        .order_by("sequence_no")
    )
