"""Pages of followup: the forløb's "Opfølgning" tab (samtaler, rule packs, flags), registering a
samtale, acknowledging a flag, Min dag, and the list and export of every flag. Thin: each view
checks access, calls one service or selector and renders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import clock, dates
from cases import selectors as case_selectors
from cases.forms import add_service_errors
from cases.http import HTMX_FORM_ERROR, safe_next
from cases.models import AccessAction, Forloeb, User
from cases.services import access_log_list, access_log_record
from followup import selectors, services
from followup.forms import AcknowledgeForm, FollowUpForm, SnoozeForm, WorklistForm
from outcomes import selectors as outcome_selectors
from supervision.actions import open_actions_for


def _followup_form(
    request: HttpRequest, forloeb: Forloeb, data=None, *, settings: dict | None = None, autofocus: bool = True
) -> FollowUpForm:
    """`autofocus=False` where the form is folded away (the Opfølgning tab moves the focus when it is opened)."""
    settings = settings or selectors.settings_for(kommune_id=forloeb.kommune_id)
    return FollowUpForm(
        data,
        colleagues=case_selectors.coordinators_for_team(team_id=forloeb.team_id),
        actor=request.user,
        today=clock.today(),
        gap_days=settings["max_gap_days"],
        autofocus=autofocus,
        auto_id="samtale_%s",
    )


def _forloeb_context(request: HttpRequest, forloeb: Forloeb, *, form=None) -> dict:
    open_flags, history = selectors.flags_of(forloeb=forloeb)
    can_edit = request.user.has_perm("followup.edit", forloeb) and forloeb.closed_on is None
    settings = selectors.settings_for(kommune_id=forloeb.kommune_id)
    samtaler = selectors.followups_of(forloeb=forloeb)  # newest first
    return {
        "forloeb": forloeb,
        "borger": forloeb.borger,
        "samtaler": samtaler,
        "previous": samtaler[0] if samtaler else None,
        "packs": selectors.packs_of(forloeb=forloeb, day=clock.today()),
        "open_flags": open_flags,
        "history": history,
        "form": (form or _followup_form(request, forloeb, settings=settings, autofocus=False)) if can_edit else None,
        "acknowledge_form": AcknowledgeForm(auto_id=False),
        "settings": settings,
    }


@require_GET
@login_required
def forloeb_followup(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = selectors.forloeb_get(user=request.user, pk=pk)
    access_log_record(user=request.user, borger=forloeb.borger, forloeb=forloeb, action=AccessAction.VIEW_FORLOEB)
    return render(request, "followup/forloeb_followup.html", _forloeb_context(request, forloeb))


@require_http_methods(["GET", "POST"])
@login_required
def followup_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The samtale form on its own page (from Min dag), and where both forms post."""
    forloeb = selectors.forloeb_get(user=request.user, pk=pk, perm="followup.edit")
    back = safe_next(request, reverse("followup:forloeb", args=[forloeb.pk]))
    samtaler = selectors.followups_of(forloeb=forloeb)  # newest first: the previous samtale is shown beside the form
    context = {
        "forloeb": forloeb,
        "borger": forloeb.borger,
        "next": back,
        "previous": samtaler[0] if samtaler else None,
    }
    if request.method == "GET":
        access_log_record(user=request.user, borger=forloeb.borger, forloeb=forloeb, action=AccessAction.VIEW_FORLOEB)
        return render(request, "followup/followup_form.html", {**context, "form": _followup_form(request, forloeb)})
    form = _followup_form(request, forloeb, data=request.POST)
    if form.is_valid():
        try:
            meeting = services.followup_register(forloeb=forloeb, data=form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            access_log_record(user=request.user, borger=forloeb.borger, forloeb=forloeb, action=AccessAction.CHANGE)
            messages.success(
                request,
                _("Samtalen den %(date)s med %(name)s er registreret.")
                % {"date": dates.text(meeting.held_on), "name": forloeb.borger.full_name},
            )
            if meeting.plan_revision_id:
                return redirect("plans:plan", pk=forloeb.pk)
            return redirect(back)
    form.focus_first_error()
    return render(request, "followup/followup_form.html", {**context, "form": form}, status=422)


@require_POST
@login_required
def flag_acknowledge(request: HttpRequest, flag_pk: int) -> HttpResponse:
    flag = selectors.flag_get(user=request.user, pk=flag_pk)
    back = safe_next(request, reverse("followup:forloeb", args=[flag.forloeb_id]))
    form = AcknowledgeForm(request.POST, auto_id=False)
    error = ""
    if form.is_valid():
        try:
            flag = services.flag_acknowledge(flag=flag, comment=form.cleaned_data["comment"], actor=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(m for errors in form.errors.values() for m in errors)
    if request.htmx:
        context = {
            "item": selectors.FlagView(flag, selectors.rule_label(flag.rule_id)),
            "acknowledge_form": form if error else AcknowledgeForm(auto_id=False),
            "error": error,
            "next": safe_next(request, ""),
        }
        template = "followup/_flag_row.html" if request.POST.get("compact") else "followup/_flag.html"
        return render(request, template, context, status=HTMX_FORM_ERROR if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Advarslen er kvitteret."))
    return redirect(back)


@require_GET
@login_required
def flag_row(request: HttpRequest, flag_pk: int) -> HttpResponse:
    """One flag's row on Min dag with its forms (kvittér, udsæt), fetched by htmx when the user opens
    one of them: Min dag itself renders the rows without forms, which made it the costliest page."""
    flag = selectors.flag_get(user=request.user, pk=flag_pk)
    context = {
        "item": selectors.FlagView(selectors.flag_for_row(pk=flag.pk), selectors.rule_label(flag.rule_id)),
        "acknowledge_form": AcknowledgeForm(auto_id=False),
        "snooze_form": SnoozeForm(auto_id=False),
        "next": safe_next(request, ""),
        "open": request.GET.get("aabn", ""),
    }
    return render(request, "followup/_flag_row.html", context)


@require_POST
@login_required
def flag_snooze(request: HttpRequest, flag_pk: int) -> HttpResponse:
    """Put off a good-practice flag until a day (Min dag's row, htmx or a plain form post)."""
    flag = selectors.flag_get(user=request.user, pk=flag_pk)
    back = safe_next(request, reverse("followup:min_dag"))
    form = SnoozeForm(request.POST, auto_id=False)
    error = ""
    if form.is_valid():
        try:
            services.flag_snooze(
                flag=flag, until=form.cleaned_data["until"], reason=form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
    if form.errors:
        error = " ".join(m for errors in form.errors.values() for m in errors)
    else:
        access_log_record(
            user=request.user, borger=flag.forloeb.borger, forloeb=flag.forloeb, action=AccessAction.CHANGE
        )
    if request.htmx:
        flag = selectors.flag_for_row(pk=flag.pk)
        context = {
            "item": selectors.FlagView(flag, selectors.rule_label(flag.rule_id)),
            "acknowledge_form": AcknowledgeForm(auto_id=False),
            "snooze_form": form if error else SnoozeForm(auto_id=False),
            "next": safe_next(request, ""),
        }
        return render(request, "followup/_flag_row.html", context, status=HTMX_FORM_ERROR if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request, _("Advarslen er udsat til %(date)s.") % {"date": dates.text(form.cleaned_data["until"])}
        )
    return redirect(back)


@require_GET
@login_required
def min_dag(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    user = request.user
    context: dict = {"today": today, "supervisor": selectors.is_supervisor(user), "form": None, "summary": None}
    caseworker: User | None = user
    if context["supervisor"]:
        form = WorklistForm(request.GET or None, caseworkers=selectors.caseworkers_for(user=user))
        caseworker = form.cleaned_data["sagsbehandler"] if form.is_valid() else None
        context["form"] = form
        context["summary"] = selectors.team_summary(user=user, today=today)
    context["caseworker"] = caseworker
    work = selectors.worklist(coordinator=caseworker, today=today) if caseworker else None
    after_end = outcome_selectors.follow_up_tasks(coordinator=caseworker, today=today) if caseworker else []
    actions = list(open_actions_for(caseworker)) if caseworker else []
    shown = selectors.worklist_forloeb(work) if work is not None else []
    shown += [forloeb for forloeb, _point, _due in after_end] + [a.forloeb for a in actions]
    if shown:  # the page names borgere: a read of each
        access_log_list(user=user, forloeb=list({f.pk: f for f in shown}.values()))
    context["work"] = work
    context["after_end"] = after_end
    context["tilsyn_actions"] = actions
    context["here"] = request.get_full_path()
    return render(request, "followup/min_dag.html", context)


@require_GET
@login_required
def flag_list(request: HttpRequest) -> HttpResponse:
    """Every flag ever raised in the user's teams, with its lifecycle; `?format=csv|json` exports
    all of them (completeness: nothing is left out and nothing is ever deleted)."""
    if not selectors.is_supervisor(request.user):
        raise Http404
    show = request.GET.get("vis", "aabne")
    qs = selectors.flags_for_export(forloeb_qs=Forloeb.objects.visible_to(request.user))
    if show == "aabne":
        qs = qs.filter(resolved_at__isnull=True)
    fmt = request.GET.get("format")
    if fmt in ("csv", "json"):
        return _export(qs, fmt)
    page = Paginator(qs.select_related("forloeb__borger"), 50).get_page(request.GET.get("side"))
    items = [selectors.FlagView(f, selectors.rule_label(f.rule_id)) for f in page]
    return render(request, "followup/flag_list.html", {"page": page, "items": items, "show": show})


def _export(qs, fmt: str) -> HttpResponse:
    content_type = "application/json" if fmt == "json" else "text/csv"
    response = HttpResponse(content_type=f"{content_type}; charset=utf-8")
    selectors.write_flags(response, qs, fmt)
    response["Content-Disposition"] = f'attachment; filename="advarsler-{clock.today().isoformat()}.{fmt}"'
    return response
