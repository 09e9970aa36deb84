"""Writes of the indsatsplan and the indsatser. Each validates fully before changing
anything and raises ValidationError with Danish messages keyed by field."""

import datetime as dt
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from cases import clock
from cases import services as case_services
from cases.concurrency import check_unchanged
from cases.models import Forloeb, Phase, User
from cases.services import TransitionError
from cases.validation import add_error, not_in_future, raise_if
from plans.models import (
    NOT_STARTED_OPEN,
    ActionPlan,
    Consent,
    CoordinationNote,
    Intervention,
    InterventionEvent,
    InterventionStatus,
    InterventionType,
    Milestone,
    OtherCase,
    PlanItem,
    ProblemArea,
    Progress,
    validate_cvr,
)
from rehab import services as rehab_services
from rehab.models import DocumentKind, InterventionCategory, RecommendedIntervention

PLAN_PHASES = (Phase.INDSATSDEL, Phase.IVAERKSAETTELSE)
EMPLOYER_CATEGORIES = (InterventionCategory.VIRKSOMHEDSRETTET,)


def _lock(forloeb: Forloeb) -> Forloeb:
    return Forloeb.objects.select_for_update().get(pk=forloeb.pk)


def _draft(plan: ActionPlan) -> ActionPlan:
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    if not plan.is_draft:
        raise ValidationError(_("En færdiggjort version af indsatsplanen kan ikke ændres. Lav en revision."))
    return plan


# --- Indsatsplan ---------------------------------------------------------------------------------


@transaction.atomic
def plan_start(*, forloeb: Forloeb, actor: User) -> ActionPlan:
    """Begin the first indsatsplan from the indstilling: its goals, hensyn and recommended
    indsatser (as indsatser in status `indstillet`) are carried over."""
    forloeb = _lock(forloeb)
    if forloeb.phase not in PLAN_PHASES:
        raise ValidationError(_("Indsatsplanen skrives, når ressourceforløbet er bevilget."))
    if forloeb.action_plans.exists():
        raise ValidationError(_("Forløbet har allerede en indsatsplan. Lav en revision i stedet."))
    recommendation = forloeb.recommendations.order_by("-given_on", "-id").first()
    plan = ActionPlan.objects.create(
        forloeb=forloeb,
        version=1,
        recommendation=recommendation,
        coordinator=forloeb.current_coordinator,
        hensyn=list(recommendation.hensyn) if recommendation else [],
        created_by=actor,
    )
    if recommendation is not None:
        for goal in recommendation.goals.all():
            rehab_services.goal_add(
                forloeb=forloeb,
                document=plan,
                document_kind=DocumentKind.INDSATSPLAN,
                kind=goal.kind,
                description=goal.description,
                occupation=goal.occupation,
                education=goal.education,
                actor=actor,
            )
        for recommended in recommendation.interventions.filter(interventions__isnull=True):
            intervention_from_recommendation(recommended=recommended, forloeb=forloeb, actor=actor)
    case_services.forloeb_changed(forloeb_id=forloeb.pk)
    return plan


def intervention_from_recommendation(
    *, recommended: RecommendedIntervention, forloeb: Forloeb, actor: User
) -> Intervention:
    type_ = InterventionType.objects.filter(category=recommended.category, valid_to__isnull=True).order_by("id").first()
    intervention = Intervention.objects.create(
        forloeb=forloeb,
        type=type_,
        category=recommended.category,
        description=recommended.description,
        recommended=recommended,
        status=InterventionStatus.INDSTILLET,
    )
    _log(intervention, "create", "", InterventionStatus.INDSTILLET, clock.today(), "", actor)
    return intervention


PLAN_FIELDS = (
    "coordinator",
    "followup_cadence_weeks",
    "followup_agreement",
    "next_followup_on",
    "hensyn",
    "borger_perspective",
)


@transaction.atomic
def plan_update(*, plan: ActionPlan, data: dict, actor: User, edit_token: str | None = None) -> ActionPlan:
    """`edit_token` is the form's (cases.concurrency): a save from a stale page is refused."""
    plan = _draft(plan)
    check_unchanged(plan, edit_token)
    errors: dict = {}
    coordinator = data.get("coordinator")
    if coordinator is not None and plan.forloeb.team_id not in coordinator.team_ids:
        add_error(errors, "coordinator", _("Den koordinerende sagsbehandler skal være medlem af forløbets team."))
    nxt = data.get("next_followup_on")
    if nxt and nxt < clock.today() - dt.timedelta(days=366):
        add_error(errors, "next_followup_on", _("Datoen for næste samtale ligger mere end et år tilbage."))
    raise_if(errors)
    for name in PLAN_FIELDS:
        if name in data:
            setattr(
                plan,
                name,
                data[name]
                if data[name] is not None
                else ("" if name in ("followup_agreement", "borger_perspective") else None),
            )
    plan.save()
    case_services.forloeb_changed(forloeb_id=plan.forloeb_id)
    return plan


@transaction.atomic
def milestone_add(*, plan: ActionPlan, description: str, target_date: date | None, actor: User) -> Milestone:
    plan = _draft(plan)
    if not (description or "").strip():
        raise ValidationError({"description": [_("Beskriv delmålet.")]})
    order = plan.milestones.count()
    return Milestone.objects.create(plan=plan, description=description.strip(), target_date=target_date, order=order)


@transaction.atomic
def milestone_remove(*, milestone: Milestone, actor: User) -> None:
    _draft(milestone.plan)
    milestone.delete()


def plan_completion_errors(plan: ActionPlan) -> list[str]:
    """What the indsatsplan needs before it can be completed (R11)."""
    missing = []
    if not plan.goals.exists():
        missing.append(_("Mindst ét job- eller uddannelsesmål."))
    if not plan.milestones.exists():
        missing.append(_("Mindst ét delmål."))
    if not plan.forloeb.interventions.exclude(
        status__in=[InterventionStatus.INDSTILLET, InterventionStatus.IKKE_IVAERKSAT]
    ).exists():
        missing.append(_("Mindst én planlagt indsats."))
    if plan.forloeb.interventions.filter(status=InterventionStatus.INDSTILLET).exists():
        missing.append(
            _(
                "Tag stilling til hver indsats, teamet har anbefalet: planlæg den, eller angiv hvorfor den ikke iværksættes."
            )
        )
    if plan.coordinator_id is None:
        missing.append(_("Den koordinerende sagsbehandler."))
    if not plan.followup_cadence_weeks and not plan.followup_agreement.strip():
        missing.append(_("Aftalen om opfølgning (hvor ofte I taler sammen)."))
    if not plan.borger_perspective.strip():
        missing.append(_("Borgerens perspektiv på de planlagte indsatser."))
    return [str(m) for m in missing]


def _snapshot_items(plan: ActionPlan) -> None:
    plan.items.all().delete()
    PlanItem.objects.bulk_create(
        PlanItem(
            plan=plan,
            intervention=i,
            description=str(i),
            status=i.status,
            planned_start=i.planned_start,
            planned_end=i.planned_end,
            hours_per_week=i.hours_per_week,
            provider=i.provider,
        )
        for i in plan.forloeb.interventions.exclude(status=InterventionStatus.IKKE_IVAERKSAT).select_related("type")
    )


@transaction.atomic
def plan_complete(*, plan: ActionPlan, completed_on: date, actor: User) -> str:
    """Complete (freeze) this version. The first completed plan moves the forløb to
    `iværksættelse`. Returns a Danish note when the phase could not move yet."""
    plan = _draft(plan)
    errors: dict = {}
    missing = plan_completion_errors(plan)
    if missing:
        errors["__all__"] = [_("Indsatsplanen mangler:"), *missing]
    not_in_future(errors, completed_on=completed_on)
    if completed_on and completed_on < plan.forloeb.opened_on:
        add_error(errors, "completed_on", _("Datoen ligger før forløbet blev oprettet."))
    previous = (
        plan.forloeb.action_plans.filter(version__lt=plan.version, completed_on__isnull=False)
        .order_by("-version")
        .first()
    )
    if completed_on and previous and completed_on < previous.completed_on:
        add_error(errors, "completed_on", _("En revision kan ikke være færdig før den forrige version."))
    raise_if(errors)
    _snapshot_items(plan)
    plan.completed_on = completed_on
    plan.save(update_fields=["completed_on"])
    case_services.forloeb_changed(forloeb_id=plan.forloeb_id)
    forloeb = plan.forloeb
    if forloeb.phase == Phase.INDSATSDEL:
        try:
            case_services.forloeb_transition(
                forloeb_id=forloeb.pk, transition="start_ivaerksaettelse", actor=actor, expected_phase=forloeb.phase
            )
        except TransitionError as exc:
            return str(exc)
    return ""


@transaction.atomic
def plan_revise(*, forloeb: Forloeb, reason: str, actor: User) -> ActionPlan:
    """Start a new version from the latest completed one (after an opfølgningssamtale)."""
    forloeb = _lock(forloeb)
    if forloeb.phase not in PLAN_PHASES:
        raise ValidationError(_("Indsatsplanen kan kun revideres, mens forløbet er i indsatsdel eller iværksættelse."))
    latest = forloeb.action_plans.order_by("-version").first()
    if latest is None:
        raise ValidationError(_("Der er ingen indsatsplan at revidere."))
    if latest.is_draft:
        raise ValidationError(_("Der er allerede en revision under arbejde."))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Skriv hvorfor planen revideres, fx opfølgningssamtalen den …")]})
    # After a genforelæggelse the newest indstilling is the one the plan now carries out.
    recommendation = forloeb.recommendations.order_by("-given_on", "-id").first() or latest.recommendation
    new = ActionPlan.objects.create(
        forloeb=forloeb,
        version=latest.version + 1,
        recommendation=recommendation,
        coordinator=forloeb.current_coordinator or latest.coordinator,
        followup_cadence_weeks=latest.followup_cadence_weeks,
        followup_agreement=latest.followup_agreement,
        next_followup_on=latest.next_followup_on,
        hensyn=list(latest.hensyn),
        borger_perspective=latest.borger_perspective,
        revision_reason=reason.strip(),
        created_by=actor,
    )
    for goal in latest.goals.all():
        rehab_services.goal_add(
            forloeb=forloeb,
            document=new,
            document_kind=DocumentKind.INDSATSPLAN,
            kind=goal.kind,
            description=goal.description,
            occupation=goal.occupation,
            education=goal.education,
            actor=actor,
        )
    Milestone.objects.bulk_create(
        Milestone(plan=new, lineage=m.lineage, description=m.description, target_date=m.target_date, order=m.order)
        for m in latest.milestones.all()
    )
    if recommendation is not None and recommendation != latest.recommendation:
        for recommended in recommendation.interventions.filter(interventions__isnull=True):
            intervention_from_recommendation(recommended=recommended, forloeb=forloeb, actor=actor)
    case_services.forloeb_changed(forloeb_id=forloeb.pk)
    return new


@transaction.atomic
def plan_goal_add(*, plan: ActionPlan, actor: User, **goal) -> None:
    """A goal in the indsatsplan: only a draft version can change."""
    plan = _draft(plan)
    rehab_services.goal_add(
        forloeb=plan.forloeb, document=plan, document_kind=DocumentKind.INDSATSPLAN, actor=actor, **goal
    )


@transaction.atomic
def plan_goal_remove(*, goal, actor: User) -> None:
    _draft(goal.document)
    goal.delete()


# --- Indsatser -------------------------------------------------------------------------------------

INTERVENTION_FIELDS = (
    "type",
    "description",
    "planned_start",
    "planned_end",
    "hours_per_week",
    "provider",
    "forvaltning",
    "employer_cvr",
    "cost",
    "part_of_forloeb",
    "source",
)


def _intervention_errors(data: dict, *, forloeb: Forloeb) -> dict:
    errors: dict = {}
    start, end = data.get("planned_start"), data.get("planned_end")
    if start and end and end < start:
        add_error(errors, "planned_end", _("Planlagt slut ligger før planlagt start."))
    if start and start < forloeb.opened_on - dt.timedelta(days=5 * 365):
        add_error(errors, "planned_start", _("Datoen ligger urimeligt langt tilbage."))
    hours = data.get("hours_per_week")
    if hours is not None and not 0 < hours <= 37:
        add_error(errors, "hours_per_week", _("Timer pr. uge skal være mellem 0 og 37."))
    cvr = (data.get("employer_cvr") or "").strip()
    if cvr:
        try:
            data["employer_cvr"] = validate_cvr(cvr)  # stored compact: 8 digits
        except ValidationError as exc:
            errors.setdefault("employer_cvr", []).extend(exc.messages)
    cost = data.get("cost")
    if cost is not None and cost < 0:
        add_error(errors, "cost", _("Udgiften kan ikke være negativ."))
    return errors


@transaction.atomic
def intervention_add(*, forloeb: Forloeb, data: dict, actor: User) -> Intervention:
    """Register a new indsats (planlagt). It may come before the plan; an indsats already
    running elsewhere is registered with part_of_forloeb=False and then started."""
    forloeb = _lock(forloeb)
    if forloeb.phase == Phase.AFSLUTTET:
        raise ValidationError(_("Forløbet er afsluttet."))
    type_ = data.get("type")
    errors = _intervention_errors(data, forloeb=forloeb)
    if type_ is None:
        add_error(errors, "type", _("Vælg en indsats fra kataloget."))
    raise_if(errors)
    fields = {k: data[k] for k in INTERVENTION_FIELDS if k in data and data[k] is not None}
    intervention = Intervention(forloeb=forloeb, category=type_.category, status=InterventionStatus.PLANLAGT, **fields)
    intervention.full_clean(exclude=["status"])  # the FSM field is protected
    intervention.save()
    _log(intervention, "create", "", InterventionStatus.PLANLAGT, clock.today(), "", actor)
    case_services.forloeb_changed(forloeb_id=forloeb.pk)
    return intervention


@transaction.atomic
def intervention_update(*, intervention: Intervention, data: dict, actor: User) -> Intervention:
    intervention = Intervention.objects.select_for_update().get(pk=intervention.pk)
    errors = _intervention_errors(data, forloeb=intervention.forloeb)
    raise_if(errors)
    for k in INTERVENTION_FIELDS:
        if k in data and k != "type":
            setattr(
                intervention,
                k,
                data[k]
                if data[k] is not None
                else (None if k in ("planned_start", "planned_end", "hours_per_week", "cost") else ""),
            )
    if data.get("type") is not None:
        intervention.type = data["type"]
        intervention.category = data["type"].category
    intervention.full_clean(exclude=["status"])  # the FSM field is protected
    intervention.save()
    case_services.forloeb_changed(forloeb_id=intervention.forloeb_id)
    return intervention


ACTIONS = {
    "plan": _("Planlæg"),
    "grant": _("Bevilg"),
    "start": _("Start"),
    "complete": _("Gennemført"),
    "interrupt": _("Afbryd"),
    "not_started": _("Ikke iværksat"),
}


def _log(intervention, action, from_status, to_status, on, reason, actor) -> None:
    InterventionEvent.objects.create(
        intervention=intervention,
        action=action,
        from_status=from_status,
        to_status=to_status,
        on=on,
        reason=reason,
        actor=actor,
    )


@transaction.atomic
def intervention_move(
    *,
    intervention: Intervention,
    action: str,
    on: date,
    actor: User,
    reason: str = "",
    planned_start: date | None = None,
    planned_end: date | None = None,
    employer_cvr: str = "",
    edit_token: str | None = None,
) -> Intervention:
    """Move an indsats one step in its lifecycle (R-000-04), with the date it happened.
    `edit_token` is the form's (cases.concurrency): a step chosen on a page that showed another
    status is refused, also when the step is still possible (e.g. "ikke iværksat" after a grant)."""
    intervention = Intervention.objects.select_for_update().select_related("forloeb").get(pk=intervention.pk)
    if action not in ACTIONS:
        raise ValidationError(_("Ukendt handling."))
    method = getattr(intervention, action)
    allowed = {t.name for t in intervention.get_available_status_transitions()}
    if action not in allowed:
        raise ValidationError(
            _("“%(action)s” er ikke muligt for en indsats med status “%(status)s”.")
            % {"action": ACTIONS[action], "status": intervention.get_status_display()}
        )
    check_unchanged(intervention, edit_token)
    errors: dict = {}
    if on is None:
        add_error(errors, "on", _("Angiv datoen."))
    elif action in ("start", "complete", "interrupt", "not_started"):
        not_in_future(errors, on=on)
    if action in ("interrupt", "not_started") and not reason.strip():
        add_error(errors, "reason", _("Skriv begrundelsen."))
    if action == "start" and on and on < intervention.forloeb.opened_on - dt.timedelta(days=5 * 365):
        add_error(errors, "on", _("Datoen ligger urimeligt langt tilbage."))
    if action in ("complete", "interrupt") and on and intervention.actual_start and on < intervention.actual_start:
        add_error(errors, "on", _("Indsatsen kan ikke slutte, før den startede."))
    if action == "plan" and planned_start and planned_end and planned_end < planned_start:
        add_error(errors, "planned_end", _("Planlagt slut ligger før planlagt start."))
    cvr = (employer_cvr or "").strip()
    if cvr:
        try:
            cvr = validate_cvr(cvr)  # stored compact: 8 digits
        except ValidationError as exc:
            errors.setdefault("employer_cvr", []).extend(exc.messages)
    needs_employer = action in ("grant", "start") and intervention.category in EMPLOYER_CATEGORIES
    if needs_employer and not (cvr or intervention.employer_cvr):
        add_error(errors, "employer_cvr", _("Angiv arbejdsgiverens CVR-nummer for en virksomhedsrettet indsats."))
    raise_if(errors)

    from_status = intervention.status
    method()
    if action == "plan":
        intervention.planned_start = planned_start or intervention.planned_start or on
        intervention.planned_end = planned_end or intervention.planned_end
    if cvr:
        intervention.employer_cvr = cvr
    if action == "start":
        intervention.actual_start = on
    if action in ("complete", "interrupt"):
        intervention.actual_end = on
    if action in ("interrupt", "not_started"):
        intervention.status_reason = reason.strip()
    intervention.save()
    _log(intervention, action, from_status, intervention.status, on, reason.strip(), actor)
    case_services.forloeb_changed(forloeb_id=intervention.forloeb_id)
    return intervention


# --- Around the plan ---------------------------------------------------------------------------------


@transaction.atomic
def coordination_note_add(
    *, forloeb: Forloeb, written_on: date, forvaltning: str, note: str, actor: User, intervention=None
) -> CoordinationNote:
    errors: dict = {}
    not_in_future(errors, written_on=written_on)
    if not (note or "").strip():
        add_error(errors, "note", _("Skriv notatet."))
    if intervention is not None and intervention.forloeb_id != forloeb.pk:
        add_error(errors, "intervention", _("Indsatsen hører til et andet forløb."))
    raise_if(errors)
    return CoordinationNote.objects.create(
        forloeb=forloeb,
        intervention=intervention,
        written_on=written_on,
        forvaltning=forvaltning,
        note=note.strip(),
        author=actor,
    )


@transaction.atomic
def consent_add(
    *, forloeb: Forloeb, recipient: str, scope: str, given_on: date, expires_on: date | None, actor: User
) -> Consent:
    errors: dict = {}
    not_in_future(errors, given_on=given_on)
    if expires_on and given_on and expires_on <= given_on:
        add_error(errors, "expires_on", _("Samtykket skal udløbe efter den dag, det blev givet."))
    if not (scope or "").strip():
        add_error(errors, "scope", _("Beskriv hvad samtykket omfatter."))
    raise_if(errors)
    return Consent.objects.create(
        borger=forloeb.borger,
        forloeb=forloeb,
        recipient=recipient,
        scope=scope.strip(),
        given_on=given_on,
        expires_on=expires_on,
    )


@transaction.atomic
def consent_withdraw(*, consent: Consent, withdrawn_on: date, actor: User) -> None:
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_on is not None:
        raise ValidationError(_("Samtykket er allerede trukket tilbage."))
    errors: dict = {}
    not_in_future(errors, withdrawn_on=withdrawn_on)
    if withdrawn_on < consent.given_on:
        add_error(errors, "withdrawn_on", _("Samtykket kan ikke trækkes tilbage, før det blev givet."))
    raise_if(errors)
    consent.withdrawn_on = withdrawn_on
    consent.save(update_fields=["withdrawn_on"])


@transaction.atomic
def other_case_add(
    *, forloeb: Forloeb, kind: str, source: str, note: str, consent: Consent | None, actor: User
) -> OtherCase:
    if not (source or "").strip():
        raise ValidationError({"source": [_("Angiv hvor oplysningen kommer fra.")]})
    if consent is not None and consent.borger_id != forloeb.borger_id:
        raise ValidationError({"consent": [_("Samtykket hører til en anden borger.")]})
    if consent is not None and not consent.is_valid_on(clock.today()):
        raise ValidationError({"consent": [_("Samtykket er udløbet eller trukket tilbage.")]})
    return OtherCase.objects.create(
        borger=forloeb.borger,
        forloeb=forloeb,
        kind=kind,
        source=source.strip(),
        note=(note or "").strip(),
        consent=consent,
        recorded_on=clock.today(),
    )


@transaction.atomic
def problem_area_add(*, forloeb: Forloeb, kind: str, source: str, recorded_on: date, actor: User) -> ProblemArea:
    errors: dict = {}
    not_in_future(errors, recorded_on=recorded_on)
    if forloeb.problem_areas.filter(kind=kind, ended_on__isnull=True).exists():
        add_error(errors, "kind", _("Problemområdet er allerede registreret."))
    raise_if(errors)
    return ProblemArea.objects.create(forloeb=forloeb, kind=kind, source=source, recorded_on=recorded_on)


@transaction.atomic
def progress_record(*, milestone: Milestone, recorded_on: date, score: int, note: str, actor: User) -> Progress:
    errors: dict = {}
    not_in_future(errors, recorded_on=recorded_on)
    if score is None or not 1 <= score <= 5:
        add_error(errors, "score", _("Scoren skal være mellem 1 og 5."))
    raise_if(errors)
    return Progress.objects.create(
        forloeb=milestone.plan.forloeb,
        milestone_lineage=milestone.lineage,
        recorded_on=recorded_on,
        score=score,
        note=(note or "").strip(),
        recorded_by=actor,
    )


def open_interventions(forloeb: Forloeb):
    return forloeb.interventions.filter(status__in=NOT_STARTED_OPEN)


def attribute_to_forloeb(*, borger_ids) -> None:
    """Record consents and other cases that came without a forløb (an import keeps them under the
    borger) under a forløb of their borger: the one opened last on or before the row's date, else
    the borger's first. Only those who may view that forløb see them (selectors.consents_for)."""
    for model, day in ((Consent, "given_on"), (OtherCase, "recorded_on")):
        of_borger = Forloeb.objects.filter(borger_id=OuterRef("borger_id"))
        before = of_borger.filter(opened_on__lte=OuterRef(day)).order_by("-opened_on", "-id").values("id")[:1]
        first = of_borger.order_by("opened_on", "id").values("id")[:1]
        model.objects.filter(borger_id__in=borger_ids, forloeb__isnull=True).update(
            forloeb_id=Coalesce(Subquery(before), Subquery(first))
        )
