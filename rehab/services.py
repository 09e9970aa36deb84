"""Writes of the rehabiliteringsteam workflow. Each validates fully before it changes
anything and raises ValidationError with Danish messages keyed by field."""

import datetime as dt
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import clock, dates
from cases import services as case_services
from cases.concurrency import check_unchanged, refuse_overwrite
from cases.models import Forloeb, Outcome, Phase, User
from cases.rulepacks import new_forloeb_allowed, rulepack_errors, rulepack_on
from cases.validation import add_error, not_in_future, raise_if
from rehab.models import (
    CERTIFICATE_FORMS,
    AgendaItem,
    AuthorRole,
    Decision,
    DocumentKind,
    Goal,
    GoalKind,
    HealthDocument,
    HealthForm,
    Occupation,
    Ordning,
    PreparatoryPart,
    Recommendation,
    RecommendedIntervention,
    RehabTeam,
    TeamMeeting,
    WithoutTeamGround,
)

EDITABLE_PREPARATORY_PHASES = (Phase.FORBEREDENDE_DEL, Phase.REHABILITERINGSTEAM)

# The form each kind of health document must come from (R14, R15, R16).
EXPECTED_AUTHOR = {
    HealthForm.LAE265: AuthorRole.GP,
    HealthForm.LAE145: AuthorRole.GP,
    HealthForm.LAE275: AuthorRole.CLINICAL,
    HealthForm.ADVICE: AuthorRole.HEALTH_COORDINATOR,
}

ORDNING_OUTCOME = {
    Ordning.FLEKSJOB: Outcome.FLEKSJOB,
    Ordning.FOERTIDSPENSION: Outcome.FOERTIDSPENSION,
    Ordning.JOBAFKLARING: Outcome.SYGEDAGPENGE,
    Ordning.ANDET: Outcome.OTHER,
}


def _sent_dates_errors(errors: dict, *, given_on: date | None, **sent: date | None) -> None:
    not_in_future(errors, **sent)
    for field, value in sent.items():
        if value and given_on and value < given_on:
            add_error(errors, field, _("Indstillingen kan ikke være sendt, før den blev givet."))


def _lock(forloeb: Forloeb) -> Forloeb:
    return Forloeb.objects.select_for_update().select_related("borger", "kommune").get(pk=forloeb.pk)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def period_end(start: date, years: int) -> date:
    """The last day of a period of whole years: 1.1.2026 + 2 years ends 31.12.2027."""
    return add_years(start, years) - dt.timedelta(days=1)


def reform_errors(forloeb: Forloeb, ordning: str, *, on: date, field: str = "ordning") -> dict:
    """The 2026 reform: no new ressourceforløb for cases begun after it took effect. The rule is
    `cases.rulepacks.new_forloeb_allowed` on the day the forberedende del began, whatever the day
    `on` of the indstilling or afgørelse (kept for the callers; the law of that day stops nothing more)."""
    if ordning == Ordning.RESSOURCEFORLOEB and not new_forloeb_allowed(forloeb.opened_on):
        pack = rulepack_on(forloeb.opened_on)
        return {
            field: [
                _("Nye ressourceforløb kan ikke bevilges efter %(date)s (%(basis)s).")
                % {"date": dates.short(pack.valid_from), "basis": pack.basis}
            ]
        }
    return {}


def age_on(forloeb: Forloeb, day: date) -> int:
    born = forloeb.borger.birth_date
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# --- Forberedende del ----------------------------------------------------------------------


@transaction.atomic
def preparatory_part_save(
    *, forloeb: Forloeb, data: dict, actor: User, edit_token: str | None = None
) -> PreparatoryPart:
    """`edit_token` is the form's (cases.concurrency): a save from a stale page is refused."""
    forloeb = _lock(forloeb)
    if forloeb.phase not in EDITABLE_PREPARATORY_PHASES:
        raise ValidationError(
            _("Den forberedende del kan kun ændres, indtil rehabiliteringsteamet har givet sin indstilling.")
        )
    errors: dict[str, list[str]] = {}
    not_in_future(
        errors, work_started_on=data.get("work_started_on"), signed_by_borger_on=data.get("signed_by_borger_on")
    )
    for field in ("work_started_on", "signed_by_borger_on"):
        value = data.get(field)
        if value and value < forloeb.opened_on - dt.timedelta(days=366):
            add_error(errors, field, _("Datoen ligger mere end et år før sagen blev oprettet."))
    started, signed = data.get("work_started_on"), data.get("signed_by_borger_on")
    if started and signed and signed < started:
        add_error(errors, "signed_by_borger_on", _("Borgeren kan ikke have underskrevet, før arbejdet blev påbegyndt."))
    raise_if(errors)
    fields = {f.name for f in PreparatoryPart._meta.get_fields() if f.concrete} - {"id", "forloeb", "updated_at"}
    part, _created = PreparatoryPart.objects.get_or_create(forloeb=forloeb)  # every writer locks the forløb first
    check_unchanged(part, edit_token)
    for name, value in data.items():
        if name in fields:
            setattr(part, name, value if value is not None else ("" if isinstance(getattr(part, name), str) else None))
    part.full_clean()
    part.save()
    case_services.forloeb_changed(forloeb_id=forloeb.pk)
    return part


# --- Goals -----------------------------------------------------------------------------------


def goal_errors(*, kind: str, description: str, occupation: Occupation | None, education: str) -> dict:
    errors: dict[str, list[str]] = {}
    if kind not in GoalKind.values:
        add_error(errors, "kind", _("Vælg om målet er et job- eller uddannelsesmål."))
    if not (description or "").strip():
        add_error(errors, "description", _("Beskriv målet."))
    if kind == GoalKind.JOB and education:
        add_error(errors, "education", _("Et jobmål har ingen uddannelse; opret et uddannelsesmål i stedet."))
    if kind == GoalKind.EDUCATION and occupation:
        add_error(errors, "occupation", _("Et uddannelsesmål har ingen stilling; opret et jobmål i stedet."))
    return errors


@transaction.atomic
def goal_add(
    *,
    forloeb: Forloeb,
    document,
    document_kind: str,
    kind: str,
    description: str,
    actor: User,
    occupation: Occupation | None = None,
    education: str = "",
    set_with_borger: bool = True,
) -> Goal:
    if document_kind == DocumentKind.FORBEREDENDE_DEL and _lock(forloeb).phase not in EDITABLE_PREPARATORY_PHASES:
        raise ValidationError(
            _("Den forberedende del kan kun ændres, indtil rehabiliteringsteamet har givet sin indstilling.")
        )
    raise_if(goal_errors(kind=kind, description=description, occupation=occupation, education=education))
    case_services.forloeb_changed(forloeb_id=forloeb.pk)
    return Goal.objects.create(
        forloeb=forloeb,
        document=document,
        document_kind=document_kind,
        kind=kind,
        description=description.strip(),
        occupation=occupation,
        education=(education or "").strip(),
        set_with_borger=set_with_borger,
    )


@transaction.atomic
def goal_remove(*, goal: Goal, actor: User) -> None:
    if (
        goal.document_kind == DocumentKind.FORBEREDENDE_DEL
        and _lock(goal.forloeb).phase not in EDITABLE_PREPARATORY_PHASES
    ):
        raise ValidationError(
            _("Den forberedende del kan kun ændres, indtil rehabiliteringsteamet har givet sin indstilling.")
        )
    case_services.forloeb_changed(forloeb_id=goal.forloeb_id)
    goal.delete()


# --- Health documents ------------------------------------------------------------------------


def health_document_errors(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    form, author = data.get("form"), data.get("author_role")
    if form in CERTIFICATE_FORMS and author == AuthorRole.MUNICIPAL_MEDICAL_ADVISER:
        add_error(
            errors,
            "author_role",
            _(
                "En kommunal lægekonsulent må ikke udarbejde lægeattester. Attester rekvireres hos den praktiserende "
                "læge eller som speciallægeattest via sundhedskoordinatoren og klinisk funktion."
            ),
        )
    elif form in EXPECTED_AUTHOR and author != EXPECTED_AUTHOR[form]:
        add_error(
            errors,
            "author_role",
            _("%(form)s udarbejdes af: %(author)s.")
            % {"form": HealthForm(form).label, "author": AuthorRole(EXPECTED_AUTHOR[form]).label},
        )
    if form == HealthForm.LAE261 and not (data.get("focus_question") or "").strip():
        add_error(errors, "focus_question", _("En LÆ 261 skal have et konkret fokusspørgsmål til lægen."))
    requested, received = data.get("requested_on"), data.get("received_on")
    not_in_future(errors, requested_on=requested, received_on=received)
    if requested and received and received < requested:
        add_error(errors, "received_on", _("Dokumentet kan ikke være modtaget, før det blev rekvireret."))
    if not requested and not received:
        add_error(errors, "requested_on", _("Angiv hvornår dokumentet blev rekvireret eller modtaget."))
    return errors


HEALTH_FIELDS = HealthDocument.INPUT_FIELDS


@transaction.atomic
def health_document_add(*, forloeb: Forloeb, data: dict, actor: User) -> HealthDocument:
    forloeb = _lock(forloeb)
    if forloeb.phase == Phase.AFSLUTTET:
        raise ValidationError(_("Forløbet er afsluttet."))
    raise_if(health_document_errors(data))
    doc = HealthDocument(forloeb=forloeb, **{k: data[k] for k in HEALTH_FIELDS if data.get(k) is not None})
    doc.full_clean()
    doc.save()
    return doc


@transaction.atomic
def health_document_mark_received(*, document: HealthDocument, received_on: date, summary: str, actor: User) -> None:
    """Set once (cases.concurrency.refuse_overwrite): a second POST, e.g. from a stale page, may
    add a missing summary but never replaces or clears the date or summary already registered."""
    document = HealthDocument.objects.select_for_update().get(pk=document.pk)
    data = {f: getattr(document, f) for f in HEALTH_FIELDS} | {"received_on": received_on, "summary": summary}
    raise_if(health_document_errors(data))
    writes = refuse_overwrite(document, received_on=received_on, summary=(summary or "").strip())
    for name, value in writes.items():
        setattr(document, name, value)
    document.save(update_fields=list(writes))


# --- Meetings --------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(*, rehab_team: RehabTeam, starts_at: dt.datetime, place: str, actor: User) -> TeamMeeting:
    if not actor.is_superuser and rehab_team.kommune_id != actor.kommune_id:
        raise ValidationError(
            {"rehab_team": [_("Du kan kun planlægge møder for din egen kommunes rehabiliteringsteam.")]}
        )
    if not (place or "").strip():
        raise ValidationError({"place": [_("Angiv hvor mødet holdes.")]})
    return TeamMeeting.objects.create(rehab_team=rehab_team, starts_at=starts_at, place=place.strip())


@transaction.atomic
def agenda_add(
    *, meeting: TeamMeeting, forloeb: Forloeb, slot_start: dt.time, actor: User, slot_minutes: int = 30
) -> AgendaItem:
    forloeb = _lock(forloeb)
    errors: dict[str, list[str]] = {}
    if forloeb.phase != Phase.REHABILITERINGSTEAM:
        add_error(
            errors, "__all__", _("Forløbet skal være sendt til rehabiliteringsteamet, før det kan sættes på et møde.")
        )
    if meeting.rehab_team.kommune_id != forloeb.kommune_id:
        add_error(errors, "meeting", _("Mødet hører til et rehabiliteringsteam i en anden kommune."))
    if AgendaItem.objects.filter(meeting=meeting, forloeb=forloeb).exists():
        add_error(errors, "meeting", _("Forløbet står allerede på dette møde."))
    meeting_start = timezone.localtime(meeting.starts_at).time()
    if slot_start < meeting_start:
        add_error(errors, "slot_start", _("Mødet begynder kl. %(time)s.") % {"time": meeting_start.strftime("%H:%M")})

    def minutes(t: dt.time) -> int:
        return t.hour * 60 + t.minute

    start, end = minutes(slot_start), minutes(slot_start) + slot_minutes
    for other in AgendaItem.objects.filter(meeting=meeting).only("slot_start", "slot_minutes"):
        other_start = minutes(other.slot_start)
        if start < other_start + other.slot_minutes and other_start < end:
            add_error(
                errors,
                "slot_start",
                _("Tidspunktet overlapper et andet punkt på mødet (kl. %(time)s).")
                % {"time": other.slot_start.strftime("%H:%M")},
            )
            break
    if not 10 <= slot_minutes <= 180:
        add_error(errors, "slot_minutes", _("Varigheden skal være mellem 10 og 180 minutter."))
    raise_if(errors)
    case_services.forloeb_changed(forloeb_id=forloeb.pk)
    return AgendaItem.objects.create(meeting=meeting, forloeb=forloeb, slot_start=slot_start, slot_minutes=slot_minutes)


@transaction.atomic
def attendance_record(
    *,
    agenda_item: AgendaItem,
    sectors_present: list[str],
    borger_present: bool | None,
    relative_present: bool | None,
    bisidder_present: bool | None,
    actor: User,
    edit_token: str | None = None,
) -> None:
    """`edit_token` is the form's (cases.concurrency): a save from a stale page is refused."""
    agenda_item = AgendaItem.objects.select_for_update().select_related("meeting").get(pk=agenda_item.pk)
    if agenda_item.meeting.starts_at > clock.now():
        raise ValidationError(_("Fremmøde kan først registreres, når mødet er begyndt."))
    check_unchanged(agenda_item, edit_token)
    agenda_item.sectors_present = sorted(set(sectors_present))
    agenda_item.borger_present = borger_present
    agenda_item.relative_present = relative_present
    agenda_item.bisidder_present = bisidder_present
    agenda_item.save(update_fields=["sectors_present", "borger_present", "relative_present", "bisidder_present"])


# --- Indstilling -----------------------------------------------------------------------------


def duration_errors(ordning: str, duration_years: int | None, *, on: date, field: str = "duration_years") -> dict:
    errors: dict[str, list[str]] = {}
    pack = rulepack_on(on)
    if ordning == Ordning.RESSOURCEFORLOEB:
        if duration_years is None:
            add_error(errors, field, _("Angiv ressourceforløbets varighed i år."))
        elif not pack.min_duration_years <= duration_years <= pack.max_duration_years:
            add_error(
                errors,
                field,
                _("Et ressourceforløb skal vare %(min)s-%(max)s år efter reglerne den %(date)s (%(basis)s).")
                % {
                    "min": pack.min_duration_years,
                    "max": pack.max_duration_years,
                    "date": dates.short(on),
                    "basis": pack.basis,
                },
            )
    elif duration_years is not None:
        add_error(errors, field, _("Varighed angives kun for et ressourceforløb."))
    return errors


@transaction.atomic
def recommendation_record(
    *,
    forloeb: Forloeb,
    agenda_item: AgendaItem | None,
    given_on: date,
    ordning: str,
    actor: User,
    duration_years: int | None = None,
    justification: str = "",
    hensyn: list[str] = (),
    followup_assessment: str = "",
    followup_extra_needed: bool = False,
    borger_perspective: str = "",
    sent_to_borger_on: date | None = None,
    sent_to_gp_on: date | None = None,
    goals: list[dict] = (),
    interventions: list[dict] = (),
) -> Recommendation:
    """Record the team's indstilling and move the forløb to `indstilling`."""
    forloeb = _lock(forloeb)
    errors: dict[str, list[str]] = {}
    if forloeb.phase != Phase.REHABILITERINGSTEAM:
        add_error(
            errors, "__all__", _("Indstillingen kan kun registreres, mens forløbet afventer rehabiliteringsteamet.")
        )
    if agenda_item is None:
        add_error(errors, "agenda_item", _("Vælg det møde, hvor forløbet blev behandlet."))
    elif agenda_item.forloeb_id != forloeb.pk:
        add_error(errors, "agenda_item", _("Mødepunktet hører til et andet forløb."))
    elif given_on and given_on < timezone.localdate(agenda_item.meeting.starts_at):
        add_error(errors, "given_on", _("Indstillingen kan ikke være givet før mødet."))
    not_in_future(errors, given_on=given_on)
    before_rules = rulepack_errors(given_on, field="given_on")
    for k, v in before_rules.items():
        errors.setdefault(k, []).extend(v)
    if given_on and not before_rules:
        for k, v in (
            duration_errors(ordning, duration_years, on=given_on) | reform_errors(forloeb, ordning, on=given_on)
        ).items():
            errors.setdefault(k, []).extend(v)
    if ordning in (Ordning.FLEKSJOB, Ordning.FOERTIDSPENSION) and not justification.strip():
        add_error(
            errors,
            "justification",
            _("En indstilling om fleksjob eller førtidspension skal have en faglig begrundelse."),
        )
    _sent_dates_errors(errors, given_on=given_on, sent_to_borger_on=sent_to_borger_on, sent_to_gp_on=sent_to_gp_on)
    for i, goal in enumerate(goals, start=1):
        for k, v in goal_errors(
            kind=goal.get("kind"),
            description=goal.get("description", ""),
            occupation=goal.get("occupation"),
            education=goal.get("education", ""),
        ).items():
            errors.setdefault(f"goal-{i}-{k}", []).extend(v)
    for i, item in enumerate(interventions, start=1):
        if item.get("within_months") and item.get("planned_by"):
            add_error(errors, f"intervention-{i}", _("Angiv enten “inden for måneder” eller en dato, ikke begge."))
    raise_if(errors)

    recommendation = Recommendation.objects.create(
        forloeb=forloeb,
        agenda_item=agenda_item,
        given_on=given_on,
        ordning=ordning,
        duration_years=duration_years,
        justification=justification.strip(),
        hensyn=sorted(set(hensyn)),
        followup_assessment=followup_assessment.strip(),
        followup_extra_needed=followup_extra_needed,
        borger_perspective=borger_perspective.strip(),
        sent_to_borger_on=sent_to_borger_on,
        sent_to_gp_on=sent_to_gp_on,
        recorded_by=actor,
    )
    for goal in goals:
        goal_add(forloeb=forloeb, document=recommendation, document_kind=DocumentKind.INDSTILLING, actor=actor, **goal)
    RecommendedIntervention.objects.bulk_create(
        RecommendedIntervention(recommendation=recommendation, **item) for item in interventions
    )
    case_services.forloeb_transition(
        forloeb_id=forloeb.pk, transition="give_indstilling", actor=actor, expected_phase=forloeb.phase
    )
    case_services.forloeb_changed(forloeb_id=forloeb.pk)
    return recommendation


@transaction.atomic
def recommendation_mark_sent(
    *, recommendation: Recommendation, sent_to_borger_on: date | None, sent_to_gp_on: date | None, actor: User
) -> None:
    """The dates are set once (cases.concurrency.refuse_overwrite): an empty date keeps the one
    registered, so a second POST from a stale page adds what is missing and never clears."""
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    errors: dict[str, list[str]] = {}
    _sent_dates_errors(
        errors, given_on=recommendation.given_on, sent_to_borger_on=sent_to_borger_on, sent_to_gp_on=sent_to_gp_on
    )
    raise_if(errors)
    writes = refuse_overwrite(recommendation, sent_to_borger_on=sent_to_borger_on, sent_to_gp_on=sent_to_gp_on)
    for name, value in writes.items():
        setattr(recommendation, name, value)
    recommendation.save(update_fields=list(writes))
    case_services.forloeb_changed(forloeb_id=recommendation.forloeb_id)


# --- Afgørelse -------------------------------------------------------------------------------


def _had_ressourceforloeb_before(forloeb: Forloeb) -> bool:
    return forloeb.borger.forloeb.exclude(pk=forloeb.pk).filter(start_date__isnull=False).exists()


@transaction.atomic
def decision_record(
    *,
    forloeb: Forloeb,
    decided_on: date,
    ordning: str,
    actor: User,
    duration_years: int | None = None,
    deviation_reason: str = "",
    benefit_start_on: date | None = None,
    without_team_ground: str = "",
    without_team_documentation: str = "",
    only_employment_interventions: bool = False,
    borger_consent_on: date | None = None,
) -> Decision:
    """Record the kommune's afgørelse and move the forløb on: to `indsatsdel` after a
    ressourceforløb, to `afsluttet` (with the matching outcome) after any other ordning."""
    forloeb = _lock(forloeb)
    today = clock.today()
    errors: dict[str, list[str]] = {}
    recommendation = None

    if without_team_ground:
        if forloeb.phase != Phase.FORBEREDENDE_DEL:
            add_error(
                errors,
                "without_team_ground",
                _("En afgørelse uden rehabiliteringsteamet træffes i den forberedende del."),
            )
        if not without_team_documentation.strip():
            add_error(errors, "without_team_documentation", _("Beskriv dokumentationen for, at undtagelsen gælder."))
        if without_team_ground == WithoutTeamGround.FRIKOMMUNE:
            if ordning != Ordning.RESSOURCEFORLOEB:
                add_error(errors, "ordning", _("Frikommuneundtagelsen gælder kun bevilling af et ressourceforløb."))
            if not only_employment_interventions:
                add_error(
                    errors,
                    "only_employment_interventions",
                    _("Undtagelsen gælder kun, når der alene planlægges beskæftigelsesrettede indsatser."),
                )
        if without_team_ground == WithoutTeamGround.OBVIOUS_FP and ordning != Ordning.FOERTIDSPENSION:
            add_error(errors, "ordning", _("Undtagelsen for åbenbare sager gælder kun førtidspension."))
    else:
        if forloeb.phase != Phase.INDSTILLING:
            add_error(errors, "__all__", _("Afgørelsen træffes, når rehabiliteringsteamet har givet sin indstilling."))
        recommendation = forloeb.recommendations.filter(decision__isnull=True).order_by("-given_on", "-id").first()
        if recommendation is None:
            add_error(errors, "__all__", _("Der er ingen indstilling at træffe afgørelse på."))

    if decided_on > today:
        add_error(errors, "decided_on", _("Afgørelsesdatoen kan ikke ligge i fremtiden."))
    if recommendation and decided_on < recommendation.given_on:
        add_error(errors, "decided_on", _("Afgørelsen kan ikke være truffet før indstillingen."))
    if decided_on < forloeb.opened_on:
        add_error(errors, "decided_on", _("Afgørelsen kan ikke være truffet, før sagen blev oprettet."))
    before_rules = rulepack_errors(decided_on, field="decided_on")
    for k, v in before_rules.items():
        errors.setdefault(k, []).extend(v)

    follows = None
    if recommendation is not None:
        follows = recommendation.ordning == ordning and recommendation.duration_years == duration_years
        if not follows and not deviation_reason.strip():
            add_error(
                errors,
                "deviation_reason",
                _("Afgørelsen følger ikke indstillingen (%(ordning)s%(years)s). Skriv begrundelsen.")
                % {
                    "ordning": recommendation.get_ordning_display(),
                    "years": f", {recommendation.duration_years} år" if recommendation.duration_years else "",
                },
            )

    if ordning == Ordning.RESSOURCEFORLOEB and before_rules:
        raise_if(errors)
    if ordning == Ordning.RESSOURCEFORLOEB:
        pack = rulepack_on(decided_on)
        for k, v in duration_errors(ordning, duration_years, on=decided_on).items():
            errors.setdefault(k, []).extend(v)
        if benefit_start_on is None:
            add_error(errors, "benefit_start_on", _("Angiv hvornår ressourceforløbsydelsen starter."))
        elif benefit_start_on < forloeb.opened_on:
            add_error(errors, "benefit_start_on", _("Ydelsen kan ikke starte, før sagen blev oprettet."))
        for k, v in reform_errors(forloeb, ordning, on=decided_on).items():
            errors.setdefault(k, []).extend(v)
        if (
            age_on(forloeb, decided_on) >= pack.repeat_consent_age
            and _had_ressourceforloeb_before(forloeb)
            and borger_consent_on is None
        ):
            add_error(
                errors,
                "borger_consent_on",
                _(
                    "Borgeren er fyldt %(age)s år og har haft et ressourceforløb før. Et nyt ressourceforløb kan kun "
                    "bevilges, hvis borgeren selv ønsker det: registrér datoen for borgerens tilkendegivelse."
                )
                % {"age": pack.repeat_consent_age},
            )
    elif benefit_start_on is not None:
        add_error(errors, "benefit_start_on", _("Ressourceforløbsydelse gælder kun et ressourceforløb."))
    not_in_future(errors, borger_consent_on=borger_consent_on)
    raise_if(errors)

    decision = Decision.objects.create(
        forloeb=forloeb,
        recommendation=recommendation,
        decided_on=decided_on,
        ordning=ordning,
        duration_years=duration_years,
        follows_recommendation=follows,
        deviation_reason=deviation_reason.strip(),
        benefit_start_on=benefit_start_on,
        without_team_ground=without_team_ground,
        without_team_documentation=without_team_documentation.strip(),
        borger_consent_on=borger_consent_on,
        decided_by=actor,
    )
    if ordning == Ordning.RESSOURCEFORLOEB:
        case_services.forloeb_transition(
            forloeb_id=forloeb.pk,
            transition="grant_without_team" if without_team_ground else "grant",
            actor=actor,
            expected_phase=forloeb.phase,
            start_date=benefit_start_on,
            planned_end_date=period_end(benefit_start_on, duration_years),
            reason=_("Afgørelse %(date)s") % {"date": dates.short(decided_on)},
        )
    else:
        case_services.forloeb_transition(
            forloeb_id=forloeb.pk,
            transition="close",
            actor=actor,
            expected_phase=forloeb.phase,
            outcome=ORDNING_OUTCOME[ordning],
            closed_on=decided_on,
            reason=_("Afgørelse: %(ordning)s") % {"ordning": Ordning(ordning).label},
        )
    case_services.forloeb_changed(forloeb_id=decision.forloeb_id)
    return decision
