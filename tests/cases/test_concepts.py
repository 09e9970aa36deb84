"""The measured concepts of `cases.concepts` are defined once and mean the same in SQL and in the ORM.

Two kinds of check: a source scan, so the flag rules, the forløb pages, the evaluation exports
and the ledelsestilsyn cannot spell a concept out by hand again, and for each boolean concept a
small population on which its SQL form (the flag rules, the tilsyn) and its ORM form (the pages,
the exports) select exactly the rows the concept's meaning says.
"""

import random
import re
import string
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import connection
from stdnum.dk import cpr as stdnum_cpr

from cases import concepts as c
from cases.cpr import fictitious_cpr
from cases.models import Forloeb
from followup.models import FollowUpMeeting
from plans.models import Intervention
from rehab.models import Goal
from tests.factories import (
    ActionPlanFactory,
    BorgerFactory,
    FollowUpMeetingFactory,
    ForloebFactory,
    GoalFactory,
    InterventionEventFactory,
    InterventionFactory,
)

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2024, 6, 14)

# --- The source scan ------------------------------------------------------------------------------

# Where the concepts are read. A directory that does not exist (yet) is skipped.
CONSUMERS = ("followup/rulepacks", "plans/selectors.py", "interchange/evaluation.py", "supervision")


@dataclass(frozen=True)
class Spelling:
    pattern: str
    use: str  # the concept(s) to use instead
    reason: str
    example: str  # a hand-written spelling the pattern must catch


SPELLED_OUT = (
    Spelling(
        r"borger_attended",
        "SAMTALE_HELD / SAMTALE_MISSED",
        "a samtale counts as held only with the borger present and dated by the day; an udeblivelse is not held",
        "LEFT JOIN m ON m.forloeb_id = f.id AND m.borger_attended",
    ),
    Spelling(
        r"setting\s*=\s*'individuel'",
        "SAMTALE_INDIVIDUAL",
        "the law counts individual samtaler; a group meeting does not count",
        "AND m.setting = 'individuel'",
    ),
    Spelling(
        r"actual_start\s*(IS NOT NULL|<=)",
        "INDSATS_STARTED",
        "started means an actual start on or before the day, never the status",
        "WHERE i.actual_start IS NOT NULL AND i.actual_start <= %(d)s",
    ),
    Spelling(
        r"STARTED_STATUSES",
        "INDSATS_STARTED",
        "started is read from the actual start; an import may hold the status without the date",
        'started=Count("id", filter=Q(status__in=STARTED_STATUSES))',
    ),
    Spelling(
        r"is_concrete",
        "GOAL_CONCRETE",
        "the database decides what a concrete goal is",
        "AND g.is_concrete",
    ),
    Spelling(
        r"work_started_on\s*,\s*[\w{}]+\.opened_on",
        "PREPARATION_STARTED_ON",
        "the forberedende del starts when work began, else when the case was opened",
        "COALESCE(pp.work_started_on, f.opened_on)",
    ),
    Spelling(
        r"INTERVAL '12 months'",
        "IN_LATEST_12_MONTHS / LATEST_12_MONTHS_FROM / LASTED_12_MONTHS",
        "the rolling year of the six-a-year rules and the audit's 12-month denominator have one boundary",
        "AND m.held_on > (%(d)s::date - INTERVAL '12 months')::date",
    ),
    Spelling(
        r"held_on[^\n]*INTERVAL '6 months'",
        "IN_FIRST_6_MONTHS / SIX_MONTHS_AFTER_START",
        "the first six months of LAB § 31, stk. 3 end the day before the same date six months on",
        "AND m.held_on < (f.start_date + INTERVAL '6 months')::date",
    ),
    Spelling(
        r"INTERVAL '4 months'",
        "AT_LEAST_4_MONTHS_OLD",
        "the audit leaves forløb younger than four months out of the timing measures",
        "WHERE f.start_date <= (%(d)s::date - INTERVAL '4 months')::date",
    ),
    Spelling(
        r"to_status\s*=\s*'planlagt'",
        "INDSATS_PLANNED",
        "planned means a lifecycle event into planlagt dated on or before the day",
        "WHERE pe.intervention_id = i.id AND pe.to_status = 'planlagt'",
    ),
    Spelling(
        r"no_next_reason\s+(NOT\s+)?IN",
        "NEXT_SAMTALE_NOT_RELEVANT",
        "which reasons excuse a missing next samtale is decided once (fokusrevision 3.8)",
        "AND l.no_next_reason NOT IN ('afsluttes', 'genforelaeggelse', 'revurdering')",
    ),
    Spelling(
        r"closed_on\s+IS\s+NULL\s+OR\s+[\w{}]+\.closed_on\s*>(?!=)",
        "OPEN_ON",
        "a forløb closed on the day is no longer open on it",
        "WHERE f.opened_on <= %(d)s AND (f.closed_on IS NULL OR f.closed_on > %(d)s)",
    ),
    Spelling(
        r"make_date\(",
        "BORGER_BIRTH_DATE / age_on()",
        "the CPR's century rule is written once",
        "make_date(substr(b.cpr, 5, 2)::int + 1900, substr(b.cpr, 3, 2)::int, substr(b.cpr, 1, 2)::int)",
    ),
    Spelling(
        r"max_duration_years",
        "max_end()",
        "the maximum duration follows the law in force at the start",
        "THEN ({start} + INTERVAL '{p.max_duration_years} years')::date",
    ),
)


def consumer_files() -> list[Path]:
    files = []
    for name in CONSUMERS:
        path = ROOT / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(sorted(path.rglob("*.py")))
    return files


def test_every_pattern_catches_its_hand_written_spelling_but_not_the_period_overlap():
    """A pattern that misses its example guards nothing; one that catches a period test is too wide."""
    missed = [s.example for s in SPELLED_OUT if not re.search(s.pattern, s.example)]
    assert not missed, f"These examples are not caught: {missed}"
    period = "AND f.opened_on <= %(period_to)s AND (f.closed_on IS NULL OR f.closed_on >= %(period_from)s)"
    assert not [s.pattern for s in SPELLED_OUT if re.search(s.pattern, period)]


def test_no_consumer_spells_out_a_concept_by_hand():
    files = consumer_files()
    assert any(f.name == "evaluation.py" for f in files) and any(f.parent.name == "rulepacks" for f in files)
    found = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for spelling in SPELLED_OUT:
                if re.search(spelling.pattern, line):
                    found.append(
                        f"{path.relative_to(ROOT)}:{number}: {line.strip()!r} spells out what "
                        f"cases.concepts.{spelling.use} defines ({spelling.reason})"
                    )
    assert not found, "Use the concept instead:\n" + "\n".join(found)


# --- The same rows in SQL and in the ORM ------------------------------------------------------------


def placeholders(concept: c.Concept) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(concept.template) if name and name != "d"}


def sql_ids(concept: c.Concept, model, alias: str, day: date) -> set[int]:
    """The rows of the model's table the SQL form selects (as the flag rules use it)."""
    table = model._meta.db_table
    sql = f"SELECT {alias}.id FROM {table} {alias} WHERE {concept.sql(**{alias: alias})}"  # noqa: S608 - constants
    with connection.cursor() as cursor:
        cursor.execute(sql, {"d": day})
        return {row[0] for row in cursor.fetchall()}


def orm_ids(concept: c.Concept, model, alias: str, day: date) -> set[int]:
    """The rows the ORM form selects (as the pages and the exports use it)."""
    expression = concept.expression(day, **{alias: model._meta.db_table})
    return set(model.objects.filter(expression).values_list("id", flat=True))


def assert_same_rows(concept: c.Concept, model, expected: dict[str, tuple[object, bool]], day: date = DAY):
    """`expected` names each row of the population and says whether the concept holds for it."""
    (alias,) = placeholders(concept)
    wanted = {obj.pk for obj, holds in expected.values() if holds}
    names = {obj.pk: name for name, (obj, _) in expected.items()}
    in_sql, in_orm = sql_ids(concept, model, alias, day), orm_ids(concept, model, alias, day)
    assert in_sql == in_orm == wanted, (
        f"{concept.name}: SQL {sorted(names[i] for i in in_sql)}, ORM {sorted(names[i] for i in in_orm)}, "
        f"meant {sorted(names[i] for i in wanted)}"
    )


@pytest.fixture
def forloeb(db):
    return ForloebFactory(opened_on=date(2023, 1, 2), start_date=date(2023, 3, 1))


def test_an_indsats_is_started_on_the_day_of_its_actual_start_not_before_and_whatever_its_status(forloeb):
    def indsats(**kwargs):
        return InterventionFactory(forloeb=forloeb, **kwargs)

    assert_same_rows(
        c.INDSATS_STARTED,
        Intervention,
        {
            "started earlier": (indsats(actual_start=DAY - timedelta(days=30), status="igangsat"), True),
            "started on the day": (indsats(actual_start=DAY, status="igangsat"), True),
            "start registered, status left behind": (indsats(actual_start=DAY, status="bevilget"), True),
            "starts tomorrow": (indsats(actual_start=DAY + timedelta(days=1), status="igangsat"), False),
            "status igangsat without a start": (indsats(status="igangsat"), False),
            "planned only": (indsats(planned_start=DAY - timedelta(days=5)), False),
        },
    )


def test_an_indsats_is_planned_from_the_day_it_entered_planlagt_and_stays_so(forloeb, caseworker):
    def indsats(*events):
        item = InterventionFactory(forloeb=forloeb)
        for to_status, on in events:
            InterventionEventFactory(intervention=item, to_status=to_status, on=on, actor=caseworker)
        return item

    before, after = DAY - timedelta(days=10), DAY + timedelta(days=1)
    assert_same_rows(
        c.INDSATS_PLANNED,
        Intervention,
        {
            "planned earlier": (indsats(("planlagt", before)), True),
            "planned on the day": (indsats(("planlagt", DAY)), True),
            "planned, then started": (indsats(("planlagt", before), ("igangsat", DAY)), True),
            "planned tomorrow": (indsats(("planlagt", after)), False),
            "only recommended": (indsats(("indstillet", before)), False),
            "no events (an import)": (indsats(), False),
        },
    )


def test_regional_health_treatment_is_left_out_of_the_timing_measures(forloeb):
    assert_same_rows(
        c.INDSATS_TIMED,
        Intervention,
        {
            "regional treatment": (InterventionFactory(forloeb=forloeb, category="sundhed_regional"), False),
            "kommunal health": (InterventionFactory(forloeb=forloeb, category="sundhed_kommunal"), True),
            "mentor": (InterventionFactory(forloeb=forloeb, category="mentor"), True),
        },
    )


@pytest.fixture
def samtaler(forloeb):
    def samtale(held_on, **kwargs):
        return FollowUpMeetingFactory(forloeb=forloeb, held_on=held_on, **kwargs)

    return {
        "attended earlier": samtale(DAY - timedelta(days=40)),
        "attended on the day": samtale(DAY),
        "group, attended": samtale(DAY - timedelta(days=20), setting="gruppe"),
        "udeblivelse": samtale(DAY - timedelta(days=10), borger_attended=False),
        "udeblivelse tomorrow": samtale(DAY + timedelta(days=1), borger_attended=False),
        "attended tomorrow": samtale(DAY + timedelta(days=1)),
        "a year and a day ago": samtale(date(2023, 6, 14)),
        "a year ago tomorrow": samtale(date(2023, 6, 15), no_next_reason="revurdering", next_on=None),
        "forløb ends": samtale(date(2023, 9, 1), no_next_reason="afsluttes", next_on=None),
        "other reason": samtale(date(2023, 10, 2), no_next_reason="andet", next_on=None),
    }


def test_a_samtale_is_held_when_the_borger_attended_it_by_the_day(samtaler):
    held = {"attended earlier", "attended on the day", "group, attended", "a year and a day ago"}
    held |= {"a year ago tomorrow", "forløb ends", "other reason"}
    expected = {name: (m, name in held) for name, m in samtaler.items()}
    assert_same_rows(c.SAMTALE_HELD, FollowUpMeeting, expected)


def test_an_udeblivelse_is_a_samtale_by_the_day_without_the_borger(samtaler):
    expected = {name: (m, name == "udeblivelse") for name, m in samtaler.items()}
    assert_same_rows(c.SAMTALE_MISSED, FollowUpMeeting, expected)


def test_held_and_missed_split_the_samtaler_dated_by_the_day(samtaler):
    (alias,) = placeholders(c.SAMTALE_HELD)
    held = orm_ids(c.SAMTALE_HELD, FollowUpMeeting, alias, DAY)
    missed = orm_ids(c.SAMTALE_MISSED, FollowUpMeeting, alias, DAY)
    dated = {m.pk for m in samtaler.values() if m.held_on <= DAY}
    assert not held & missed and held | missed == dated


def test_a_group_samtale_is_not_individual(samtaler):
    expected = {name: (m, name != "group, attended") for name, m in samtaler.items()}
    assert_same_rows(c.SAMTALE_INDIVIDUAL, FollowUpMeeting, expected)


def test_the_latest_twelve_months_start_the_day_after_the_same_date_a_year_before(samtaler):
    outside = {"a year and a day ago"}
    expected = {name: (m, name not in outside) for name, m in samtaler.items()}
    assert_same_rows(c.IN_LATEST_12_MONTHS, FollowUpMeeting, expected)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {c.LATEST_12_MONTHS_FROM.sql()}", {"d": DAY})
        assert cursor.fetchone()[0] == samtaler["a year ago tomorrow"].held_on


def test_ending_reassessment_and_genforelaeggelse_excuse_a_missing_next_samtale(samtaler):
    excused = {"a year ago tomorrow", "forløb ends"}
    expected = {name: (m, name in excused) for name, m in samtaler.items()}
    assert_same_rows(c.NEXT_SAMTALE_NOT_RELEVANT, FollowUpMeeting, expected)


def test_a_goal_is_concrete_when_it_names_an_occupation_or_an_education(forloeb):
    plan = ActionPlanFactory(forloeb=forloeb)
    assert_same_rows(
        c.GOAL_CONCRETE,
        Goal,
        {
            "job goal with an occupation": (GoalFactory(document=plan, concrete=True), True),
            "named education": (GoalFactory(document=plan, kind="uddannelse", concrete=True), True),
            "vague job goal": (GoalFactory(document=plan), False),
        },
    )


def test_a_forloeb_is_open_from_its_opening_day_until_the_day_it_closes(db):
    def case(opened_on, closed_on=None):
        return ForloebFactory(opened_on=opened_on, closed_on=closed_on)

    assert_same_rows(
        c.OPEN_ON,
        Forloeb,
        {
            "opened earlier": (case(DAY - timedelta(days=100)), True),
            "opened on the day": (case(DAY), True),
            "opens tomorrow": (case(DAY + timedelta(days=1)), False),
            "closes tomorrow": (case(DAY - timedelta(days=100), DAY + timedelta(days=1)), True),
            "closed on the day": (case(DAY - timedelta(days=100), DAY), False),
        },
    )


@pytest.fixture
def by_start(db):
    def make(start_date):
        return ForloebFactory(opened_on=date(2022, 1, 3), start_date=start_date)

    return make


def test_a_forloeb_has_lasted_twelve_months_from_the_same_date_a_year_on(by_start):
    assert_same_rows(
        c.LASTED_12_MONTHS,
        Forloeb,
        {
            "started a year ago": (by_start(date(2023, 6, 14)), True),
            "started a year ago tomorrow": (by_start(date(2023, 6, 15)), False),
            "not granted": (by_start(None), False),
        },
    )


def test_a_forloeb_is_four_months_old_from_the_same_date_four_months_on(by_start):
    assert_same_rows(
        c.AT_LEAST_4_MONTHS_OLD,
        Forloeb,
        {
            "started four months ago": (by_start(date(2024, 2, 14)), True),
            "started four months ago tomorrow": (by_start(date(2024, 2, 15)), False),
        },
    )


def closed(**kwargs) -> Forloeb:
    """An earlier forløb, closed (the phase field is protected; a closed forløb is afsluttet)."""
    f = ForloebFactory(opened_on=date(2019, 1, 2), closed_on=date(2022, 12, 30), **kwargs)
    Forloeb.objects.filter(pk=f.pk).update(phase="afsluttet")
    return f


def test_a_further_forloeb_follows_an_earlier_granted_one_of_the_same_borger(db):
    borger, other = BorgerFactory(), BorgerFactory()
    first = closed(borger=borger, start_date=date(2019, 3, 1))
    never_granted = closed(borger=other)
    assert_same_rows(
        c.REPEAT_FORLOEB,
        Forloeb,
        {
            "the first": (first, False),
            "the second": (ForloebFactory(borger=borger, sequence_no=2, opened_on=date(2023, 1, 2)), True),
            "after one never granted": (ForloebFactory(borger=other, sequence_no=2, opened_on=DAY), False),
            "never granted": (never_granted, False),
        },
    )


def test_a_section_counts_as_written_when_it_holds_more_than_blanks(samtaler):
    rows = list(samtaler.values())[:3]
    for m, text in zip(rows, ("Borgeren vil gerne i praktik.", "   ", ""), strict=True):
        FollowUpMeeting.objects.filter(pk=m.pk).update(borger_perspective=text)
    written = c.WRITTEN.expression(col="borger_perspective")
    found = set(
        FollowUpMeeting.objects.filter(pk__in=[m.pk for m in rows]).filter(written).values_list("id", flat=True)
    )
    assert found == {rows[0].pk}


def test_the_birth_date_from_the_cpr_number_follows_the_century_rule(db):
    rng = random.Random(7)
    births = [date(1910, 5, 17), date(1937, 2, 1), date(1958, 12, 31), date(1999, 7, 7), date(2005, 3, 9)]
    numbers = [fictitious_cpr(born, rng) for born in births for _ in range(4)] + ["0101585001", "0101584001"]
    sql = f"SELECT {c.BORGER_BIRTH_DATE.sql(b='b')}, {c.age_on('b', '%(d)s')} FROM (VALUES (%(cpr)s)) AS b(cpr)"  # noqa: S608
    with connection.cursor() as cursor:
        for cpr in numbers:
            cursor.execute(sql, {"cpr": cpr, "d": DAY})
            born, age = cursor.fetchone()
            expected = stdnum_cpr.get_birth_date(cpr)
            assert born == expected, cpr
            assert age == DAY.year - expected.year - ((DAY.month, DAY.day) < (expected.month, expected.day)), cpr
