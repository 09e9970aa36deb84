"""Every write of outcomes: the forsørgelsesstatus at the two follow-up points after the end, the
result of the forløb (work, fleksjob, revalidering, førtidspension) and the sanctions.

Each function checks that the actor may change the forløb, locks the forløb's row (so two people
recording at once are taken one at a time), validates everything before it writes and raises
ValidationError with Danish messages keyed by field. A correction of an existing record carries the
edit token of the form it came from (cases.concurrency): a save from a stale page is refused.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cases import clock, dates
from cases import services as case_services
from cases.concurrency import check_unchanged
from cases.models import Forloeb, User
from cases.validation import Errors, add_error, not_in_future, raise_if
from outcomes.models import (
    RESULT_FACT_FIELDS,
    BonusStatus,
    ExitStatus,
    ExitStatusCode,
    FollowUpPoint,
    ForloebResult,
    HoursSource,
    RevalideringType,
    Sanction,
    SanctionReason,
    SanctionType,
)
from outcomes.selectors import results_for
from plans.models import validate_cvr

MAX_HOURS = Decimal(37)  # a full week's work
# The exit statuses in which the borger works, and so may have weekly hours.
WORKING_CODES = (ExitStatusCode.ORD_BESK, ExitStatusCode.FLEKSJOB)

EXIT_STATUS_FIELDS = ("code", "job_hours_per_week", "hours_source", "note")
RESULT_EDIT_FIELDS = RESULT_FACT_FIELDS
SANCTION_FIELDS = ("imposed_on", "kind", "reason", "note")


def _lock(forloeb: Forloeb, actor: User) -> Forloeb:
    if not actor.has_perm("outcomes.edit", forloeb):
        raise PermissionDenied(_("Du har ikke adgang til at registrere resultater i dette forløb."))
    return Forloeb.objects.select_for_update().get(pk=forloeb.pk)


def _hours_errors(errors: Errors, **hours: Decimal | None) -> None:
    for field, value in hours.items():
        if value is None:
            continue
        if not Decimal(0) <= value <= MAX_HOURS:
            add_error(errors, field, _("Angiv timer om ugen mellem 0 og 37."))
        elif value != value.quantize(Decimal("0.1")):
            add_error(errors, field, _("Angiv timerne med højst én decimal, fx 12,5."))


def _dates_errors(errors: Errors, forloeb: Forloeb, **days: dt.date | None) -> None:
    """A recorded fact has happened: not in the future, and not before the forløb was opened."""
    not_in_future(errors, **days)
    for field, value in days.items():
        if value and value < forloeb.opened_on:
            add_error(
                errors,
                field,
                _("Datoen ligger før forløbet blev oprettet (%(date)s).") % {"date": dates.short(forloeb.opened_on)},
            )


def _text(value: str | None) -> str:
    return (value or "").strip()


# --- Forsørgelsesstatus after the end ------------------------------------------------------------


def exit_status_errors(
    *, forloeb: Forloeb, point: str, code: str, job_hours_per_week: Decimal | None, hours_source: str, today: dt.date
) -> Errors:
    errors: Errors = {}
    if point not in FollowUpPoint.values:
        add_error(errors, "__all__", _("Ukendt tidspunkt for opfølgningen."))
        return errors
    if forloeb.closed_on is None:
        add_error(
            errors,
            "__all__",
            _("Forløbet er ikke afsluttet. Forsørgelsesstatus registreres 1 måned og 13 uger efter afslutningen."),
        )
        return errors
    due = FollowUpPoint(point).due_on(forloeb.closed_on)
    if today < due:
        add_error(
            errors,
            "__all__",
            _("Forsørgelsesstatus %(point)s kan registreres fra %(date)s.")
            % {"point": FollowUpPoint(point).label, "date": dates.text(due)},
        )
    if code not in ExitStatusCode.values:
        add_error(errors, "code", _("Vælg borgerens forsørgelsesstatus."))
    _hours_errors(errors, job_hours_per_week=job_hours_per_week)
    if code == ExitStatusCode.ORD_BESK and job_hours_per_week is None:
        add_error(errors, "job_hours_per_week", _("Angiv hvor mange timer om ugen borgeren arbejder."))
    if job_hours_per_week is not None and code in ExitStatusCode.values and code not in WORKING_CODES:
        add_error(
            errors,
            "job_hours_per_week",
            _("Timer i job hører kun til ordinær beskæftigelse og fleksjob; lad feltet stå tomt."),
        )
    if hours_source and hours_source not in HoursSource.values:
        add_error(errors, "hours_source", _("Vælg en af kilderne."))
    if job_hours_per_week is not None and not hours_source:
        add_error(errors, "hours_source", _("Angiv hvor timetallet kommer fra."))
    if hours_source and job_hours_per_week is None:
        add_error(errors, "hours_source", _("Der er ingen timer at angive en kilde til."))
    return errors


@transaction.atomic
def exit_status_record(
    *,
    forloeb: Forloeb,
    point: str,
    code: str,
    job_hours_per_week: Decimal | None = None,
    hours_source: str = "",
    note: str = "",
    actor: User,
    edit_token: str | None = None,
) -> ExitStatus:
    """Record the borger's forsørgelsesstatus at `point` ("1m" or "13u") after the end, or correct
    the one recorded. It can be recorded from the point's due day (one month or 13 weeks after the
    forløb was closed), when the status is what it is to be measured at. `edit_token` is the form's:
    it was made from the status as the page showed it (or from none), so a status someone else
    recorded or corrected since is not overwritten."""
    forloeb = _lock(forloeb, actor)
    status = ExitStatus.objects.filter(forloeb=forloeb, point=point).first() or ExitStatus(forloeb=forloeb, point=point)
    check_unchanged(status, edit_token)
    hours_source = hours_source or ""
    raise_if(
        exit_status_errors(
            forloeb=forloeb,
            point=point,
            code=code,
            job_hours_per_week=job_hours_per_week,
            hours_source=hours_source,
            today=clock.today(),
        )
    )
    status.code = code
    status.job_hours_per_week = job_hours_per_week
    status.hours_source = hours_source
    status.note = _text(note)
    status.recorded_by = actor
    status.recorded_at = clock.now()
    status.full_clean(exclude=["forloeb", "recorded_by"])
    status.save()
    case_services.forloeb_changed(forloeb_id=forloeb.pk)
    return status


# --- The result: work, fleksjob, revalidering, førtidspension ------------------------------------


def result_errors(*, forloeb: Forloeb, values: dict, effective) -> Errors:
    """`values`: the result as it would be saved; `effective`: outcomes.selectors.Result of the
    forløb (a visitation or an indstilling recorded by the rehabiliteringsteam counts too)."""
    v = values
    errors: Errors = {}
    _dates_errors(
        errors,
        forloeb,
        **{name: v[name] for name in RESULT_EDIT_FIELDS if isinstance(v[name], dt.date)},
    )
    _hours_errors(
        errors,
        job_hours_per_week=v["job_hours_per_week"],
        fleksjob_expected_hours=v["fleksjob_expected_hours"],
        fleksjob_hours_per_week=v["fleksjob_hours_per_week"],
    )
    # Ordinary work (BEU 244 question 3): the hours with their source.
    if v["hours_source"] and v["hours_source"] not in HoursSource.values:
        add_error(errors, "hours_source", _("Vælg en af kilderne."))
    if v["job_hours_per_week"] is not None and not v["ordinary_job_from"]:
        add_error(errors, "ordinary_job_from", _("Angiv hvornår borgeren begyndte i jobbet."))
    if v["job_hours_per_week"] is not None and not v["hours_source"]:
        add_error(errors, "hours_source", _("Angiv hvor timetallet kommer fra."))
    if v["hours_source"] and v["job_hours_per_week"] is None:
        add_error(errors, "hours_source", _("Der er ingen timer at angive en kilde til."))
    # Fleksjob (questions 4-6): visitation, employment, bonus, each with its date.
    visiteret = v["fleksjob_visiteret_on"] or effective.fleksjob_visiteret_on
    if v["fleksjob_expected_hours"] is not None and not visiteret:
        add_error(errors, "fleksjob_visiteret_on", _("Angiv hvornår borgeren blev visiteret til fleksjob."))
    employed = v["fleksjob_employed_on"]
    if employed and not visiteret:
        add_error(errors, "fleksjob_visiteret_on", _("Et fleksjob forudsætter en visitation: angiv datoen for den."))
    if employed and visiteret and employed < visiteret:
        add_error(errors, "fleksjob_employed_on", _("Ansættelsen i fleksjob kan ikke ligge før visitationen."))
    for name, message in (
        ("fleksjob_hours_per_week", _("Timer i fleksjob hører til en ansættelse: angiv hvornår den begyndte.")),
        ("fleksjob_employer_cvr", _("Arbejdsgiveren hører til en ansættelse: angiv hvornår den begyndte.")),
    ):
        if v[name] not in (None, "") and not employed:
            add_error(errors, "fleksjob_employed_on", message)
    if v["fleksjob_employer_cvr"]:
        try:
            validate_cvr(v["fleksjob_employer_cvr"])
        except ValidationError as exc:
            for message in exc.messages:
                add_error(errors, "fleksjob_employer_cvr", message)
    bonus = v["fleksjob_bonus_status"] or BonusStatus.NONE
    preapproved, paid = v["fleksjob_bonus_preapproved_on"], v["fleksjob_bonus_paid_on"]
    if bonus not in BonusStatus.values:
        add_error(errors, "fleksjob_bonus_status", _("Vælg en af mulighederne."))
    elif bonus == BonusStatus.NONE:
        if preapproved:
            add_error(errors, "fleksjob_bonus_preapproved_on", _("Der er ingen bonus; vælg status eller fjern datoen."))
        if paid:
            add_error(errors, "fleksjob_bonus_paid_on", _("Der er ingen bonus; vælg status eller fjern datoen."))
    else:
        if not employed:
            add_error(errors, "fleksjob_bonus_status", _("Fleksjobbonus forudsætter en ansættelse i fleksjob."))
        if bonus == BonusStatus.PREAPPROVED:
            if not preapproved:
                add_error(errors, "fleksjob_bonus_preapproved_on", _("Angiv hvornår bonussen blev forhåndsgodkendt."))
            if paid:
                add_error(
                    errors,
                    "fleksjob_bonus_paid_on",
                    _("Bonussen er kun forhåndsgodkendt; vælg status “Udløst”, hvis den er udløst."),
                )
        if bonus == BonusStatus.PAID:
            if not paid:
                add_error(errors, "fleksjob_bonus_paid_on", _("Angiv hvornår bonussen blev udløst."))
            elif preapproved and paid < preapproved:
                add_error(
                    errors, "fleksjob_bonus_paid_on", _("Bonussen kan ikke være udløst, før den blev forhåndsgodkendt.")
                )
            elif employed and paid < employed:
                add_error(errors, "fleksjob_bonus_paid_on", _("Bonussen kan ikke være udløst før ansættelsen."))
    # Revalidering (question 7): the kind and its start together.
    if v["revalidering_type"] and v["revalidering_type"] not in RevalideringType.values:
        add_error(errors, "revalidering_type", _("Vælg revalidering eller forrevalidering."))
    if v["revalidering_type"] and not v["revalidering_from"]:
        add_error(errors, "revalidering_from", _("Angiv hvornår revalideringen begyndte."))
    if v["revalidering_from"] and not v["revalidering_type"]:
        add_error(errors, "revalidering_type", _("Vælg revalidering eller forrevalidering."))
    # Førtidspension (questions 8-9): indstillet and tilkendt kept apart.
    indstillet = v["fp_indstillet_on"] or effective.fp_indstillet_on
    if v["fp_tilkendt_on"] and indstillet and v["fp_tilkendt_on"] < indstillet:
        add_error(
            errors, "fp_tilkendt_on", _("Førtidspensionen kan ikke være tilkendt, før der blev indstillet til den.")
        )
    if v["fp_decision_ref"] and not v["fp_tilkendt_on"]:
        add_error(errors, "fp_tilkendt_on", _("Angiv hvornår førtidspensionen blev tilkendt."))
    return errors


@transaction.atomic
def result_update(*, forloeb: Forloeb, actor: User, edit_token: str | None = None, **fields) -> ForloebResult:
    """Record or correct the result of the forløb (one record per forløb, made on the first save).
    The fields not given keep what is stored. `edit_token` is the form's (cases.concurrency)."""
    unknown = set(fields) - set(RESULT_EDIT_FIELDS)
    if unknown:
        raise TypeError(f"result_update() got unknown fields: {sorted(unknown)}")
    forloeb = _lock(forloeb, actor)
    result = ForloebResult.objects.filter(forloeb=forloeb).first() or ForloebResult(forloeb=forloeb)
    check_unchanged(result, edit_token)
    values = {name: getattr(result, name) for name in RESULT_EDIT_FIELDS}
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        if value is None and isinstance(values[name], str):
            value = ""
        values[name] = value
    values["fleksjob_bonus_status"] = values["fleksjob_bonus_status"] or BonusStatus.NONE
    values["fp_held_before"] = bool(values["fp_held_before"])
    effective = results_for([forloeb.pk])[forloeb.pk]
    raise_if(result_errors(forloeb=forloeb, values=values, effective=effective))
    for name, value in values.items():
        setattr(result, name, value)
    result.updated_by = actor
    result.updated_at = clock.now()
    result.full_clean(exclude=["forloeb", "updated_by"])
    result.save()
    case_services.forloeb_changed(forloeb_id=forloeb.pk)
    return result


# --- Sanctions ----------------------------------------------------------------------------------


def sanction_errors(*, forloeb: Forloeb, imposed_on: dt.date | None, kind: str, reason: str) -> Errors:
    errors: Errors = {}
    if imposed_on is None:
        add_error(errors, "imposed_on", _("Angiv datoen for sanktionen."))
    else:
        _dates_errors(errors, forloeb, imposed_on=imposed_on)  # after the end too: a sanction may follow it
    if kind not in SanctionType.values:
        add_error(errors, "kind", _("Vælg sanktionens type."))
    if reason not in SanctionReason.values:
        add_error(errors, "reason", _("Vælg om borgeren ikke har medvirket eller ikke har gennemført."))
    return errors


@transaction.atomic
def sanction_add(
    *, forloeb: Forloeb, imposed_on: dt.date | None, kind: str, reason: str, note: str = "", actor: User
) -> Sanction:
    """A sanction imposed during the forløb for not taking part in or not completing it (BEU 244
    question 11)."""
    forloeb = _lock(forloeb, actor)
    raise_if(sanction_errors(forloeb=forloeb, imposed_on=imposed_on, kind=kind, reason=reason))
    sanction = Sanction(
        forloeb=forloeb,
        imposed_on=imposed_on,
        kind=kind,
        reason=reason,
        note=_text(note),
        recorded_by=actor,
        recorded_at=clock.now(),
    )
    sanction.full_clean(exclude=["forloeb", "recorded_by"])
    sanction.save()
    case_services.forloeb_changed(forloeb_id=forloeb.pk)
    return sanction


@transaction.atomic
def sanction_update(
    *,
    sanction: Sanction,
    imposed_on: dt.date | None,
    kind: str,
    reason: str,
    note: str = "",
    actor: User,
    edit_token: str | None = None,
) -> Sanction:
    """Correct a recorded sanction. `edit_token` is the form's (cases.concurrency)."""
    forloeb = _lock(sanction.forloeb, actor)
    sanction = Sanction.objects.select_for_update().get(pk=sanction.pk)
    check_unchanged(sanction, edit_token)
    raise_if(sanction_errors(forloeb=forloeb, imposed_on=imposed_on, kind=kind, reason=reason))
    sanction.imposed_on, sanction.kind, sanction.reason, sanction.note = imposed_on, kind, reason, _text(note)
    sanction.recorded_by = actor
    sanction.recorded_at = clock.now()
    sanction.full_clean(exclude=["forloeb", "recorded_by"])
    sanction.save()
    case_services.forloeb_changed(forloeb_id=forloeb.pk)
    return sanction
