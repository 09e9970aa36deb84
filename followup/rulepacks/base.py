"""The shape of a rule pack and the SQL building blocks its rules share.

A rule is data: an id, a version, a plain Danish description, its basis (a paragraph of law or
the kommune's service standard) and one set-based SQL query. The query returns a row
`(forloeb_id, subject, evidence)` for every forløb (and subject within it) where the rule holds
on the evaluation day `%(d)s`, counting only what is dated on or before that day. `%(ids)s` is
NULL for the full nightly run, or an array of forløb ids for a re-evaluation after a change.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext_lazy as _

from cases.concepts import OPEN_ON
from cases.rulepacks import RULE_PACKS
from followup.rulepacks import servicestandard as std

# How urgent a rule's flag is, declared once with each rule (`Rule.tier`): what the law requires,
# the kommune's own service standard (a deadline it has set itself), and good practice (a
# recommendation of the fokusrevision 2020 rather than a deadline). Min dag orders its triage
# list by it; only good practice may be put off (`followup.services.flag_snooze`).
TIER_LAW = 1
TIER_STANDARD = 2
TIER_GOOD_PRACTICE = 3
TIER_LABELS = {
    TIER_LAW: _("Lovkrav"),
    TIER_STANDARD: _("Kommunens servicestandard"),
    TIER_GOOD_PRACTICE: _("God praksis"),
}


@dataclass(frozen=True)
class Rule:
    id: str
    version: int
    description: str
    basis: str
    basis_kind: str  # followup.models.BasisKind: "lov" or "servicestandard"
    tier: int  # TIER_LAW, TIER_STANDARD or TIER_GOOD_PRACTICE
    sql: str
    # The evaluation days on which the rule is in force (to is exclusive); the rule's SQL
    # decides itself which forløb it covers, e.g. by their start date.
    in_force_from: date
    in_force_to: date | None = None
    pack: str = ""

    def in_force_on(self, day: date) -> bool:
        return self.in_force_from <= day and (self.in_force_to is None or day < self.in_force_to)


@dataclass(frozen=True)
class Pack:
    code: str
    name: str
    valid_from: date
    basis: str
    rules: tuple[Rule, ...] = field(default_factory=tuple)


def legal_period(code: str):
    """The legal period of `cases.rulepacks` a pack builds on (dates and basis live there)."""
    return next(p for p in RULE_PACKS if p.code == code)


def with_pack(code: str, rules: list[Rule]) -> tuple[Rule, ...]:
    return tuple(Rule(**{**r.__dict__, "pack": code}) for r in rules)


def legal_pack(period, rules: list[Rule]) -> Pack:
    """A pack of flag rules on one legal period of `cases.rulepacks` (its code, name, date, basis)."""
    return Pack(
        code=period.code,
        name=period.name,
        valid_from=period.valid_from,
        basis=period.basis,
        rules=with_pack(period.code, rules),
    )


# --- SQL building blocks --------------------------------------------------------------------

# The forløb open on the day, with the kommune's settings (or the defaults) beside each.
FORLOEB = f"""
f AS (
    SELECT f.id, f.borger_id, f.kommune_id, f.sequence_no, f.opened_on, f.start_date, f.planned_end_date,
           COALESCE(rs.standard_enabled, TRUE) AS std_on,
           COALESCE(rs.samtaler_per_year, {std.DEFAULTS["samtaler_per_year"]}) AS per_year,
           COALESCE(rs.max_gap_days, {std.DEFAULTS["max_gap_days"]}) AS max_gap,
           COALESCE(rs.rehab_wait_days, {std.DEFAULTS["rehab_wait_days"]}) AS rehab_wait,
           COALESCE(rs.indstilling_send_days, {std.DEFAULTS["indstilling_send_days"]}) AS send_days,
           COALESCE(rs.plan_after_meeting_days, {std.DEFAULTS["plan_after_meeting_days"]}) AS plan_days,
           COALESCE(rs.not_started_days, {std.DEFAULTS["not_started_days"]}) AS not_started_days,
           COALESCE(rs.not_started_days_by_category, '{{}}'::jsonb) AS not_started_by_category,
           COALESCE(rs.ending_warning_days, {std.DEFAULTS["ending_warning_days"]}) AS ending_days
    FROM cases_forloeb f
    LEFT JOIN followup_rulesettings rs ON rs.kommune_id = f.kommune_id
    WHERE {OPEN_ON.sql(f="f")}
      AND (%(ids)s::bigint[] IS NULL OR f.id = ANY(%(ids)s::bigint[]))
)"""

# Samtaler registered on or before the day (held or udeblivelser: `cases.concepts.SAMTALE_HELD` tells).
SAMTALER = """
m AS (
    SELECT m.*
    FROM followup_followupmeeting m JOIN f ON f.id = m.forloeb_id
    WHERE m.held_on <= %(d)s
)"""

# The latest samtale of each forløb (attended or not: an udeblivelse books a new date).
LAST_SAMTALE = """
last_m AS (
    SELECT DISTINCT ON (m.forloeb_id) m.* FROM m ORDER BY m.forloeb_id, m.held_on DESC, m.id DESC
)"""

# The latest indstilling given on or before the day (with its agenda item, for `cases.concepts.MEETING_ON`).
LAST_RECOMMENDATION = """
rec AS (
    SELECT DISTINCT ON (r.forloeb_id) r.id, r.forloeb_id, r.given_on, r.ordning, r.sent_to_borger_on, r.agenda_item_id
    FROM rehab_recommendation r JOIN f ON f.id = r.forloeb_id
    WHERE r.given_on <= %(d)s
    ORDER BY r.forloeb_id, r.given_on DESC, r.id DESC
)"""

# The indsatsplan in force on the day: the latest version completed on or before it.
CURRENT_PLAN = """
plan AS (
    SELECT DISTINCT ON (p.forloeb_id) p.id, p.forloeb_id, p.version, p.completed_on, p.coordinator_id,
           p.next_followup_on
    FROM plans_actionplan p JOIN f ON f.id = p.forloeb_id
    WHERE p.completed_on <= %(d)s
    ORDER BY p.forloeb_id, p.version DESC
)"""

# The forløb's genforelæggelser, by Danish calendar day.
GENFORELAEGGELSER = """
gen AS (
    SELECT t.forloeb_id, (t.at AT TIME ZONE 'Europe/Copenhagen')::date AS on_day
    FROM cases_phasetransition t JOIN f ON f.id = t.forloeb_id
    WHERE t.transition = 'genforelaeggelse' AND (t.at AT TIME ZONE 'Europe/Copenhagen')::date <= %(d)s
)"""


def query(*ctes: str, select: str) -> str:
    return "WITH " + ",".join(ctes) + "\n" + select
