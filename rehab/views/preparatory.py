"""The forløb's rehabilitering page: forberedende del, goals and health documents."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.forms import add_service_errors
from cases.models import AccessAction, Phase
from cases.services import access_log_record
from rehab import selectors, services
from rehab.forms.preparatory import GoalForm, HealthDocumentForm, HealthReceivedForm, PreparatoryPartForm
from rehab.models import DocumentKind


def _overview_context(request: HttpRequest, forloeb, **forms) -> dict:
    user = request.user
    part = selectors.preparatory_part(forloeb=forloeb)
    can_edit = user.has_perm("rehab.edit_preparatory", forloeb)
    editable = can_edit and forloeb.phase in services.EDITABLE_PREPARATORY_PHASES
    context = {
        "forloeb": forloeb,
        "borger": forloeb.borger,
        "part": part,
        "checklist": selectors.preparatory_checklist(forloeb=forloeb),
        "goals": selectors.goals_of(document=part),
        "health_documents": selectors.health_documents(forloeb=forloeb),
        "agenda_items": selectors.agenda_items_of_forloeb(forloeb=forloeb, user=user),
        "meeting_held": selectors.agenda_items_awaiting_recommendation(forloeb=forloeb, user=user).exists(),
        "recommendations": selectors.recommendations(forloeb=forloeb),
        "decisions": selectors.decisions(forloeb=forloeb),
        "can_edit": can_edit,
        "case_access": user.has_perm("cases.view_forloeb", forloeb),
        "can_record_recommendation": user.has_perm("rehab.record_recommendation", forloeb),
        "can_decide": user.has_perm("rehab.record_decision", forloeb),
        "editable": editable,
        "goal_form": forms.get("goal_form") or (GoalForm(auto_id="goal_%s") if editable and part else None),
        "health_form": forms.get("health_form")
        or (HealthDocumentForm(auto_id="health_%s") if can_edit and forloeb.phase != Phase.AFSLUTTET else None),
        "received_error": forms.get("received_error"),
        "agenda_form": None,
    }
    if user.has_perm("rehab.book_meeting", forloeb) and forloeb.phase == Phase.REHABILITERINGSTEAM:
        from rehab.forms.meetings import agenda_form_for

        context["agenda_form"] = agenda_form_for(user, forloeb)
    return context


@require_GET
@login_required
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = selectors.forloeb_get(user=request.user, pk=pk)
    access_log_record(user=request.user, borger=forloeb.borger, forloeb=forloeb, action=AccessAction.VIEW_FORLOEB)
    return render(request, "rehab/forloeb_rehab.html", _overview_context(request, forloeb))


@require_http_methods(["GET", "POST"])
@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = selectors.forloeb_get(user=request.user, pk=pk, perm="rehab.edit_preparatory")
    part = selectors.preparatory_part(forloeb=forloeb)
    form = PreparatoryPartForm(request.POST or None, instance=part)
    if request.method == "POST" and form.is_valid():
        try:
            services.preparatory_part_save(
                forloeb=forloeb, data=form.cleaned_data, actor=request.user, edit_token=form.submitted_token
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Den forberedende del er gemt."))
            return redirect("rehab:forloeb_rehab", pk=forloeb.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "rehab/preparatory_form.html",
        {"form": form, "forloeb": forloeb, "borger": forloeb.borger},
        status=status,
    )


@require_POST
@login_required
def goal_add(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = selectors.forloeb_get(user=request.user, pk=pk, perm="rehab.edit_preparatory")
    part = selectors.preparatory_part(forloeb=forloeb)
    if part is None:
        messages.error(request, _("Gem den forberedende del, før du tilføjer mål."))
        return redirect("rehab:forloeb_rehab", pk=forloeb.pk)
    form = GoalForm(request.POST, auto_id="goal_%s")
    if form.is_valid():
        try:
            services.goal_add(
                forloeb=forloeb,
                document=part,
                document_kind=DocumentKind.FORBEREDENDE_DEL,
                actor=request.user,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Målet er tilføjet."))
            return redirect("rehab:forloeb_rehab", pk=forloeb.pk)
    context = _overview_context(request, forloeb, goal_form=form)
    return render(request, "rehab/forloeb_rehab.html", context, status=400)


@require_POST
@login_required
def goal_remove(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    forloeb = selectors.forloeb_get(user=request.user, pk=pk, perm="rehab.edit_preparatory")
    goal = forloeb.goals.filter(pk=goal_pk).first()
    if goal is None:
        raise Http404
    try:
        services.goal_remove(goal=goal, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Målet er fjernet."))
    return redirect("rehab:forloeb_rehab", pk=forloeb.pk)


@require_POST
@login_required
def health_add(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = selectors.forloeb_get(user=request.user, pk=pk, perm="rehab.edit_preparatory")
    form = HealthDocumentForm(request.POST, auto_id="health_%s")
    if form.is_valid():
        try:
            services.health_document_add(forloeb=forloeb, data=form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Helbredsdokumentet er registreret."))
            return redirect("rehab:forloeb_rehab", pk=forloeb.pk)
    context = _overview_context(request, forloeb, health_form=form)
    return render(request, "rehab/forloeb_rehab.html", context, status=400)


@require_POST
@login_required
def health_received(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    forloeb = selectors.forloeb_get(user=request.user, pk=pk, perm="rehab.edit_preparatory")
    document = forloeb.health_documents.filter(pk=doc_pk).first()
    if document is None:
        raise Http404
    form = HealthReceivedForm(request.POST)
    if form.is_valid():
        try:
            services.health_document_mark_received(document=document, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Dokumentet er registreret som modtaget."))
            return redirect("rehab:forloeb_rehab", pk=forloeb.pk)
    errors = [m for messages_ in form.errors.values() for m in messages_]
    context = _overview_context(request, forloeb, received_error={"doc": document.pk, "errors": errors})
    return render(request, "rehab/forloeb_rehab.html", context, status=400)
