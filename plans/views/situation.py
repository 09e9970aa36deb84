"""Borgerens situation: problem areas, progression per delmål, other cases, consents and
coordination across forvaltninger. One page; each section posts its small form to its own route.

Reading needs plans.view, writing plans.edit; anyone else gets 404. A write that succeeds
redirects back with a message; one the service refuses re-renders the page (400) with the
service's Danish messages on the form that was sent."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cases import clock, dates
from cases.forms import add_service_errors
from cases.models import AccessAction, Forloeb
from cases.services import access_log_record
from plans import selectors, services
from plans.forms.situation import (
    ConsentForm,
    CoordinationNoteForm,
    OtherCaseForm,
    ProblemAreaForm,
    ProgressForm,
)
from plans.models import Consent, Milestone, OtherCase, Progress

# --- Progression chart (server-rendered SVG; the same numbers in a table beside it) ----------------

CHART_WIDTH = 420
CHART_HEIGHT = 160
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 34, 16, 12, 30
SCORES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    recorded_on: date
    score: int
    note: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: list[ChartPoint]
    polyline: str
    grid: list[tuple[int, float]]  # (score, y)
    x_left: float
    x_right: float
    y_bottom: float
    first_label: str
    last_label: str
    label: str


def _chart(milestone: Milestone, rows: list[Progress]) -> Chart | None:
    if not rows:
        return None
    inner_w = CHART_WIDTH - PAD_LEFT - PAD_RIGHT
    inner_h = CHART_HEIGHT - PAD_TOP - PAD_BOTTOM
    first, last = rows[0].recorded_on, rows[-1].recorded_on
    span = (last - first).days
    n = len(rows)

    def x_of(index: int, day: date) -> float:
        if span:
            return PAD_LEFT + inner_w * (day - first).days / span
        # All on one day (or a single row): spread them evenly so none hides another.
        return PAD_LEFT + (inner_w * index / (n - 1) if n > 1 else inner_w / 2)

    def y_of(score: int) -> float:
        return PAD_TOP + inner_h * (5 - score) / 4

    points = [
        ChartPoint(round(x_of(k, p.recorded_on), 1), round(y_of(p.score), 1), p.recorded_on, p.score, p.note)
        for k, p in enumerate(rows)
    ]
    if n == 1:
        summary = _("1 måling: %(score)s den %(day)s.") % {
            "score": rows[0].score,
            "day": dates.text(first),
        }
    else:
        summary = _("%(n)s målinger fra %(first_day)s til %(last_day)s; score fra %(first)s til %(last)s.") % {
            "n": n,
            "first_day": dates.text(first),
            "last_day": dates.text(last),
            "first": rows[0].score,
            "last": rows[-1].score,
        }
    return Chart(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        points=points,
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
        grid=[(s, y_of(s)) for s in SCORES],
        x_left=PAD_LEFT,
        x_right=CHART_WIDTH - PAD_RIGHT,
        y_bottom=CHART_HEIGHT - PAD_BOTTOM,
        first_label=dates.short(first),
        last_label=dates.short(last),
        label=_("Progression for delmålet »%(milestone)s«: %(summary)s")
        % {"milestone": milestone.description, "summary": summary},
    )


@dataclass(frozen=True)
class MilestoneProgress:
    milestone: Milestone
    rows: list[Progress]
    chart: Chart | None


# --- Consents ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentRow:
    consent: Consent
    state: str
    valid: bool


@dataclass(frozen=True)
class OtherCaseRow:
    case: OtherCase
    consent_state: str
    consent_valid: bool


def _consent_state(consent: Consent, today: date) -> tuple[str, bool]:
    if consent.is_valid_on(today):
        return _("Gyldigt"), True
    if consent.withdrawn_on and consent.withdrawn_on <= today:
        return _("Trukket tilbage %(day)s") % {"day": dates.text(consent.withdrawn_on)}, False
    if consent.expires_on and consent.expires_on < today:
        return _("Udløbet %(day)s") % {"day": dates.text(consent.expires_on)}, False
    return _("Gælder endnu ikke"), False


# --- Page -------------------------------------------------------------------------------------------------


def _milestones(plan):
    return plan.milestones.order_by("order", "id") if plan else Milestone.objects.none()


def _interventions(forloeb: Forloeb):
    return forloeb.interventions.select_related("type").order_by("planned_start", "id")


def _context(request: HttpRequest, forloeb: Forloeb, **forms) -> dict:
    user = request.user
    today = clock.today()
    can_edit = user.has_perm("plans.edit", forloeb)
    plan = selectors.current_plan(forloeb=forloeb)
    milestones = list(_milestones(plan))
    by_lineage: dict = defaultdict(list)
    if milestones:
        for p in Progress.objects.filter(
            forloeb=forloeb, milestone_lineage__in=[m.lineage for m in milestones]
        ).order_by("recorded_on", "id"):
            by_lineage[p.milestone_lineage].append(p)
    progression = [MilestoneProgress(m, by_lineage[m.lineage], _chart(m, by_lineage[m.lineage])) for m in milestones]
    consents = [
        ConsentRow(c, *_consent_state(c, today))
        for c in selectors.consents_for(forloeb=forloeb, user=user).order_by("-given_on", "-id")
    ]
    other_cases = [
        OtherCaseRow(c, *(_consent_state(c.consent, today) if c.consent else ("", False)))
        for c in selectors.other_cases_for(forloeb=forloeb, user=user)
        .select_related("consent")
        .order_by("-active", "kind", "id")
    ]
    context = {
        "forloeb": forloeb,
        "borger": forloeb.borger,
        "today": today,
        "can_edit": can_edit,
        "plan": plan,
        "progression": progression,
        "problem_areas": list(forloeb.problem_areas.order_by("ended_on", "kind", "id")),
        "other_cases": other_cases,
        "active_other_cases": [row.case for row in other_cases if row.case.active],
        "consents": consents,
        "coordination_notes": list(
            forloeb.coordination_notes.select_related("intervention__type", "author").order_by("-written_on", "-id")
        ),
        "withdraw_error": forms.pop("withdraw_error", None),
    }
    if can_edit:
        context.update(
            problem_form=forms.get("problem_form") or ProblemAreaForm(),
            progress_form=(forms.get("progress_form") or ProgressForm(milestones=_milestones(plan))) if plan else None,
            other_case_form=forms.get("other_case_form")
            or OtherCaseForm(consents=selectors.consents_for(forloeb=forloeb, user=user)),
            consent_form=forms.get("consent_form") or ConsentForm(),
            coordination_form=forms.get("coordination_form")
            or CoordinationNoteForm(interventions=_interventions(forloeb)),
        )
    return context


def _page(request: HttpRequest, forloeb: Forloeb, *, status: int = 200, **forms) -> HttpResponse:
    return render(request, "plans/situation.html", _context(request, forloeb, **forms), status=status)


def _back(forloeb: Forloeb, anchor: str) -> HttpResponse:
    return redirect(f"{reverse('plans:situation', args=[forloeb.pk])}#{anchor}")


def _editable(request: HttpRequest, pk: int) -> Forloeb:
    return selectors.forloeb_get(user=request.user, pk=pk, perm="plans.edit")


def _save(request, forloeb, form, context_key: str, anchor: str, success: str, write) -> HttpResponse:
    """Validate the form, call the service; redirect on success, re-render with errors (400) if not."""
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return _back(forloeb, anchor)
    return _page(request, forloeb, status=400, **{context_key: form})


@never_cache
@require_GET
@login_required
def situation_page(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = selectors.forloeb_get(user=request.user, pk=pk, perm="plans.view")
    access_log_record(user=request.user, borger=forloeb.borger, forloeb=forloeb, action=AccessAction.VIEW_FORLOEB)
    return _page(request, forloeb)


@require_POST
@login_required
def problem_area_add(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = _editable(request, pk)
    return _save(
        request,
        forloeb,
        ProblemAreaForm(request.POST),
        "problem_form",
        "problem-heading",
        _("Problemområdet er registreret."),
        lambda d: services.problem_area_add(forloeb=forloeb, actor=request.user, **d),
    )


@require_POST
@login_required
def progress_record(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = _editable(request, pk)
    plan = selectors.current_plan(forloeb=forloeb)
    if plan is None:
        messages.error(request, _("Progression registreres på delmål i indsatsplanen. Færdiggør indsatsplanen først."))
        return _back(forloeb, "progress-heading")
    return _save(
        request,
        forloeb,
        ProgressForm(request.POST, milestones=_milestones(plan)),
        "progress_form",
        "progress-heading",
        _("Progressionen er registreret."),
        lambda d: services.progress_record(actor=request.user, **d),
    )


@require_POST
@login_required
def other_case_add(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = _editable(request, pk)
    return _save(
        request,
        forloeb,
        OtherCaseForm(request.POST, consents=selectors.consents_for(forloeb=forloeb, user=request.user)),
        "other_case_form",
        "other-cases-heading",
        _("Den anden sag er registreret."),
        lambda d: services.other_case_add(forloeb=forloeb, actor=request.user, **d),
    )


@require_POST
@login_required
def consent_add(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = _editable(request, pk)
    return _save(
        request,
        forloeb,
        ConsentForm(request.POST),
        "consent_form",
        "consents-heading",
        _("Samtykket er registreret."),
        lambda d: services.consent_add(forloeb=forloeb, actor=request.user, **d),
    )


@require_POST
@login_required
def consent_withdraw(request: HttpRequest, consent_pk: int) -> HttpResponse:
    # A consent belongs to the borger, not to one forløb: the form says which forløb's page it
    # came from, and the user must be able to edit that forløb of the same borger.
    try:
        forloeb_pk = int(request.POST.get("forloeb", ""))
    except ValueError:
        raise Http404 from None
    forloeb = _editable(request, forloeb_pk)
    consent = selectors.consents_for(forloeb=forloeb, user=request.user).filter(pk=consent_pk).first()
    if consent is None:
        raise Http404
    if consent.withdrawn_on is not None:
        messages.info(request, _("Samtykket var allerede trukket tilbage."))
        return _back(forloeb, "consents-heading")
    try:
        services.consent_withdraw(consent=consent, withdrawn_on=clock.today(), actor=request.user)
    except ValidationError as exc:
        return _page(request, forloeb, status=400, withdraw_error={"consent": consent.pk, "errors": exc.messages})
    messages.success(request, _("Samtykket er trukket tilbage."))
    return _back(forloeb, "consents-heading")


@require_POST
@login_required
def coordination_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = _editable(request, pk)
    return _save(
        request,
        forloeb,
        CoordinationNoteForm(request.POST, interventions=_interventions(forloeb)),
        "coordination_form",
        "coordination-heading",
        _("Koordineringsnotatet er gemt."),
        lambda d: services.coordination_note_add(forloeb=forloeb, actor=request.user, **d),
    )
