"""Reads of the ledelsestilsyn: figures for a unit, their variation by team and caseworker, the
forløb behind a figure, and the open flags. All counting happens in the database: one query per
group of control points (grouped by kommune, team and caseworker at once with GROUPING SETS),
one for the flags, whatever the number of forløb."""

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import Http404

from cases.concepts import OPEN_ON
from cases.models import CASE_ROLES, Forloeb, Role, Team, User
from followup.selectors import rule_label
from supervision import points as cp
from supervision.facts import POPULATION, with_facts


@dataclass(frozen=True)
class Unit:
    """What the figures are about: the user's forløb in a kommune, optionally one team or one
    caseworker, active in the period, as of a day."""

    kommune_id: int
    as_of: dt.date
    period_from: dt.date
    period_to: dt.date
    team_id: int | None = None
    coordinator_id: int | None = None
    team_ids: tuple[int, ...] | None = None  # the teams the user may see (None: the whole kommune)
    only_coordinator_id: int | None = None  # a caseworker sees only their own forløb

    def params(self) -> dict:
        return {
            "d": self.as_of,
            "period_from": self.period_from,
            "period_to": self.period_to,
            "kommune": self.kommune_id,
            "teams": list(self.team_ids) if self.team_ids is not None else None,
            "coordinator": self.only_coordinator_id,
            "unit_team": self.team_id,
            "unit_coordinator": self.coordinator_id,
        }


def unit_filter(alias: str) -> str:
    """SQL: the row (of the population `f` or the facts `x`) belongs to the unit's team and
    caseworker, when the unit names one."""
    return (
        f"(%(unit_team)s::bigint IS NULL OR {alias}.team_id = %(unit_team)s)"
        f" AND (%(unit_coordinator)s::bigint IS NULL OR {alias}.coordinator_id = %(unit_coordinator)s)"
    )


def _fetch(sql: str, params: dict) -> list[tuple]:
    """Run one of the facts queries. Without JIT: the planner cannot estimate the joins of the
    materialised CTEs, and compiling a plan it thinks is huge costs seconds (tests/bench/README.md),
    as in the flag evaluation."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        return cursor.fetchall()


def is_supervisor(user: User) -> bool:
    return user.role == Role.TEAM_LEADER or user.is_administrator


def teams_in_view(user: User, kommune_id: int) -> QuerySet:
    """The teams whose forløb the user may see in the kommune."""
    teams = Team.objects.filter(kommune_id=kommune_id)
    if user.is_administrator and (user.is_superuser or user.kommune_id == kommune_id):
        return teams
    return teams.filter(pk__in=user.team_ids)


def caseworkers_of(team_ids: list[int]) -> QuerySet:
    """The (koordinerende) sagsbehandlere who are members of the teams, by name."""
    return (
        User.objects.filter(memberships__team__in=team_ids, role__in=CASE_ROLES)
        .distinct()
        .order_by("first_name", "last_name", "pk")
    )


def kommune_ids_for(user: User) -> list[int]:
    if user.is_superuser:
        return list(Team.objects.values_list("kommune_id", flat=True).distinct().order_by("kommune_id"))
    if user.is_administrator:
        return [user.kommune_id] if user.kommune_id else []
    return sorted(set(Team.objects.filter(pk__in=user.team_ids).values_list("kommune_id", flat=True)))


def unit_for(
    user: User,
    *,
    kommune_id: int,
    as_of: dt.date,
    period_from: dt.date,
    period_to: dt.date,
    team_id: int | None = None,
    coordinator_id: int | None = None,
) -> Unit:
    """The unit the user asked for, within what the user may see; 404 outside it."""
    if kommune_id not in kommune_ids_for(user):
        raise Http404
    only = None
    if is_supervisor(user):
        visible = list(teams_in_view(user, kommune_id).values_list("pk", flat=True))
        team_ids = None if user.is_administrator else tuple(visible)
    else:  # a caseworker: their own forløb, nothing else
        visible, team_ids, only = [], tuple(user.team_ids), user.pk
        team_id, coordinator_id = None, user.pk
    if team_id is not None and team_id not in visible:
        raise Http404
    return Unit(kommune_id, as_of, period_from, period_to, team_id, coordinator_id, team_ids, only)


# --- Figures --------------------------------------------------------------------------------------


@dataclass
class Value:
    n: int
    count: int | None = None  # a share's numerator
    buckets: dict[str, int] | None = None  # a distribution's counts

    @property
    def share(self) -> float | None:
        return self.count / self.n if self.n and self.count is not None else None

    def bucket_shares(self) -> dict[str, float | None]:
        return {k: (v / self.n if self.n else None) for k, v in (self.buckets or {}).items()}


@dataclass
class Figure:
    point: object  # cp.Share | cp.Distribution
    unit: Value
    reference: Value  # everything the user sees in the kommune
    by_team: list[tuple[int, Value]] = field(default_factory=list)
    by_caseworker: list[tuple[int, Value]] = field(default_factory=list)


def _bucket_condition(point: cp.Distribution, index: int) -> str:
    """The forløb in bucket `index`: its condition holds and no earlier bucket's does."""
    own = f"COALESCE({point.buckets[index][1]}, FALSE)"
    earlier = [f"NOT COALESCE({cond}, FALSE)" for _, cond, _ in point.buckets[:index]]
    return " AND ".join([own, *earlier])


def _columns(point) -> list[str]:
    n = f"COALESCE({point.n}, FALSE)"
    if point.kind == "share":
        return [f"count(*) FILTER (WHERE {n})", f"count(*) FILTER (WHERE {n} AND COALESCE({point.count}, FALSE))"]
    return [f"count(*) FILTER (WHERE {n})"] + [
        f"count(*) FILTER (WHERE {n} AND {_bucket_condition(point, i)})" for i in range(len(point.buckets))
    ]


def _value(point, row: list[int]) -> Value:
    if point.kind == "share":
        return Value(n=row[0], count=row[1])
    return Value(n=row[0], buckets={label: row[i + 1] for i, (label, _, _) in enumerate(point.buckets)})


def _aggregate(unit: Unit, points: list, variation: bool) -> dict[tuple[str, int | None], list[int]]:
    """One query: per point its counts for the whole population ("all") and, with `variation`, per
    team and per caseworker (else only the unit's own team or caseworker)."""
    columns = [c for p in points for c in _columns(p)]
    sets, keys = ["()"], []
    for column, wanted in (("x.team_id", unit.team_id), ("x.coordinator_id", unit.coordinator_id)):
        if variation or wanted is not None:
            sets.append(f"({column})")
            keys.append(f"GROUPING({column}), {column}")
        else:  # not grouped by it: only the whole population's row
            keys.append("1, NULL::bigint")
    sql = with_facts(
        f"SELECT {', '.join(keys)}, " + ", ".join(columns) + f" FROM x GROUP BY GROUPING SETS ({', '.join(sets)})"
    )
    rows: dict[tuple[str, int | None], list[int]] = {}
    for g_team, team_id, g_coordinator, coordinator_id, *counts in _fetch(sql, unit.params()):
        if g_team and g_coordinator:
            rows[("all", None)] = counts
        elif not g_team:
            rows[("team", team_id)] = counts
        elif coordinator_id is not None:
            rows[("caseworker", coordinator_id)] = counts
    return rows


def figures(
    unit: Unit, group: str | None = None, *, points: list | None = None, variation: bool = True
) -> list[Figure]:
    """The control points of a group (default: every point; or the `points` given) for the unit,
    with the reference and (with `variation`) every team's and caseworker's value, in one query."""
    if points is None:
        points = cp.points_of(group) if group else cp.POINTS
    rows = _aggregate(unit, points, variation)
    empty = [0] * sum(len(_columns(p)) for p in points)
    result, offset = [], 0
    for p in points:
        width = len(_columns(p))

        def value_of(key, p=p, offset=offset, width=width):
            return _value(p, rows.get(key, empty)[offset : offset + width])

        if unit.coordinator_id is not None:
            own = value_of(("caseworker", unit.coordinator_id))
        elif unit.team_id is not None:
            own = value_of(("team", unit.team_id))
        else:
            own = value_of(("all", None))
        teams = [(k[1], value_of(k)) for k in rows if k[0] == "team"]
        caseworkers = [(k[1], value_of(k)) for k in rows if k[0] == "caseworker"]
        result.append(Figure(p, own, value_of(("all", None)), teams, caseworkers))
        offset += width
    return result


def figures_by_group(unit: Unit, *, variation: bool = True) -> dict[str, list[Figure]]:
    """Every control point, grouped as in `points.GROUPS`, from one query."""
    grouped: dict[str, list[Figure]] = {group: [] for group in cp.GROUPS}
    for figure in figures(unit, variation=variation):
        grouped[figure.point.group].append(figure)
    return grouped


# --- Drill-down -----------------------------------------------------------------------------------

PARTS = ("n", "count")


def drilldown_ids(unit: Unit, point, part: str, bucket: str = "") -> list[int]:
    """The forløb behind a figure: its denominator (`n`), its numerator (`count`) or one bucket,
    within the unit (team or caseworker)."""
    conditions = [f"COALESCE({point.n}, FALSE)"]
    if point.kind == "share" and part == "count":
        conditions.append(f"COALESCE({point.count}, FALSE)")
    if point.kind == "distribution" and bucket:
        labels = [b[0] for b in point.buckets]
        if bucket not in labels:
            raise Http404
        conditions.append(_bucket_condition(point, labels.index(bucket)))
    params = unit.params()
    conditions.append(unit_filter("x"))
    sql = with_facts("SELECT x.id FROM x WHERE " + " AND ".join(conditions) + " ORDER BY x.id")
    return [row[0] for row in _fetch(sql, params)]


def forloeb_behind(user: User, ids: list[int]) -> QuerySet:
    """The forløb of a drill-down, read through the user's scope (never more than they may see)."""
    return (
        Forloeb.objects.visible_to(user)
        .filter(pk__in=ids)
        .select_related("borger", "team", "current_coordinator")
        .order_by("team__name", "borger__last_name", "borger__first_name", "pk")
    )


# --- Flags ----------------------------------------------------------------------------------------

FLAG_AGE_BUCKETS = (("<=30d", 30), ("31-90d", 90), ("91-180d", 180), (">180d", None))
OPEN_FLAG = "fl.raised_on <= %(d)s AND (fl.resolved_on IS NULL OR fl.resolved_on > %(d)s)"
ACKNOWLEDGED = "fl.acknowledged_at IS NOT NULL AND (fl.acknowledged_at AT TIME ZONE 'Europe/Copenhagen')::date <= %(d)s"


def _age_condition(label: str) -> str:
    bounds = dict(FLAG_AGE_BUCKETS)
    labels = [b[0] for b in FLAG_AGE_BUCKETS]
    i = labels.index(label)
    low = FLAG_AGE_BUCKETS[i - 1][1] if i else None
    parts = []
    if low is not None:
        parts.append(f"%(d)s - fl.raised_on > {low}")
    if bounds[label] is not None:
        parts.append(f"%(d)s - fl.raised_on <= {bounds[label]}")
    return " AND ".join(parts) or "TRUE"


@dataclass
class FlagFigures:
    open: int = 0
    acknowledged: int = 0
    by_age: dict[str, int] = field(default_factory=lambda: {label: 0 for label, _ in FLAG_AGE_BUCKETS})
    by_rule: dict[str, int] = field(default_factory=dict)

    def rule_rows(self) -> list[tuple[str, str, int]]:
        return sorted(((r, rule_label(r), n) for r, n in self.by_rule.items()), key=lambda t: (-t[2], t[0]))


def flag_figures(unit: Unit) -> FlagFigures:
    """The flags open on the day in the unit, by rule and by age (days since raised); how many of
    them a caseworker has acknowledged without the cause being resolved."""
    ages = ", ".join(f"count(*) FILTER (WHERE {_age_condition(label)})" for label, _ in FLAG_AGE_BUCKETS)
    conditions = [OPEN_FLAG]
    params = unit.params()
    conditions.append(unit_filter("f"))
    sql = (
        "WITH "
        + POPULATION
        + f" SELECT fl.rule_id, count(*), count(*) FILTER (WHERE {ACKNOWLEDGED}), {ages}"
        + " FROM followup_flag fl JOIN f ON f.id = fl.forloeb_id WHERE "
        + " AND ".join(conditions)
        + " GROUP BY fl.rule_id"
    )
    result = FlagFigures()
    for rule_id, n, acknowledged, *by_age in _fetch(sql, params):
        result.by_rule[rule_id] = n
        result.open += n
        result.acknowledged += acknowledged
        for (label, _), count in zip(FLAG_AGE_BUCKETS, by_age, strict=True):
            result.by_age[label] += count
    return result


def flag_drilldown_ids(unit: Unit, *, rule_id: str = "", age: str = "", acknowledged: bool = False) -> list[int]:
    conditions = [OPEN_FLAG]
    params = unit.params()
    if rule_id:
        conditions.append("fl.rule_id = %(rule_id)s")
        params["rule_id"] = rule_id
    if age:
        if age not in dict(FLAG_AGE_BUCKETS):
            raise Http404
        conditions.append(_age_condition(age))
    if acknowledged:
        conditions.append(ACKNOWLEDGED)
    conditions.append(unit_filter("f"))
    sql = (
        "WITH "
        + POPULATION
        + " SELECT DISTINCT f.id FROM followup_flag fl JOIN f ON f.id = fl.forloeb_id WHERE "
        + " AND ".join(conditions)
        + " ORDER BY f.id"
    )
    return [row[0] for row in _fetch(sql, params)]


# --- Caseload -------------------------------------------------------------------------------------


def caseload(unit: Unit) -> dict[int, int]:
    """Open forløb (from the forberedende del on) per current koordinerende sagsbehandler in the
    unit on the day; a forløb closed on the day is no longer open."""
    sql = (
        "WITH "
        + POPULATION
        + " SELECT f.coordinator_id, count(*) FROM f"
        + f" WHERE f.coordinator_id IS NOT NULL AND {OPEN_ON.sql(f='f')} AND {unit_filter('f')}"
        + " GROUP BY f.coordinator_id"
    )
    return dict(_fetch(sql, unit.params()))


def caseload_ids(unit: Unit, coordinator_id: int) -> list[int]:
    """The forløb behind one caseworker's caseload: open on the day, in the unit."""
    sql = (
        "WITH "
        + POPULATION
        + f" SELECT f.id FROM f WHERE f.coordinator_id = %(caseload_of)s AND {OPEN_ON.sql(f='f')}"
        + f" AND {unit_filter('f')} ORDER BY f.id"
    )
    return [row[0] for row in _fetch(sql, {**unit.params(), "caseload_of": coordinator_id})]
