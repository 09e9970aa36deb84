"""Indstilling and afgørelse."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases import clock
from cases.forms import add_service_errors
from cases.models import Phase
from cases.services import TransitionError
from rehab import selectors, services
from rehab.forms.decisions import (
    DecisionForm,
    DecisionWithoutTeamForm,
    GoalFormSet,
    InterventionFormSet,
    RecommendationForm,
    RecommendationSentForm,
    filled,
)
from rehab.models import Recommendation


@require_http_methods(["GET", "POST"])
@login_required
def recommendation_create(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = selectors.forloeb_get(user=request.user, pk=pk, perm="rehab.record_recommendation")
    agenda_items = selectors.agenda_items_awaiting_recommendation(forloeb=forloeb, user=request.user)
    data = request.POST if request.method == "POST" else None
    form = RecommendationForm(data, agenda_items=agenda_items)
    goals = GoalFormSet(data, prefix="goal")
    interventions = InterventionFormSet(data, prefix="intervention")
    if request.method == "POST" and form.is_valid() and goals.is_valid() and interventions.is_valid():
        try:
            services.recommendation_record(
                forloeb=forloeb,
                actor=request.user,
                goals=filled(goals),
                interventions=filled(interventions),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except TransitionError as exc:
            form.add_error(None, str(exc))
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Indstillingen er registreret."))
            return redirect("rehab:forloeb_rehab", pk=forloeb.pk)
    context = {
        "forloeb": forloeb,
        "borger": forloeb.borger,
        "form": form,
        "goals": goals,
        "interventions": interventions,
        "wrong_phase": forloeb.phase != Phase.REHABILITERINGSTEAM,
        "no_meeting": not agenda_items.exists(),
    }
    return render(request, "rehab/recommendation_form.html", context, status=400 if request.method == "POST" else 200)


@require_POST
@login_required
def recommendation_sent(request: HttpRequest, rec_pk: int) -> HttpResponse:
    recommendation = Recommendation.objects.filter(pk=rec_pk).select_related("forloeb").first()
    if recommendation is None:
        raise Http404
    forloeb = selectors.forloeb_get(user=request.user, pk=recommendation.forloeb_id, perm="rehab.record_recommendation")
    form = RecommendationSentForm(request.POST)
    if form.is_valid():
        try:
            services.recommendation_mark_sent(recommendation=recommendation, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Forsendelsen af indstillingen er registreret."))
    else:
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
    return redirect("rehab:forloeb_rehab", pk=forloeb.pk)


@require_http_methods(["GET", "POST"])
@login_required
def decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    forloeb = selectors.forloeb_get(user=request.user, pk=pk, perm="rehab.record_decision")
    without_team = forloeb.phase == Phase.FORBEREDENDE_DEL
    recommendation = None if without_team else forloeb.recommendations.filter(decision__isnull=True).last()
    form_class = DecisionWithoutTeamForm if without_team else DecisionForm
    initial = {"decided_on": clock.today()}
    if recommendation is not None:
        initial |= {"ordning": recommendation.ordning, "duration_years": recommendation.duration_years}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_record(forloeb=forloeb, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except TransitionError as exc:
            form.add_error(None, str(exc))
        except PermissionDenied:
            raise Http404 from None
        else:
            forloeb.refresh_from_db()
            messages.success(
                request,
                _("Afgørelsen er registreret. Forløbet står nu i fasen “%(phase)s”.")
                % {"phase": forloeb.get_phase_display()},
            )
            return redirect("rehab:forloeb_rehab", pk=forloeb.pk)
    context = {
        "forloeb": forloeb,
        "borger": forloeb.borger,
        "form": form,
        "recommendation": recommendation,
        "without_team": without_team,
        "wrong_phase": forloeb.phase not in (Phase.INDSTILLING, Phase.FORBEREDENDE_DEL),
    }
    return render(request, "rehab/decision_form.html", context, status=400 if request.method == "POST" else 200)
