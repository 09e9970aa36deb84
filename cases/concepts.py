"""The measured concepts of the domain, one definition each.

"Started", "planned", "held", "individual", "concrete goal", "next samtale agreed", when the
forberedende del started, how old a forløb is: the flag rules (`followup.rulepacks`), the
ledelsestilsyn dashboard and the fokusrevision report (`supervision`), the forløb pages and the
evaluation exports (`interchange.evaluation`) all read them from here, so they cannot mean
different things in different places. `tests/cases/test_concepts.py` fails when SQL elsewhere
spells one of them out by hand.

Each concept is an SQL fragment over table aliases (`{i}` an indsats row, `{m}` a samtale, ...)
and the evaluation day `{d}`. Set-based queries format it with their own aliases and `%(d)s`;
the ORM uses it through `Concept.expression()` (a RawSQL over the model's table). The app
`cases` imports no other app; these are only words about their tables.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, Field
from django.db.models.expressions import RawSQL

DAY = "%(d)s"


@dataclass(frozen=True)
class Concept:
    name: str
    meaning: str  # in English, for the docs and the tests
    template: str  # str.format() placeholders: table aliases and {d}

    def sql(self, d: str = DAY, **aliases: str) -> str:
        """The fragment with the caller's aliases and day expression."""
        return "(" + self.template.format(d=d, **aliases) + ")"

    def expression(self, day: dt.date | None = None, output_field: Field | None = None, **tables: str) -> RawSQL:
        """For the ORM: the fragment over the model's own table (`i="plans_intervention"`)."""
        quoted = {alias: f'"{table}"' for alias, table in tables.items()}
        params = ()
        if "{d}" in self.template:
            params = (day,) * self.template.count("{d}")
        return RawSQL(self.sql(d="%s::date", **quoted), params, output_field=output_field or BooleanField())


# --- Indsatser -----------------------------------------------------------------------------

INDSATS_STARTED = Concept(
    "indsats_started",
    "An indsats is started (iværksat) on a day when it has an actual start on or before that day. "
    "The status field is not read: the date is what the law and the audit count.",
    "{i}.actual_start IS NOT NULL AND {i}.actual_start <= {d}",
)

INDSATS_PLANNED = Concept(
    "indsats_planned",
    "An indsats is planned on a day when its lifecycle entered `planlagt` on or before that day "
    "(it stays planned afterwards, whatever happened next).",
    "EXISTS (SELECT 1 FROM plans_interventionevent pe WHERE pe.intervention_id = {i}.id "
    "AND pe.to_status = 'planlagt' AND pe.on <= {d})",
)

INDSATS_TIMED = Concept(
    "indsats_timed",
    "An indsats counts in the timing measures unless it is regional health treatment, which "
    "kommuner need not register (the audit excludes it; fokusrevision N4, 1.14, 2.5, 2.8).",
    "{i}.category <> 'sundhed_regional'",
)

# --- Opfølgningssamtaler ---------------------------------------------------------------------

SAMTALE_HELD = Concept(
    "samtale_held",
    "A samtale is held on a day when it took place on or before that day with the borger present "
    "(an udeblivelse is registered but is not a held samtale).",
    "{m}.borger_attended AND {m}.held_on <= {d}",
)

SAMTALE_MISSED = Concept(
    "samtale_missed",
    "A samtale is an udeblivelse on a day when it was registered for that day or before with the borger "
    "absent: every samtale dated on or before a day is either held or missed.",
    "NOT {m}.borger_attended AND {m}.held_on <= {d}",
)

SAMTALE_INDIVIDUAL = Concept(
    "samtale_individual",
    "A samtale is individual when its form is `individuel` (a group meeting is not).",
    "{m}.setting = 'individuel'",
)

NEXT_SAMTALE_NOT_RELEVANT = Concept(
    "next_samtale_not_relevant",
    "No next samtale is expected when the latest samtale said the forløb ends, goes back to the "
    "team or is to be re-assessed (fokusrevision 3.8: 'where relevant').",
    "{l}.no_next_reason IN ('afsluttes', 'genforelaeggelse', 'revurdering')",
)

NEXT_SAMTALE_AGREED = Concept(
    "next_samtale_agreed",
    "A next samtale is agreed when the latest samtale (held or not) names its date, or, before any "
    "samtale, the indsatsplan in force does. `{l}` is the latest samtale (a LEFT JOIN), `{p}` the plan.",
    "({l}.forloeb_id IS NOT NULL AND {l}.next_on IS NOT NULL) "
    "OR ({l}.forloeb_id IS NULL AND {p}.next_followup_on IS NOT NULL)",
)

# --- Goals and documents ----------------------------------------------------------------------

GOAL_CONCRETE = Concept(
    "goal_concrete",
    "A goal is concrete when a job goal names an occupation (DISCO) or an education goal names a "
    "specific education; the database computes it (`rehab.Goal.is_concrete`, a generated column).",
    "{g}.is_concrete",
)

WRITTEN = Concept(
    "written",
    "A text section counts as written when it holds more than blanks (spaces, tabs, line breaks), "
    "as the forberedende del's checklist reads it (e.g. the borger's perspective).",
    "COALESCE({col}, '') ~ '[^[:space:]]'",
)

# --- Dates and ages ---------------------------------------------------------------------------

PREPARATION_STARTED_ON = Concept(
    "preparation_started_on",
    "The forberedende del started on the day work on it began, else on the day the case was opened.",
    "COALESCE({pp}.work_started_on, {f}.opened_on)",
)

MEETING_ON = Concept(
    "meeting_on",
    "The day of the rehabiliteringsteam's meeting behind an indstilling: the meeting's Danish calendar "
    "day when the indstilling is linked to its agenda item, else the indstilling's own date.",
    "COALESCE((SELECT (mtm.starts_at AT TIME ZONE 'Europe/Copenhagen')::date FROM rehab_agendaitem ma "
    "JOIN rehab_teammeeting mtm ON mtm.id = ma.meeting_id WHERE ma.id = {r}.agenda_item_id), {r}.given_on)",
)

YDELSE_STARTED_ON = Concept(
    "ydelse_started_on",
    "Ressourceforløbsydelse starts on the afgørelse's stated start, else on the forløb's start date.",
    "COALESCE({dec}.benefit_start_on, {f}.start_date)",
)

LASTED_12_MONTHS = Concept(
    "lasted_12_months",
    "A forløb has lasted at least 12 months on a day when it started 12 months or more before it "
    "(the audit's denominator for follow-up, 3.9).",
    "{f}.start_date <= ({d}::date - INTERVAL '12 months')::date",
)

AT_LEAST_4_MONTHS_OLD = Concept(
    "at_least_4_months_old",
    "A forløb is at least 4 months old on a day when it started 4 months or more before it "
    "(the audit leaves younger forløb out of the timing measures, 1.13-1.15 and 2.5).",
    "{f}.start_date <= ({d}::date - INTERVAL '4 months')::date",
)

OPEN_ON = Concept(
    "open_on",
    "A forløb is open on a day when the case was opened on or before it and not closed on or before it.",
    "{f}.opened_on <= {d} AND ({f}.closed_on IS NULL OR {f}.closed_on > {d})",
)

IN_LATEST_12_MONTHS = Concept(
    "in_latest_12_months",
    "A samtale lies in the latest 12 months of a day when it was held after the same date a year "
    "before (the rolling window of the six-a-year rules).",
    "{m}.held_on > ({d}::date - INTERVAL '12 months')::date",
)

LATEST_12_MONTHS_FROM = Concept(
    "latest_12_months_from",
    "The first day of the latest 12 months of a day: the day after the same date a year before "
    "(IN_LATEST_12_MONTHS holds from it; the evidence of the six-a-year rules names it).",
    "({d}::date - INTERVAL '12 months')::date + 1",
)

IN_FIRST_6_MONTHS = Concept(
    "in_first_6_months",
    "A samtale lies in a forløb's first six months when it was held on or after the start and "
    "before the same date six months later (LAB § 31, stk. 3).",
    "{m}.held_on >= {f}.start_date AND {m}.held_on < ({f}.start_date + INTERVAL '6 months')::date",
)

SIX_MONTHS_AFTER_START = Concept(
    "six_months_after_start",
    "The same date six months after a forløb's start: the first day after its first six months "
    "(IN_FIRST_6_MONTHS ends the day before) and the deadline of LAB § 113, stk. 2 for starting an indsats.",
    "({f}.start_date + INTERVAL '6 months')::date",
)

BORGER_BIRTH_DATE = Concept(
    "borger_birth_date",
    "A borger's birth date, read from the CPR number by the century rule of `stdnum.dk.cpr`.",
    """make_date(
    substr({b}.cpr, 5, 2)::int + CASE
        WHEN substr({b}.cpr, 7, 1) IN ('5', '6', '7', '8') AND substr({b}.cpr, 5, 2)::int >= 58 THEN 1800
        WHEN substr({b}.cpr, 7, 1) IN ('0', '1', '2', '3')
          OR (substr({b}.cpr, 7, 1) IN ('4', '9') AND substr({b}.cpr, 5, 2)::int >= 37) THEN 1900
        ELSE 2000 END,
    substr({b}.cpr, 3, 2)::int, substr({b}.cpr, 1, 2)::int)""",
)

REPEAT_FORLOEB = Concept(
    "repeat_forloeb",
    "A forløb is a further ressourceforløb when the borger had an earlier forløb that was granted "
    "(R6: over 40, only if the borger wishes it).",
    "EXISTS (SELECT 1 FROM cases_forloeb prev WHERE prev.borger_id = {f}.borger_id "
    "AND prev.sequence_no < {f}.sequence_no AND prev.start_date IS NOT NULL)",
)


def max_end(start: str) -> str:
    """SQL: the latest end of a forløb started on `start` under the law in force on that day
    (5 years, from 1.1.2022 3 years; `cases.rulepacks`)."""
    from cases.rulepacks import RULE_PACKS

    whens = " ".join(
        f"WHEN {start} >= DATE '{p.valid_from.isoformat()}' THEN ({start} + INTERVAL '{p.max_duration_years} years')::date"
        for p in reversed(RULE_PACKS)
    )
    return f"(CASE {whens} END)"


def age_on(b: str, day: str) -> str:
    """SQL: the borger's age in whole years on `day`."""
    return f"date_part('year', age({day}, {BORGER_BIRTH_DATE.sql(b=b)}))"


CONCEPTS: tuple[Concept, ...] = tuple(v for v in list(globals().values()) if isinstance(v, Concept))
