"""Folketingets Beskæftigelsesudvalg's question 244 (BEU alm. del spm. 244, 2015) answered from
the app's own data: the eleven questions in total and per kommune and team, for a period, as of a
day (spec data-and-parliament.md §2, docs/beu244.md).

`report()` reads the forløb of a queryset (the caller scopes it: `Forloeb.objects.visible_to(user)`
within the unit, or a whole kommune for the command) in a fixed number of queries: one for the
forløb, five for their outcome facts (`outcomes.selectors.results_for`, the one definition of
them), two for the names of kommuner and teams. Everything else is counting in Python.

The answer is a list of questions, each a list of tables; a table is lines over the report's
units (the total, each kommune, each team). A line shows a `Row`, and one row (one number per
unit) may stand in several tables (the forløb counted in the outcome tables stand under every
question 3-9), so a number is suppressed the same way wherever it appears.

Small-cell suppression (`suppress`): a count from 1 to threshold-1 is shown as "<5" in every
kommune and team column, and in what leaves the team (PDF, CSV, JSON) also in the total column.
Where the counts of a table add up to a line of it (the categories of table 3 to the forløb in
it), or the teams (kommuner) to the total, one suppressed count could be recomputed from the
others, so the smallest other count is suppressed as well (complementary suppression), until
no shown sum has exactly one suppressed part and no suppressed sum has all its parts shown. Means and medians of fewer than threshold forløb are not
shown, nor the percentage of a suppressed count.
"""

import calendar
import datetime as dt
import json
import re
import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cases.models import EarlyEndReason, Kommune, Team
from cases.spreadsheet import csv_writer
from outcomes.models import (
    TABLE_3,
    TABLE_3_ORDER,
    BonusStatus,
    ExitStatusCode,
    FollowUpPoint,
    RevalideringType,
    Sanction,
    SanctionReason,
)
from outcomes.selectors import Result, ended_early, follow_up_due, not_completed, results_for
from supervision.charts import format_count

POINT = FollowUpPoint.ONE_MONTH  # the follow-up point of every outcome table (the 2015 answer's)

# Duration in whole calendar months from the start: [low, high) months.
DURATION_BANDS = (
    ("0-6", 0, 6, _("Under 6 måneder")),
    ("6-12", 6, 12, _("6 til under 12 måneder")),
    ("12-24", 12, 24, _("12 til under 24 måneder")),
    ("24-36", 24, 36, _("24 til under 36 måneder")),
    ("36-60", 36, 60, _("36 til under 60 måneder")),
    ("60+", 60, None, _("60 måneder eller mere")),
)
# Hours a week: [low, high).
HOUR_BANDS = (
    ("0-10", 0, 10, _("Under 10 timer")),
    ("10-20", 10, 20, _("10 til under 20 timer")),
    ("20-30", 20, 30, _("20 til under 30 timer")),
    ("30-37", 30, 37, _("30 til under 37 timer")),
    ("37+", 37, None, _("37 timer eller mere")),
)
DAYS_PER_MONTH = Decimal("30.4375")  # 365.25 / 12, only to show a mean or median in months too

QUESTIONS = {
    "1": _("Hvor mange ressourceforløb er etableret, og til hvor mange personer?"),
    "2": _(
        "Hvor lang varighed har ressourceforløbene haft (afsluttede forløb), og hvor lang er den planlagte varighed?"
    ),
    "3": _(
        "Hvor mange er efter ressourceforløbet kommet i ordinært, ustøttet arbejde, og med hvor mange timer om ugen?"
    ),
    "4": _("Hvor mange er visiteret til fleksjob, og med hvor mange timer om ugen?"),
    "5": _("Hvor mange er ansat i fleksjob, og med hvor mange timer om ugen?"),
    "6": _(
        "I hvor mange tilfælde er der forhåndsgodkendt eller udløst bonus til arbejdsgiveren for ansættelse i fleksjob?"
    ),
    "7": _("Hvor mange er efter ressourceforløbet overgået til revalidering eller forrevalidering?"),
    "8": _("Hvor mange er indstillet til førtidspension?"),
    "9": _("Hvor mange har fået tilkendt førtidspension?"),
    "10": _("Hvor mange har ikke gennemført ressourceforløbet, og hvad er årsagerne?"),
    "11": _("Hvor mange er blevet sanktioneret for ikke at medvirke i eller ikke at gennemføre ressourceforløbet?"),
}
OUTCOME_POINT = _(
    "1 måned efter afslutningen (forsørgelsesstatus); øvrige oplysninger dateret senest på opgørelsesdagen"
)
POINTS = {
    "1": _("Startdatoen"),
    "2": _("Startdatoen og afslutningsdagen"),
    **{str(n): OUTCOME_POINT for n in range(3, 10)},
    "10": _("Afslutningsdagen"),
    "11": _("Sanktionens dato"),
}
_OUTCOME_COHORT = _(
    "Forløb afsluttet i perioden, hvis opfølgningsdag 1 måned efter afslutningen er nået senest på opgørelsesdagen; "
    "de øvrige afsluttede forløb er udeladt og talt for sig. "
)
DEFINITIONS = {
    "1": _(
        "Forløb med startdato (bevillingens start) i perioden, og antallet af forskellige personer (borgere) blandt "
        "dem. Et forløb tælles under det team og den kommune, det hører til. En person med flere forløb startet i "
        "perioden tæller én gang som person."
    ),
    "2": _(
        "Faktisk varighed: fra startdato til afslutningsdag for forløb afsluttet i perioden. Planlagt varighed: fra "
        "startdato til planlagt slutdato, for de samme afsluttede forløb og for alle forløb startet i perioden. "
        "Sager lukket uden at forløbet blev bevilget (uden startdato) er ikke ressourceforløb og er udeladt, men "
        "talt. Varigheden er inddelt i hele kalendermåneder fra startdatoen; gennemsnit og median i dage."
    ),
    "3": _OUTCOME_COHORT
    + _(
        "Ordinært, ustøttet arbejde er forsørgelsesstatus 'Ordinær beskæftigelse' 1 måned efter afslutningen, holdt "
        "adskilt fra selvforsørgelse uden job og uddannelse med SU (som tabel 3 fra 2015 slår sammen). Timetallet "
        "er det, der er registreret ved opfølgningen, ellers timetallet på forløbets resultat."
    ),
    "4": _OUTCOME_COHORT
    + _(
        "Visiteret til fleksjob: datoen for visitationen på forløbets resultat eller kommunens afgørelse om fleksjob, "
        "senest på opgørelsesdagen; timetallet er det forventede ved visitationen. Ledighedsydelse 1 måned efter "
        "afslutningen (2015-svarets tilnærmelse) står ved siden af."
    ),
    "5": _OUTCOME_COHORT
    + _(
        "Ansat i fleksjob: ansættelsesdatoen på forløbets resultat, senest på opgørelsesdagen, med timetallet i "
        "fleksjobbet. Forsørgelsesstatus fleksjob 1 måned efter afslutningen står ved siden af."
    ),
    "6": _OUTCOME_COHORT
    + _(
        "Udløst: bonus udløst senest på opgørelsesdagen. Forhåndsgodkendt: godkendt, men ikke udløst på "
        "opgørelsesdagen. Hvert forløb tælles i én af de tre linjer."
    ),
    "7": _OUTCOME_COHORT
    + _(
        "Revalidering eller forrevalidering registreret på forløbets resultat med startdato senest på "
        "opgørelsesdagen, og forsørgelsesstatus revalidering/forrevalidering 1 måned efter afslutningen."
    ),
    "8": _OUTCOME_COHORT
    + _(
        "Indstillet til førtidspension: indstillingen på forløbets resultat eller rehabiliteringsteamets indstilling "
        "om førtidspension, senest på opgørelsesdagen. Holdt adskilt fra kommunens afgørelse (spørgsmål 9)."
    ),
    "9": _OUTCOME_COHORT
    + _(
        "Tilkendt førtidspension: afgørelsen på forløbets resultat eller kommunens afgørelse om førtidspension, "
        "senest på opgørelsesdagen. Borgere, der havde førtidspension under forløbet, tælles ikke som tilkendt, men "
        "står for sig. Forsørgelsesstatus 'Førtidspension mv.' 1 måned efter afslutningen står ved siden af."
    ),
    "10": _(
        "Forløb afsluttet i perioden. Ikke gennemført: afsluttet før den planlagte slutdato, og afslutningsårsagen "
        "er ikke lønmodtagerbeskæftigelse, uddannelse, fleksjob eller selvforsørgelse. Årsagen er den registrerede "
        "årsag til, at forløbet sluttede før planlagt; 'Ikke angivet', når den ikke er registreret."
    ),
    "11": _(
        "Sanktioner med dato i perioden i forløb i enheden, uanset hvornår forløbet startede. En person eller et "
        "forløb med flere sanktioner tælles én gang; en person med begge årsager tælles under hver årsag."
    ),
}


# --- The report ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A column of the report: the total, a kommune or a team."""

    kind: str  # "total" | "kommune" | "team"
    code: str
    name: str
    kommune_code: str = ""


@dataclass(eq=False)
class Row:
    """One number per unit: a count, or a mean/median ("stat") with the n behind it."""

    key: str
    kind: str  # "count" | "stat"
    values: list
    ns: list | None = None
    unit_text: str = ""  # a stat's unit: "dage" or "timer"


@dataclass
class Line:
    """A row as it stands in one table."""

    key: str
    label: str
    row: Row
    level: int = 0  # 1: a "heraf" line under the line before


@dataclass
class Table:
    key: str
    title: str
    lines: list[Line]
    sums: list[tuple[Row, list[Row]]] = field(default_factory=list)  # (the sum, its parts)
    denominator: Row | None = None  # the percentages' base
    note: str = ""


@dataclass
class Question:
    number: str
    wording: str
    point: str
    definition: str
    tables: list[Table]


@dataclass
class Report:
    period_from: dt.date
    period_to: dt.date
    as_of: dt.date
    threshold: int
    units: list[Unit]
    questions: list[Question]

    def tables(self) -> list[Table]:
        seen, tables = set(), []
        for q in self.questions:
            for t in q.tables:
                if id(t) not in seen:
                    seen.add(id(t))
                    tables.append(t)
        return tables

    def rows(self) -> list[Row]:
        seen, rows = set(), []
        for t in self.tables():
            for r in [line.row for line in t.lines]:
                if r.key not in seen:
                    seen.add(r.key)
                    rows.append(r)
        return rows


@dataclass
class _Case:
    id: int
    borger_id: int
    kommune_id: int
    team_id: int
    start: dt.date | None
    planned_end: dt.date | None
    closed_on: dt.date | None
    outcome: str
    early_end_reason: str
    result: Result | None = None
    actual: tuple[int, str] | None = None  # (days, band) from start to end
    planned: tuple[int, str] | None = None  # (days, band) from start to planned end

    def __post_init__(self):
        if self.start is not None:
            for name, end in (("actual", self.closed_on), ("planned", self.planned_end)):
                if end is not None:
                    setattr(self, name, ((end - self.start).days, _months_band(_whole_months(self.start, end))))


def default_period_from(period_to: dt.date) -> dt.date:
    """The first day of the year that ends on `period_to` (the period when none is asked for)."""
    return period_to - relativedelta(years=1) + dt.timedelta(days=1)


def report(forloeb_qs: QuerySet, period_from: dt.date, period_to: dt.date, as_of: dt.date, threshold: int) -> Report:
    """The eleven answers for the forløb of `forloeb_qs` (already scoped by the caller), for the period
    (both days included), as of a day on or after its last day."""
    if period_from > period_to or period_to > as_of:
        raise ValueError("period_from <= period_to <= as_of")
    cases = _fetch(forloeb_qs, period_from, period_to)
    units, groups = _units(cases)
    return _build(groups, units, period_from, period_to, as_of, threshold)


def _build(
    groups: list[list[_Case]],
    units: list[Unit],
    period_from: dt.date,
    period_to: dt.date,
    as_of: dt.date,
    threshold: int,
) -> Report:
    """The report of forløb already read, one group of them per unit."""
    measures = [_measure(group, period_from, period_to, as_of) for group in groups]
    rows: dict[str, Row] = {}

    def row(key: str, unit_text: str = "") -> Row:
        if key not in rows:
            if isinstance(measures[0].get(key), tuple) or unit_text:
                values = [m.get(key, (None, 0)) for m in measures]
                rows[key] = Row(key, "stat", [v for v, _n in values], [n for _v, n in values], unit_text)
            else:
                rows[key] = Row(key, "count", [m.get(key, 0) for m in measures])
        return rows[key]

    return Report(period_from, period_to, as_of, threshold, units, _questions(row))


def layout() -> list[Question]:
    """The questions, their tables and lines without any forløb (for the documentation's key list)."""
    day = dt.date(2000, 1, 1)
    return _build([[]], [Unit("total", "", "")], day, day, day, 1).questions


def _fetch(forloeb_qs: QuerySet, period_from: dt.date, period_to: dt.date) -> list[_Case]:
    """The forløb started, ended or sanctioned in the period (one query), with the outcome facts of
    those ended or sanctioned (`results_for`, five queries)."""
    span = (period_from, period_to)
    sanctioned = Exists(Sanction.objects.filter(forloeb=OuterRef("pk"), imposed_on__range=span))
    rows = (
        forloeb_qs.annotate(beu244_sanctioned=sanctioned)
        .filter(Q(start_date__range=span) | Q(closed_on__range=span) | Q(beu244_sanctioned=True))
        .order_by("pk")
        .values_list(
            "pk",
            "borger_id",
            "kommune_id",
            "team_id",
            "start_date",
            "planned_end_date",
            "closed_on",
            "outcome",
            "early_end_reason",
            "beu244_sanctioned",
        )
    )
    cases, need = [], []
    for *fields, is_sanctioned in rows:
        case = _Case(*fields)
        cases.append(case)
        if is_sanctioned or (case.closed_on is not None and period_from <= case.closed_on <= period_to):
            need.append(case.id)
    results = results_for(need)
    for case in cases:
        case.result = results.get(case.id)
    return cases


def _units(cases: list[_Case]) -> tuple[list[Unit], list[list[_Case]]]:
    """The total, each kommune (by code), each team (by kommune code and name), with their forløb."""
    kommuner = {
        pk: (code, name)
        for pk, code, name in Kommune.objects.filter(pk__in={c.kommune_id for c in cases}).values_list(
            "pk", "code", "name"
        )
    }
    teams = {
        pk: (kommune_code, code, name)
        for pk, kommune_code, code, name in Team.objects.filter(pk__in={c.team_id for c in cases}).values_list(
            "pk", "kommune__code", "code", "name"
        )
    }
    codes = [code for _k, code, _n in teams.values()]
    unique = len(codes) == len(set(codes))
    units, groups = [Unit("total", "", str(_("I alt")))], [cases]
    for pk, (code, name) in sorted(kommuner.items(), key=lambda kv: kv[1]):
        units.append(Unit("kommune", code, name, code))
        groups.append([c for c in cases if c.kommune_id == pk])
    for pk, (kommune_code, code, name) in sorted(teams.items(), key=lambda kv: (kv[1][0], kv[1][2])):
        units.append(Unit("team", code if unique else f"{kommune_code}/{code}", name, kommune_code))
        groups.append([c for c in cases if c.team_id == pk])
    return units, groups


# --- Counting for one unit -----------------------------------------------------------------------


def _slug(text: str) -> str:
    text = text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


T3_KEYS = {category: "t3." + _slug(category) for category in TABLE_3_ORDER}
BESK_SPLIT = (
    ("ordinaer_beskaeftigelse", ExitStatusCode.ORD_BESK, _("heraf ordinær beskæftigelse")),
    ("selvforsoergelse", ExitStatusCode.SELVFORS, _("heraf selvforsørgelse uden job og uden ydelse")),
    ("uddannelse_su", ExitStatusCode.UDD_SU, _("heraf uddannelse med SU")),
)


def _by(day: dt.date | None, as_of: dt.date) -> bool:
    return day is not None and day <= as_of


def _round1(value) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _stats(values: list) -> tuple[tuple, tuple]:
    """((mean, n), (median, n)), each rounded to one decimal; None when there is nothing."""
    n = len(values)
    if not n:
        return (None, 0), (None, 0)
    numbers = [float(v) for v in values]
    return (_round1(statistics.fmean(numbers)), n), (_round1(statistics.median(numbers)), n)


def _add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole calendar months, on the month's last day when it is shorter (as relativedelta)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _whole_months(start: dt.date, end: dt.date) -> int:
    """The whole calendar months from `start` to `end`: the most m with start + m months <= end."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end < _add_months(start, months) else months


def _months_band(months: int) -> str:
    for key, _low, high, _label in DURATION_BANDS:
        if high is None or months < high:
            return key
    raise AssertionError("unreachable")


def _hours_band(hours) -> str:
    for key, _low, high, _label in HOUR_BANDS:
        if high is None or hours < high:
            return key
    raise AssertionError("unreachable")


def _durations(m: dict, prefix: str, cases: list[_Case], *, actual: bool) -> None:
    """Bands, "not recorded", mean and median (days) of the actual or planned duration."""
    days, missing = [], 0
    bands = dict.fromkeys((b[0] for b in DURATION_BANDS), 0)
    for c in cases:
        duration = c.actual if actual else c.planned
        if duration is None:
            missing += 1
            continue
        bands[duration[1]] += 1
        days.append(duration[0])
    for key, count in bands.items():
        m[f"{prefix}.{key}"] = count
    m[f"{prefix}.ikke_oplyst"] = missing
    m[f"{prefix}.gennemsnit"], m[f"{prefix}.median"] = _stats(days)


def _hours(m: dict, prefix: str, hours: list) -> None:
    known = [h for h in hours if h is not None]
    bands = dict.fromkeys((b[0] for b in HOUR_BANDS), 0)
    for h in known:
        bands[_hours_band(h)] += 1
    for key, count in bands.items():
        m[f"{prefix}.{key}"] = count
    m[f"{prefix}.ikke_oplyst"] = len(hours) - len(known)
    m[f"{prefix}.gennemsnit"], m[f"{prefix}.median"] = _stats(known)


def _measure(cases: list[_Case], period_from: dt.date, period_to: dt.date, as_of: dt.date) -> dict:
    """Every count (int) and mean/median ((value, n)) of the report for one unit's forløb."""
    m: dict = {}

    def in_period(day):
        return day is not None and period_from <= day <= period_to

    # Q1: started in the period, and the persons.
    started = [c for c in cases if in_period(c.start)]
    per_person: dict[int, int] = {}
    for c in started:
        per_person[c.borger_id] = per_person.get(c.borger_id, 0) + 1
    m["q1.forloeb"] = len(started)
    m["q1.personer"] = len(per_person)
    m["q1.personer_flere"] = sum(1 for n in per_person.values() if n > 1)

    # Q2: ended in the period (a ressourceforløb: it has a start date); the duration of each group.
    ended = [c for c in cases if in_period(c.closed_on) and c.start is not None]
    m["q2.afsluttede"] = len(ended)
    m["q2.uden_start"] = sum(1 for c in cases if in_period(c.closed_on) and c.start is None)
    _durations(m, "q2.startede.planlagt", started, actual=False)
    _durations(m, "q2.afsluttede.faktisk", ended, actual=True)
    _durations(m, "q2.afsluttede.planlagt", ended, actual=False)

    # Q3-Q9: the ended forløb whose follow-up day (1 month) has passed; the others are left out.
    cohort = [c for c in ended if follow_up_due(c.closed_on, POINT) <= as_of]
    m["udfald.udeladt"] = len(ended) - len(cohort)
    m["udfald.i_opgoerelsen"] = len(cohort)
    _durations(m, "udfald.faktisk", cohort, actual=True)
    _durations(m, "udfald.planlagt", cohort, actual=False)
    for key in [*T3_KEYS.values(), "t3.ikke_registreret", *(f"t3.{k}" for k, _c, _l in BESK_SPLIT)]:
        m[key] = 0
    for key in (
        "q3.job_registreret",
        "q4.visiteret",
        "q5.ansat",
        "q6.udloest",
        "q6.forhaandsgodkendt",
        "q6.ingen",
        "q7.i_alt",
        "q7.revalidering",
        "q7.forrevalidering",
        "q8.indstillet",
        "q9.tilkendt",
        "q9.havde_fp",
    ):
        m[key] = 0
    ord_hours, expected_hours, fleksjob_hours = [], [], []
    for c in cohort:
        r = c.result or Result(c.id)
        code = r.status.get(POINT, "")
        if not code:
            m["t3.ikke_registreret"] += 1
        else:
            m[T3_KEYS[TABLE_3.get(code, "Andet")]] += 1
            for key, split_code, _label in BESK_SPLIT:
                if code == split_code:
                    m[f"t3.{key}"] += 1
        if code == ExitStatusCode.ORD_BESK:
            hours = r.status_hours.get(POINT)
            ord_hours.append(hours if hours is not None else r.job_hours_per_week)
        m["q3.job_registreret"] += _by(r.ordinary_job_from, as_of)
        if _by(r.fleksjob_visiteret_on, as_of):
            m["q4.visiteret"] += 1
            expected_hours.append(r.fleksjob_expected_hours)
        if _by(r.fleksjob_employed_on, as_of):
            m["q5.ansat"] += 1
            fleksjob_hours.append(r.fleksjob_hours_per_week)
        m["q6." + _bonus(r, as_of)] += 1
        if r.revalidering_type and (r.revalidering_from is None or r.revalidering_from <= as_of):
            m["q7.i_alt"] += 1
            m["q7.revalidering" if r.revalidering_type == RevalideringType.REVALIDERING else "q7.forrevalidering"] += 1
        m["q8.indstillet"] += _by(r.fp_indstillet_on, as_of)
        m["q9.tilkendt"] += _by(r.fp_tilkendt_on, as_of) and not r.fp_held_before
        m["q9.havde_fp"] += r.fp_held_before
    _hours(m, "q3.timer", ord_hours)
    _hours(m, "q4.timer", expected_hours)
    _hours(m, "q5.timer", fleksjob_hours)

    # Q10: not completed, and why.
    early = [c for c in ended if ended_early(c.closed_on, c.planned_end)]
    broken = [c for c in early if not_completed(c.closed_on, c.planned_end, c.outcome, c.early_end_reason)]
    m["q10.foer_planlagt"] = len(early)
    m["q10.ikke_gennemfoert"] = len(broken)
    m["q10.succes"] = len(early) - len(broken)
    reasons = {*EarlyEndReason.values}
    for code in [*EarlyEndReason.values, "ikke_angivet"]:
        m[f"q10.aarsag.{code}"] = 0
    for c in broken:
        m[f"q10.aarsag.{c.early_end_reason if c.early_end_reason in reasons else 'ikke_angivet'}"] += 1

    # Q11: sanctions dated in the period.
    persons, forloeb, by_reason = set(), set(), {r: set() for r in SanctionReason.values}
    m["q11.sanktioner"] = 0
    for r in SanctionReason.values:
        m[f"q11.sanktioner.{r}"] = 0
    for c in cases:
        for s in c.result.sanctions if c.result else []:
            if not in_period(s.imposed_on):
                continue
            m["q11.sanktioner"] += 1
            persons.add(c.borger_id)
            forloeb.add(c.id)
            if s.reason in by_reason:
                m[f"q11.sanktioner.{s.reason}"] += 1
                by_reason[s.reason].add(c.borger_id)
    m["q11.personer"] = len(persons)
    m["q11.forloeb"] = len(forloeb)
    for r, who in by_reason.items():
        m[f"q11.personer.{r}"] = len(who)
    return m


def _bonus(r: Result, as_of: dt.date) -> str:
    """ "udloest", "forhaandsgodkendt" (not paid on the day) or "ingen", from the dates; a status
    recorded without its date counts by the status."""
    paid = _by(r.fleksjob_bonus_paid_on, as_of) or (
        r.fleksjob_bonus_status == BonusStatus.PAID and r.fleksjob_bonus_paid_on is None
    )
    if paid:
        return "udloest"
    approved = _by(r.fleksjob_bonus_preapproved_on, as_of) or (
        r.fleksjob_bonus_status in (BonusStatus.PREAPPROVED, BonusStatus.PAID)
        and r.fleksjob_bonus_preapproved_on is None
    )
    return "forhaandsgodkendt" if approved else "ingen"


# --- The tables ----------------------------------------------------------------------------------


def _duration_table(row, key: str, title, total: Row, total_label, prefix: str, *, planned: bool) -> Table:
    bands = [row(f"{prefix}.{b[0]}") for b in DURATION_BANDS]
    lines = [Line("forloeb", total_label, total)]
    lines += [Line(b[0], b[3], r, 1) for b, r in zip(DURATION_BANDS, bands, strict=True)]
    parts = list(bands)
    if planned:
        missing = row(f"{prefix}.ikke_oplyst")
        lines.append(Line("ikke_oplyst", _("Planlagt slutdato ikke registreret"), missing, 1))
        parts.append(missing)
    lines += [
        Line("gennemsnit_dage", _("Gennemsnit (dage)"), row(f"{prefix}.gennemsnit", "dage")),
        Line("median_dage", _("Median (dage)"), row(f"{prefix}.median", "dage")),
    ]
    return Table(key, title, lines, sums=[(total, parts)], denominator=total)


def _hours_table(row, key: str, title, total: Row, total_label, prefix: str) -> Table:
    bands = [row(f"{prefix}.{b[0]}") for b in HOUR_BANDS]
    missing = row(f"{prefix}.ikke_oplyst")
    lines = [Line("i_alt", total_label, total)]
    lines += [Line(b[0], b[3], r, 1) for b, r in zip(HOUR_BANDS, bands, strict=True)]
    lines += [
        Line("ikke_oplyst", _("Timetal ikke registreret"), missing, 1),
        Line("gennemsnit_timer", _("Gennemsnit (timer om ugen)"), row(f"{prefix}.gennemsnit", "timer")),
        Line("median_timer", _("Median (timer om ugen)"), row(f"{prefix}.median", "timer")),
    ]
    return Table(key, title, lines, sums=[(total, [*bands, missing])])


def _questions(row) -> list[Question]:
    started, ended, cohort = row("q1.forloeb"), row("q2.afsluttede"), row("udfald.i_opgoerelsen")
    in_it = _("Forløb i opgørelsen")

    q1 = Table(
        "startede",
        _("Forløb startet i perioden og personer"),
        [
            Line("forloeb", _("Forløb"), started),
            Line("personer", _("Personer"), row("q1.personer")),
            Line(
                "personer_flere_forloeb",
                _("Personer med mere end ét forløb startet i perioden"),
                row("q1.personer_flere"),
            ),
        ],
    )
    q2_groups = Table(
        "forloeb",
        _("Forløbene bag varighederne"),
        [
            Line("startede", _("Forløb startet i perioden"), started),
            Line("afsluttede", _("Forløb afsluttet i perioden"), ended),
            Line(
                "lukket_uden_start",
                _("Sager lukket i perioden uden at forløbet blev bevilget (udeladt)"),
                row("q2.uden_start"),
            ),
        ],
    )
    ended_actual = _duration_table(
        row,
        "varighed_faktisk",
        _("Faktisk varighed, afsluttede forløb"),
        ended,
        _("Afsluttede forløb"),
        "q2.afsluttede.faktisk",
        planned=False,
    )
    ended_planned = _duration_table(
        row,
        "varighed_planlagt",
        _("Planlagt varighed, afsluttede forløb"),
        ended,
        _("Afsluttede forløb"),
        "q2.afsluttede.planlagt",
        planned=True,
    )
    started_planned = _duration_table(
        row,
        "varighed_planlagt_startede",
        _("Planlagt varighed, forløb startet i perioden"),
        started,
        _("Startede forløb"),
        "q2.startede.planlagt",
        planned=True,
    )

    # The outcome cohort, its duration and table 3, shared by questions 3-9.
    left_out = row("udfald.udeladt")
    cohort_table = Table(
        "opgoerelse",
        _("Forløbene i opgørelsen (1 måned efter afslutning)"),
        [
            Line("afsluttede", _("Forløb afsluttet i perioden"), ended),
            Line("udeladt", _("Udeladt: 1 måned efter afslutningen var ikke nået på opgørelsesdagen"), left_out, 1),
            Line("i_opgoerelsen", in_it, cohort, 1),
        ],
        sums=[(ended, [left_out, cohort])],
    )
    cohort_actual = _duration_table(
        row,
        "varighed_faktisk",
        _("Faktisk varighed af forløbene i opgørelsen"),
        cohort,
        in_it,
        "udfald.faktisk",
        planned=False,
    )
    cohort_planned = _duration_table(
        row,
        "varighed_planlagt",
        _("Planlagt varighed af forløbene i opgørelsen"),
        cohort,
        in_it,
        "udfald.planlagt",
        planned=True,
    )
    durations = [cohort_actual, cohort_planned]
    t3 = {category: row(key) for category, key in T3_KEYS.items()}
    unrecorded = row("t3.ikke_registreret")
    split = [row(f"t3.{key}") for key, _c, _l in BESK_SPLIT]
    besk = t3[TABLE_3_ORDER[0]]
    t3_lines = []
    for category in TABLE_3_ORDER:
        t3_lines.append(Line(_slug(category), category, t3[category]))
        if t3[category] is besk:
            t3_lines += [
                Line("heraf_" + key, label, r, 1) for (key, _code, label), r in zip(BESK_SPLIT, split, strict=True)
            ]
    t3_lines += [
        Line("ikke_registreret", _("Ikke registreret (opfølgningen mangler)"), unrecorded),
        Line("i_alt", _("I alt"), cohort),
    ]
    table_3 = Table(
        "forsoergelsesstatus_1m",
        _("Forsørgelsesstatus 1 måned efter afslutningen (som tabel 3 i svaret fra 2015)"),
        t3_lines,
        sums=[(cohort, [*t3.values(), unrecorded]), (besk, split)],
        denominator=cohort,
    )

    def outcome(number: str, *tables: Table) -> Question:
        return _question(number, [cohort_table, *tables, *durations])

    ord_besk = split[0]
    q3_job = Table(
        "ordinaert_job",
        _("Ordinært, ustøttet arbejde"),
        [
            Line("status_ordinaer_beskaeftigelse", _("Ordinær beskæftigelse 1 måned efter afslutningen"), ord_besk),
            Line("job_registreret", _("Ordinært job registreret på forløbets resultat"), row("q3.job_registreret")),
        ],
        denominator=cohort,
    )
    q3_hours = _hours_table(
        row, "timer", _("Timer om ugen i ordinær beskæftigelse"), ord_besk, _("I ordinær beskæftigelse"), "q3.timer"
    )
    visiteret, ansat = row("q4.visiteret"), row("q5.ansat")
    q4 = Table(
        "fleksjob_visiteret",
        _("Visiteret til fleksjob"),
        [
            Line("visiteret", _("Visiteret til fleksjob"), visiteret),
            Line("status_ledighedsydelse", _("Ledighedsydelse 1 måned efter afslutningen"), t3["Ledighedsydelse"]),
        ],
        denominator=cohort,
    )
    q4_hours = _hours_table(
        row, "timer", _("Forventede timer om ugen ved visitationen"), visiteret, _("Visiteret til fleksjob"), "q4.timer"
    )
    q5 = Table(
        "fleksjob_ansat",
        _("Ansat i fleksjob"),
        [
            Line("ansat", _("Ansat i fleksjob"), ansat),
            Line("status_fleksjob", _("Fleksjob 1 måned efter afslutningen"), t3["Fleksjob"]),
        ],
        denominator=cohort,
    )
    q5_hours = _hours_table(row, "timer", _("Timer om ugen i fleksjobbet"), ansat, _("Ansat i fleksjob"), "q5.timer")
    bonus = [row("q6.udloest"), row("q6.forhaandsgodkendt"), row("q6.ingen")]
    q6 = Table(
        "fleksjobbonus",
        _("Bonus til arbejdsgiveren for ansættelse i fleksjob"),
        [
            Line("udloest", _("Bonus udløst"), bonus[0]),
            Line("forhaandsgodkendt", _("Bonus forhåndsgodkendt, ikke udløst"), bonus[1]),
            Line("ingen", _("Ingen bonus registreret"), bonus[2]),
            Line("i_alt", _("I alt"), cohort),
        ],
        sums=[(cohort, bonus)],
        denominator=cohort,
    )
    reval = [row("q7.revalidering"), row("q7.forrevalidering")]
    q7_total = row("q7.i_alt")
    q7 = Table(
        "revalidering",
        _("Revalidering og forrevalidering"),
        [
            Line("i_alt", _("Revalidering eller forrevalidering registreret"), q7_total),
            Line("revalidering", _("heraf revalidering"), reval[0], 1),
            Line("forrevalidering", _("heraf forrevalidering"), reval[1], 1),
            Line(
                "status_revalidering",
                _("Revalidering/Forrevalidering 1 måned efter afslutningen"),
                t3["Revalidering/Forrevalidering"],
            ),
        ],
        sums=[(q7_total, reval)],
        denominator=cohort,
    )
    q8 = Table(
        "foertidspension_indstillet",
        _("Indstillet til førtidspension"),
        [Line("indstillet", _("Indstillet til førtidspension"), row("q8.indstillet"))],
        denominator=cohort,
    )
    q9 = Table(
        "foertidspension_tilkendt",
        _("Tilkendt førtidspension"),
        [
            Line("tilkendt", _("Tilkendt førtidspension"), row("q9.tilkendt")),
            Line(
                "status_foertidspension", _("Førtidspension mv. 1 måned efter afslutningen"), t3["Førtidspension mv."]
            ),
            Line(
                "havde_foertidspension",
                _("Havde førtidspension under forløbet (tælles ikke som tilkendt)"),
                row("q9.havde_fp"),
            ),
        ],
        denominator=cohort,
    )

    early, success, broken = row("q10.foer_planlagt"), row("q10.succes"), row("q10.ikke_gennemfoert")
    q10 = Table(
        "ikke_gennemfoert",
        _("Forløb, der ikke blev gennemført"),
        [
            Line("afsluttede", _("Forløb afsluttet i perioden"), ended),
            Line("foer_planlagt", _("Sluttede før den planlagte slutdato"), early),
            Line("succes", _("heraf gennemført før tid: job, uddannelse, fleksjob eller førtidspension"), success, 1),
            Line("ikke_gennemfoert", _("heraf ikke gennemført"), broken, 1),
        ],
        sums=[(early, [success, broken])],
        denominator=ended,
    )
    reason_rows = [(code, label, row(f"q10.aarsag.{code}")) for code, label in EarlyEndReason.choices]
    reason_rows.append(("ikke_angivet", _("Ikke angivet"), row("q10.aarsag.ikke_angivet")))
    q10_reasons = Table(
        "aarsager",
        _("Årsager til, at forløbet ikke blev gennemført"),
        [*(Line(code, label, r) for code, label, r in reason_rows), Line("i_alt", _("I alt"), broken)],
        sums=[(broken, [r for _c, _l, r in reason_rows])],
        denominator=broken,
    )

    sanctions, persons = row("q11.sanktioner"), row("q11.personer")
    q11 = Table(
        "sanktioner",
        _("Sanktioner i perioden"),
        [
            Line("personer", _("Personer sanktioneret"), persons),
            Line("forloeb", _("Forløb med en sanktion"), row("q11.forloeb")),
            Line("sanktioner", _("Sanktioner"), sanctions),
        ],
    )
    by_reason = [(code, label, row(f"q11.sanktioner.{code}")) for code, label in SanctionReason.choices]
    q11_sanctions = Table(
        "sanktioner_pr_aarsag",
        _("Sanktioner efter årsag"),
        [*(Line(code, label, r) for code, label, r in by_reason), Line("i_alt", _("I alt"), sanctions)],
        sums=[(sanctions, [r for _c, _l, r in by_reason])],
        denominator=sanctions,
    )
    q11_persons = Table(
        "personer_pr_aarsag",
        _("Personer sanktioneret efter årsag (en person kan have begge årsager)"),
        [Line(code, label, row(f"q11.personer.{code}")) for code, label in SanctionReason.choices],
        denominator=persons,
    )

    return [
        _question("1", [q1]),
        _question("2", [q2_groups, ended_actual, ended_planned, started_planned]),
        outcome("3", table_3, q3_job, q3_hours),
        outcome("4", q4, q4_hours),
        outcome("5", q5, q5_hours),
        outcome("6", q6),
        outcome("7", q7),
        outcome("8", q8),
        outcome("9", q9),
        _question("10", [q10, q10_reasons, ended_actual, ended_planned]),
        _question("11", [q11, q11_sanctions, q11_persons]),
    ]


def _question(number: str, tables: list[Table]) -> Question:
    return Question(number, QUESTIONS[number], POINTS[number], DEFINITIONS[number], tables)


# --- Suppression ---------------------------------------------------------------------------------


@dataclass
class Mask:
    """Which cells of a report are not shown: counts as "<threshold", means and medians not at all."""

    threshold: int
    hidden: set[tuple[str, int]]  # (row key, unit index)

    def __call__(self, row: Row, index: int) -> bool:
        return (row.key, index) in self.hidden


def suppress(rep: Report, *, leaves_the_team: bool) -> Mask:
    """The cells to suppress. Kommune and team columns always; the total column too when the
    figures leave the team (PDF, CSV, JSON); else the total is never suppressed."""
    threshold, units = rep.threshold, rep.units
    protected = set() if leaves_the_team else {i for i, u in enumerate(units) if u.kind == "total"}
    hidden: set[tuple[str, int]] = set()
    values: dict[tuple[str, int], int] = {}
    counts = [r for r in rep.rows() if r.kind == "count"]
    for r in counts:
        for i, value in enumerate(r.values):
            values[(r.key, i)] = value
            if i not in protected and 0 < value < threshold:
                hidden.add((r.key, i))
    for r in rep.rows():
        if r.kind == "stat":
            for i, n in enumerate(r.ns):
                if i not in protected and 0 < n < threshold:
                    hidden.add((r.key, i))
    constraints: list[tuple[tuple[str, int], list[tuple[str, int]]]] = []
    for table in rep.tables():
        for total, parts in table.sums:
            for i in range(len(units)):
                constraints.append(((total.key, i), [(p.key, i) for p in parts]))
    for kind in ("kommune", "team"):
        columns = [i for i, u in enumerate(units) if u.kind == kind]
        if columns:
            constraints += [((r.key, 0), [(r.key, i) for i in columns]) for r in counts]
    changed = True
    while changed:
        changed = False
        for total, parts in constraints:
            n_hidden = sum(1 for p in parts if p in hidden)
            # One hidden part of a shown sum is the sum less the rest; a hidden sum of shown parts is theirs.
            if n_hidden != (0 if total in hidden else 1):
                continue
            candidates = [p for p in parts if p not in hidden and values[p] > 0 and p[1] not in protected]
            if candidates:
                hidden.add(min(candidates, key=lambda p: (values[p], parts.index(p))))
                changed = True
            elif total not in hidden and total[1] not in protected:
                hidden.add(total)
                changed = True
    return Mask(threshold, hidden)


# --- Presentation ---------------------------------------------------------------------------------


def danish_number(value: float) -> str:
    """One decimal with a decimal comma: 109.0 -> "109,0"."""
    return f"{value:.1f}".replace(".", ",")


def share(count: int, n: int) -> float:
    """A percentage with one decimal, rounded half up: 92 of 367 -> 25.1."""
    return float((Decimal(count) * 100 / Decimal(n)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def cell_value(rep: Report, mask: Mask, row: Row, index: int):
    """A cell as data: the count, "<5" when suppressed; a mean or median, None when suppressed or
    there is none."""
    if row.kind == "stat":
        return None if mask(row, index) else row.values[index]
    return f"<{rep.threshold}" if mask(row, index) else row.values[index]


def cell_share(mask: Mask, table: Table, row: Row, index: int) -> float | None:
    d = table.denominator
    if d is None or row.kind != "count" or mask(row, index) or mask(d, index) or not d.values[index]:
        return None
    return share(row.values[index], d.values[index])


@dataclass
class ShownLine:
    label: str
    level: int
    cells: list[str]


@dataclass
class ShownTable:
    key: str
    title: str
    columns: list[Unit]
    lines: list[ShownLine]
    duration: bool


@dataclass
class ShownQuestion:
    number: str
    wording: str
    point: str
    definition: str
    tables: list[ShownTable]
    durations: list[ShownTable]  # the duration of the same forløb, shown beside each other


def _text(rep: Report, mask: Mask, table: Table, line: Line, index: int) -> str:
    row = line.row
    if row.kind == "stat":
        value = row.values[index]
        if mask(row, index):
            return f"n<{rep.threshold}"
        if value is None:
            return "–"
        if row.unit_text == "dage":
            months = Decimal(str(value)) / DAYS_PER_MONTH
            return f"{danish_number(value)} ({danish_number(float(months))} mdr.)"
        return danish_number(value)
    if mask(row, index):
        return f"<{rep.threshold}"
    text = format_count(row.values[index])
    pct = cell_share(mask, table, row, index)
    return f"{text} ({danish_number(pct)} %)" if pct is not None else text


def present(rep: Report, *, leaves_the_team: bool) -> list[ShownQuestion]:
    """The report as text for the page and the PDF. The kommune column is left out when there is
    only one kommune (it is the total)."""
    mask = suppress(rep, leaves_the_team=leaves_the_team)
    kommuner = [i for i, u in enumerate(rep.units) if u.kind == "kommune"]
    shown = [i for i, u in enumerate(rep.units) if u.kind != "kommune" or len(kommuner) > 1]
    columns = [rep.units[i] for i in shown]
    questions = []
    for q in rep.questions:
        tables = [
            ShownTable(
                t.key,
                str(t.title),
                columns,
                [
                    ShownLine(str(line.label), line.level, [_text(rep, mask, t, line, i) for i in shown])
                    for line in t.lines
                ],
                t.key.startswith("varighed"),
            )
            for t in q.tables
        ]
        questions.append(
            ShownQuestion(
                q.number,
                str(q.wording),
                str(q.point),
                str(q.definition),
                [t for t in tables if not t.duration],
                [t for t in tables if t.duration],
            )
        )
    return questions


# --- The machine-readable report (JSON, CSV) ------------------------------------------------------


def as_data(rep: Report, *, scope: dict) -> dict:
    """The report as it leaves the team: "meta" and one key per question "1".."11", every count of
    1 to threshold-1 (and its complements) as "<threshold", in the total too. `scope` names the
    kommune and team asked for (codes) and goes into "meta"."""
    mask = suppress(rep, leaves_the_team=True)

    def unit_data(q: Question, index: int) -> dict:
        out = {}
        for t in q.tables:
            table = {line.key: cell_value(rep, mask, line.row, index) for line in t.lines}
            if t.denominator is not None:
                table["procent"] = {
                    line.key: cell_share(mask, t, line.row, index) for line in t.lines if line.row.kind == "count"
                }
            out[t.key] = table
        return out

    def by_kind(q: Question, kind: str) -> dict:
        return {u.code: unit_data(q, i) for i, u in enumerate(rep.units) if u.kind == kind}

    ended, left_out = _find(rep, "q2.afsluttede"), _find(rep, "udfald.udeladt")
    unstarted = _find(rep, "q2.uden_start")
    data = {
        "meta": {
            "rapport": "BEU alm. del spm. 244",
            "kommune": scope.get("kommune"),
            "team": scope.get("team"),
            "periode": {"fra": rep.period_from.isoformat(), "til": rep.period_to.isoformat()},
            "opgjort_pr": rep.as_of.isoformat(),
            "graense": rep.threshold,
            "undertrykt": f"<{rep.threshold}",
            "tidspunkt_udfald": POINT.value,
            "enheder": [
                {"type": u.kind, "kode": u.code, "navn": u.name, "kommune": u.kommune_code or None} for u in rep.units
            ],
            "udeladt": {
                "afsluttet_i_perioden": cell_value(rep, mask, ended, 0),
                "opfoelgning_1m_ikke_naaet": cell_value(rep, mask, left_out, 0),
                "lukket_uden_startdato": cell_value(rep, mask, unstarted, 0),
            },
            "definitioner": {q.number: str(q.definition) for q in rep.questions},
        }
    }
    for q in rep.questions:
        data[q.number] = {
            "spoergsmaal": str(q.wording),
            "tidspunkt": str(q.point),
            "total": unit_data(q, 0),
            "per_kommune": by_kind(q, "kommune"),
            "per_team": by_kind(q, "team"),
        }
    return data


def _find(rep: Report, key: str) -> Row:
    return next(r for r in rep.rows() if r.key == key)


CSV_COLUMNS = ["spoergsmaal", "tabel", "linje", "enhed", "kode", "vaerdi", "procent"]


def csv_rows(data: dict):
    """One row per cell: the meta values first (spoergsmaal "meta"), then every question's tables
    for the total, each kommune and each team."""
    meta = data["meta"]
    for key in ("rapport", "kommune", "team", "opgjort_pr", "graense", "undertrykt", "tidspunkt_udfald"):
        yield {"spoergsmaal": "meta", "linje": key, "vaerdi": meta[key]}
    yield {"spoergsmaal": "meta", "linje": "periode_fra", "vaerdi": meta["periode"]["fra"]}
    yield {"spoergsmaal": "meta", "linje": "periode_til", "vaerdi": meta["periode"]["til"]}
    for key, value in meta["udeladt"].items():
        yield {"spoergsmaal": "meta", "tabel": "udeladt", "linje": key, "vaerdi": value}
    for number in QUESTIONS:
        q = data[number]
        units = [("total", "", q["total"])]
        units += [("kommune", code, v) for code, v in q["per_kommune"].items()]
        units += [("team", code, v) for code, v in q["per_team"].items()]
        for kind, code, tables in units:
            for table_key, table in tables.items():
                shares = table.get("procent", {})
                for line, value in table.items():
                    if line == "procent":
                        continue
                    yield {
                        "spoergsmaal": number,
                        "tabel": table_key,
                        "linje": line,
                        "enhed": kind,
                        "kode": code,
                        "vaerdi": value,
                        "procent": shares.get(line),
                    }


def write_csv(out, data: dict) -> None:
    """The report (`as_data`) as CSV on the text stream `out`, one row per cell (`csv_rows`)."""
    csv_writer(out, CSV_COLUMNS).writerows(csv_rows(data))


def write_json(out, data: dict) -> None:
    """The report (`as_data`) as JSON (UTF-8 text, Danish letters as they are) on `out`."""
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")
