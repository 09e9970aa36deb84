"""Benchmark of the ledelsestilsyn (`supervision`) and the team leader's Min dag (issue 12, point 6).

What it measures, against a separate PostgreSQL database that it creates and fills itself with two
kommuner of the same shape, a large one (kommune 1, N forløb, by default 20,000) and one a tenth of
its size (kommune 2), each of 10 teams of 20 users, the first team of each holding 40 % of its
kommune's forløb:

(a) the team dashboard of team 1's leader: the selectors (every group's figures, the open flags
    and the caseload) and the page `supervision:dashboard`; target under 500 ms for a team with
    at least 3,000 forløb active on the day;
(b) the kommune-wide fokusrevision report of the kommune's administrator: `supervision.export.
    fokusrevision_data` (every group, the flags and the caseload) and its JSON download page;
    target under 3 s for at least 20,000 forløb;
(c) the Min dag of a team leader who is a member of all 10 teams of the kommune:
    `followup.selectors.team_summary` and the page `followup:min_dag` (it took 312 ms before it
    counted in SQL);
(d) the SQL statements of each, in the large and in the small kommune: they must be the same, not
    grow with the data.

Each measurement runs once to warm up (its statements are counted then and in every repetition)
and then `--repeat` times; it reports the first, the median and the best time. Server time is the
call of the selectors, or for a page the whole request through the Django test client (middleware,
session, form, template), with the user logged in by `force_login` and the clock moved to the day.

The data are bench_flags' generator (`generate`) with the two kommuner reshaped as above (forløb
moved with their caseworker's counterpart in the receiving team), and what the flag benchmark does
not need but the facts read: indsats events (planned, started, completed) and health documents
before and after the meeting. The flags come from one full `flags_evaluate` as of the day. A
teamleder of all ten teams and an administrator are added in each kommune.

Run from the repository root:

    .venv/bin/python tests/bench/bench_tilsyn.py                    # 20,000 + 2,000 forløb
    .venv/bin/python tests/bench/bench_tilsyn.py --forloeb 2000     # a quick try
    .venv/bin/python tests/bench/bench_tilsyn.py --jit off          # with PostgreSQL's JIT off
    .venv/bin/python tests/bench/bench_tilsyn.py --explain          # also EXPLAIN ANALYZE the slowest statements

The database URL comes from `--database-url`, else `BENCH_TILSYN_DATABASE_URL`, else
postgres://postgres@127.0.0.1:5432/forloeb_bench_tilsyn. Never point it at a database you care
about: `--regenerate` truncates every case table.
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from tests.bench import bench_flags as bf  # noqa: E402 - needs the repository on the path

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/forloeb_bench_tilsyn"
AS_OF = bf.AS_OF
PERIOD = (AS_OF - timedelta(days=364), AS_OF)  # the 12 months up to the day
TEAMS_PER_KOMMUNE = 10
USERS_PER_TEAM = 20
KOMMUNER = {"large": 1, "small": 2}
TARGET_ACTIVE_IN_TEAM = 3_000
TARGET_FORLOEB_IN_KOMMUNE = 20_000
TARGETS_MS = {"a": 500, "b": 3_000, "c": 312}

# --- Data: bench_flags' generator, reshaped, and what the facts read besides ---------------------

# Right after the forløb are staged (the earlier forløb follow their borger's main forløb): 9 of
# 11 of kommune 2's forløb move to kommune 1 (team k+10 to team k), so that kommune 1 holds 10/11
# of them; then a third of every other team's forløb move to the first team of their kommune.
# Each forløb keeps the caseworker in the same place in the receiving team.
INTO_LARGE_KOMMUNE = """
UPDATE bench_f SET team_id = team_id - %(teams_per_kommune)s, kommune_id = 1,
                   user_id = user_id - %(teams_per_kommune)s * %(users_per_team)s
WHERE kommune_id = 2 AND mod(id / %(teams)s, 11) < 9
"""

INTO_FIRST_TEAM = """
UPDATE bench_f SET team_id = team_id - mod(team_id - 1, %(teams_per_kommune)s),
                   user_id = user_id - mod(team_id - 1, %(teams_per_kommune)s) * %(users_per_team)s
WHERE mod(team_id - 1, %(teams_per_kommune)s) <> 0 AND mod(id / %(teams)s, 3) = 0
"""

# The lifecycle of each indsats: planned (85 %) two weeks before its planned start, started and
# completed on its actual dates; by the team's first user.
INTERVENTION_EVENTS = """
INSERT INTO plans_interventionevent (intervention_id, action, from_status, to_status, "on", reason, actor_id, at)
SELECT e.id, e.action, e.from_status, e.to_status, e.on_day, '', e.actor_id,
       (e.on_day + TIME '10:00') AT TIME ZONE 'Europe/Copenhagen'
FROM (
    SELECT i.id, (f.team_id - 1) * %(users_per_team)s + 1 AS actor_id, v.*
    FROM plans_intervention i
    JOIN cases_forloeb f ON f.id = i.forloeb_id
    CROSS JOIN LATERAL (VALUES
        ('plan', 'bevilget', 'planlagt', CASE WHEN random() < 0.85 + 0 * i.id THEN i.planned_start - 14 END),
        ('start', 'planlagt', 'igangsat', i.actual_start),
        ('complete', 'igangsat', 'gennemfoert', i.actual_end)
    ) v (action, from_status, to_status, on_day)
) e
WHERE e.on_day IS NOT NULL
ORDER BY e.id, e.on_day
"""

# Health documents around the first meeting of the rehabiliteringsteam (the first indstilling's
# date): the request to the GP and the GP's LÆ 265 before it (85 %), clinical function,
# specialists and psychologists less often; afterwards the GP, clinical function and hospitals.
HEALTH_DOCUMENTS = """
INSERT INTO rehab_healthdocument (forloeb_id, form, author_role, phase, requested_on, received_on, focus_question,
                                  summary, via_health_coordinator, purpose, created_at)
SELECT r.forloeb_id, v.form, v.author_role, v.phase, r.given_on + v.offset_days - 21, r.given_on + v.offset_days, '',
       'Resumé', v.via, '', now()
FROM (SELECT DISTINCT ON (forloeb_id) forloeb_id, given_on FROM rehab_recommendation ORDER BY forloeb_id, given_on) r
CROSS JOIN LATERAL (VALUES
    ('LÆ261', 'kommune', 'foer', -40, FALSE, 0.85),
    ('LÆ265', 'praktiserende_laege', 'foer', -14, FALSE, 0.85),
    ('LÆ275', 'klinisk_funktion', 'foer', -10, TRUE, 0.15),
    ('LÆ155', 'speciallaege', 'foer', -30, FALSE, 0.35),
    ('journal', 'psykolog', 'foer', -25, FALSE, 0.25),
    ('LÆ145', 'praktiserende_laege', 'efter', 120, FALSE, 0.40),
    ('LÆ275', 'klinisk_funktion', 'efter', 90, TRUE, 0.08),
    ('journal', 'sygehus', 'efter', 150, FALSE, 0.30)
) v (form, author_role, phase, offset_days, via, p)
WHERE random() < v.p AND r.given_on + v.offset_days <= %(horizon)s::date
ORDER BY r.forloeb_id
"""

# Per kommune k: a teamleder of all its teams (bench-leder-k) and an administrator (bench-admin-k).
EXTRA_USERS = """
INSERT INTO cases_user (id, password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
                        date_joined, role, sector, kommune_id, phone)
SELECT %(teams)s * %(users_per_team)s + 2 * k - 1 + a, '!', FALSE,
       CASE WHEN a = 0 THEN 'bench-leder-' ELSE 'bench-admin-' END || k,
       CASE WHEN a = 0 THEN 'Teamleder' ELSE 'Administrator' END, 'Kommune ' || k, '', FALSE, TRUE, now(),
       CASE WHEN a = 0 THEN 'teamleder' ELSE 'administrator' END, '', k, ''
FROM generate_series(1, %(kommuner)s) k, generate_series(0, 1) a
"""

LEADER_MEMBERSHIPS = """
INSERT INTO cases_teammembership (user_id, team_id, joined_on)
SELECT %(teams)s * %(users_per_team)s + 2 * t.kommune_id - 1, t.id, DATE '2018-01-01' FROM cases_team t
"""


def generation_steps() -> list[tuple[str, str]]:
    steps = list(bf.GENERATION_STEPS)
    at = [label for label, _ in steps].index("stage forløb") + 1
    steps[at:at] = [("into the large kommune", INTO_LARGE_KOMMUNE), ("into the first teams", INTO_FIRST_TEAM)]
    at = [label for label, _ in steps].index("sequences")
    steps[at:at] = [
        ("indsats events", INTERVENTION_EVENTS),
        ("helbredsdokumenter", HEALTH_DOCUMENTS),
        ("teamledere and administrators", EXTRA_USERS),
        ("teamleder of every team", LEADER_MEMBERSHIPS),
    ]
    return steps


def total_forloeb(large: int) -> int:
    """The forløb generated for a large kommune of `large`: it gets 10/11 of them."""
    return large + large // 10


def generate(large: int) -> float:
    return bf.generate(
        total_forloeb(large),
        steps=generation_steps(),
        kommuner=len(KOMMUNER),
        teams_per_kommune=TEAMS_PER_KOMMUNE,
        users_per_team=USERS_PER_TEAM,
        slot_minutes=1,  # the large kommune's weekly meeting has more than the 96 quarter-hours of a day
    )


def generated_here() -> bool:
    """Whether the database holds this benchmark's data (not, say, bench_flags' kommuner)."""
    from cases.models import Team, User

    return (
        Team.objects.count() == len(KOMMUNER) * TEAMS_PER_KOMMUNE
        and User.objects.filter(username="bench-leder-1").exists()
    )


def evaluate_flags() -> tuple[float, int]:
    from followup.models import Flag
    from followup.services import flags_evaluate

    bf.execute("TRUNCATE followup_flag, followup_evaluationrun RESTART IDENTITY CASCADE")
    started = time.perf_counter()
    flags_evaluate(as_of=AS_OF)
    return time.perf_counter() - started, Flag.objects.filter(resolved_at__isnull=True).count()


# --- The units and their sizes ------------------------------------------------------------------


@dataclass
class Side:
    """One kommune's side of the benchmark: its first (large) team, its leaders and administrator."""

    kommune: int
    team: int
    team_leader: str
    leader_of_all: str
    administrator: str
    team_size: str = ""
    kommune_size: str = ""
    summary_size: str = ""
    team_active: int = 0
    kommune_forloeb: int = 0


def forloeb_counts(kommune: int, team: int | None) -> tuple[int, int, int]:
    """All forløb, those active (open) on the day and those in the period's population."""
    from django.db.models import Q

    from cases.models import Forloeb

    qs = Forloeb.objects.filter(kommune_id=kommune)
    if team is not None:
        qs = qs.filter(team_id=team)
    active = qs.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=AS_OF), opened_on__lte=AS_OF)
    population = qs.filter(Q(closed_on__isnull=True) | Q(closed_on__gte=PERIOD[0]), opened_on__lte=PERIOD[1])
    return qs.count(), active.count(), population.count()


def unit_of(kommune: int) -> Side:
    from cases.models import Forloeb, User
    from followup.selectors import caseworkers_for

    team = (kommune - 1) * TEAMS_PER_KOMMUNE + 1
    unit = Side(
        kommune,
        team,
        User.objects.get(pk=(team - 1) * USERS_PER_TEAM + 1).username,
        f"bench-leder-{kommune}",
        f"bench-admin-{kommune}",
    )
    n, active, population = forloeb_counts(kommune, team)
    unit.team_active, unit.team_size = active, f"{n:,} forløb, {active:,} active, {population:,} in period"
    n, active, population = forloeb_counts(kommune, None)
    unit.kommune_forloeb, unit.kommune_size = n, f"{n:,} forløb, {active:,} active, {population:,} in period"
    ids = list(caseworkers_for(user=fresh(unit.leader_of_all)).values_list("pk", flat=True))
    n = Forloeb.objects.open().filter(current_coordinator_id__in=ids).count()
    unit.summary_size = f"{len(ids)} caseworkers, {n:,} open forløb"
    return unit


# --- Measuring -----------------------------------------------------------------------------------


class StatementLog:
    """An execute wrapper: every statement with its time."""

    def __init__(self):
        self.statements: list[tuple[float, str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((time.perf_counter() - started, sql, params))


@dataclass
class Timing:
    label: str
    unit: str
    first_ms: float
    millis: list[float]
    statements: set[int]
    slowest: tuple[float, str, object]

    @property
    def median(self) -> float:
        return statistics.median(self.millis)

    @property
    def best(self) -> float:
        return min(self.millis)

    @property
    def counts(self) -> str:
        return "/".join(map(str, sorted(self.statements)))


def measure(label: str, unit: str, call: Callable[[], object], repeat: int) -> Timing:
    """Run `call` once to warm up and `repeat` times more; count its statements every time."""
    from django.db import connection

    millis, counts, log = [], set(), StatementLog()
    for _ in range(repeat + 1):
        log = StatementLog()
        with connection.execute_wrapper(log):
            started = time.perf_counter()
            call()
            millis.append((time.perf_counter() - started) * 1000)
        counts.add(len(log.statements))
    timing = Timing(label, unit, millis[0], millis[1:], counts, max(log.statements, key=lambda s: s[0]))
    print(
        f"{label} [{unit}]: first {timing.first_ms:.0f} ms, median {timing.median:.0f} ms, "
        f"best {timing.best:.0f} ms, {timing.counts} statements"
    )
    return timing


def fresh(username: str):
    """The user as a request loads it (nothing cached on it, e.g. `team_ids`)."""
    from cases.models import User

    return User.objects.get(username=username)


def supervision_unit(username: str, kommune: int, team: int | None):
    from supervision import selectors

    return selectors.unit_for(
        fresh(username), kommune_id=kommune, as_of=AS_OF, period_from=PERIOD[0], period_to=PERIOD[1], team_id=team
    )


def dashboard_call(username: str, kommune: int, team: int) -> Callable[[], object]:
    """What the dashboard reads: the unit, every group's figures, the flags and the team's caseload."""
    import dataclasses

    from supervision import selectors

    def call():
        unit = supervision_unit(username, kommune, team)
        figures = selectors.figures_by_group(unit, variation=False)
        load = selectors.caseload(dataclasses.replace(unit, team_ids=(team,)))
        return figures, selectors.flag_figures(unit), load

    return call


def report_call(username: str, kommune: int) -> Callable[[], object]:
    from supervision.export import fokusrevision_data

    return lambda: fokusrevision_data(supervision_unit(username, kommune, None))


def summary_call(username: str) -> Callable[[], object]:
    from followup.selectors import team_summary

    return lambda: team_summary(user=fresh(username), today=AS_OF)


def page_call(username: str, path: str) -> Callable[[], object]:
    """A GET of the page by the logged-in user on the day (the clock moved there), as the server
    handles it; anything but a 200 stops the benchmark."""
    import time_machine
    from django.test import Client

    client = Client()
    client.force_login(fresh(username))
    noon = datetime.combine(AS_OF, datetime.min.time().replace(hour=12), tzinfo=ZoneInfo("Europe/Copenhagen"))

    def call():
        with time_machine.travel(noon, tick=True):
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} as {username}: HTTP {response.status_code}")
        return response

    return call


def unit_path(name: str, kommune: int, team: int | None = None) -> str:
    from django.urls import reverse

    query = {"kommune": kommune, **({"team": team} if team else {}), "pr": AS_OF, "fra": PERIOD[0], "til": PERIOD[1]}
    return f"{reverse(name)}?{urlencode(query)}"


def measure_all(units: dict[str, Side], repeat: int) -> dict[tuple[str, str], Timing]:
    """Every measurement for the large and the small kommune, keyed by (label, "large"/"small")."""
    from django.urls import reverse

    plan = []
    for which, u in units.items():
        team, kommune = f"team {u.team} ({u.team_active:,} active)", f"kommune {u.kommune} ({u.kommune_forloeb:,})"
        leaders = f"{TEAMS_PER_KOMMUNE} teams ({u.summary_size})"
        plan += [
            ("(a) dashboard selectors", which, team, dashboard_call(u.team_leader, u.kommune, u.team)),
            (
                "(a) dashboard page",
                which,
                team,
                None,
                u.team_leader,
                unit_path("supervision:dashboard", u.kommune, u.team),
            ),
            ("(b) fokusrevision_data", which, kommune, report_call(u.administrator, u.kommune)),
            (
                "(b) fokusrevision.json page",
                which,
                kommune,
                None,
                u.administrator,
                unit_path("supervision:fokusrevision_json", u.kommune),
            ),
            ("(c) team_summary", which, leaders, summary_call(u.leader_of_all)),
            ("(c) Min dag page", which, leaders, None, u.leader_of_all, reverse("followup:min_dag")),
        ]
    timings = {}
    for label, which, unit, call, *page in sorted(plan, key=lambda step: step[0]):
        timings[(label, which)] = measure(label, unit, call or page_call(*page), repeat)
    return timings


# --- EXPLAIN ---------------------------------------------------------------------------------------


class _Rollback(Exception):
    pass


def explain(timing: Timing) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest statement of a measurement's last run (in a
    transaction that is rolled back)."""
    from django.db import connection, transaction

    seconds, sql, params = timing.slowest
    print(f"\n=== EXPLAIN ANALYZE: slowest statement of {timing.label} [{timing.unit}] ({seconds * 1000:.0f} ms)")
    print(sql if len(sql) < 2000 else sql[:2000] + " …")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print("\n".join(row[0] for row in cursor.fetchall()))
            raise _Rollback
    except _Rollback:
        pass


# --- Report -----------------------------------------------------------------------------------------


def print_summary(*, args, generation_seconds, flags, units, timings) -> list[tuple[str, bool | None]]:
    line = "-" * 122
    large, small = units["large"], units["small"]
    print(
        f"\n{line}\nSUMMARY  {large.kommune_forloeb:,} forløb in kommune 1 and {small.kommune_forloeb:,} in kommune 2, "
        f"{TEAMS_PER_KOMMUNE} teams each; as of {AS_OF}, period {PERIOD[0]}..{PERIOD[1]}; {os.cpu_count()} cores; "
        f"PostgreSQL jit={bf.scalar('SHOW jit')}; {args.repeat} timed run(s) after a warm-up"
    )
    print(line)
    if generation_seconds is not None:
        print(f"data generation (incl. VACUUM ANALYZE): {generation_seconds:.1f} s")
    print(f"flags_evaluate as of {AS_OF}: {flags[0]:.1f} s, {flags[1]:,} open flags")
    # Other work on the machine slows every figure down; the load shows how much there was.
    print("load average (1, 5, 15 min) at the end: " + ", ".join(f"{n:.1f}" for n in os.getloadavg()))
    for u in units.values():
        print(
            f"kommune {u.kommune}: {u.kommune_size}; its team {u.team}: {u.team_size}; "
            f"its leader of all teams: {u.summary_size}"
        )
    print(line)
    print(f"{'measurement':<30}{'unit':<52}{'first ms':>10}{'median ms':>11}{'best ms':>9}{'statements':>12}")
    for t in timings.values():
        print(f"{t.label:<30}{t.unit:<52}{t.first_ms:>10.0f}{t.median:>11.0f}{t.best:>9.0f}{t.counts:>12}")
    print(line)
    same = []
    for label in dict.fromkeys(label for label, _ in timings):
        a, b = timings[(label, "large")], timings[(label, "small")]
        ok = len(a.statements) == 1 and a.statements == b.statements
        same.append(ok)
        verdict = "the same" if ok else "THEY DIFFER"
        print(
            f"statements of {label}: {a.counts} in kommune {large.kommune}, {b.counts} in kommune {small.kommune}: "
            f"{verdict}"
        )
    print(line)

    def under(key: str, label: str, big_enough: bool) -> bool | None:
        return timings[(label, "large")].median < TARGETS_MS[key] if big_enough else None

    return [
        (
            f"(a) dashboard page of a team with >= {TARGET_ACTIVE_IN_TEAM:,} active < {TARGETS_MS['a']} ms",
            under("a", "(a) dashboard page", large.team_active >= TARGET_ACTIVE_IN_TEAM),
        ),
        (
            f"(b) fokusrevision_data of >= {TARGET_FORLOEB_IN_KOMMUNE:,} forløb < {TARGETS_MS['b']:,} ms",
            under("b", "(b) fokusrevision_data", large.kommune_forloeb >= TARGET_FORLOEB_IN_KOMMUNE),
        ),
        (
            f"(c) Min dag page of a leader of {TEAMS_PER_KOMMUNE} teams < {TARGETS_MS['c']} ms",
            under("c", "(c) Min dag page", True),
        ),
        ("(d) statements the same in both kommuner", all(same)),
    ]


def run(args) -> int:
    present = bf.scalar("SELECT count(*) FROM cases_forloeb")
    generation_seconds = None
    if args.regenerate or present == 0:
        generation_seconds = generate(args.forloeb)
    elif present != total_forloeb(args.forloeb) or not generated_here():
        print(
            f"The database holds {present:,} forløb, not this benchmark's {total_forloeb(args.forloeb):,} for "
            f"--forloeb {args.forloeb}; use --regenerate."
        )
        return 2
    else:
        print(f"using the {present:,} forløb already in the database")
    flags = evaluate_flags()
    print(f"flags_evaluate as of {AS_OF}: {flags[0]:.1f} s, {flags[1]:,} open flags")
    if args.jit == "off":
        bf.execute("SET jit = off")  # for this session: the test client's requests run on it too

    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test client's host
    units = {which: unit_of(kommune) for which, kommune in KOMMUNER.items()}
    timings = measure_all(units, args.repeat)
    targets = print_summary(args=args, generation_seconds=generation_seconds, flags=flags, units=units, timings=timings)
    words = {True: "OK", False: "MISSED", None: "n/a (data too small)"}
    print("targets: " + "; ".join(f"{name}: {words[ok]}" for name, ok in targets))
    if args.explain:
        for label in ("(a) dashboard selectors", "(b) fokusrevision_data", "(c) team_summary"):
            explain(timings[(label, "large")])
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_TILSYN_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--forloeb", type=int, default=20_000, help="forløb in the large kommune (default 20000)")
    parser.add_argument("--regenerate", action="store_true", help="truncate the case tables and generate again")
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions after the warm-up (default 5)")
    parser.add_argument(
        "--jit",
        choices=("server", "off"),
        default="server",
        help="PostgreSQL's JIT as the server has it (default), or off for the session",
    )
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest statement of (a)-(c)")
    args = parser.parse_args()
    bf.ensure_database(args.database_url)
    bf.setup_django(args.database_url)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
