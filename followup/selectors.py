"""Reads of samtaler, flags and the worklist, scoped to the user. A fixed number of queries per
page whatever the number of forløb."""

import contextlib
import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cases import clock as case_clock
from cases import dates, spreadsheet
from cases import selectors as case_selectors
from cases.models import CASE_ROLES, Forloeb, Role, TeamMembership, User
from followup.models import SNOOZE_MAX_DAYS, Flag, FlagSnooze, FollowUpMeeting, RuleSettings
from followup.rulepacks import RULES, Rule, packs_for, rules_in_force
from followup.rulepacks.base import TIER_GOOD_PRACTICE, TIER_LABELS, TIER_LAW, TIER_STANDARD
from followup.rulepacks.servicestandard import DEFAULTS
from plans.models import ActionPlan


def forloeb_get(*, user: User, pk: int, perm: str = "followup.view") -> Forloeb:
    return case_selectors.forloeb_get_for_user(user=user, pk=pk, perm=perm)


def followups_of(*, forloeb: Forloeb) -> list[FollowUpMeeting]:
    return list(forloeb.followups.select_related("held_by", "plan_revision").order_by("-held_on", "-id"))


def settings_for(*, kommune_id: int) -> dict:
    """The kommune's service standard and thresholds (the defaults where it has set none)."""
    row = RuleSettings.objects.filter(kommune_id=kommune_id).first()
    values = {**DEFAULTS, "standard_enabled": True, "not_started_days_by_category": {}}
    if row is not None:
        values.update({k: getattr(row, k) for k in values})
    return values


def rule_label(rule_id: str) -> str:
    rule = RULES.get(rule_id)
    return str(rule.description) if rule else rule_id


SUBJECT_LABELS = {
    "forberedende_del": _("forberedende del"),
    "indstilling": _("indstilling"),
    "indsatsplan": _("indsatsplan og Min Plan"),
}


# The one-click way to act on a flag: a label and where it goes (url name, anchor).
SAMTALE = (_("Registrér samtale"), "followup:followup_add", "")
PLAN = (_("Gå til indsatsplanen"), "plans:plan", "")
ACTIONS = {
    "STD_SAMTALE_OVERDUE": SAMTALE,
    "STD_UNDER_6_12M": SAMTALE,
    "AGREED_SAMTALE_OVERDUE": SAMTALE,
    "LAB2013_UNDER_6_12M": SAMTALE,
    "LAB2020_FIRST6M_UNDER_4": SAMTALE,
    "NO_NEXT_SAMTALE": SAMTALE,
    "INDSATS_NOT_STARTED": (_("Start indsatsen"), "plans:plan", "#interventions"),
    "P113_NO_INDSATS_6M": (_("Start en indsats"), "plans:plan", "#interventions"),
    "NO_INDSATSPLAN": PLAN,
    "KS_NOT_IN_PLAN": PLAN,
    "INDSTILLING_LATE_TO_BORGER": (_("Registrér afsendelsen"), "rehab:forloeb_rehab", ""),
    "REHAB_WAIT_LONG": (_("Se forberedende del"), "rehab:forloeb_rehab", ""),
    "GENFORELAEGGELSE_DUE": (_("Se faser og genforelæggelse"), "cases:forloeb_detail", ""),
    "OVER40_NO_CONSENT": (_("Se afgørelsen"), "rehab:forloeb_rehab", ""),
    "REFORM2026_NEW_FORLOEB": (_("Se forløbet"), "cases:forloeb_detail", ""),
}
GOAL_ACTIONS = {"indsatsplan": PLAN, "indstilling": (_("Se indstillingen"), "rehab:forloeb_rehab", "")}


@dataclass
class FlagView:
    flag: Flag
    description: str
    today: date | None = None  # the day the view is for (Min dag's); else the clock's

    @cached_property
    def subject_label(self) -> str:
        """What within the forløb the flag is about, in words (a recommended indsats by its name)."""
        subject = self.flag.subject
        if subject.startswith("anbefalet:"):
            return self.flag.evidence.get("indsats", "")
        return str(SUBJECT_LABELS.get(subject, subject))

    @cached_property
    def tier(self) -> int:
        """How urgent (`followup.rulepacks.base`): the rule's tier; a rule no pack holds any more
        by what its flag was raised on."""
        rule = RULES.get(self.flag.rule_id)
        if rule is not None:
            return rule.tier
        return TIER_LAW if self.flag.basis_kind == "lov" else TIER_STANDARD

    @cached_property
    def tier_label(self) -> str:
        return str(TIER_LABELS[self.tier])

    @property
    def days_open(self) -> int:
        return ((self.today or case_clock.today()) - self.flag.raised_on).days if self.flag.raised_on else 0

    @property
    def snoozed(self) -> bool:
        """Put off until a later day (Min dag's flags carry `snoozed_until`, see `worklists`)."""
        until = getattr(self.flag, "snoozed_until", None)
        return until is not None and until > (self.today or case_clock.today())

    @property
    def snooze_range(self) -> tuple[date, date]:
        """The first and last day a snooze may run to (`services.flag_snooze`)."""
        today = case_clock.today()
        return today + dt.timedelta(days=1), today + dt.timedelta(days=SNOOZE_MAX_DAYS)

    @property
    def may_snooze(self) -> bool:
        """Only a good-practice flag that is still open may be put off (`services.flag_snooze`)."""
        return self.flag.is_open and self.tier == TIER_GOOD_PRACTICE

    @cached_property
    def action(self) -> tuple[str, str] | None:
        """(label, url) of the step that deals with the flag."""
        if self.flag.rule_id == "NO_CONCRETE_GOAL":
            label, name, anchor = GOAL_ACTIONS.get(
                self.flag.subject, (_("Se forberedende del"), "rehab:forloeb_rehab", "")
            )
        elif self.flag.rule_id in ACTIONS:
            label, name, anchor = ACTIONS[self.flag.rule_id]
        else:
            return None
        return str(label), reverse(name, args=[self.flag.forloeb_id]) + anchor

    @property
    def evidence_items(self) -> list[tuple[str, str]]:
        """The evidence as label and value, dates written the Danish way."""
        items = []
        for key, value in self.flag.evidence.items():
            if value is None:
                continue
            if isinstance(value, str) and len(value) == 10 and value[4] == "-":
                with contextlib.suppress(ValueError):
                    value = dates.short(date.fromisoformat(value))
            items.append((key.replace("_", " ").capitalize(), str(value)))
        return items


def flags_of(*, forloeb: Forloeb) -> tuple[list[FlagView], list[FlagView]]:
    """Open flags (unacknowledged first) and the history of resolved ones, each with its snoozes."""
    flags = list(
        forloeb.flags.select_related("acknowledged_by")
        .prefetch_related(Prefetch("snoozes", FlagSnooze.objects.select_related("snoozed_by")))
        .order_by("-raised_on", "-id")
    )
    views = [FlagView(f, rule_label(f.rule_id)) for f in flags]
    open_ = sorted((v for v in views if v.flag.is_open), key=lambda v: v.flag.acknowledged_at is not None)
    return open_, [v for v in views if not v.flag.is_open]


def flag_get(*, user: User, pk: int) -> Flag:
    flag = Flag.objects.select_related("forloeb").filter(pk=pk).first()
    if flag is None or not user.has_perm("followup.edit", flag.forloeb):
        raise Http404
    return flag


def packs_of(*, forloeb: Forloeb, day: date):
    return packs_for(started_on=forloeb.start_date, day=day)


# --- Min dag -------------------------------------------------------------------------------------


@dataclass
class Due:
    forloeb: Forloeb
    due_on: date
    why: str  # "aftalt" (agreed at the last samtale or in the plan) or "standard"
    last_on: date | None
    days_overdue: int = 0


# Flags that say the same as an overdue samtale: Min dag folds them into that line.
SAMTALE_OVERDUE_RULES = {"STD_SAMTALE_OVERDUE", "AGREED_SAMTALE_OVERDUE"}
SCHEDULED = 4  # a triage item with no deadline passed: a samtale this week, a forløb ending


@dataclass
class TriageItem:
    """One line of Min dag's triage list: an overdue samtale (with the flags that say so), one
    rule's open flags merged over their subjects, a samtale due this week, or a forløb ending."""

    kind: str  # "samtale_overdue", "flag", "samtale_due", "ending"
    tier: int  # TIER_LAW, TIER_STANDARD, TIER_GOOD_PRACTICE or SCHEDULED
    text: str
    detail: str = ""
    action: tuple[str, str] | None = None
    days_overdue: int = 0  # for a flag: the days it has been open
    on: date | None = None  # a scheduled item's day
    flags: list[FlagView] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple:
        return (self.tier, -self.days_overdue, self.on or date.max, self.text)

    @property
    def tier_label(self) -> str:
        """Short, for the row's badge (the full label is on the flag)."""
        short = {TIER_LAW: _("Lovkrav"), TIER_STANDARD: _("Servicestandard"), TIER_GOOD_PRACTICE: _("God praksis")}
        return str(short.get(self.tier, _("Planlagt")))


@dataclass
class TriageRow:
    """A forløb that needs something: its items, the most urgent first."""

    forloeb: Forloeb
    items: list[TriageItem]

    @property
    def top(self) -> TriageItem:
        return self.items[0]

    @property
    def rest(self) -> list[TriageItem]:
        return self.items[1:]

    @property
    def flag_count(self) -> int:
        return sum(len(item.flags) for item in self.items)

    @property
    def only_good_practice(self) -> bool:
        return all(item.tier == TIER_GOOD_PRACTICE for item in self.items)


@dataclass
class TriageCount:
    key: str  # the anchor: "lovkrav", "servicestandard", "god-praksis", "samtaler", "slutter", "udsat"
    label: str
    count: int
    anchor: str  # the id of the first row that holds such an item (or of the section)


@dataclass
class Worklist:
    user: User
    today: date
    overdue: list[Due] = field(default_factory=list)
    due_today: list[Due] = field(default_factory=list)
    due_this_week: list[Due] = field(default_factory=list)
    flags_by_forloeb: list[tuple[Forloeb, list[FlagView]]] = field(default_factory=list)
    ending: list[tuple[Forloeb, int]] = field(default_factory=list)
    # The triage list: forløb whose most urgent item is law, standard or scheduled (or good practice
    # beside something else), most urgent first; then those holding only good practice.
    rows: list[TriageRow] = field(default_factory=list)
    good_practice_rows: list[TriageRow] = field(default_factory=list)
    snoozed: list[FlagView] = field(default_factory=list)  # open good-practice flags put off
    ending_warning_days: int = DEFAULTS["ending_warning_days"]

    @property
    def open_flag_count(self) -> int:
        return sum(len(flags) for _, flags in self.flags_by_forloeb)

    @property
    def sections(self) -> list[tuple[str, list[TriageRow], bool]]:
        """(id, rows, folded): what needs doing, then the forløb with only good practice, folded."""
        return [("handling", self.rows, False), ("god-praksis", self.good_practice_rows, True)]

    @property
    def counts(self) -> list[TriageCount]:
        """What the triage list holds, per kind, each with where the first one is (jump links)."""
        ending = _("Slutter inden for %(days)s dage") % {"days": self.ending_warning_days}
        kinds = (
            ("lovkrav", _("Lovkrav overskredet"), lambda i: i.tier == TIER_LAW),
            ("servicestandard", _("Servicestandard"), lambda i: i.tier == TIER_STANDARD),
            ("god-praksis", _("God praksis"), lambda i: i.tier == TIER_GOOD_PRACTICE),
            ("samtaler", _("Samtaler i dag og denne uge"), lambda i: i.kind == "samtale_due"),
            ("slutter", ending, lambda i: i.kind == "ending"),
        )
        rows = self.rows + self.good_practice_rows
        result = []
        for key, label, test in kinds:
            holding = [row for row in rows for item in row.items if test(item)]
            if holding:
                # A row of the folded good-practice list is reached through the list itself.
                anchor = "god-praksis" if holding[0] in self.good_practice_rows else f"forloeb-{holding[0].forloeb.pk}"
                result.append(TriageCount(key, str(label), len(holding), anchor))
        if self.snoozed:
            result.append(TriageCount("udsat", str(_("Udsat")), len(self.snoozed), "udsat"))
        return result


def _join(words: list[str]) -> str:
    """Danish enumeration: "a", "a og b", "a, b og c"."""
    words = [w for w in words if w]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " " + str(_("og")) + " " + words[-1]


def _flag_items(views: list[FlagView]) -> list[TriageItem]:
    """One line per rule: its flags on several subjects merged ("…: indstilling og indsatsplan")."""
    by_rule: dict[str, list[FlagView]] = defaultdict(list)
    for view in views:
        by_rule[view.flag.rule_id].append(view)
    items = []
    for group in by_rule.values():
        first = group[0]
        subjects = _join([v.subject_label for v in group])
        items.append(
            TriageItem(
                kind="flag",
                tier=first.tier,
                text=f"{first.description}: {subjects}" if subjects else first.description,
                action=first.action,
                days_overdue=max(v.days_open for v in group),
                flags=group,
            )
        )
    return items


def _triage(
    f: Forloeb, *, due: Due | None, today: date, end_of_week: date, ending_days: int | None, flags: list[FlagView]
) -> list[TriageItem]:
    samtale_url = reverse("followup:followup_add", args=[f.pk])
    items = []
    if due is not None and due.due_on < today:
        absorbed = [v for v in flags if v.flag.rule_id in SAMTALE_OVERDUE_RULES]
        flags = [v for v in flags if v not in absorbed]
        tier = min([TIER_LAW if due.why == "aftalt" else TIER_STANDARD, *(v.tier for v in absorbed)])
        days = ngettext("%(n)s dag over", "%(n)s dage over", due.days_overdue) % {"n": due.days_overdue}
        why = _("aftalt") if due.why == "aftalt" else _("servicestandard")
        items.append(
            TriageItem(
                kind="samtale_overdue",
                tier=tier,
                text=str(_("Opfølgningssamtalen er overskredet")),
                detail=f"{days} ({why} {dates.text(due.due_on)})",
                action=(str(SAMTALE[0]), samtale_url),
                days_overdue=due.days_overdue,
                on=due.due_on,
                flags=absorbed,
            )
        )
    elif due is not None and due.due_on <= end_of_week:
        when = _("i dag") if due.due_on == today else dates.with_weekday(due.due_on)
        items.append(
            TriageItem(
                kind="samtale_due",
                tier=SCHEDULED,
                text=str(_("Opfølgningssamtale %(when)s") % {"when": when}),
                action=(str(SAMTALE[0]), samtale_url),
                on=due.due_on,
            )
        )
    items += _flag_items(flags)
    if ending_days is not None:
        items.append(
            TriageItem(
                kind="ending",
                tier=SCHEDULED,
                text=str(
                    ngettext(
                        "Forløbet slutter om %(n)s dag (%(date)s)",
                        "Forløbet slutter om %(n)s dage (%(date)s)",
                        ending_days,
                    )
                    % {"n": ending_days, "date": dates.text(f.planned_end_date)}
                ),
                action=(str(_("Se forløbet")), reverse("cases:forloeb_detail", args=[f.pk])),
                on=f.planned_end_date,
            )
        )
    return sorted(items, key=lambda i: i.sort_key)


def with_due(qs: QuerySet, *, today: date) -> QuerySet:
    """Each forløb with when its next samtale is due, computed in the query: `due_on` and `why`
    ("aftalt" or "standard"; both None for a forløb not yet started or with nothing to go by), and
    `last_attended_on`, the last samtale the borger attended.

    The agreed day is the `next_on` of the latest samtale held, or the current plan's
    `next_followup_on` while no samtale has been held. Where the kommune's service standard is on
    (`RuleSettings`, else the defaults), the next samtale is also due `max_gap_days` after the last
    one the borger attended, or after the start. The earlier of the two is due; on the same day
    the agreed one is named. The one definition for Min dag's worklist and the team's summary."""
    held = FollowUpMeeting.objects.filter(forloeb=OuterRef("pk"), held_on__lte=today).order_by("-held_on", "-id")
    plan = ActionPlan.objects.filter(forloeb=OuterRef("pk"), completed_on__isnull=False).order_by("-version")
    gap = Coalesce("kommune__rule_settings__max_gap_days", Value(DEFAULTS["max_gap_days"]))
    standard_base = Coalesce("last_attended_on", "start_date")
    return (
        qs.annotate(last_attended_on=Subquery(held.filter(borger_attended=True).values("held_on")[:1]))
        .alias(
            latest_held_on=Subquery(held.values("held_on")[:1]),
            latest_next_on=Subquery(held.values("next_on")[:1]),
            plan_next_on=Subquery(plan.values("next_followup_on")[:1]),
        )
        .alias(
            agreed_on=Case(
                When(latest_held_on__isnull=False, then="latest_next_on"),
                default="plan_next_on",
                output_field=DateField(),
            ),
            standard_due_on=Case(
                When(kommune__rule_settings__standard_enabled=False, then=None),
                default=ExpressionWrapper(standard_base + gap, output_field=DateField()),
                output_field=DateField(),
            ),
        )
        .annotate(
            # LEAST skips NULLs in PostgreSQL: the earlier of the candidates there are.
            due_on=Case(
                When(start_date__isnull=True, then=None),
                default=Least("agreed_on", "standard_due_on"),
                output_field=DateField(),
            ),
            why=Case(
                When(due_on=F("agreed_on"), then=Value("aftalt")),
                When(due_on__isnull=False, then=Value("standard")),
                default=None,
                output_field=CharField(),
            ),
        )
    )


# Placeholders of `due_of`'s statement, compiled once per process: values no forløb id or day can take.
_PK, _DAY = -7_351_917, date(1901, 2, 3)


@cache
def _due_statement() -> tuple[str, tuple]:
    query = with_due(Forloeb.objects.filter(pk=_PK), today=_DAY).values_list("due_on", "why").query
    sql, params = query.sql_with_params()
    assert params.count(_PK) == 1 and _DAY in params, "due_of's placeholders must each be a parameter"
    return sql, params


def due_of(*, forloeb_id: int, today: date) -> tuple[date | None, str | None]:
    """One forløb's next samtale by `with_due` (its due day and "aftalt"/"standard"), for the case
    header on every tab. The same statement `with_due` builds, compiled once per process (building it
    took longer than running it); the forløb and the day are put in as its parameters."""
    sql, params = _due_statement()
    values = [forloeb_id if p == _PK else today if p == _DAY else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (None, None)


def coordinated_forloeb(*, coordinator_ids: list[int], today: date) -> QuerySet:
    return with_due(
        Forloeb.objects.open().filter(current_coordinator_id__in=coordinator_ids).select_related("borger", "team"),
        today=today,
    ).order_by("borger__last_name", "borger__first_name", "id")


def worklists(*, coordinators: list[User], today: date) -> dict[int, Worklist]:
    """Min dag for each caseworker, in a fixed number of queries however many there are (the
    forløb with when their next samtale is due, the kommunes' settings, the open flags with their
    latest snooze): samtaler due today and this week, overdue ones (most overdue first), open
    flags grouped by forløb, forløb ending within the warning horizon (90 days by default), and
    from these the triage list: one row per forløb that needs something, most urgent first
    (law before the kommune's standard before good practice, then only scheduled items). A
    good-practice flag snoozed until a later day is left out of the list (`Worklist.snoozed`)."""
    results = {c.pk: Worklist(user=c, today=today) for c in coordinators}
    forloeb = list(coordinated_forloeb(coordinator_ids=list(results), today=today))
    settings_by_kommune = {
        kommune_id: settings_for(kommune_id=kommune_id) for kommune_id in {f.kommune_id for f in forloeb}
    }
    end_of_week = today + dt.timedelta(days=6 - today.weekday())
    dues: dict[int, Due] = {}
    ending: dict[int, int] = {}
    for f in forloeb:
        result, settings = results[f.current_coordinator_id], settings_by_kommune[f.kommune_id]
        result.ending_warning_days = settings["ending_warning_days"]
        due = Due(f, f.due_on, f.why, f.last_attended_on) if f.due_on is not None else None
        if due is not None:
            dues[f.pk] = due
        if due is not None and due.due_on < today:
            due.days_overdue = (today - due.due_on).days
            result.overdue.append(due)
        elif due is not None and due.due_on == today:
            result.due_today.append(due)
        elif due is not None and due.due_on <= end_of_week:
            result.due_this_week.append(due)
        if f.planned_end_date and 0 <= (f.planned_end_date - today).days <= settings["ending_warning_days"]:
            ending[f.pk] = (f.planned_end_date - today).days
            result.ending.append((f, ending[f.pk]))
    by_pk = {f.pk: f for f in forloeb}
    grouped: dict[int, list[FlagView]] = defaultdict(list)
    flags = _with_latest_snooze(Flag.objects.filter(forloeb_id__in=by_pk, resolved_at__isnull=True)).order_by(
        "raised_on", "id"
    )
    for flag in flags:
        flag.forloeb = by_pk[flag.forloeb_id]
        grouped[flag.forloeb_id].append(FlagView(flag, rule_label(flag.rule_id), today))
    for f in forloeb:  # in name order
        result = results[f.current_coordinator_id]
        if f.pk in grouped:
            result.flags_by_forloeb.append((f, grouped[f.pk]))
        snoozed = [v for v in grouped.get(f.pk, []) if v.snoozed]
        result.snoozed += snoozed
        items = _triage(
            f,
            due=dues.get(f.pk),
            today=today,
            end_of_week=end_of_week,
            ending_days=ending.get(f.pk),
            flags=[v for v in grouped.get(f.pk, []) if not v.snoozed],
        )
        if items:
            row = TriageRow(f, items)
            (result.good_practice_rows if row.only_good_practice else result.rows).append(row)
    for result in results.values():
        result.overdue.sort(key=lambda d: (-d.days_overdue, d.forloeb.pk))
        result.due_this_week.sort(key=lambda d: (d.due_on, d.forloeb.pk))
        result.ending.sort(key=lambda item: item[1])
        result.rows.sort(key=lambda row: row.top.sort_key)  # stable: ties stay in name order
        result.good_practice_rows.sort(key=lambda row: row.top.sort_key)
    return results


def worklist(*, coordinator: User, today: date) -> Worklist:
    return worklists(coordinators=[coordinator], today=today)[coordinator.pk]


def worklist_forloeb(work: Worklist) -> list[Forloeb]:
    """The forløb Min dag names (for the access log), each once."""
    shown = {row.forloeb.pk: row.forloeb for row in work.rows + work.good_practice_rows}
    shown.update({v.flag.forloeb_id: v.flag.forloeb for v in work.snoozed})
    return list(shown.values())


def _with_latest_snooze(qs: QuerySet) -> QuerySet:
    latest = FlagSnooze.objects.filter(flag=OuterRef("pk")).order_by("-snoozed_at", "-id")
    return qs.annotate(
        snoozed_until=Subquery(latest.values("until")[:1]),
        snooze_reason=Subquery(latest.values("reason")[:1]),
    )


def flag_for_row(*, pk: int) -> Flag:
    """One flag for Min dag's row after an action on it, with its latest snooze."""
    return _with_latest_snooze(Flag.objects.select_related("forloeb__borger", "acknowledged_by")).get(pk=pk)


def is_supervisor(user: User) -> bool:
    return user.role == Role.TEAM_LEADER or user.is_administrator


def caseworkers_for(*, user: User) -> QuerySet:
    """The caseworkers a team leader supervises (members of the leader's teams)."""
    teams = case_selectors.teams_for_user(user=user)
    ids = TeamMembership.objects.filter(team__in=teams, user__role__in=CASE_ROLES).values("user_id")
    return User.objects.filter(pk__in=ids).order_by("first_name", "last_name", "pk")


@dataclass
class CaseworkerSummary:
    caseworker: User
    forloeb: int
    overdue: int
    open_flags: int


def team_summary(*, user: User, today: date) -> list[CaseworkerSummary]:
    """Per caseworker: forløb coordinated, samtaler overdue and open flags (for the team leader).
    Counted in the database, in the same number of queries whatever the number of forløb: the
    caseworkers, their open forløb and overdue samtaler (due by `with_due`, as on their Min dag),
    and the open flags of those forløb."""
    caseworkers = list(caseworkers_for(user=user))
    forloeb = Forloeb.objects.open().filter(current_coordinator_id__in=[c.pk for c in caseworkers])
    counts = {
        coordinator_id: (n, overdue)
        for coordinator_id, n, overdue in with_due(forloeb, today=today)
        .values_list("current_coordinator_id")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
        .order_by()
    }
    flags = dict(
        Flag.objects.filter(resolved_at__isnull=True, forloeb__in=forloeb)
        .values_list("forloeb__current_coordinator_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [CaseworkerSummary(c, *counts.get(c.pk, (0, 0)), flags.get(c.pk, 0)) for c in caseworkers]


# --- Flag lists and exports ----------------------------------------------------------------------


def flags_for_export(*, forloeb_qs: QuerySet | None = None) -> QuerySet:
    """Every flag ever raised, with its lifecycle, oldest first."""
    qs = Flag.objects.select_related("forloeb__kommune", "forloeb__team", "acknowledged_by").order_by("raised_on", "id")
    if forloeb_qs is not None:
        qs = qs.filter(forloeb__in=forloeb_qs)
    return qs


# One rule's candidates on a day, each (forløb, subject) once, in the order the evaluation inserts them.
REPLAY = (
    "SELECT DISTINCT ON (c.forloeb_id, c.subject) c.forloeb_id, c.subject, c.evidence "
    "FROM ({sql}) c ORDER BY c.forloeb_id, c.subject"
)


@dataclass(frozen=True)
class Replayed:
    rule: Rule
    forloeb_id: int
    subject: str
    evidence: dict


def flags_replay(*, day: date, forloeb_ids: list[int] | None = None) -> list[Replayed]:
    """What a fresh database evaluated only on `day` would hold open: every rule in force that day
    run on everything now recorded, writing nothing. The same rule queries as the evaluation
    (`followup.services.flags_evaluate`), so a past day is answered without the live flags: their
    open flags of later days cannot hide it, and it never resolves anything."""
    params = {"d": day, "ids": sorted(set(forloeb_ids)) if forloeb_ids is not None else None}
    found: list[Replayed] = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # as in a full run (tests/bench/README.md)
        for rule in rules_in_force(day):
            cursor.execute(REPLAY.format(sql=rule.sql), params)
            found += [Replayed(rule, forloeb_id, subject, evidence) for forloeb_id, subject, evidence in cursor]
    return found


def flags_open_on(*, day: date, forloeb_ids: list[int] | None = None) -> list[Flag]:
    """The flags open on `day`, exactly as a fresh database evaluated only on that day would hold
    them (`flags_replay`), whatever days this database has evaluated since, or never (an import
    evaluates as of its own day). Where the flag record holds a flag of the same forløb, rule and
    subject that was open that day, that flag is given with its lifecycle (id, raised, acknowledged,
    resolved); otherwise an unsaved flag with the day's evidence and no id or dates. By forløb, rule
    and subject."""
    found = flags_replay(day=day, forloeb_ids=forloeb_ids)
    record = flags_for_export().filter(raised_on__lte=day).exclude(resolved_on__lte=day)
    if forloeb_ids is not None:
        record = record.filter(forloeb_id__in=forloeb_ids)
    live = {(f.forloeb_id, f.rule_id, f.subject): f for f in record}
    forloeb = Forloeb.objects.select_related("kommune", "team").in_bulk({r.forloeb_id for r in found})
    flags = [
        live.get((r.forloeb_id, r.rule.id, r.subject))
        or Flag(
            forloeb=forloeb[r.forloeb_id],
            rule_id=r.rule.id,
            rule_version=r.rule.version,
            pack=r.rule.pack,
            basis_kind=r.rule.basis_kind,
            basis=str(r.rule.basis),
            subject=r.subject,
            evidence=r.evidence,
        )
        for r in found
    ]
    return sorted(flags, key=lambda f: (f.forloeb_id, f.rule_id, f.subject))


EXPORT_COLUMNS = (
    "flag_id",
    "forloeb_id",
    "kommune",
    "team",
    "rule_id",
    "rule_version",
    "pack",
    "basis_kind",
    "basis",
    "subject",
    "evidence",
    "raised_on",
    "raised_at",
    "acknowledged_by",
    "acknowledged_at",
    "acknowledge_comment",
    "resolved_on",
    "resolved_at",
    "resolution",
)


def export_row(flag: Flag) -> dict:
    """One flag as plain data (no CPR, no names of borgere)."""

    def iso(value):
        return value.isoformat() if value else None

    return {
        "flag_id": flag.pk,
        "forloeb_id": flag.forloeb_id,
        "kommune": flag.forloeb.kommune.code,
        "team": flag.forloeb.team.name,
        "rule_id": flag.rule_id,
        "rule_version": flag.rule_version,
        "pack": flag.pack,
        "basis_kind": flag.basis_kind,
        "basis": flag.basis,
        "subject": flag.subject,
        "evidence": flag.evidence,
        "raised_on": iso(flag.raised_on),
        "raised_at": iso(flag.raised_at),
        "acknowledged_by": flag.acknowledged_by.username if flag.acknowledged_by else None,
        "acknowledged_at": iso(flag.acknowledged_at),
        "acknowledge_comment": flag.acknowledge_comment,
        "resolved_on": iso(flag.resolved_on),
        "resolved_at": iso(flag.resolved_at),
        "resolution": flag.resolution or None,
    }


def write_flags(out, flags: QuerySet | list[Flag], fmt: str) -> None:
    """Write flags as JSON (a list of rows) or CSV (evidence as a JSON cell) to a text stream:
    the command's file or stdout, or the web export's response."""
    rows = (export_row(f) for f in (flags.iterator(chunk_size=2000) if isinstance(flags, QuerySet) else flags))
    if fmt == "json":
        json.dump(list(rows), out, ensure_ascii=False, indent=1)
        out.write("\n")
        return
    writer = spreadsheet.csv_writer(out, EXPORT_COLUMNS)
    for row in rows:
        writer.writerow({**row, "evidence": json.dumps(row["evidence"], ensure_ascii=False)})
