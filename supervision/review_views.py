"""Pages of the case reviews (/tilsyn/): a sampled forløb's checklist, a finding's action, the
caseworker's reply to an action (from Min dag), and the round's report (page, PDF, CSV, JSON).

Thin: each view loads its object through `supervision.reviews` (404 outside the user's scope),
calls one service and renders. Every page that names a borger logs the read."""

import io
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cases import clock
from cases import services as case_services
from cases.forms import add_service_errors
from cases.http import safe_next
from cases.models import AccessAction
from rehab.pdf import render_pdf
from supervision import checklist, reviews
from supervision.models import ActionStatus, Review, RoundStatus
from supervision.review_forms import ActionReplyForm, FindingActionForm, ReviewAnswerForm

FORM_ERROR = 400  # a full page re-rendered with its form errors (no htmx here)


def _log_forloeb(request: HttpRequest, forloeb) -> None:
    case_services.access_log_record(
        user=request.user, borger=forloeb.borger, forloeb=forloeb, action=AccessAction.VIEW_FORLOEB
    )


def round_url(tilsyn_round) -> str | None:
    """The round's own page (supervision:round_detail), when the tilsyn pages provide it."""
    try:
        return reverse("supervision:round_detail", kwargs={"round_pk": tilsyn_round.pk})
    except NoReverseMatch:
        return None


def _review_url(item) -> str:
    return reverse("supervision:review", kwargs={"sample_pk": item.pk})


# --- The review of a sampled forløb ---------------------------------------------------------------


def _point_forms(review: Review, data=None) -> list[ReviewAnswerForm]:
    return [ReviewAnswerForm(data, point=answer) for answer in reviews.answers_of(review)]


def _groups(point_forms: list[ReviewAnswerForm]) -> list[tuple[str, str, list[ReviewAnswerForm]]]:
    """The points grouped as shown: (kind, group heading, forms), legal groups first."""
    groups: dict[tuple[str, str], list[ReviewAnswerForm]] = {}
    for form in point_forms:
        kind = form.point.kind
        groups.setdefault((kind, checklist.group_of(form.point.point, kind)), []).append(form)
    return [(kind, heading, forms) for (kind, heading), forms in groups.items()]


@require_http_methods(["GET", "POST"])
@login_required
def review(request: HttpRequest, sample_pk: int) -> HttpResponse:
    item = reviews.sample_item_get_for_user(user=request.user, pk=sample_pk)
    current = Review.objects.select_related("reviewer").filter(item=item).first()
    round_open = item.round.status == RoundStatus.OPEN
    status, errors, point_forms = 200, [], None
    if request.method == "POST":
        if current is None or "start" in request.POST:
            try:
                reviews.review_start(item=item, reviewer=request.user)
            except ValidationError as exc:
                errors, status = exc.messages, FORM_ERROR
            else:
                return redirect(_review_url(item))
        else:
            point_forms = _point_forms(current, request.POST)
            status, errors = _save(request, current, point_forms)
            if status == 302:
                return redirect(_review_url(item) + ("#gennemgang-afsluttet" if "complete" in request.POST else ""))
    if current is not None and point_forms is None:
        point_forms = _point_forms(current)
    _log_forloeb(request, item.forloeb)
    window = checklist.window_for(item.forloeb, item.round)
    context = {
        "item": item,
        "round": item.round,
        "forloeb": item.forloeb,
        "review": current,
        "round_open": round_open,
        "groups": _groups(point_forms or []),
        "point_forms": point_forms or [],
        "errors": errors,
        "window": window,
        "packs": checklist.governing_packs(item.forloeb, window),
        "round_url": round_url(item.round),
    }
    return render(request, "supervision/review/review.html", context, status=status)


def _save(request: HttpRequest, current: Review, point_forms: list[ReviewAnswerForm]) -> tuple[int, list[str]]:
    """Save every point (and complete the review when asked); (302, []) when done, else the
    status and the page's own messages."""
    valid = [form.is_valid() for form in point_forms]  # every form, so each shows its own errors
    if not all(valid):
        return FORM_ERROR, [_("Gennemgangen er ikke gemt. Ret punkterne nedenfor, og gem igen.")]
    entries = [
        reviews.AnswerInput(
            answer=form.point,
            value=form.cleaned_data["answer"],
            comment=form.cleaned_data["comment"],
            edit_token=form.submitted_token,
            action_text=form.cleaned_data.get("action_text") or "",
            action_due_on=form.cleaned_data.get("action_due_on"),
        )
        for form in point_forms
    ]
    try:
        reviews.review_save(review=current, entries=entries, reviewer=request.user)
    except reviews.ReviewNotSaved as exc:
        by_pk = {form.point.pk: form for form in point_forms}
        for pk, error in exc.by_answer.items():
            add_service_errors(by_pk[pk], error)
        return FORM_ERROR, exc.messages
    except ValidationError as exc:  # the round was closed meanwhile
        return FORM_ERROR, exc.messages
    if "complete" in request.POST:
        try:
            reviews.review_complete(review=current, reviewer=request.user)
        except ValidationError as exc:
            messages.warning(request, " ".join([_("Svarene er gemt."), *exc.messages]))
            return 302, []
        messages.success(request, _("Sagsgennemgangen er afsluttet."))
    else:
        messages.success(request, _("Svarene er gemt."))
    return 302, []


@require_http_methods(["GET", "POST"])
@login_required
def finding_action(request: HttpRequest, answer_pk: int) -> HttpResponse:
    """A finding's action on its own page, for a finding that has none."""
    finding = reviews.answer_get_for_user(user=request.user, pk=answer_pk)
    item = finding.review.item
    if getattr(finding, "action", None) is not None:
        return redirect(_review_url(item))
    form = FindingActionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                reviews.finding_action_create(
                    finding=finding,
                    text=form.cleaned_data["action_text"],
                    due_on=form.cleaned_data["action_due_on"],
                    actor=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Opfølgningen er sendt til den koordinerende sagsbehandler."))
                return redirect(_review_url(item))
        status = FORM_ERROR
    _log_forloeb(request, item.forloeb)
    context = {"finding": finding, "item": item, "forloeb": item.forloeb, "form": form}
    return render(request, "supervision/review/finding_action.html", context, status=status)


# --- The action, answered from Min dag ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def action_reply(request: HttpRequest, action_pk: int) -> HttpResponse:
    action = reviews.action_get_for_user(user=request.user, pk=action_pk)
    back = safe_next(request, reverse("followup:min_dag"))  # read before anything is written
    form = ActionReplyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                reviews.action_reply(action=action, reply=form.cleaned_data["reply"], actor=request.user)
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Opfølgningen er besvaret og lukket."))
                return redirect(back)
        status = FORM_ERROR
    _log_forloeb(request, action.forloeb)
    context = {
        "action": action,
        "finding": action.finding,
        "forloeb": action.forloeb,
        "form": form if action.status == ActionStatus.OPEN or form.errors else None,
        "back": back,
        "overdue": action.status == ActionStatus.OPEN and action.due_on < clock.today(),
    }
    return render(request, "supervision/review/action_reply.html", context, status=status)


# --- The round's report ---------------------------------------------------------------------------


def _report(request: HttpRequest, round_pk: int) -> reviews.RoundReport:
    tilsyn_round = reviews.round_get_for_user(user=request.user, pk=round_pk)
    data = reviews.round_report(tilsyn_round, user=request.user)
    if data.forloeb:  # the report names the sampled borgere: a read of each
        case_services.access_log_list(user=request.user, forloeb=data.forloeb)
    return data


@require_GET
@login_required
def round_report(request: HttpRequest, round_pk: int) -> HttpResponse:
    data = _report(request, round_pk)
    context = {"r": data, "summary": data.summary, "round_url": round_url(data.round)}
    return render(request, "supervision/review/round_report.html", context)


@require_GET
@login_required
def round_report_pdf(request: HttpRequest, round_pk: int) -> HttpResponse:
    data = _report(request, round_pk)
    context = {"r": data, "summary": data.summary, "pdf": True, "today": clock.today()}
    response = HttpResponse(render_pdf("supervision/review/round_report_pdf.html", context, request), "application/pdf")
    response["Content-Disposition"] = f'inline; filename="{reviews.report_file_name(data.round)}.pdf"'
    return response


@require_GET
@login_required
def round_report_csv(request: HttpRequest, round_pk: int) -> HttpResponse:
    data = _report(request, round_pk)
    out = io.StringIO()
    reviews.write_report_csv(out, data)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{reviews.report_file_name(data.round)}.csv"'
    return response


@require_GET
@login_required
def round_report_json(request: HttpRequest, round_pk: int) -> HttpResponse:
    data = _report(request, round_pk)
    body = json.dumps(reviews.report_json(data), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{reviews.report_file_name(data.round)}.json"'
    return response
