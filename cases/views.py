from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import clock, rulepacks, selectors, services
from cases import rules as case_rules
from cases.forms import (
    AssignCoordinatorForm,
    ForloebCreateForm,
    TransitionForm,
    add_service_errors,
)
from cases.models import AccessAction, Borger, Role


def _detail_context(request: HttpRequest, forloeb, *, forms_by_name=None, assign_form=None) -> dict:
    steps = selectors.forloeb_next_steps(forloeb=forloeb, user=request.user)
    forms_by_name = forms_by_name or {}
    for step in steps:
        forms_by_name.setdefault(
            step.name,
            TransitionForm(
                transition=step.name,
                forloeb=forloeb,
                initial={"expected_phase": forloeb.phase},
                auto_id=f"id_{step.name}_%s",
            ),
        )
    can_assign = request.user.has_perm("cases.assign_coordinator", forloeb)
    coordinators = selectors.coordinators_for_team(team_id=forloeb.team_id)
    return {
        "forloeb": forloeb,
        "borger": forloeb.borger,
        "timeline": selectors.forloeb_timeline(forloeb=forloeb),
        "coordinator_history": selectors.forloeb_coordinator_history(forloeb=forloeb),
        "steps": [(step, forms_by_name[step.name]) for step in steps],
        "assign_form": assign_form
        or (AssignCoordinatorForm(coordinators=coordinators, edit_of=forloeb) if can_assign else None),
    }


@require_GET
@login_required
def forloeb_detail(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = selectors.forloeb_get_for_user(user=request.user, pk=pk)
    services.access_log_record(
        user=request.user, borger=forloeb.borger, forloeb=forloeb, action=AccessAction.VIEW_FORLOEB
    )
    return render(request, "cases/forloeb_detail.html", _detail_context(request, forloeb))


@require_POST
@login_required
def forloeb_transition(request: HttpRequest, pk: int, transition: str) -> HttpResponse:
    forloeb = selectors.forloeb_get_for_user(user=request.user, pk=pk)
    if transition not in case_rules.TRANSITIONS:
        raise Http404
    form = TransitionForm(request.POST, transition=transition, forloeb=forloeb, auto_id=f"id_{transition}_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.forloeb_transition(
                forloeb_id=forloeb.pk,
                transition=transition,
                actor=request.user,
                expected_phase=data["expected_phase"],
                reason=data.get("reason") or "",
                outcome=data.get("outcome") or "",
                closed_on=data.get("closed_on"),
                start_date=data.get("start_date"),
                planned_end_date=data.get("planned_end_date"),
                early_end_reason=data.get("early_end_reason"),  # None where the form does not ask it
            )
        except PermissionDenied:
            raise Http404 from None
        except services.TransitionError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            for name, message in exc.field_errors.items():
                form.add_error(name if name in form.fields else None, message)
        else:
            forloeb.refresh_from_db()
            messages.success(
                request,
                _("Forløbet er flyttet til fasen “%(phase)s”.") % {"phase": forloeb.get_phase_display()},
            )
            return redirect("cases:forloeb_detail", pk=forloeb.pk)
    context = _detail_context(request, forloeb, forms_by_name={transition: form})
    context["open_step"] = transition
    if transition not in {step.name for step, _form in context["steps"]}:
        # The step is no longer offered (e.g. someone else moved the forløb): say why at the top.
        context["action_errors"] = [m for errors in form.errors.values() for m in errors]
    return render(request, "cases/forloeb_detail.html", context, status=400)


@require_POST
@login_required
def forloeb_assign_coordinator(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = selectors.forloeb_get_for_user(user=request.user, pk=pk)
    if not request.user.has_perm("cases.assign_coordinator", forloeb):
        raise Http404
    form = AssignCoordinatorForm(
        request.POST, coordinators=selectors.coordinators_for_team(team_id=forloeb.team_id), edit_of=forloeb
    )
    if form.is_valid():
        try:
            services.forloeb_assign_coordinator(
                forloeb=forloeb,
                coordinator=form.cleaned_data["coordinator"],
                valid_from=form.cleaned_data["valid_from"],
                actor=request.user,
                edit_token=form.submitted_token,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Den koordinerende sagsbehandler er ændret."))
            return redirect("cases:forloeb_detail", pk=forloeb.pk)
    context = _detail_context(request, forloeb, assign_form=form)
    context["open_step"] = "assign"
    return render(request, "cases/forloeb_detail.html", context, status=400)


@require_GET
@login_required
def borger_detail(request: HttpRequest, pk: int) -> HttpResponse:
    borger, forloeb = selectors.borger_get_for_user(user=request.user, pk=pk)
    services.access_log_record(user=request.user, borger=borger, action=AccessAction.VIEW_BORGER)
    return render(request, "cases/borger_detail.html", {"borger": borger, "forloeb_list": forloeb})


@require_http_methods(["GET", "POST"])
@login_required
def forloeb_create(request: HttpRequest) -> HttpResponse:
    if request.user.role not in (Role.CASEWORKER, Role.COORDINATOR, Role.TEAM_LEADER) and not (
        request.user.is_administrator
    ):
        raise Http404
    teams = selectors.teams_for_user(user=request.user)
    form = ForloebCreateForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            forloeb = services.borger_and_forloeb_open(
                cpr=data["cpr"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                address=data["address"],
                phone=data["phone"],
                email=data["email"],
                team=data["team"],
                opened_on=data["opened_on"],
                purpose=data["purpose"],
                actor=request.user,
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                for message in errors:
                    form.add_error(name if name in form.fields else None, message)
        else:
            messages.success(request, _("Forløbet er oprettet."))
            return redirect("cases:forloeb_detail", pk=forloeb.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "borger_model": Borger, "pack": rulepacks.rulepack_on(clock.today())}
    return render(request, "cases/forloeb_create.html", context, status=status)
