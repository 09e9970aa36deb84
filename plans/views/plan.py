"""The forløb's "Indsatsplan og indsatser" page: the recommended → planned → started funnel,
the indsatsplan (draft, completed, revisions, old versions) and the indsatser with their
lifecycle. Every write is one service call; the indsats steps are inline forms that htmx
posts and answers with the refreshed region."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases import selectors as case_selectors
from cases.forms import add_service_errors
from cases.http import HTMX_FORM_ERROR
from cases.models import AccessAction, Forloeb, Phase
from cases.services import access_log_record
from plans import selectors, services
from plans.forms.plan import (
    CompleteForm,
    InterventionForm,
    InterventionMoveForm,
    MilestoneForm,
    PlanForm,
    ReviseForm,
)
from plans.models import ActionPlan, Intervention, Milestone
from rehab import selectors as rehab_selectors
from rehab.forms.preparatory import GoalForm
from rehab.models import DocumentKind

PAGE = "plans/plan.html"
REGION = "plans/plan.html#interventions"


def _move_auto_id(intervention_pk: int, action: str) -> str:
    return f"i{intervention_pk}_{action}_%s"


@dataclass
class MoveAction:
    name: str
    label: str
    form: InterventionMoveForm


@dataclass
class Row:
    intervention: Intervention
    warning: str
    before_plan: bool = False
    actions: list[MoveAction] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # a refused step no longer offered in this row


def _rows(interventions, *, can_edit: bool, move: tuple | None, plan_completed_on=None) -> list[Row]:
    rows = []
    for i in interventions:
        row = Row(i, selectors.length_warning(i), selectors.started_before_plan(i, plan_completed_on))
        bound = move if move and move[0] == i.pk else None
        if can_edit:
            available = {t.name for t in i.get_available_status_transitions()}
            for name in (a for a in services.ACTIONS if a in available):  # forward steps first
                if bound and bound[1] == name:
                    form = bound[2]
                    bound = None
                else:
                    form = InterventionMoveForm(action=name, intervention=i, auto_id=_move_auto_id(i.pk, name))
                row.actions.append(MoveAction(name, str(services.ACTIONS[name]), form))
        if bound:  # e.g. the indsats was moved in another tab: say why nothing happened
            row.errors = [m for errors in bound[2].errors.values() for m in errors]
        rows.append(row)
    return rows


def _context(request: HttpRequest, forloeb: Forloeb, *, move: tuple | None = None, notice: str = "", **forms) -> dict:
    """Everything the page shows, in a fixed number of queries whatever the number of indsatser.
    `forms` replaces a blank form with a bound one that has errors."""
    user = request.user
    can_edit = user.has_perm("plans.edit", forloeb)
    versions = selectors.plan_versions(forloeb=forloeb)
    draft = next((v for v in versions if v.is_draft), None)
    completed = [v for v in versions if not v.is_draft]
    current = completed[-1] if completed else None
    shown = draft or current
    context = {
        "forloeb": forloeb,
        "borger": forloeb.borger,
        "can_edit": can_edit,
        "can_start": can_edit and not versions and forloeb.phase in services.PLAN_PHASES,
        # A plan completed before the forløb's start date leaves the phase behind (plan_complete's note).
        "can_move_on": current is not None
        and forloeb.phase == Phase.INDSATSDEL
        and user.has_perm("cases.transition_start_ivaerksaettelse", forloeb),
        "funnel": selectors.funnel(forloeb=forloeb),
        "unplanned": selectors.recommended_never_planned(forloeb=forloeb),
        "versions": versions,
        "draft": draft,
        "current": current,
        "plan": shown,
        "goals": rehab_selectors.goals_of(document=shown),
        "milestones": list(shown.milestones.all()) if shown else [],
        "missing": services.plan_completion_errors(draft) if draft else [],
        "rows": _rows(
            selectors.interventions(forloeb=forloeb),
            can_edit=can_edit,
            move=move,
            # The first completed version, from the versions read above (no query of its own).
            plan_completed_on=completed[0].completed_on if completed else None,
        ),
        "notice": notice,
        "plan_form": None,
        "goal_form": None,
        "milestone_form": None,
        "complete_form": None,
        "revise_form": None,
        "intervention_form": None,
    }
    if can_edit and draft:
        coordinators = case_selectors.coordinators_for_team(team_id=forloeb.team_id)
        context["plan_form"] = forms.get("plan_form") or PlanForm(
            coordinators=coordinators, plan=draft, auto_id="plan_%s"
        )
        context["goal_form"] = forms.get("goal_form") or GoalForm(auto_id="goal_%s")
        context["milestone_form"] = forms.get("milestone_form") or MilestoneForm(auto_id="milestone_%s")
        context["complete_form"] = forms.get("complete_form") or CompleteForm(auto_id="complete_%s")
    if can_edit and current and not draft:
        context["revise_form"] = forms.get("revise_form") or ReviseForm(auto_id="revise_%s")
    if can_edit and forloeb.phase != Phase.AFSLUTTET:
        context["intervention_form"] = forms.get("intervention_form") or InterventionForm(
            catalogue=selectors.current_catalogue(), auto_id="new_%s"
        )
    return context


def _page(request: HttpRequest, forloeb: Forloeb, *, status: int = 200, **kwargs) -> HttpResponse:
    return render(request, PAGE, _context(request, forloeb, **kwargs), status=status)


def _back(forloeb: Forloeb, anchor: str = "") -> HttpResponse:
    response = redirect("plans:plan", pk=forloeb.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _draft_or_redirect(request: HttpRequest, forloeb: Forloeb) -> ActionPlan | None:
    draft = selectors.draft_plan(forloeb=forloeb)
    if draft is None:
        messages.error(request, _("Der er ingen indsatsplan under arbejde. Lav en revision for at ændre planen."))
    return draft


# --- The page ------------------------------------------------------------------------------------


@require_GET
@login_required
def plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = selectors.forloeb_get(user=request.user, pk=pk)
    access_log_record(user=request.user, borger=forloeb.borger, forloeb=forloeb, action=AccessAction.VIEW_FORLOEB)
    return _page(request, forloeb)


@require_GET
@login_required
def plan_version(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    """One version read-only, with the indsatser as they stood when it was completed."""
    forloeb = selectors.forloeb_get(user=request.user, pk=pk)
    plan = selectors.plan_version(forloeb=forloeb, version=version)
    access_log_record(user=request.user, borger=forloeb.borger, forloeb=forloeb, action=AccessAction.VIEW_FORLOEB)
    context = {
        "forloeb": forloeb,
        "borger": forloeb.borger,
        "plan": plan,
        "goals": rehab_selectors.goals_of(document=plan),
        "milestones": list(plan.milestones.all()),
        "items": list(plan.items.all()),
    }
    return render(request, "plans/plan_version.html", context)


# --- The indsatsplan -------------------------------------------------------------------------------


@require_POST
@login_required
def plan_start(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = selectors.forloeb_get(user=request.user, pk=pk, perm="plans.edit")
    try:
        services.plan_start(forloeb=forloeb, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Indsatsplanen er påbegyndt med mål, hensyn og anbefalede indsatser fra indstillingen.")
        )
    return _back(forloeb, "plan-heading")


@require_POST
@login_required
def plan_update(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = selectors.forloeb_get(user=request.user, pk=pk, perm="plans.edit")
    draft = _draft_or_redirect(request, forloeb)
    if draft is None:
        return _back(forloeb)
    coordinators = case_selectors.coordinators_for_team(team_id=forloeb.team_id)
    form = PlanForm(request.POST, coordinators=coordinators, plan=draft, auto_id="plan_%s")
    if form.is_valid():
        try:
            services.plan_update(
                plan=draft, data=form.cleaned_data, actor=request.user, edit_token=form.submitted_token
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Indsatsplanen er gemt."))
            return _back(forloeb, "plan-heading")
    return _page(request, forloeb, status=400, plan_form=form)


@require_POST
@login_required
def goal_add(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = selectors.forloeb_get(user=request.user, pk=pk, perm="plans.edit")
    draft = _draft_or_redirect(request, forloeb)
    if draft is None:
        return _back(forloeb)
    form = GoalForm(request.POST, auto_id="goal_%s")
    if form.is_valid():
        try:
            services.plan_goal_add(plan=draft, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Målet er tilføjet."))
            return _back(forloeb, "plan-goals-heading")
    return _page(request, forloeb, status=400, goal_form=form)


@require_POST
@login_required
def goal_remove(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    forloeb = selectors.forloeb_get(user=request.user, pk=pk, perm="plans.edit")
    goal = forloeb.goals.filter(pk=goal_pk, document_kind=DocumentKind.INDSATSPLAN).first()
    if goal is None:
        raise Http404
    try:
        services.plan_goal_remove(goal=goal, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Målet er fjernet."))
    return _back(forloeb, "plan-goals-heading")


@require_POST
@login_required
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = selectors.forloeb_get(user=request.user, pk=pk, perm="plans.edit")
    draft = _draft_or_redirect(request, forloeb)
    if draft is None:
        return _back(forloeb)
    form = MilestoneForm(request.POST, auto_id="milestone_%s")
    if form.is_valid():
        try:
            services.milestone_add(plan=draft, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Delmålet er tilføjet."))
            return _back(forloeb, "milestones-heading")
    return _page(request, forloeb, status=400, milestone_form=form)


@require_POST
@login_required
def milestone_remove(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    forloeb = selectors.forloeb_get(user=request.user, pk=pk, perm="plans.edit")
    milestone = Milestone.objects.select_related("plan").filter(pk=milestone_pk, plan__forloeb=forloeb).first()
    if milestone is None:
        raise Http404
    try:
        services.milestone_remove(milestone=milestone, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Delmålet er fjernet."))
    return _back(forloeb, "milestones-heading")


@require_POST
@login_required
def plan_complete(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = selectors.forloeb_get(user=request.user, pk=pk, perm="plans.edit")
    draft = _draft_or_redirect(request, forloeb)
    if draft is None:
        return _back(forloeb)
    form = CompleteForm(request.POST, auto_id="complete_%s")
    if form.is_valid():
        try:
            note = services.plan_complete(
                plan=draft, completed_on=form.cleaned_data["completed_on"], actor=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Indsatsplanen (version %(version)s) er færdiggjort.") % {"version": draft.version}
            )
            phase = Forloeb.objects.filter(pk=forloeb.pk).values_list("phase", flat=True).get()
            if phase != forloeb.phase:
                messages.success(request, _("Forløbet står nu i fasen “%(phase)s”.") % {"phase": Phase(phase).label})
            if note:
                messages.info(request, note)
            return _back(forloeb, "plan-heading")
    return _page(request, forloeb, status=400, complete_form=form)


@require_POST
@login_required
def plan_revise(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = selectors.forloeb_get(user=request.user, pk=pk, perm="plans.edit")
    form = ReviseForm(request.POST, auto_id="revise_%s")
    if form.is_valid():
        try:
            plan = services.plan_revise(forloeb=forloeb, reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Version %(version)s er oprettet som kladde. De tidligere versioner er uændrede.")
                % {"version": plan.version},
            )
            return _back(forloeb, "plan-heading")
    return _page(request, forloeb, status=400, revise_form=form)


# --- The indsatser ---------------------------------------------------------------------------------


@require_POST
@login_required
def intervention_add(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = selectors.forloeb_get(user=request.user, pk=pk, perm="plans.edit")
    form = InterventionForm(request.POST, catalogue=selectors.current_catalogue(), auto_id="new_%s")
    if form.is_valid():
        try:
            intervention = services.intervention_add(forloeb=forloeb, data=form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Indsatsen “%(name)s” er registreret.") % {"name": intervention})
            return _back(forloeb, "interventions")
    return _page(request, forloeb, status=400, intervention_form=form)


@require_POST
@login_required
def intervention_move(request: HttpRequest, ipk: int, action: str) -> HttpResponse:
    """One lifecycle step of an indsats. htmx gets the refreshed indsatser region (with the funnel
    and the plan's checklist swapped out of band); without JavaScript the page reloads."""
    intervention = Intervention.objects.select_related("type").filter(pk=ipk).first()
    if intervention is None or action not in services.ACTIONS:
        raise Http404
    forloeb = selectors.forloeb_get(user=request.user, pk=intervention.forloeb_id, perm="plans.edit")
    form = InterventionMoveForm(
        request.POST, action=action, intervention=intervention, auto_id=_move_auto_id(intervention.pk, action)
    )
    if form.is_valid():
        try:
            moved = services.intervention_move(
                intervention=intervention, action=action, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            notice = _("%(name)s: %(status)s.") % {"name": moved, "status": moved.get_status_display()}
            if request.htmx:
                return render(request, REGION, {**_context(request, forloeb, notice=notice), "oob": True})
            messages.success(request, notice)
            return _back(forloeb, f"indsats-{moved.pk}")
    context = _context(request, forloeb, move=(intervention.pk, action, form))
    if request.htmx:
        # The htmx form-error convention (templates/base.html): 422 with the re-rendered region,
        # the errors in it marked role="alert".
        return render(request, REGION, {**context, "oob": True}, status=HTMX_FORM_ERROR)
    return render(request, PAGE, context, status=400)
