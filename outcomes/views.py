"""The forløb's "Resultat" tab: the forsørgelsesstatus at the two follow-up points after the end,
why the forløb ended early, the result (work, fleksjob, revalidering, førtidspension) and the
sanctions. Thin: each view loads the forløb through the scoped selector (404 outside the user's
scope), calls one service and renders the page again with the form's errors, or redirects."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases import clock
from cases import services as case_services
from cases.forms import add_service_errors
from cases.http import safe_next
from cases.models import AccessAction, Forloeb
from cases.selectors import forloeb_get_for_user
from outcomes import selectors, services
from outcomes.forms import EarlyEndReasonForm, ExitStatusForm, ResultForm, SanctionEditForm, SanctionForm
from outcomes.models import ExitStatus, FollowUpPoint, ForloebResult, Sanction

# The facts the rehabiliteringsteam's records give when nothing is recorded on the result.
FALLBACK_FIELDS = ("fleksjob_visiteret_on", "fp_indstillet_on", "fp_tilkendt_on")


def _status_form(forloeb: Forloeb, point: str, status: ExitStatus | None, data=None) -> ExitStatusForm:
    return ExitStatusForm(
        data, instance=status or ExitStatus(forloeb=forloeb, point=point), auto_id=f"status{point}_%s"
    )


def _result_form(forloeb: Forloeb, row: ForloebResult | None, data=None) -> ResultForm:
    return ResultForm(data, instance=row or ForloebResult(forloeb=forloeb), auto_id="result_%s")


def _sanction_edit_form(sanction: Sanction, data=None) -> SanctionEditForm:
    return SanctionEditForm(data, instance=sanction, auto_id=f"sanction{sanction.pk}_%s")


def _context(request: HttpRequest, forloeb: Forloeb, *, bound: dict[str, Form] | None = None) -> dict:
    """`bound`: the form just posted, by its key ("status-1m", "result", "sanction-new",
    "sanction-<pk>", "early-end"), shown with its errors and open."""
    bound = bound or {}
    today = clock.today()
    can_edit = request.user.has_perm("outcomes.edit", forloeb)
    statuses = {s.point: s for s in forloeb.exit_statuses.select_related("recorded_by")}
    points = []
    for point in FollowUpPoint:
        due = point.due_on(forloeb.closed_on) if forloeb.closed_on else None
        status = statuses.get(point.value)
        key = f"status-{point.value}"
        form = bound.get(key)
        if form is None and can_edit and due is not None and due <= today:
            form = _status_form(forloeb, point.value, status)
        points.append({"point": point, "key": key, "due": due, "status": status, "form": form})
    row = ForloebResult.objects.filter(forloeb=forloeb).select_related("updated_by").first()
    effective = selectors.results_for([forloeb.pk])[forloeb.pk]
    from_rehab = {name for name in FALLBACK_FIELDS if getattr(effective, name) and not (row and getattr(row, name))}
    sanctions = list(forloeb.sanctions.select_related("recorded_by"))
    ended_early = selectors.ended_early(forloeb.closed_on, forloeb.planned_end_date)
    early_form = bound.get("early-end")
    if early_form is None and can_edit and forloeb.closed_on and (ended_early or forloeb.early_end_reason):
        early_form = EarlyEndReasonForm(
            edit_of=forloeb, initial={"early_end_reason": forloeb.early_end_reason}, auto_id="early_%s"
        )
    return {
        "forloeb": forloeb,
        "borger": forloeb.borger,
        "today": today,
        "can_edit": can_edit,
        "next": safe_next(request, ""),
        "points": points,
        "ended_early": ended_early,
        "not_completed": selectors.not_completed(
            forloeb.closed_on, forloeb.planned_end_date, forloeb.outcome, forloeb.early_end_reason
        ),
        "early_form": early_form,
        "result_row": row,
        "result": effective,
        "from_rehab": from_rehab,
        "result_form": bound.get("result") or (_result_form(forloeb, row) if can_edit else None),
        "sanctions": [
            (s, bound.get(f"sanction-{s.pk}") or (_sanction_edit_form(s) if can_edit else None)) for s in sanctions
        ],
        "sanction_form": bound.get("sanction-new") or (SanctionForm(auto_id="sanction_%s") if can_edit else None),
        "open": next(iter(bound), ""),
    }


def _result_url(forloeb: Forloeb, anchor: str) -> str:
    return reverse("outcomes:forloeb_result", args=[forloeb.pk]) + f"#{anchor}"


def _save(
    request: HttpRequest, forloeb: Forloeb, form: Form, key: str, save: Callable[[dict], object], done: str
) -> HttpResponse:
    """Validate the form, call the service, and redirect (to `next` when it is safe) or show the
    page again with the errors on the form; every change is written to the access log."""
    back = safe_next(request, _result_url(forloeb, key))  # read before the write (cases.http)
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            case_services.access_log_record(
                user=request.user, borger=forloeb.borger, forloeb=forloeb, action=AccessAction.CHANGE
            )
            messages.success(request, done)
            return redirect(back)
    return render(request, "outcomes/forloeb_result.html", _context(request, forloeb, bound={key: form}), status=400)


def _forloeb(request: HttpRequest, pk: int, perm: str = "outcomes.edit") -> Forloeb:
    return forloeb_get_for_user(user=request.user, pk=pk, perm=perm)


@require_GET
@login_required
def forloeb_result(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = _forloeb(request, pk, perm="outcomes.view")
    case_services.access_log_record(
        user=request.user, borger=forloeb.borger, forloeb=forloeb, action=AccessAction.VIEW_FORLOEB
    )
    return render(request, "outcomes/forloeb_result.html", _context(request, forloeb))


@require_POST
@login_required
def exit_status_record(request: HttpRequest, pk: int, point: str) -> HttpResponse:
    forloeb = _forloeb(request, pk)
    if point not in FollowUpPoint.values:
        raise Http404
    status = ExitStatus.objects.filter(forloeb=forloeb, point=point).first()
    form = _status_form(forloeb, point, status, data=request.POST)

    def save(data: dict) -> None:
        services.exit_status_record(
            forloeb=forloeb,
            point=point,
            code=data["code"],
            job_hours_per_week=data["job_hours_per_week"],
            hours_source=data["hours_source"],
            note=data["note"],
            actor=request.user,
            edit_token=form.submitted_token,
        )

    done = _("Forsørgelsesstatus %(point)s er registreret for %(name)s.") % {
        "point": FollowUpPoint(point).label,
        "name": forloeb.borger.full_name,
    }
    return _save(request, forloeb, form, f"status-{point}", save, done)


@require_POST
@login_required
def result_update(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = _forloeb(request, pk)
    form = _result_form(forloeb, ForloebResult.objects.filter(forloeb=forloeb).first(), data=request.POST)

    def save(data: dict) -> None:
        fields = {name: data[name] for name in services.RESULT_EDIT_FIELDS}
        services.result_update(forloeb=forloeb, actor=request.user, edit_token=form.submitted_token, **fields)

    return _save(request, forloeb, form, "result", save, _("Resultatet af forløbet er gemt."))


@require_POST
@login_required
def sanction_add(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = _forloeb(request, pk)
    form = SanctionForm(request.POST, auto_id="sanction_%s")

    def save(data: dict) -> None:
        services.sanction_add(forloeb=forloeb, actor=request.user, **{k: data[k] for k in services.SANCTION_FIELDS})

    return _save(request, forloeb, form, "sanction-new", save, _("Sanktionen er registreret."))


@require_POST
@login_required
def sanction_update(request: HttpRequest, pk: int, sanction_pk: int) -> HttpResponse:
    forloeb = _forloeb(request, pk)
    sanction = forloeb.sanctions.filter(pk=sanction_pk).first()
    if sanction is None:
        raise Http404
    form = _sanction_edit_form(sanction, data=request.POST)

    def save(data: dict) -> None:
        services.sanction_update(
            sanction=sanction,
            actor=request.user,
            edit_token=form.submitted_token,
            **{k: data[k] for k in services.SANCTION_FIELDS},
        )

    return _save(request, forloeb, form, f"sanction-{sanction.pk}", save, _("Sanktionen er rettet."))


@require_POST
@login_required
def early_end_reason(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = _forloeb(request, pk)
    form = EarlyEndReasonForm(request.POST, edit_of=forloeb, auto_id="early_%s")

    def save(data: dict) -> None:
        case_services.forloeb_early_end_reason_set(
            forloeb=forloeb, reason=data["early_end_reason"], actor=request.user, edit_token=form.submitted_token
        )

    return _save(request, forloeb, form, "early-end", save, _("Årsagen er gemt."))
