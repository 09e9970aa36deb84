"""Meetings in the rehabiliteringsteam: list, planning, agenda, attendance and the meeting packet."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import clock
from cases import services as case_services
from cases.forms import add_service_errors
from cases.models import AccessAction, Sector, User
from rehab import selectors, services
from rehab.forms.meetings import (
    agenda_form_for,
    attendance_form_for,
    meeting_form_for,
    meeting_label,
)
from rehab.models import AgendaItem
from rehab.pdf import render_pdf


def can_plan_meetings(user: User) -> bool:
    return user.has_perm("rehab.plan_meeting")


def _add_errors(request: HttpRequest, form=None, exc: ValidationError | None = None) -> None:
    """Put a form's or a service's Danish errors into django messages (for redirect-after-POST)."""
    if form is not None:
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else None
            for message in errors:
                messages.error(request, f"{label}: {message}" if label else message)
    if exc is not None:
        for message in exc.messages:
            messages.error(request, message)


def _attendance_summary(item) -> dict | None:
    """What has been recorded about who attended, in words; None when nothing is recorded yet."""
    presence = (item.borger_present, item.relative_present, item.bisidder_present)
    if not item.sectors_present and all(p is None for p in presence):
        return None
    words = {True: _("ja"), False: _("nej"), None: _("ved ikke")}
    return {
        "sectors": [str(label) for value, label in Sector.choices if value in item.sectors_present],
        "borger": words[item.borger_present],
        "relative": words[item.relative_present],
        "bisidder": words[item.bisidder_present],
    }


# --- Meetings ------------------------------------------------------------------------------------


@require_GET
@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    """The upcoming meetings first, each with the packets of the forløb on its agenda that the user
    may open (the landing page of a rehabiliteringsteam member), then the last few held. The borgere
    named are logged as a list (`access_log_list`)."""
    upcoming, past = selectors.meetings_overview(user=request.user)
    items = list(
        AgendaItem.objects.filter(meeting__in=[m.pk for m in upcoming])
        .select_related("forloeb__borger")
        .order_by("meeting__starts_at", "slot_start")
    )
    viewable = selectors.forloeb_ids_viewable_on_agenda(user=request.user, items=items)
    packets: dict[int, list[AgendaItem]] = {}
    for item in items:
        if item.forloeb_id in viewable:
            packets.setdefault(item.meeting_id, []).append(item)
    case_services.access_log_list(user=request.user, forloeb=[i.forloeb for m in packets.values() for i in m])
    context = {
        "upcoming": [(meeting, packets.get(meeting.pk, [])) for meeting in upcoming],
        "past": past,
        "can_plan": can_plan_meetings(request.user),
    }
    return render(request, "rehab/meeting_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    if not can_plan_meetings(request.user):
        raise Http404
    form = meeting_form_for(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(
                rehab_team=form.cleaned_data["rehab_team"],
                starts_at=form.starts_at,
                place=form.cleaned_data["place"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Mødet er planlagt: %(meeting)s.") % {"meeting": meeting_label(meeting)})
            return redirect("rehab:meeting_detail", pk=meeting.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "rehab/meeting_form.html", {"form": form}, status=status)


@require_GET
@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    items = selectors.meeting_agenda(meeting=meeting)
    viewable = selectors.forloeb_ids_viewable_on_agenda(user=request.user, items=items)
    started = meeting.starts_at <= clock.now()
    rows = [
        {
            "item": item,
            "viewable": item.forloeb_id in viewable,
            "form": attendance_form_for(item) if started and item.forloeb_id in viewable else None,
            "attendance": _attendance_summary(item),
        }
        for item in items
    ]
    return render(request, "rehab/meeting_detail.html", {"meeting": meeting, "rows": rows, "started": started})


# --- Agenda and attendance ----------------------------------------------------------------------


@require_POST
@login_required
def agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = selectors.forloeb_get(user=request.user, pk=pk, perm="rehab.book_meeting")
    form = agenda_form_for(request.user, forloeb, request.POST)
    if not form.is_valid():
        _add_errors(request, form=form)
        return redirect("rehab:forloeb_rehab", pk=forloeb.pk)
    data = form.cleaned_data
    try:
        item = services.agenda_add(
            meeting=data["meeting"],
            forloeb=forloeb,
            slot_start=data["slot_start"],
            slot_minutes=data["slot_minutes"],
            actor=request.user,
        )
    except ValidationError as exc:
        _add_errors(request, exc=exc)
    else:
        messages.success(
            request,
            _("Forløbet er sat på mødet %(meeting)s, kl. %(slot)s.")
            % {"meeting": meeting_label(item.meeting), "slot": item.slot_start.strftime("%H:%M")},
        )
    return redirect("rehab:forloeb_rehab", pk=forloeb.pk)


@require_POST
@login_required
def attendance(request: HttpRequest, item_pk: int) -> HttpResponse:
    item = selectors.agenda_item_get(user=request.user, pk=item_pk)
    selectors.forloeb_get(user=request.user, pk=item.forloeb_id, perm="rehab.record_recommendation")
    form = attendance_form_for(item, request.POST)
    if form.is_valid():
        try:
            services.attendance_record(
                agenda_item=item,
                sectors_present=form.cleaned_data["sectors_present"],
                actor=request.user,
                edit_token=form.submitted_token,
                **form.cleaned_presence(),
            )
        except ValidationError as exc:
            _add_errors(request, exc=exc)
        else:
            messages.success(
                request, _("Fremmødet kl. %(slot)s er gemt.") % {"slot": item.slot_start.strftime("%H:%M")}
            )
    else:
        _add_errors(request, form=form)
    return redirect(reverse("rehab:meeting_detail", args=[item.meeting_id]) + f"#punkt-{item.pk}")


# --- The meeting packet ----------------------------------------------------------------------------


def _packet_context(request: HttpRequest, item_pk: int) -> dict:
    """Load the packet of an agenda item the user may open (or 404) and log the look."""
    item = selectors.agenda_item_get(user=request.user, pk=item_pk)
    forloeb = selectors.forloeb_get(user=request.user, pk=item.forloeb_id, perm="rehab.view_documents")
    case_services.access_log_record(
        user=request.user, borger=forloeb.borger, forloeb=forloeb, action=AccessAction.VIEW_FORLOEB
    )
    packet = selectors.meeting_packet(forloeb=forloeb, agenda_item=item)
    return {
        "packet": packet,
        "item": item,
        "meeting": item.meeting,
        "forloeb": forloeb,
        "borger": forloeb.borger,
        "part": packet.part,
        "full_url": reverse("rehab:forloeb_rehab", args=[forloeb.pk]),
    }


@never_cache
@require_GET
@login_required
def packet(request: HttpRequest, item_pk: int) -> HttpResponse:
    return render(request, "rehab/packet.html", _packet_context(request, item_pk))


@never_cache
@require_GET
@login_required
def packet_pdf(request: HttpRequest, item_pk: int) -> HttpResponse:
    context = _packet_context(request, item_pk)
    context["full_url"] = request.build_absolute_uri(context["full_url"])
    pdf = render_pdf("rehab/packet_pdf.html", context, request)
    response = HttpResponse(pdf, content_type="application/pdf")
    # The file name carries only the forløb's id: no CPR, no name.
    response["Content-Disposition"] = f'inline; filename="moedepakke-{context["forloeb"].pk}.pdf"'
    return response
