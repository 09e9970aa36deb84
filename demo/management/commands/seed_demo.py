"""Build a fictitious kommune with teams, users, borgere and forløb for demos.

`make run` calls `seed_demo --if-empty` on every start (so an existing database is
left alone) and `seed_demo --print-logins` to show the demo logins.

Everything is fictitious: names and addresses come from Faker (da_DK), CPR numbers
from `cases.cpr.fictitious_cpr` (valid dates, deliberately failing modulus 11). The
data is deterministic for a given day (seeded random generators); dates are laid out
relative to today, so the demo always looks current.

The forløb are simulated step by step through the phase state machine with realistic
waiting times, and are written with bulk_create (the rows the transition service would
have written: PhaseTransition, CoordinatorAssignment), so the whole build takes a few
seconds. The simulated history of every forløb is then handed to `demo.rehab_data`,
which builds the rehabiliteringsteam's side on the same dates (forberedende dele, goals,
health documents, meetings, indstillinger and afgørelser), then to `demo.plans_data` for
the indsatsplaner, indsatser and what surrounds them, then to `demo.followup_data` for the
opfølgningssamtaler, and then to `demo.outcomes_data` for what became of the borgere after the end.
Last, the rule packs are evaluated as of today (a full run of
`followup.services.flags_evaluate`, as the nightly job does), so the flags and the
caseworkers' "Min dag" are there from the first login.

The simulation is not what stays in the database: at the end, every forløb is exported in the
interchange format (`interchange.selectors.export_document`), the simulated rows are rolled back
to a savepoint taken after the kommune, teams and users were created, and the file is imported
with `interchange.services.forloeb_import`, the path of `manage.py import_forloeb`. So the demo
data are written through the import, and every `make run` exercises the format both ways.

This command lives in the `demo` app because it needs every other app; `cases` imports
none of them.
"""

import bisect
import json
import random
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from faker import Faker

from cases import clock
from cases.cpr import fictitious_cpr
from cases.models import (
    Borger,
    CoordinatorAssignment,
    Forloeb,
    Kommune,
    Outcome,
    Phase,
    PhaseTransition,
    Role,
    Sector,
    Team,
    TeamMembership,
    User,
)
from cases.rulepacks import rulepack_on
from demo import followup_data, outcomes_data, plans_data, rehab_data, tilsyn_data
from followup import services as followup_services
from interchange import services as interchange_services
from interchange.selectors import export_document

SEED = 2013
PASSWORD = "forloeb-demo"  # noqa: S105  (the shared, public demo password)
KOMMUNE_NAME = "Skovlund Kommune"
KOMMUNE_CODE = "998"
TEAM_NAMES = ("Team Nord", "Team Syd", "Team Vest")
ALL_TEAMS = "Alle teams"
N_BORGERE = 600
EARLIER_FORLOEB_SHARE = 0.10  # borgere who also have an earlier, closed forløb
GENFORELAEGGELSE_SHARE = 0.08  # of the forløb that got past the forberedende del
HANDOVER_SHARE = 0.25  # forløb whose koordinerende sagsbehandler has changed
FIRST_DAY = date(2019, 1, 1)
# Granted duration in years, by the longest the rule pack in force allows (cases.rulepacks):
# 1-5 years before 2022, 1-3 years from 2022. Fokusrevision 2020 §3.2 found 5 years the most
# common under the old rules; the demo leans towards 2-3 years.
GRANT_YEARS = {
    5: {1: 4, 2: 18, 3: 38, 4: 12, 5: 28},
    3: {1: 10, 2: 40, 3: 50},
}
COPENHAGEN = ZoneInfo("Europe/Copenhagen")

# Share of the current forløb per phase; the long iværksættelse holds most of the open ones.
PHASE_SHARES = {
    Phase.FORBEREDENDE_DEL: 0.12,
    Phase.REHABILITERINGSTEAM: 0.06,
    Phase.INDSTILLING: 0.04,
    Phase.INDSATSDEL: 0.06,
    Phase.IVAERKSAETTELSE: 0.32,
    Phase.AFSLUTTET: 0.40,
}

# Afgang from ressourceforløb, roughly the national distribution (percent).
OUTCOME_WEIGHTS = {
    Outcome.FOERTIDSPENSION: 40,
    Outcome.FLEKSJOB: 15,
    Outcome.LEDIGHEDSYDELSE: 14,
    Outcome.KONTANTHJAELP: 7,
    Outcome.SELF_SUPPORT: 5,
    Outcome.WAGE_EMPLOYMENT: 4,
    Outcome.EDUCATION: 3,
    Outcome.NEW_FORLOEB: 3,
    Outcome.SYGEDAGPENGE: 1,
    Outcome.A_DAGPENGE: 1,
    Outcome.REVALIDERING: 1,
    Outcome.UDDANNELSESHJAELP: 1,
    Outcome.SENIORFOERTIDSPENSION: 1,
    Outcome.FOLKEPENSION: 1,
    Outcome.DEATH: 1,
    Outcome.MOVED: 1,
    Outcome.OTHER: 1,
}
# How an earlier forløb of a borger who now has a new one ended.
EARLIER_OUTCOME_WEIGHTS = {
    Outcome.NEW_FORLOEB: 40,
    Outcome.KONTANTHJAELP: 20,
    Outcome.SYGEDAGPENGE: 10,
    Outcome.SELF_SUPPORT: 10,
    Outcome.EDUCATION: 8,
    Outcome.MOVED: 7,
    Outcome.WAGE_EMPLOYMENT: 5,
}
# The phase a forløb with this outcome was closed from: {phase: weight}; the rest close from iværksættelse.
# Fleksjob and førtidspension need the team's indstilling (R22): closed "from iværksættelse"
# means after a genforelæggelse and a new indstilling (see DECIDED_AFTER_TEAM).
CLOSED_FROM = {
    Outcome.FOERTIDSPENSION: {Phase.INDSTILLING: 30, Phase.IVAERKSAETTELSE: 70},
    Outcome.SENIORFOERTIDSPENSION: {Phase.FORBEREDENDE_DEL: 20, Phase.IVAERKSAETTELSE: 80},
    Outcome.FLEKSJOB: {Phase.INDSTILLING: 15, Phase.IVAERKSAETTELSE: 85},
    Outcome.DEATH: {Phase.FORBEREDENDE_DEL: 40, Phase.IVAERKSAETTELSE: 60},
    Outcome.MOVED: {Phase.FORBEREDENDE_DEL: 40, Phase.IVAERKSAETTELSE: 60},
    Outcome.SYGEDAGPENGE: {Phase.FORBEREDENDE_DEL: 40, Phase.IVAERKSAETTELSE: 60},
    Outcome.FOLKEPENSION: {Phase.FORBEREDENDE_DEL: 20, Phase.IVAERKSAETTELSE: 80},
}
DECIDED_AFTER_TEAM = frozenset({Outcome.FOERTIDSPENSION, Outcome.FLEKSJOB})

GENFORELAEGGELSE_REASONS = (
    "Borgerens helbred er forværret, og indsatserne skal revurderes.",
    "Ny lægelig vurdering: arbejdsevnen ser ud til at være varigt nedsat.",
    "Virksomhedspraktikken har vist, at målet om fleksjob bør vurderes igen.",
    "Borgeren har fået en ny diagnose, som rehabiliteringsteamet skal forholde sig til.",
    "Indsatserne har ikke haft den forventede effekt; der er brug for en ny indstilling.",
    "Borgeren ønsker at søge førtidspension; sagen forelægges igen.",
)

TOWNS = ("9990 Skovlund", "9991 Lindeby", "9992 Egebjerg Strand", "9993 Mosedal", "9994 Bøgely")
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")


# --- The demo logins ---------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    teams: tuple[str, ...] = ()
    sector: str = ""
    first_name: str = ""  # empty: a Faker name
    last_name: str = ""
    is_superuser: bool = False

    @property
    def where(self) -> str:
        if self.sector:
            return str(Sector(self.sector).label)
        if set(self.teams) == set(TEAM_NAMES):
            return ALL_TEAMS
        return ", ".join(self.teams) or "Hele kommunen"


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("sagsbehandler", Role.COORDINATOR, ("Team Nord",), first_name="Karin", last_name="Sørensen"),
    *(DemoLogin(f"ks{i:02d}", Role.COORDINATOR, (TEAM_NAMES[(i - 1) // 4],)) for i in range(1, 13)),
    DemoLogin("teamleder", Role.TEAM_LEADER, TEAM_NAMES, first_name="Lars", last_name="Mikkelsen"),
    DemoLogin("rehab", Role.REHAB_MEMBER, sector=Sector.MUNICIPAL_HEALTH, first_name="Hanne", last_name="Kristensen"),
    *(DemoLogin(f"rehab-{sector.value.replace('_', '-')}", Role.REHAB_MEMBER, sector=sector) for sector in Sector),
    DemoLogin("admin", Role.ADMINISTRATOR, first_name="Anders", last_name="Holm", is_superuser=True),
)
MAIN_LOGIN = "sagsbehandler"
MAIN_LOGIN_FORLOEB = (32, 8)  # the open and closed forløb the main login coordinates today


def login_table() -> str:
    """The demo logins as a Danish text table (caseworkers of one team on one line)."""
    rows: list[tuple[str, str, str]] = []
    caseworkers: dict[str, list[str]] = {}  # team -> usernames; shown as one row "ks01–ks04"
    for login in DEMO_LOGINS:
        if login.username.startswith("ks"):
            if login.where not in caseworkers:
                caseworkers[login.where] = []
                rows.append(("", str(login.role.label), login.where))
            caseworkers[login.where].append(login.username)
        else:
            rows.append((login.username, str(login.role.label), login.where))
    rows = [(name or f"{caseworkers[where][0]}–{caseworkers[where][-1]}", role, where) for name, role, where in rows]
    header = ("Brugernavn", "Rolle", "Team / sektor")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    lines = [
        f"Demo-logins i {KOMMUNE_NAME}. Adgangskode for alle: {PASSWORD}",
        "",
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines += ["", "ks01–ks04 betyder brugerne ks01, ks02, ks03 og ks04 (og tilsvarende for de andre teams)."]
    return "\n".join(lines)


# --- Simulating one forløb -------------------------------------------------------------------

MAIN_ROUTE = ("to_rehab_team", "give_indstilling", "grant", "start_ivaerksaettelse")
GENFOR_ROUTE = ("genforelaeggelse", "give_indstilling", "grant", "start_ivaerksaettelse")
TARGET_OF = {
    "to_rehab_team": Phase.REHABILITERINGSTEAM,
    "give_indstilling": Phase.INDSTILLING,
    "grant": Phase.INDSATSDEL,
    "start_ivaerksaettelse": Phase.IVAERKSAETTELSE,
    "genforelaeggelse": Phase.REHABILITERINGSTEAM,
    "close": Phase.AFSLUTTET,
}
# Days spent in a phase before the usual next step (forberedende del -> rehab team 1-6 months, ...).
STAY_DAYS = {
    Phase.FORBEREDENDE_DEL: (30, 182),
    Phase.REHABILITERINGSTEAM: (14, 56),
    Phase.INDSTILLING: (7, 28),
    Phase.INDSATSDEL: (14, 182),
}
# How far back an open forløb in this phase may have been opened (days); with a genforelæggelse: years.
OPEN_WINDOW_DAYS = {
    Phase.FORBEREDENDE_DEL: 190,
    Phase.REHABILITERINGSTEAM: 250,
    Phase.INDSTILLING: 280,
    Phase.INDSATSDEL: 460,
    Phase.IVAERKSAETTELSE: 2000,
}
MAX_TRIES = 5000
SHARE_SAMPLES = 1000  # simulated forløb per estimate of the share still running after the reform


@dataclass
class Step:
    transition: str
    from_phase: str
    to_phase: str
    on: date
    reason: str = ""
    outcome: str = ""
    years: int | None = None  # grant: the duration granted
    benefit_from: date | None = None  # grant: when this period of ressourceforløbsydelse starts


@dataclass
class Plan:
    """The life of one forløb up to today."""

    opened_on: date
    phase: str = Phase.FORBEREDENDE_DEL
    steps: list[Step] = field(default_factory=list)
    start_date: date | None = None
    planned_end_date: date | None = None
    closed_on: date | None = None
    outcome: str = ""


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def workday(day: date, step: int = 1) -> date:
    """`day`, or the nearest weekday after it (step=1) or before it (step=-1)."""
    while day.weekday() >= 5:
        day += timedelta(days=step)
    return day


def days(rng: random.Random, bounds: tuple[int, int]) -> timedelta:
    return timedelta(days=rng.randint(*bounds))


def grant_years(rng: random.Random, day: date) -> int:
    """A duration the rule pack in force on `day` allows (and so also any earlier indstilling)."""
    pack = rulepack_on(day)
    weights = GRANT_YEARS[5 if pack.max_duration_years >= 5 else 3]
    return pick(rng, {y: w for y, w in weights.items() if pack.min_duration_years <= y <= pack.max_duration_years})


def rules_allow(plan: Plan, transitions: tuple[str, ...] = ("give_indstilling", "grant")) -> bool:
    """No ressourceforløb for a case opened after the law stopped new ones (REFORM2026)."""
    for step in plan.steps:
        if step.transition in transitions:
            pack = rulepack_on(step.on)
            if not pack.new_forloeb_allowed and plan.opened_on >= pack.valid_from:
                return False
    return True


def route_for(target: str, *, genforelaeggelse: bool, closed_from: str | None) -> list[str]:
    """The transitions a forløb makes to end in `target` (closed from `closed_from`)."""
    full = list(MAIN_ROUTE) + (list(GENFOR_ROUTE) if genforelaeggelse else [])
    stop_in = closed_from if target == Phase.AFSLUTTET else target
    if stop_in == Phase.FORBEREDENDE_DEL:
        route = []
    else:
        last = max(i for i, name in enumerate(full) if TARGET_OF[name] == stop_in)
        route = full[: last + 1]
    return [*route, "close"] if target == Phase.AFSLUTTET else route


def simulate(rng: random.Random, opened_on: date, route: list[str], outcome: str = "") -> tuple[Plan, date]:
    """Walk a forløb along `route` from opened_on with realistic waits.

    Returns the plan and the day it would leave its last phase (for open forløb).
    """
    plan = Plan(opened_on=opened_on)
    day = opened_on
    for name in route:
        phase = plan.phase
        reason = step_outcome = ""
        years = benefit_from = None
        if name == "close":
            if phase == Phase.IVAERKSAETTELSE:
                remaining = (plan.planned_end_date - day).days
                if rng.random() < 0.65:  # runs to (about) the planned end
                    day = max(day + timedelta(days=30), plan.planned_end_date + timedelta(days=rng.randint(-45, 30)))
                else:  # ends early
                    day += timedelta(days=max(30, int(remaining * rng.uniform(0.2, 0.9))))
            elif phase == Phase.INDSTILLING:
                day += days(rng, (7, 42))
            else:
                day += days(rng, (20, 150))
        elif name == "genforelaeggelse":
            remaining = (plan.planned_end_date - day).days
            day += timedelta(days=max(30, int(remaining * rng.uniform(0.3, 0.8))))
            reason = rng.choice(GENFORELAEGGELSE_REASONS)
        elif name == "start_ivaerksaettelse":
            day = max(day + days(rng, STAY_DAYS[phase]), plan.start_date)
        else:
            day += days(rng, STAY_DAYS[phase])
        day = workday(day)  # case work happens on weekdays
        if name == "close":
            plan.closed_on, plan.outcome, step_outcome = day, outcome, outcome
        if name == "grant":
            # A new period from the afgørelse; after a genforelæggelse the forløb keeps its start date.
            benefit_from = day + timedelta(days=rng.randint(0, 14))
            years = grant_years(rng, day)
            plan.start_date = plan.start_date or benefit_from
            plan.planned_end_date = add_years(benefit_from, years) - timedelta(days=1)
        target = TARGET_OF[name]
        plan.steps.append(
            Step(name, phase, target, day, reason=reason, outcome=step_outcome, years=years, benefit_from=benefit_from)
        )
        plan.phase = target
    if plan.phase in STAY_DAYS:
        leaves_on = day + days(rng, STAY_DAYS[plan.phase])
    elif plan.phase == Phase.IVAERKSAETTELSE:
        leaves_on = plan.planned_end_date + timedelta(days=30)  # some run a little over
    else:
        leaves_on = day
    return plan, leaves_on


def stopped_on(today: date) -> date | None:
    """The day the law in force today stopped new ressourceforløb (REFORM2026), or None."""
    pack = rulepack_on(today)
    return None if pack.new_forloeb_allowed else pack.valid_from


def in_phase_on(plan: Plan, leaves_on: date, day: date) -> bool:
    """The simulated forløb is in its last phase on `day` and the law allowed every grant it got."""
    entered = plan.steps[-1].on if plan.steps else plan.opened_on
    return (
        plan.opened_on >= FIRST_DAY
        and (entered < day or not plan.steps)
        and leaves_on > day
        and rules_allow(plan, ("grant",))
    )


def plan_open(rng: random.Random, target: str, today: date, *, genforelaeggelse: bool) -> Plan | None:
    """A forløb that is in `target` today, or None if none was found in MAX_TRIES attempts.

    A forløb that has been granted a ressourceforløb must have been opened before the law
    stopped new ones, so its opening day is then drawn from before the stop.
    """
    route = route_for(target, genforelaeggelse=genforelaeggelse, closed_from=None)
    window = OPEN_WINDOW_DAYS[Phase.IVAERKSAETTELSE if genforelaeggelse else target]
    latest, stop = today, stopped_on(today)
    if stop and "grant" in route:
        latest = min(today, stop - timedelta(days=1))
    span = (latest - max(today - timedelta(days=window), FIRST_DAY)).days
    if span < 0:
        return None
    for _ in range(MAX_TRIES):
        plan, leaves_on = simulate(rng, workday(latest - timedelta(days=rng.randint(0, span)), -1), route)
        if in_phase_on(plan, leaves_on, today):
            return plan
    return None


def still_running_share(target: str, today: date, *, genforelaeggelse: bool) -> float:
    """Of the forløb that would be in `target` today had the law not stopped new ressourceforløb,
    the share that can be: the chance that a forløb opened in the phase's usual window is there
    today, against that chance on the day before the stop (1 before the stop and for the phases
    that need no grant). Estimated by simulation with a generator of its own."""
    stop = stopped_on(today)
    route = route_for(target, genforelaeggelse=genforelaeggelse, closed_from=None)
    if stop is None or "grant" not in route:
        return 1.0
    window = OPEN_WINDOW_DAYS[Phase.IVAERKSAETTELSE if genforelaeggelse else target]

    def chance(day: date) -> float:
        rng = random.Random(SEED)  # the same draws on both days
        hits = 0
        for _ in range(SHARE_SAMPLES):
            plan, leaves_on = simulate(rng, workday(day - timedelta(days=rng.randint(0, window)), -1), route)
            hits += in_phase_on(plan, leaves_on, day)
        return hits / SHARE_SAMPLES

    before = chance(stop - timedelta(days=1))
    return min(1.0, chance(today) / before) if before else 0.0


EARLY_PHASES = (Phase.FORBEREDENDE_DEL, Phase.REHABILITERINGSTEAM, Phase.INDSTILLING)


def place_open(rng: random.Random, target: str, today: date, *, genforelaeggelse: bool, shares: dict) -> Plan:
    """The current forløb of a borger who would be in `target` today.

    After the 2026 reform stopped new ressourceforløb, a forløb is in a granted phase (indsatsdel,
    iværksættelse, or any phase after a genforelæggelse) only if it was opened before the stop.
    Running forløb continue, but as the years pass ever fewer are left (`still_running_share`):
    the borger who would have had one has a forløb that has ended instead, or in the phases before
    the grant, a case that is not a ressourceforløb (the team may recommend fleksjob or
    førtidspension). `shares` keeps the shares already estimated, so the seed stays fast.
    """
    key = (target, genforelaeggelse)
    if key not in shares:
        shares[key] = still_running_share(target, today, genforelaeggelse=genforelaeggelse)
    if shares[key] >= 1 or rng.random() < shares[key]:
        plan = plan_open(rng, target, today, genforelaeggelse=genforelaeggelse)
        if plan is not None:
            return plan
    if target in EARLY_PHASES:
        plan = plan_open(rng, target, today, genforelaeggelse=False)
        if plan is None:
            raise CommandError(f"Kunne ikke lægge et åbent forløb i fasen {target}.")
        return plan
    return plan_closed(
        rng, pick(rng, {str(k): v for k, v in OUTCOME_WEIGHTS.items()}), genforelaeggelse=False, closed_before=today
    )


def plan_closed(
    rng: random.Random,
    outcome: str,
    *,
    genforelaeggelse: bool,
    earliest: date = FIRST_DAY,
    closed_before: date,
) -> Plan:
    """A forløb opened on/after `earliest` and closed before `closed_before`."""
    closed_from = pick(rng, CLOSED_FROM.get(outcome, {Phase.IVAERKSAETTELSE: 1}))
    genforelaeggelse = genforelaeggelse and closed_from != Phase.FORBEREDENDE_DEL
    if outcome in DECIDED_AFTER_TEAM and closed_from == Phase.IVAERKSAETTELSE:
        # Brought back before the team, which recommends fleksjob or førtidspension; the afgørelse closes.
        closed_from, genforelaeggelse = Phase.INDSTILLING, True
    route = route_for(Phase.AFSLUTTET, genforelaeggelse=genforelaeggelse, closed_from=closed_from)
    span = (closed_before - earliest).days
    if span > 0:
        for _ in range(MAX_TRIES):
            plan, _leaves = simulate(rng, workday(earliest + timedelta(days=rng.randrange(span))), route, outcome)
            if plan.closed_on < closed_before and rules_allow(plan, ("grant",)):
                return plan
    raise CommandError("Kunne ikke lægge et afsluttet forløb.")


def pick(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def at(rng: random.Random, day: date) -> datetime:
    """A moment in office hours on `day`, Copenhagen time."""
    return datetime.combine(day, dtime(rng.randint(8, 15), rng.randrange(60)), tzinfo=COPENHAGEN)


def ascii_slug(text: str) -> str:
    text = text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in text if c.isalnum())


# --- The command -------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Opret en fiktiv demokommune (Skovlund Kommune, kode 998) med teams, brugere, 600 borgere og "
        "deres forløb i alle faser. Alle brugere har adgangskoden 'forloeb-demo'. "
        "Findes der allerede borgere, nægter kommandoen, medmindre --if-empty (gør intet) eller "
        "--force (opretter demokommunen ved siden af de eksisterende data, hvis den ikke findes i forvejen) "
        "er givet."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Gør intet, hvis der allerede findes borgere (bruges af make run)."
        )
        parser.add_argument(
            "--print-logins", action="store_true", help="Udskriv kun tabellen med demo-logins; opret intet."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "Opret demodata, selv om der findes borgere. Sletter intet: nægter stadig, hvis "
                "demokommunen eller et af demo-brugernavnene findes."
            ),
        )

    def handle(self, *args, if_empty=False, print_logins=False, force=False, **options):
        if print_logins:
            self.stdout.write(login_table())
            return
        if Borger.objects.exists():
            if if_empty:
                self.stdout.write("Databasen indeholder allerede borgere; der oprettes ingen demodata.")
                if User.objects.filter(username="sagsbehandler").exists():
                    self.stdout.write(login_table())
                return
            if not force:
                raise CommandError(
                    "Databasen indeholder allerede borgere. Brug --if-empty for at springe over, "
                    "eller --force for at oprette demokommunen ved siden af de eksisterende data."
                )
        usernames = [login.username for login in DEMO_LOGINS]
        if Kommune.objects.filter(code=KOMMUNE_CODE).exists():
            raise CommandError(f"Demokommunen (kode {KOMMUNE_CODE}) findes allerede.")
        taken = sorted(User.objects.filter(username__in=usernames).values_list("username", flat=True))
        if taken:
            raise CommandError(f"Demo-brugernavnene findes allerede: {', '.join(taken)}.")

        started = time.monotonic()
        with transaction.atomic():
            counts = build(today=clock.today(), taken_cprs=set(Borger.objects.values_list("cpr", flat=True)))
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(summary(counts, elapsed)))
        self.stdout.write("")
        self.stdout.write(login_table())


def summary(counts: dict, seconds: float) -> str:
    phases = counts["phases"]
    width = max(len(str(p.label)) for p in Phase)
    lines = [
        f"Demodata oprettet for {KOMMUNE_NAME} på {seconds:.1f} s: {counts['teams']} teams, "
        f"{counts['users']} brugere, {counts['borgere']} borgere, {counts['forloeb']} forløb, "
        f"{counts['transitions']} faseskift, {counts['assignments']} tildelinger af koordinerende sagsbehandler.",
        "",
        "Forløb pr. fase:",
    ]
    lines += [f"  {str(p.label).ljust(width)}  {phases.get(p.value, 0):5d}" for p in Phase]
    lines.append(f"  {'I alt'.ljust(width)}  {sum(phases.values()):5d}")
    lines += ["", *rehab_data.summary_lines(counts["rehab"])]
    lines += plans_data.summary_lines(counts["plans"])
    lines += followup_data.summary_lines(counts["followup"])
    lines += tilsyn_data.summary_lines(counts["tilsyn"])
    lines += outcomes_data.summary_lines(counts["outcomes"])
    return "\n".join(lines)


def build(*, today: date, taken_cprs: set[str]) -> dict:
    """Create the whole demo kommune; return counts for the summary."""
    rng = random.Random(SEED)
    fake = Faker("da_DK")
    fake.seed_instance(SEED)
    joined_on = date(2018, 8, 1)

    kommune = Kommune.objects.create(name=KOMMUNE_NAME, code=KOMMUNE_CODE)
    teams = {name: Team.objects.create(kommune=kommune, name=name) for name in TEAM_NAMES}

    # Users: one password hash for all (hashing is deliberately slow), no password validators.
    password = make_password(PASSWORD)
    users: dict[str, User] = {}
    for login in DEMO_LOGINS:
        first = login.first_name or fake.first_name()
        last = login.last_name or fake.last_name()
        users[login.username] = User(
            username=login.username,
            first_name=first,
            last_name=last,
            email=f"{login.username}@skovlund-kommune.example",
            password=password,
            role=login.role,
            sector=login.sector,
            kommune=kommune,
            is_staff=login.is_superuser,
            is_superuser=login.is_superuser,
        )
    User.objects.bulk_create(users.values())
    TeamMembership.objects.bulk_create(
        TeamMembership(user=users[login.username], team=teams[name], joined_on=joined_on)
        for login in DEMO_LOGINS
        for name in login.teams
    )
    coordinators = {
        name: [users[x.username] for x in DEMO_LOGINS if x.role == Role.COORDINATOR and name in x.teams]
        for name in TEAM_NAMES
    }
    assigned_by = users["teamleder"]
    # The organisation stays; the simulated cases are taken back below, after they have been
    # turned into an interchange file, and come back in through the import.
    simulated = transaction.savepoint()

    # The current forløb of every borger: exact quotas per phase, in random order.
    targets = [phase for phase, share in PHASE_SHARES.items() for _ in range(round(share * N_BORGERE))]
    targets = (targets + [Phase.IVAERKSAETTELSE] * N_BORGERE)[:N_BORGERE]
    rng.shuffle(targets)
    outcome_weights = {str(k): v for k, v in OUTCOME_WEIGHTS.items()}
    current: list[Plan] = []
    shares: dict[tuple[str, bool], float] = {}
    for target in targets:
        genfor = target != Phase.FORBEREDENDE_DEL and rng.random() < GENFORELAEGGELSE_SHARE
        if target == Phase.AFSLUTTET:
            outcome = pick(rng, outcome_weights)
            current.append(plan_closed(rng, outcome, genforelaeggelse=genfor, closed_before=today))
        else:
            current.append(place_open(rng, target, today, genforelaeggelse=genfor, shares=shares))

    # About 10% of the borgere (with an open forløb opened late enough) had an earlier, closed forløb.
    earlier: dict[int, Plan] = {}
    candidates = [
        i
        for i, p in enumerate(current)
        if p.phase != Phase.AFSLUTTET and p.opened_on >= FIRST_DAY + timedelta(days=500)
    ]
    rng.shuffle(candidates)
    for i in candidates[: round(EARLIER_FORLOEB_SHARE * N_BORGERE)]:
        outcome = pick(rng, {str(k): v for k, v in EARLIER_OUTCOME_WEIGHTS.items()})
        earlier[i] = plan_closed(
            rng, outcome, genforelaeggelse=False, closed_before=current[i].opened_on - timedelta(days=14)
        )

    # Borgere: Danish names, fictitious CPR (age 20-57 when the first forløb opened, so at most 64 today).
    borgere = []
    for i, plan in enumerate(current):
        first_opened = earlier[i].opened_on if i in earlier else plan.opened_on
        birth = first_opened - timedelta(days=int(rng.triangular(20.05, 57.0, 38.0) * 365.25))
        female = rng.random() < 0.5
        while True:
            cpr = fictitious_cpr(birth, rng, female=female)
            if cpr not in taken_cprs:
                taken_cprs.add(cpr)
                break
        first_name = fake.first_name_female() if female else fake.first_name_male()
        last_name = fake.last_name()
        email = ""
        if rng.random() < 0.6:
            email = f"{ascii_slug(first_name)}.{ascii_slug(last_name)}{rng.randint(1, 99)}@{rng.choice(EMAIL_DOMAINS)}"
        borgere.append(
            Borger(
                cpr=cpr,
                first_name=first_name,
                last_name=last_name,
                address=f"{fake.street_address()}, {rng.choice(TOWNS)}",
                phone=fake.phone_number(),
                email=email,
            )
        )
    Borger.objects.bulk_create(borgere)

    # Forløb with their coordinator history and transition log.
    forloeb_rows: list[Forloeb] = []
    assignment_rows: list[CoordinatorAssignment] = []
    transition_rows: list[PhaseTransition] = []
    histories: list[rehab_data.History] = []
    team_of = [rng.choice(TEAM_NAMES) for _ in borgere]
    # The main login coordinates a realistic caseload today: mostly open forløb, a few closed ones.
    main_user = users[MAIN_LOGIN]
    main_team = next(login.teams[0] for login in DEMO_LOGINS if login.username == MAIN_LOGIN)
    mine: set[int] = set()
    for is_open, wanted in zip((True, False), MAIN_LOGIN_FORLOEB, strict=True):
        pool = [
            i
            for i, plan in enumerate(current)
            if team_of[i] == main_team and (plan.phase != Phase.AFSLUTTET) == is_open
        ]
        mine.update(rng.sample(pool, min(wanted, len(pool))))
    for i, borger in enumerate(borgere):
        team_name = team_of[i]
        sequence = []
        if i in earlier:
            earlier_team = team_name if rng.random() < 0.85 else rng.choice(TEAM_NAMES)
            sequence.append((earlier[i], earlier_team, None))
        sequence.append((current[i], team_name, main_user if i in mine else None))
        for sequence_no, (plan, name, now_by) in enumerate(sequence, start=1):
            others = [u for u in coordinators[name] if u is not main_user]
            history = coordinator_history(rng, plan, coordinators[name], now_by or rng.choice(others), today)
            forloeb = Forloeb(
                borger=borger,
                sequence_no=sequence_no,
                kommune=kommune,
                team=teams[name],
                phase=plan.phase,
                phase_changed_at=None,
                opened_on=plan.opened_on,
                start_date=plan.start_date,
                planned_end_date=plan.planned_end_date,
                closed_on=plan.closed_on,
                outcome=plan.outcome,
                current_coordinator=history[-1][0],
            )
            starts = [valid_from for _user, valid_from, _to in history]
            logged = rehab_data.History(forloeb=forloeb, plan=plan)
            for step in plan.steps:
                actor = history[bisect.bisect_right(starts, step.on) - 1][0]
                moment = at(rng, step.on)
                logged.moments.append(moment)
                logged.actors.append(actor)
                transition_rows.append(
                    PhaseTransition(
                        forloeb=forloeb,
                        transition=step.transition,
                        from_phase=step.from_phase,
                        to_phase=step.to_phase,
                        actor=actor,
                        at=moment,
                        reason=step.reason,
                        outcome=step.outcome,
                    )
                )
                forloeb.phase_changed_at = moment
            assignment_rows += [
                CoordinatorAssignment(
                    forloeb=forloeb, coordinator=user, valid_from=valid_from, valid_to=valid_to, assigned_by=assigned_by
                )
                for user, valid_from, valid_to in history
            ]
            forloeb_rows.append(forloeb)
            histories.append(logged)
    Forloeb.objects.bulk_create(forloeb_rows, batch_size=1000)
    CoordinatorAssignment.objects.bulk_create(assignment_rows, batch_size=2000)
    PhaseTransition.objects.bulk_create(transition_rows, batch_size=2000)

    # The rehabiliteringsteam's side of the same histories.
    rehab_counts = rehab_data.build(
        kommune=kommune,
        members=[users[login.username] for login in DEMO_LOGINS if login.role == Role.REHAB_MEMBER],
        histories=histories,
        today=today,
    )
    # The indsatsplaner and indsatser on the same histories (after the indstillinger they answer).
    plans_counts = plans_data.build(kommune=kommune, histories=histories, today=today)
    # The opfølgningssamtaler on the same histories (after the plan revisions some of them made).
    followup_counts = followup_data.build(kommune=kommune, histories=histories, today=today, main_user=main_user)
    # What became of the borgere after the end (and the sanctions on the way), recorded as in the outcomes app.
    outcomes_counts = outcomes_data.build(kommune=kommune, histories=histories, today=today, main_user=main_user)
    # The demo's data reach the database the way a kommune's old cases do: exported as an
    # interchange file, the simulation rolled back, and the file imported (so every `make run`
    # exercises the format both ways).
    document = json.loads(json.dumps(export_document(Forloeb.objects.filter(kommune=kommune), source=KOMMUNE_NAME)))
    transaction.savepoint_rollback(simulated)
    imported = interchange_services.forloeb_import(document=document, file_name="seed_demo", evaluate_flags=False)
    if imported.created != len(forloeb_rows):
        raise RuntimeError("the demo's own interchange file did not import whole")
    # Last, the rule packs as of today: the flags a caseworker meets on the first login.
    evaluation = followup_services.flags_evaluate(as_of=today)
    followup_counts["flags"] = dict(evaluation.raised)
    # The team leader's risk register and a tilsyn round with its sample, on the imported forløb.
    tilsyn_counts = tilsyn_data.build(kommune=kommune, leader=users["teamleder"], today=today)

    return {
        "teams": len(teams),
        "users": len(users),
        "borgere": len(borgere),
        "forloeb": len(forloeb_rows),
        "transitions": len(transition_rows),
        "assignments": len(assignment_rows),
        "phases": Counter(f.phase for f in forloeb_rows),
        "rehab": rehab_counts,
        "plans": plans_counts,
        "followup": followup_counts,
        "tilsyn": tilsyn_counts,
        "outcomes": outcomes_counts,
    }


def coordinator_history(
    rng: random.Random, plan: Plan, pool: list[User], current: User, today: date
) -> list[tuple[User, date, date | None]]:
    """(coordinator, valid_from, valid_to) from opened_on; the last, `current`, stays open (valid_to None)."""
    end = plan.closed_on or today
    starts = [plan.opened_on]
    if (end - plan.opened_on).days >= 60 and rng.random() < HANDOVER_SHARE:
        handovers = 2 if rng.random() < 0.3 else 1
        first_possible = plan.opened_on + timedelta(days=14)
        span = (end - first_possible).days
        starts += sorted(first_possible + timedelta(days=d) for d in rng.sample(range(span), handovers))
    people = [current]  # built backwards: each earlier coordinator differs from the one after
    for _ in starts[1:]:
        people.insert(0, rng.choice([u for u in pool if u is not people[0]]))
    ends = [*starts[1:], None]
    return list(zip(people, starts, ends, strict=True))
