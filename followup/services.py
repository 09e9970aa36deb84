"""Every write of `followup`: registering opfølgningssamtaler, acknowledging flags, and the
evaluation that raises and resolves flags.

The evaluation is set-based: one SQL statement per rule covers every forløb (or the few just
changed), raises what is newly true with `INSERT … ON CONFLICT DO NOTHING` against the partial
unique index of open flags, and resolves what is no longer true in the same statement. Running it
twice, or two runs at once, raises nothing twice.
"""

import datetime as dt
import logging
import time
import zlib
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import OperationalError, connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import clock, dates
from cases import services as case_services
from cases.models import CASE_ROLES, Forloeb, User
from cases.text import limit_of
from cases.validation import add_error, not_in_future, raise_if
from followup.models import (
    SNOOZE_MAX_DAYS,
    EvaluationRun,
    Flag,
    FlagSnooze,
    FollowUpMeeting,
    NoNextReason,
    RuleSettings,
    SamtaleChannel,
    SamtaleSetting,
)
from followup.rulepacks import RULES, Rule
from followup.rulepacks.base import TIER_GOOD_PRACTICE

log = logging.getLogger(__name__)

SAMTALE_FIELDS = (
    "held_on",
    "setting",
    "channel",
    "borger_attended",
    "status_on_interventions",
    "new_agreements",
    "mentor_need_assessed",
    "mentor_assessment",
    "borger_perspective",
    "next_on",
    "no_next_reason",
    "no_next_note",
)


# --- Opfølgningssamtaler ------------------------------------------------------------------------


def followup_errors(*, forloeb: Forloeb, data: dict, held_by: User | None) -> dict:
    errors: dict[str, list[str]] = {}
    held_on, next_on = data.get("held_on"), data.get("next_on")
    reason = data.get("no_next_reason") or ""
    if held_on is None:
        add_error(errors, "held_on", _("Angiv datoen for samtalen."))
    not_in_future(errors, held_on=held_on)
    if held_on and held_on < forloeb.opened_on:
        add_error(errors, "held_on", _("Samtalen kan ikke ligge før forløbet blev oprettet."))
    if held_on and forloeb.closed_on and held_on > forloeb.closed_on:
        add_error(errors, "held_on", _("Forløbet var afsluttet på den dato."))
    if data.get("borger_attended", True) and not (data.get("status_on_interventions") or "").strip():
        # Fokusrevision 3.10: a samtale the borger attended says how the borger's indsatser go.
        add_error(
            errors,
            "status_on_interventions",
            _(
                "Skriv status på borgerens deltagelse i indsatserne: en samtale, borgeren deltog i, skal "
                "sige hvordan indsatserne går. Udeblev borgeren, så fjern krydset i “Borgeren deltog”."
            ),
        )
    if data.get("setting") not in SamtaleSetting.values:
        add_error(errors, "setting", _("Vælg om samtalen var individuel eller i gruppe."))
    if data.get("channel") not in SamtaleChannel.values:
        add_error(errors, "channel", _("Vælg fremmøde, telefon eller video."))
    if next_on is None and not reason:
        add_error(
            errors,
            "next_on",
            _("Aftal datoen for næste samtale, eller vælg hvorfor der ikke aftales en (fx at forløbet afsluttes)."),
        )
    if next_on is not None and reason:
        add_error(errors, "no_next_reason", _("Der er aftalt en næste samtale; fjern årsagen eller datoen."))
    if reason and reason not in NoNextReason.values:
        add_error(errors, "no_next_reason", _("Vælg en af årsagerne."))
    if reason == NoNextReason.OTHER and not (data.get("no_next_note") or "").strip():
        add_error(errors, "no_next_note", _("Skriv hvorfor der ikke aftales en næste samtale."))
    if next_on and held_on and next_on <= held_on:
        add_error(errors, "next_on", _("Næste samtale skal ligge efter denne samtale."))
    if next_on and held_on and next_on > held_on + dt.timedelta(days=366):
        add_error(errors, "next_on", _("Næste samtale ligger mere end et år ude i fremtiden."))
    if held_by is None:
        add_error(errors, "held_by", _("Angiv hvem der holdt samtalen."))
    elif forloeb.team_id not in held_by.team_ids:
        add_error(errors, "held_by", _("Samtalen skal holdes af en medarbejder i forløbets team."))
    if data.get("revise_plan") and not (data.get("revision_reason") or "").strip():
        add_error(errors, "revision_reason", _("Skriv hvad der ændres i indsatsplanen."))
    return errors


@transaction.atomic
def followup_register(*, forloeb: Forloeb, data: dict, actor: User) -> FollowUpMeeting:
    """Register a held (or missed) opfølgningssamtale. A samtale needs a next date or a reason
    why there is none, and one the borger attended the status on the indsatser. With `revise_plan` it starts a revision of the indsatsplan in the same
    transaction, so the samtale and the new plan version stand or fall together."""
    if not actor.has_perm("followup.edit", forloeb):
        raise PermissionDenied(_("Du har ikke adgang til at registrere samtaler i dette forløb."))
    forloeb = Forloeb.objects.select_for_update().get(pk=forloeb.pk)
    held_by = data.get("held_by") or actor
    raise_if(followup_errors(forloeb=forloeb, data=data, held_by=held_by))
    held_at = None
    if data.get("held_time"):
        held_at = timezone.make_aware(dt.datetime.combine(data["held_on"], data["held_time"]))
    fields = {k: data[k] for k in SAMTALE_FIELDS if k in data and data[k] is not None}
    meeting = FollowUpMeeting(forloeb=forloeb, held_by=held_by, held_at=held_at, created_by=actor, **fields)
    for name in (
        "status_on_interventions",
        "new_agreements",
        "mentor_assessment",
        "borger_perspective",
        "no_next_note",
    ):
        setattr(meeting, name, (getattr(meeting, name) or "").strip())
    meeting.full_clean(exclude=["plan_revision"])
    meeting.save()
    if data.get("revise_plan"):
        from plans import services as plan_services  # followup reads plans; plans never imports followup

        try:
            reason = _("Opfølgningssamtale %(date)s: %(reason)s") % {
                "date": dates.short(meeting.held_on),
                "reason": data["revision_reason"].strip(),
            }
            meeting.plan_revision = plan_services.plan_revise(forloeb=forloeb, reason=reason, actor=actor)
        except ValidationError as exc:
            raise ValidationError({"revise_plan": exc.messages}) from None
        meeting.save(update_fields=["plan_revision"])
    case_services.forloeb_changed(forloeb_id=forloeb.pk)
    return meeting


# --- Flags -------------------------------------------------------------------------------------


@transaction.atomic
def flag_acknowledge(*, flag: Flag, comment: str, actor: User) -> Flag:
    """The caseworker has seen the flag and says what is being done. It stays open until the
    condition clears; the acknowledgement is part of its lifecycle."""
    flag = Flag.objects.select_for_update().select_related("forloeb").get(pk=flag.pk)
    if not actor.has_perm("followup.edit", flag.forloeb):
        raise PermissionDenied(_("Du har ikke adgang til dette forløb."))
    errors: dict[str, list[str]] = {}
    if flag.resolved_at is not None:
        add_error(errors, "__all__", _("Advarslen er allerede løst."))
    elif flag.acknowledged_at is not None:
        add_error(errors, "__all__", _("Advarslen er allerede kvitteret for."))
    if not (comment or "").strip():
        add_error(errors, "comment", _("Skriv kort hvad der gøres ved det."))
    raise_if(errors)
    flag.acknowledged_by = actor
    flag.acknowledged_at = clock.now()
    flag.acknowledge_comment = comment.strip()
    flag.save(update_fields=["acknowledged_by", "acknowledged_at", "acknowledge_comment"])
    return flag


@transaction.atomic
def flag_snooze(*, flag: Flag, until: date | None, reason: str, actor: User) -> FlagSnooze:
    """Put off a good-practice flag until a later day, saying why: it stays open, Min dag leaves
    it out of the triage list until then, and the snooze is kept in the flag's history. A flag
    the law or the kommune's service standard raised cannot be put off. The flag's row is locked,
    so a snooze and the evaluation resolving it (or a second snooze) are taken one at a time."""
    flag = Flag.objects.select_for_update().select_related("forloeb").get(pk=flag.pk)
    if not actor.has_perm("followup.edit", flag.forloeb):
        raise PermissionDenied(_("Du har ikke adgang til dette forløb."))
    today = clock.today()
    rule = RULES.get(flag.rule_id)
    errors: dict[str, list[str]] = {}
    if flag.resolved_at is not None:
        add_error(errors, "__all__", _("Advarslen er allerede løst."))
    elif flag.forloeb.closed_on is not None:
        add_error(errors, "__all__", _("Forløbet er afsluttet."))
    elif rule is None or rule.tier != TIER_GOOD_PRACTICE:
        add_error(
            errors,
            "__all__",
            _("Kun en advarsel om god praksis kan udsættes; et lovkrav eller kommunens servicestandard kan ikke."),
        )
    last = today + dt.timedelta(days=SNOOZE_MAX_DAYS)
    if until is None:
        add_error(errors, "until", _("Angiv datoen, advarslen udsættes til."))
    elif until <= today:
        add_error(errors, "until", _("Vælg en dag efter i dag."))
    elif until > last:
        add_error(
            errors,
            "until",
            _("Højst %(days)s dage frem, til og med %(date)s.") % {"days": SNOOZE_MAX_DAYS, "date": dates.text(last)},
        )
    reason = (reason or "").strip()
    if not reason:
        add_error(errors, "reason", _("Skriv kort hvorfor advarslen udsættes."))
    elif len(reason) > limit_of(FlagSnooze, "reason"):
        add_error(errors, "reason", _("Højst %(n)s tegn.") % {"n": limit_of(FlagSnooze, "reason")})
    raise_if(errors)
    return FlagSnooze.objects.create(flag=flag, until=until, reason=reason, snoozed_by=actor, snoozed_at=clock.now())


# --- The daily e-mail digest ----------------------------------------------------------------------


def digests_send(*, today: date, base_url: str = "") -> int:
    """Mail each caseworker in a kommune that has switched the digest on a short summary of Min
    dag. Counts and a link only: no names or CPR numbers leave the system by e-mail."""
    from followup import selectors  # reads for the summary

    kommune_ids = list(RuleSettings.objects.filter(digest_enabled=True).values_list("kommune_id", flat=True))
    caseworkers = list(
        User.objects.filter(kommune_id__in=kommune_ids, role__in=CASE_ROLES, is_active=True).exclude(email="")
    )
    sent = 0
    for caseworker, work in zip(
        caseworkers, selectors.worklists(coordinators=caseworkers, today=today).values(), strict=True
    ):
        due = len(work.due_today) + len(work.due_this_week)
        if not (work.overdue or due or work.open_flag_count or work.ending):
            continue
        body = _(
            "Min dag %(date)s\n\n"
            "Overskredne samtaler: %(overdue)s\n"
            "Samtaler i dag og resten af ugen: %(due)s\n"
            "Åbne advarsler: %(flags)s\n"
            "Forløb der slutter inden for 90 dage: %(ending)s\n\n"
            "Se dem i Forløb: %(url)s\n"
        ) % {
            "date": dates.short(today),
            "overdue": len(work.overdue),
            "due": due,
            "flags": work.open_flag_count,
            "ending": len(work.ending),
            "url": f"{base_url}{reverse('followup:min_dag')}",
        }
        send_mail(_("Forløb: Min dag %(date)s") % {"date": dates.short(today)}, body, None, [caseworker.email])
        sent += 1
    return sent


# --- Evaluation ---------------------------------------------------------------------------------


@dataclass
class Evaluation:
    as_of: date
    raised: dict[str, int] = field(default_factory=dict)
    resolved: dict[str, int] = field(default_factory=dict)
    queries: int = 0
    seconds: float = 0.0

    @property
    def total_raised(self) -> int:
        return sum(self.raised.values())

    @property
    def total_resolved(self) -> int:
        return sum(self.resolved.values())


APPLY = """
WITH cand AS MATERIALIZED ({sql}),
ins AS (
    INSERT INTO followup_flag (forloeb_id, rule_id, rule_version, pack, basis_kind, basis, subject, evidence,
                               raised_on, raised_at, acknowledge_comment, resolution)
    SELECT c.forloeb_id, %(rule_id)s, %(rule_version)s, %(pack)s, %(basis_kind)s, %(basis)s, c.subject, c.evidence,
           %(d)s, %(now)s, '', ''
    FROM cand c ORDER BY c.forloeb_id, c.subject
    ON CONFLICT (forloeb_id, rule_id, subject) WHERE resolved_at IS NULL DO NOTHING
    RETURNING 1
),
res AS (
    UPDATE followup_flag fl
    SET resolved_at = %(now)s, resolved_on = %(d)s,
        resolution = CASE WHEN x.closed_on IS NOT NULL AND x.closed_on <= %(d)s THEN 'afsluttet' ELSE 'ophoert' END
    FROM cases_forloeb x
    WHERE x.id = fl.forloeb_id AND fl.rule_id = %(rule_id)s AND fl.resolved_at IS NULL AND fl.raised_on <= %(d)s
      AND (%(ids)s::bigint[] IS NULL OR fl.forloeb_id = ANY(%(ids)s::bigint[]))
      AND NOT EXISTS (SELECT 1 FROM cand c WHERE c.forloeb_id = fl.forloeb_id AND c.subject = fl.subject)
    RETURNING 1
)
SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM res)
"""

RETIRE = """
UPDATE followup_flag fl SET resolved_at = %(now)s, resolved_on = %(d)s, resolution = 'ikke_i_kraft'
WHERE fl.rule_id = %(rule_id)s AND fl.resolved_at IS NULL AND fl.raised_on <= %(d)s
  AND (%(ids)s::bigint[] IS NULL OR fl.forloeb_id = ANY(%(ids)s::bigint[]))
"""

DEADLOCK = "40P01"
ANALYZE_AFTER = 1000  # flags raised or resolved in a full run before the flag table's statistics are renewed


def _rule_params(rule: Rule, as_of: date, ids: list[int] | None) -> dict:
    return {
        "d": as_of,
        "now": clock.now(),  # the one clock, not the database server's (tests move it)
        "ids": ids,
        "rule_id": rule.id,
        "rule_version": rule.version,
        "pack": rule.pack,
        "basis_kind": rule.basis_kind,
        "basis": str(rule.basis),
    }


def _apply_rule(rule: Rule, as_of: date, ids: list[int] | None, result: Evaluation) -> None:
    params = _rule_params(rule, as_of, ids)
    for attempt in (1, 2):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                if ids is None:
                    # Full runs of one rule take turns (the unique index is the real guard). Their
                    # row estimates are poor, and JIT compiling them cost about a third of a full
                    # run in the benchmark (tests/bench/README.md).
                    cursor.execute("SET LOCAL jit = off")
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(f"followup:{rule.id}".encode())])
                    result.queries += 2
                if rule.in_force_on(as_of):
                    cursor.execute(APPLY.format(sql=rule.sql), params)
                    raised, resolved = cursor.fetchone()
                else:
                    cursor.execute(RETIRE, params)
                    raised, resolved = 0, cursor.rowcount
                result.queries += 1
            break
        except OperationalError as exc:
            if attempt == 2 or getattr(getattr(exc, "__cause__", None), "sqlstate", None) != DEADLOCK:
                raise
            log.warning("followup: deadlock evaluating %s, retrying", rule.id)
    result.raised[rule.id] = raised
    result.resolved[rule.id] = resolved


def flags_evaluate(*, as_of: date | None = None, forloeb_ids: list[int] | None = None) -> Evaluation:
    """Evaluate every rule for every forløb (`forloeb_ids=None`) or for the given forløb, as of a
    day: only what is dated on or before that day counts, and the rules in force that day apply.
    A full run is recorded as an EvaluationRun."""
    as_of = as_of or clock.today()
    ids = sorted(set(forloeb_ids)) if forloeb_ids is not None else None
    if ids == []:
        return Evaluation(as_of=as_of)
    result = Evaluation(as_of=as_of)
    started = time.perf_counter()
    run = EvaluationRun.objects.create(as_of=as_of, started_at=clock.now()) if ids is None else None
    for rule in RULES.values():
        _apply_rule(rule, as_of, ids, result)
    if ids is None and result.total_raised + result.total_resolved > ANALYZE_AFTER:
        # Fresh statistics for the next run: without them the planner guesses a handful of open
        # flags per rule and the resolve step turns quadratic (137 s instead of 8 in the benchmark).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE followup_flag")
        result.queries += 1
    result.seconds = time.perf_counter() - started
    if run is not None:
        run.finished_at = clock.now()
        run.raised, run.resolved, run.queries = result.total_raised, result.total_resolved, result.queries
        run.save(update_fields=["finished_at", "raised", "resolved", "queries"])
    return result


def flags_preview(*, as_of: date, forloeb_ids: list[int] | None = None) -> dict[str, int]:
    """What was open on `as_of`, per rule in force that day: what a fresh database evaluated only
    on that day would hold (`selectors.flags_replay`), writing nothing (`--dry-run`)."""
    from followup import selectors  # the replay is a read

    counts = {rule.id: 0 for rule in RULES.values() if rule.in_force_on(as_of)}
    for found in selectors.flags_replay(day=as_of, forloeb_ids=forloeb_ids):
        counts[found.rule.id] += 1
    return counts


def full_run_finished_on(*, day: date) -> bool:
    """Whether a full evaluation as of `day` has finished (the nightly run, or its catch-up)."""
    return EvaluationRun.objects.filter(as_of=day, finished_at__isnull=False).exists()


def latest_evaluated_day() -> date | None:
    """The latest day the flag record has been evaluated as of: a full run, or any flag raised or
    resolved (an import or a change re-evaluates its forløb as of today, without a full run). The
    record only moves forward from here: a run as of an earlier day would find that day's flags
    hidden by the open flags of later days, and would resolve flags still true."""
    run = EvaluationRun.objects.aggregate(day=Max("as_of"))["day"]
    flags = Flag.objects.aggregate(raised=Max("raised_on"), resolved=Max("resolved_on"))
    return max((day for day in (run, flags["raised"], flags["resolved"]) if day), default=None)
