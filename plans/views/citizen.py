"""Min Plan: the borger's own plan in plain Danish, as a page and as a PDF to print or send.

Everything comes from the current (latest completed) indsatsplan through
plans.selectors.citizen_plan: nothing on it is typed twice. A draft revision is not shown until
it is completed. No CPR number, no birth date, no internal codes or case-work terms."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cases import clock, dates
from cases.models import AccessAction
from cases.services import access_log_record
from plans import selectors
from plans.models import Intervention, InterventionStatus
from rehab.models import GoalKind
from rehab.pdf import render_pdf


def _day(d: date) -> str:
    return dates.text(d)


def _when(intervention: Intervention, today: date) -> str:
    """The indsats' status in words the borger uses: when it starts, since when it runs, when it ends."""
    i = intervention
    start = i.actual_start or i.planned_start
    end = i.actual_end or i.planned_end
    if i.status == InterventionStatus.GENNEMFOERT:
        return _("Afsluttet %(day)s.") % {"day": _day(end)} if end else _("Afsluttet.")
    if i.status == InterventionStatus.AFBRUDT:
        return _("Stoppet %(day)s.") % {"day": _day(end)} if end else _("Stoppet.")
    if i.status == InterventionStatus.IGANGSAT:
        text = _("I gang siden %(day)s.") % {"day": _day(start)} if start else _("I gang.")
        if i.planned_end:
            verb = _("Slutter %(day)s.") if i.planned_end >= today else _("Skulle slutte %(day)s.")
            text += " " + verb % {"day": _day(i.planned_end)}
        return text
    # Not started yet (planned or granted): only the dates matter to the borger.
    if i.planned_start is None:
        text = _("Starttidspunktet aftaler du med din sagsbehandler.")
    elif i.planned_start >= today:
        text = _("Starter %(day)s.") % {"day": _day(i.planned_start)}
    else:
        text = _("Skulle være startet %(day)s. Tal med din sagsbehandler om, hvornår du starter.") % {
            "day": _day(i.planned_start)
        }
    if i.planned_end:
        text += " " + _("Slutter %(day)s.") % {"day": _day(i.planned_end)}
    return text


@dataclass(frozen=True)
class Activity:
    """One indsats as the borger reads it."""

    title: str
    kind: str
    when: str
    hours_per_week: Decimal | None
    provider: str


def _activity(intervention: Intervention, today: date) -> Activity:
    title = str(intervention)
    kind = intervention.type.name
    # Say what kind of indsats it is only when the caseworker's description does not already.
    if not intervention.description or kind.lower() in intervention.description.lower():
        kind = ""
    return Activity(
        title=title,
        kind=kind,
        when=_when(intervention, today),
        hours_per_week=intervention.hours_per_week,
        provider=intervention.provider,
    )


def _context(request: HttpRequest, pk: int) -> dict:
    forloeb = selectors.forloeb_get(user=request.user, pk=pk, perm="plans.view")
    access_log_record(user=request.user, borger=forloeb.borger, forloeb=forloeb, action=AccessAction.VIEW_FORLOEB)
    cp = selectors.citizen_plan(forloeb=forloeb)
    today = clock.today()
    # The person to call is whoever coordinates the forløb now; the plan's name may be older.
    contact = forloeb.current_coordinator or cp.coordinator
    next_talk = cp.next_followup_on if cp.next_followup_on and cp.next_followup_on >= today else None
    return {
        "forloeb": forloeb,
        "borger": forloeb.borger,
        "cp": cp,
        "plan": cp.plan,
        "goals": cp.goals,
        "job_kind": GoalKind.JOB,
        "next_steps": cp.next_steps,
        "activities": [_activity(i, today) for i in cp.interventions],
        "next_talk": next_talk,
        "contact": contact,
        "today": today,
    }


@never_cache
@require_GET
@login_required
def min_plan(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "plans/min_plan.html", _context(request, pk))


@never_cache
@require_GET
@login_required
def min_plan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    context = _context(request, pk)
    pdf = render_pdf("plans/min_plan_pdf.html", context, request)
    response = HttpResponse(pdf, content_type="application/pdf")
    # The file name carries only the forløb's id: no CPR, no name.
    response["Content-Disposition"] = f'inline; filename="min-plan-{context["forloeb"].pk}.pdf"'
    return response
