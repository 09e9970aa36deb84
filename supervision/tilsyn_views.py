"""Pages of the risk register and the tilsyn rounds (/tilsyn/risici/, /tilsyn/runder/).

Thin: each view loads its object through `supervision.risks` or `supervision.rounds` (404 for
anyone but a supervisor, and outside their kommune and teams), calls one service and renders.
The round's sample names borgere: every page that shows it logs the read (`access_log_list`).
No htmx here: full pages, re-rendered with the form's errors (status 400)."""

import io
import json

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import clock
from cases.forms import add_service_errors
from cases.models import Forloeb
from cases.services import access_log_list
from supervision import reviews, rounds, sampling, tilsyn_export
from supervision import risks as risk_module
from supervision.models import RoundStatus, SampleMethod
from supervision.selectors import teams_in_view
from supervision.tilsyn_forms import (
    AsOfForm,
    RiskCreateForm,
    RiskReviseForm,
    RoundCloseForm,
    RoundDrawForm,
    RoundStartForm,
)

FORM_ERROR = 400  # a full page re-rendered with its form errors


def _kommune_id(request: HttpRequest) -> int:
    """The kommune asked for (`?kommune=`), else the supervisor's first; 404 for anyone else."""
    raw = request.POST.get("kommune") or request.GET.get("kommune")
    try:
        requested = int(raw) if raw else None
    except ValueError:
        requested = None
    return risk_module.kommune_for(request.user, requested)


def _all_label(request: HttpRequest) -> str:
    return _("Hele kommunen") if request.user.is_administrator else _("Alle dine teams")


# --- The risk register ----------------------------------------------------------------------------


@require_GET
@login_required
def risk_list(request: HttpRequest) -> HttpResponse:
    kommune_id = _kommune_id(request)
    as_of_form = AsOfForm(request.GET or None)
    as_of = as_of_form.cleaned_data.get("pr") if as_of_form.is_valid() else None
    entries = risk_module.register(request.user, kommune_id, as_of)
    for entry in entries:
        entry.control = risk_module.control_label(entry.version)
    context = {
        "kommune_id": kommune_id,
        "as_of_form": as_of_form,
        "as_of": as_of,
        "entries": [e for e in entries if not e.retired],
        "retired": [e for e in entries if e.retired],
        "matrix": risk_module.heat_matrix(entries),
        "consequences": range(1, 6),
        "today": clock.today(),
    }
    return render(request, "supervision/tilsyn/risk_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def risk_create(request: HttpRequest) -> HttpResponse:
    kommune_id = _kommune_id(request)
    teams = list(teams_in_view(request.user, kommune_id).order_by("name"))
    data = request.POST if request.method == "POST" else None
    initial = {"owner": request.user.pk, "review_on": clock.today() + relativedelta(years=1)}
    form = RiskCreateForm(data, kommune_id=kommune_id, teams=teams, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                risk = risk_module.risk_create(
                    kommune_id=kommune_id, team=form.chosen_team, data=form.risk_data(), actor=request.user
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Risikoen er skrevet i registret."))
                return redirect("supervision:risk_detail", risk_pk=risk.pk)
        status = FORM_ERROR
    return render(
        request, "supervision/tilsyn/risk_create.html", {"form": form, "kommune_id": kommune_id}, status=status
    )


@require_http_methods(["GET", "POST"])
@login_required
def risk_detail(request: HttpRequest, risk_pk: int) -> HttpResponse:
    """The risk's current version and its edit form, every version with who and when (or the one in
    force on a day, `?pr=`), and the rounds that controlled it. A POST writes a new version."""
    risk = risk_module.risk_get_for_user(request.user, risk_pk)
    versions = risk_module.versions_of(risk)
    status, form = 200, None
    if risk.retired_on is None:
        if request.method == "POST":
            form = RiskReviseForm(request.POST, kommune_id=risk.kommune_id)
            if form.is_valid():
                try:
                    risk_module.risk_revise(
                        risk=risk, data=form.risk_data(), based_on=form.cleaned_data["version"], actor=request.user
                    )
                except risk_module.StaleRisk as exc:
                    add_service_errors(form, exc)
                    form.based_on(exc.latest.number)  # the user's text stays; the next save is deliberate
                    versions = risk_module.versions_of(risk)
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, _("Den nye version af risikoen er gemt."))
                    return redirect("supervision:risk_detail", risk_pk=risk.pk)
            status = FORM_ERROR
        else:
            form = RiskReviseForm(kommune_id=risk.kommune_id, current=versions[0])
    elif request.method == "POST":
        messages.error(request, _("Risikoen er udgået og kan ikke ændres."))
        return redirect("supervision:risk_detail", risk_pk=risk.pk)
    for version in versions:
        version.control_words = risk_module.control_label(version)
    as_of_form = AsOfForm(request.GET or None)
    as_of = as_of_form.cleaned_data.get("pr") if as_of_form.is_valid() else None
    context = {
        "risk": risk,
        "current": versions[0],
        "versions": versions,
        "as_of_form": as_of_form,
        "as_of": as_of,
        "as_of_version": risk_module.version_as_of(versions, as_of) if as_of else None,
        "form": form,
        "links": rounds.rounds_controlling(request.user, risk),
    }
    return render(request, "supervision/tilsyn/risk_detail.html", context, status=status)


@require_POST
@login_required
def risk_retire(request: HttpRequest, risk_pk: int) -> HttpResponse:
    risk = risk_module.risk_get_for_user(request.user, risk_pk)
    try:
        risk_module.risk_retire(risk=risk, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Risikoen er udgået af registret. Dens versioner kan stadig læses."))
    return redirect("supervision:risk_detail", risk_pk=risk.pk)


# --- Rounds ---------------------------------------------------------------------------------------


@require_GET
@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    kommune_id = _kommune_id(request)
    context = {"kommune_id": kommune_id, "rounds": rounds.rounds_in_scope(request.user, kommune_id)}
    return render(request, "supervision/tilsyn/round_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def round_create(request: HttpRequest) -> HttpResponse:
    kommune_id = _kommune_id(request)
    teams = list(teams_in_view(request.user, kommune_id).order_by("name"))
    current = [e for e in risk_module.register(request.user, kommune_id) if not e.retired]
    today = clock.today()
    initial = {"period_from": today - relativedelta(months=3), "period_to": today}
    data = request.POST if request.method == "POST" else None
    form = RoundStartForm(data, teams=teams, all_label=_all_label(request), risks=current, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                tilsyn_round = rounds.round_start(
                    kommune_id=kommune_id,
                    team=form.chosen_team,
                    title=form.cleaned_data["title"],
                    purpose=form.cleaned_data["purpose"],
                    period_from=form.cleaned_data["period_from"],
                    period_to=form.cleaned_data["period_to"],
                    risks=list(form.cleaned_data["risks"]),
                    actor=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Runden er startet. Træk nu stikprøven."))
                return redirect("supervision:round_detail", round_pk=tilsyn_round.pk)
        status = FORM_ERROR
    return render(
        request, "supervision/tilsyn/round_create.html", {"form": form, "kommune_id": kommune_id}, status=status
    )


def _names(request: HttpRequest, items) -> set[int]:
    """The sampled forløb the user may see (their borger's name is shown), logged as read."""
    visible = list(Forloeb.objects.visible_to(request.user).filter(pk__in=[i.forloeb_id for i in items]))
    if visible:
        access_log_list(user=request.user, forloeb=visible)
    return {f.pk for f in visible}


def _round_context(request: HttpRequest, tilsyn_round, draw_form=None) -> dict:
    items = rounds.sample_of(tilsyn_round)
    shown = _names(request, items)
    started_reviews = any(getattr(i, "review", None) is not None for i in items)
    may_draw = tilsyn_round.status == RoundStatus.OPEN and not started_reviews
    suggestion = None
    population = None
    if may_draw:
        population = rounds.population_now(tilsyn_round, leader=request.user)
        n, reason = sampling.suggest_size(len(population))
        caseworkers = len({m.coordinator_id for m in population})
        stratified = sampling.suggest_size(len(population), caseworkers) if caseworkers > n else None
        suggestion = {"n": n, "reason": reason, "stratified": stratified, "size": len(population)}
        if draw_form is None:
            initial = {"size": tilsyn_round.sample_size or n}
            if tilsyn_round.method:
                initial |= {
                    "method": tilsyn_round.method,
                    "strata": tilsyn_round.criteria.get("strata", sampling.BY_CASEWORKER),
                    "rotation": tilsyn_round.criteria.get("rotation", True),
                }
            draw_form = RoundDrawForm(initial=initial, edit_of=tilsyn_round)
    stored = [sampling.Member.from_dict(d) for d in tilsyn_round.population or []]
    by_forloeb = {m.forloeb_id: m for m in stored}
    rotation = bool((tilsyn_round.criteria or {}).get("rotation"))
    rows = [
        {
            "item": item,
            "shown": item.forloeb_id in shown,
            "reviewed": rounds.is_reviewed(item),
            "started": getattr(item, "review", None) is not None,
            "tier": sampling.tier_of(by_forloeb[item.forloeb_id], rotation=rotation)
            if item.forloeb_id in by_forloeb
            else sampling.TIER_NORMAL,
            "member": by_forloeb.get(item.forloeb_id),
        }
        for item in items
    ]
    previous_pk = (tilsyn_round.criteria or {}).get("previous_round")
    previous = rounds.TilsynRound.objects.filter(pk=previous_pk).first() if previous_pk else None
    return {
        "round": tilsyn_round,
        "unit_name": _unit_name(request, tilsyn_round),
        "links": rounds.linked_risks(tilsyn_round),
        "rows": rows,
        "n_reviewed": sum(1 for r in rows if r["reviewed"]),
        "may_draw": may_draw,
        "draw_form": draw_form,
        "suggestion": suggestion,
        "check": rounds.round_redraw(tilsyn_round, items),
        "stored_population": {
            "n": len(stored),
            "rotated": sum(1 for m in stored if m.rotated),
            "reviewed_recently": sum(1 for m in stored if m.reviewed_recently),
        },
        "previous_round": previous if previous is not None and rounds.round_visible(request.user, previous) else None,
        "is_risk_weighted": tilsyn_round.method == SampleMethod.RISK_WEIGHTED,
        "is_stratified": tilsyn_round.method == SampleMethod.STRATIFIED,
    }


def _unit_name(request: HttpRequest, tilsyn_round) -> str:
    if tilsyn_round.team_id is not None:
        return tilsyn_round.team.name
    names = list(
        teams_in_view(request.user, tilsyn_round.kommune_id)
        .filter(pk__in=rounds.unit_team_ids(tilsyn_round))
        .order_by("name")
        .values_list("name", flat=True)
    )
    return _("Teams: %(names)s") % {"names": ", ".join(names)}


@require_GET
@login_required
def round_detail(request: HttpRequest, round_pk: int) -> HttpResponse:
    tilsyn_round = rounds.round_get_for_user(request.user, round_pk)
    return render(request, "supervision/tilsyn/round_detail.html", _round_context(request, tilsyn_round))


@require_POST
@login_required
def round_draw(request: HttpRequest, round_pk: int) -> HttpResponse:
    tilsyn_round = rounds.round_get_for_user(request.user, round_pk)
    form = RoundDrawForm(request.POST, edit_of=tilsyn_round)
    if form.is_valid():
        data = form.cleaned_data
        try:
            items = rounds.round_draw(
                tilsyn_round=tilsyn_round,
                method=data["method"],
                size=data["size"],
                seed=data["seed"],
                strata=data["strata"],
                rotation=data["rotation"],
                edit_token=form.submitted_token,
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            tilsyn_round.refresh_from_db()
            messages.success(
                request,
                _("Stikprøven er trukket: %(n)s forløb, startværdi %(seed)s.")
                % {"n": len(items), "seed": tilsyn_round.seed},
            )
            return redirect("supervision:round_detail", round_pk=tilsyn_round.pk)
    tilsyn_round.refresh_from_db()
    context = _round_context(request, tilsyn_round, draw_form=form)
    if not context["may_draw"]:  # closed, or reviews started since: say so on the page
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
    return render(request, "supervision/tilsyn/round_detail.html", context, status=FORM_ERROR)


@require_GET
@login_required
def round_redraw_check(request: HttpRequest, round_pk: int) -> HttpResponse:
    """ "Træk igen (kontrol)": the sample drawn again from what the round stores, beside the one
    stored, and whether they are the same."""
    tilsyn_round = rounds.round_get_for_user(request.user, round_pk)
    items = rounds.sample_of(tilsyn_round)
    check = rounds.round_redraw(tilsyn_round, items)
    rows = []
    if check is not None:
        forloeb_ids = set(check.stored) | {d.forloeb_id for d in check.drawn}
        visible = {
            f.pk: f
            for f in Forloeb.objects.visible_to(request.user).filter(pk__in=forloeb_ids).select_related("borger")
        }
        if visible:
            access_log_list(user=request.user, forloeb=list(visible.values()))
        length = max(len(check.stored), len(check.drawn))
        for i in range(length):
            stored_id = check.stored[i] if i < len(check.stored) else None
            drawn_id = check.drawn[i].forloeb_id if i < len(check.drawn) else None
            rows.append(
                {
                    "position": i + 1,
                    "stored": visible.get(stored_id),
                    "stored_id": stored_id,
                    "drawn": visible.get(drawn_id),
                    "drawn_id": drawn_id,
                    "same": stored_id == drawn_id,
                }
            )
    context = {"round": tilsyn_round, "check": check, "rows": rows}
    return render(request, "supervision/tilsyn/round_redraw_check.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def round_close(request: HttpRequest, round_pk: int) -> HttpResponse:
    tilsyn_round = rounds.round_get_for_user(request.user, round_pk)
    if tilsyn_round.status == RoundStatus.CLOSED or tilsyn_round.drawn_at is None:
        if tilsyn_round.status == RoundStatus.CLOSED:
            messages.info(request, _("Runden er afsluttet."))
        else:
            messages.info(request, _("Træk stikprøven, før runden afsluttes."))
        return redirect("supervision:round_detail", round_pk=tilsyn_round.pk)
    links = rounds.linked_risks(tilsyn_round)
    data = request.POST if request.method == "POST" else None
    form = RoundCloseForm(data, links=links)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                rounds.round_close(
                    tilsyn_round=tilsyn_round,
                    summary=form.cleaned_data["summary"],
                    reassessments=form.reassessments(),
                    unreviewed_reason=form.cleaned_data["unreviewed_reason"],
                    actor=request.user,
                )
            except rounds.StaleReassessment as exc:
                add_service_errors(form, exc)
                form.based_on(exc.link_pk, exc.number)  # the user's text stays; the next save is deliberate
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Runden er afsluttet, og risiciene er genvurderet."))
                return redirect("supervision:round_detail", round_pk=tilsyn_round.pk)
        status = FORM_ERROR
    items = rounds.sample_of(tilsyn_round)
    context = {
        "round": tilsyn_round,
        "form": form,
        "summary": reviews.round_summary(tilsyn_round),
        "n_sample": len(items),
        "n_unreviewed": sum(1 for item in items if not rounds.is_reviewed(item)),
        "report_url": reverse("supervision:round_report", kwargs={"round_pk": tilsyn_round.pk}),
    }
    return render(request, "supervision/tilsyn/round_close.html", context, status=status)


# --- Files for an auditor ---------------------------------------------------------------------------


def _attachment(body: str, content_type: str, file_name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


@require_GET
@login_required
def risk_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The register with every version of every risk in the user's scope (CSV or JSON)."""
    kommune_id = _kommune_id(request)
    risks = risk_module.risks_in_scope(request.user, kommune_id)
    name = f"risikoregister-{clock.today().isoformat()}"
    if fmt == "json":
        body = json.dumps(tilsyn_export.risk_rows(risks), ensure_ascii=False, indent=2)
        return _attachment(body, "application/json", f"{name}.json")
    out = io.StringIO()
    tilsyn_export.write_risks_csv(out, risks)
    return _attachment(out.getvalue(), "text/csv", f"{name}.csv")


@require_GET
@login_required
def round_sample_json(request: HttpRequest, round_pk: int) -> HttpResponse:
    """The round's sample as drawn and what it was drawn from (forløb ids, no names)."""
    tilsyn_round = rounds.round_get_for_user(request.user, round_pk)
    body = json.dumps(tilsyn_export.sample_document(tilsyn_round), ensure_ascii=False, indent=2)
    return _attachment(body, "application/json", f"tilsynsrunde-{tilsyn_round.pk}-stikproeve.json")
