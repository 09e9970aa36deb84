"""Drawing a tilsyn round's sample, so that the same sample can be drawn again and shown to an
auditor (fokusrevision §6.1 step 4, control point 5.6: the method, what is drawn and the rotation
plan are documented).

The core (`draw`, `allocate`, `risk_weight`, `suggest_size`) is pure: it takes the population as
a list of `Member` and touches no database, so the same inputs always give the same sample.
`build_population` is the database part: the forløb of the round's unit and period with their
risk factors, in a fixed number of queries. A round stores the population (`Member.to_dict`, ids
and factors only: no names, no CPR), the method, the criteria, the size and the seed, so the
sample can be re-drawn from what is stored and compared with the one drawn ("Træk igen").

The draw, exactly:

1. The population is sorted by forløb id, and `random.Random(seed)` gives each member, in that
   order, one number u in [0, 1) (`random()` only: Python guarantees its sequence for a seed
   across versions, unlike `sample` or `shuffle`).
2. Each member gets a key: u for the random and the stratified draws; u ** (1 / weight) for the
   risk-weighted draw (Efraimidis & Spirakis 2006: taking the largest keys is weighted sampling
   without replacement, a member of weight 3 is about three times as likely to be drawn first as
   one of weight 1).
3. The population is split in up to three tiers, drawn in turn, each only when the tiers before it
   are exhausted:
   tier 0, everything not below;
   tier 1, with `criteria["rotation"]`: forløb whose koordinerende sagsbehandler had a forløb in
   the sample of the previous round of the same unit (`Member.rotated`), so the same caseworker
   is not reviewed round after round;
   tier 2, always: forløb that had a case review started in the 12 months before the draw
   (`Member.reviewed_recently`), whether or not the rotation rule is on.
4. Within a tier: the random and the risk-weighted draws take the members with the largest keys.
   The stratified draw splits the tier by koordinerende sagsbehandler or by team
   (`criteria["strata"]`), shares the tier's part of the size by `allocate` and takes the largest
   keys of each stratum.
5. The sample is numbered in the order drawn: tier by tier; within a tier by key, largest first
   (stratified: stratum by stratum, in the order of the strata's ids).
"""

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.concepts import INDSATS_STARTED
from cases.models import Forloeb
from followup.models import Flag
from followup.selectors import with_due
from supervision.facts import POPULATION
from supervision.models import Review, SampleMethod

RANDOM, STRATIFIED, RISK_WEIGHTED = SampleMethod.RANDOM, SampleMethod.STRATIFIED, SampleMethod.RISK_WEIGHTED
METHODS = (RANDOM, STRATIFIED, RISK_WEIGHTED)
BY_CASEWORKER, BY_TEAM = "sagsbehandler", "team"
STRATA = (BY_CASEWORKER, BY_TEAM)
TIER_NORMAL, TIER_ROTATED, TIER_REVIEWED = 0, 1, 2

# --- The risk weight ------------------------------------------------------------------------------

WEIGHT_FORMULA = "v1"  # stored in the round's criteria; a new formula gets a new name
FLAG_CAP = 5  # +1 per open flag, at most +5
OVERDUE_DAYS_PER_POINT, OVERDUE_CAP = 30, 4  # +1 per 30 days the next samtale is overdue, at most +4
NO_INDSATS_POINTS, NO_INDSATS_AFTER_DAYS = 2, 91  # +2: started 3 months (91 days) ago, no indsats started
YEAR_DAYS, DURATION_CAP = 365, 3  # +1 per year past the first, at most +3


def risk_weight(*, open_flags: int, overdue_days: int, no_indsats: bool, days: int) -> float:
    """The weight of a forløb in the risk-weighted draw (formula "v1"), rounded to two decimals:

    1
    + min(open flags, 5)
    + min(days the next samtale is overdue / 30, 4)
    + 2 when the forløb started at least 91 days (3 months) ago and no indsats has started
    + min(max(0, days since the start − 365) / 365, 3), one per year past the first

    so from 1 (nothing to worry about) to 15."""
    weight = 1.0
    weight += min(max(open_flags, 0), FLAG_CAP)
    weight += min(max(overdue_days, 0) / OVERDUE_DAYS_PER_POINT, OVERDUE_CAP)
    if no_indsats and days >= NO_INDSATS_AFTER_DAYS:
        weight += NO_INDSATS_POINTS
    weight += min(max(0, days - YEAR_DAYS) / YEAR_DAYS, DURATION_CAP)
    return round(weight, 2)


# --- The population -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """One forløb of the population with its risk factors as of the draw."""

    forloeb_id: int
    coordinator_id: int | None
    team_id: int | None
    open_flags: int = 0  # flags not resolved
    overdue_days: int = 0  # days the next samtale is overdue (followup.selectors.with_due), 0 if not
    no_indsats: bool = False  # started, and no indsats started (cases.concepts.INDSATS_STARTED)
    days: int = 0  # days since the start (before a start: since the case was opened)
    rotated: bool = False  # its caseworker had a forløb in the previous round's sample
    reviewed_recently: bool = False  # a case review of it started in the last 12 months
    weight: float | None = None  # risk_weight() of the factors unless given (a stored population)

    def __post_init__(self):
        if self.weight is None:
            weight = risk_weight(
                open_flags=self.open_flags, overdue_days=self.overdue_days, no_indsats=self.no_indsats, days=self.days
            )
            object.__setattr__(self, "weight", weight)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Member":
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass(frozen=True)
class Drawn:
    """One forløb of the sample."""

    position: int  # 1, 2, ... in the order drawn
    forloeb_id: int
    coordinator_id: int | None
    team_id: int | None
    weight: float
    stratum: str  # the stratum's key (a caseworker's or a team's id; "" without one); "" unless stratified
    tier: int  # TIER_NORMAL, or drawn only after the others were exhausted: TIER_ROTATED, TIER_REVIEWED


def tier_of(member: Member, *, rotation: bool) -> int:
    if member.reviewed_recently:
        return TIER_REVIEWED
    if rotation and member.rotated:
        return TIER_ROTATED
    return TIER_NORMAL


def stratum_key(member: Member, strata: str) -> str:
    value = member.team_id if strata == BY_TEAM else member.coordinator_id
    return "" if value is None else str(value)


def _stratum_order(key: str) -> tuple:
    return (key == "", int(key) if key.isdigit() else 0, key)


# --- Allocation -----------------------------------------------------------------------------------


def _largest_remainder(quotas: dict[str, float], total: int) -> dict[str, int]:
    """Whole numbers summing to `total`: each quota's floor, then one more to the largest
    remainders (ties: in the strata's order)."""
    result = {k: math.floor(q) for k, q in quotas.items()}
    missing = total - sum(result.values())
    by_remainder = sorted(quotas, key=lambda k: (-(quotas[k] - result[k]), _stratum_order(k)))
    for k in by_remainder[:missing]:
        result[k] += 1
    return result


def allocate(sizes: dict[str, int], n: int) -> dict[str, int]:
    """Share n among strata of the given sizes in proportion to their size (n · size / total),
    by the largest remainder. When n is at least the number of strata, every stratum gets at least
    one: a stratum whose share is below one gets exactly one, and the rest of n is shared among
    the others in proportion (repeated until every share is at least one). Never more than a
    stratum holds, never more than n in all."""
    sizes = {k: v for k, v in sizes.items() if v > 0}
    n = max(0, min(n, sum(sizes.values())))
    if not sizes or n == 0:
        return dict.fromkeys(sizes, 0)
    if n < len(sizes):
        total = sum(sizes.values())
        return _largest_remainder({k: n * v / total for k, v in sizes.items()}, n)
    fixed: dict[str, int] = {}
    free, rest = dict(sizes), n
    while free:
        total = sum(free.values())
        small = [k for k, v in free.items() if rest * v / total < 1]
        if not small:
            break
        for k in small:
            fixed[k] = 1
            rest -= 1
            del free[k]
    total = sum(free.values())
    shared = _largest_remainder({k: rest * v / total for k, v in free.items()}, rest) if free else {}
    return fixed | shared


# --- The draw -------------------------------------------------------------------------------------


def _keys(members: Sequence[Member], method: str, seed: int) -> dict[int, float]:
    rng = random.Random(seed)
    keys = {}
    for m in members:  # in forløb id order: one number each, whatever the method
        u = rng.random()
        keys[m.forloeb_id] = u ** (1.0 / m.weight) if method == RISK_WEIGHTED and m.weight > 0 else u
    return keys


def draw(population: Sequence[Member], method: str, size: int, seed: int, criteria: dict) -> list[Drawn]:
    """The sample: deterministic for the same population (in any order), method, size, seed and
    criteria (see the module's docstring for exactly how)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    members = sorted(population, key=lambda m: m.forloeb_id)
    if len({m.forloeb_id for m in members}) != len(members):
        raise ValueError("a forløb is in the population twice")
    strata = criteria.get("strata") or BY_CASEWORKER
    if strata not in STRATA:
        raise ValueError(f"unknown strata {strata!r}")
    rotation = bool(criteria.get("rotation"))
    keys = _keys(members, method, seed)

    def by_key(ms):
        return sorted(ms, key=lambda m: (-keys[m.forloeb_id], m.forloeb_id))

    wanted = max(0, min(size, len(members)))
    picked: list[tuple[Member, str, int]] = []
    for tier in (TIER_NORMAL, TIER_ROTATED, TIER_REVIEWED):
        n = wanted - len(picked)
        if n <= 0:
            break
        in_tier = [m for m in members if tier_of(m, rotation=rotation) == tier]
        if method == STRATIFIED:
            groups: dict[str, list[Member]] = defaultdict(list)
            for m in in_tier:
                groups[stratum_key(m, strata)].append(m)
            shares = allocate({k: len(v) for k, v in groups.items()}, n)
            for key in sorted(groups, key=_stratum_order):
                picked += [(m, key, tier) for m in by_key(groups[key])[: shares[key]]]
        else:
            picked += [(m, "", tier) for m in by_key(in_tier)[:n]]
    return [
        Drawn(i, m.forloeb_id, m.coordinator_id, m.team_id, m.weight, key, tier)
        for i, (m, key, tier) in enumerate(picked, start=1)
    ]


def same_sample(a: Sequence[Drawn], b: Sequence[Drawn]) -> bool:
    """Whether two draws gave the same forløb in the same order."""
    return [d.forloeb_id for d in a] == [d.forloeb_id for d in b]


# --- The suggested size ---------------------------------------------------------------------------

CONFIDENCE_Z = 1.645  # 90 % confidence, two-sided
MARGIN = 0.15  # ±15 percentage points
SHARE = 0.5  # the share that needs the largest sample
N0 = CONFIDENCE_Z**2 * SHARE * (1 - SHARE) / MARGIN**2  # ≈ 30.07


def _comma(value: float, places: int) -> str:
    return f"{value:.{places}f}".replace(".", ",")


def suggest_size(population_size: int, strata: int = 1) -> tuple[int, str]:
    """The suggested sample size and why, in Danish (shown on the round's page).

    The sample that estimates a share (e.g. the share of forløb with a finding) within ±15
    percentage points with 90 % confidence: n0 = 1.645² · 0.25 / 0.15² ≈ 30 for a large population,
    corrected for a finite one, n = n0 / (1 + (n0 − 1) / N), rounded up; at least one per stratum
    and at most N. It grows with N and never exceeds 31 (or the number of strata)."""
    big_n = max(population_size, 0)
    if big_n == 0:
        return 0, _("Der er ingen forløb i rundens enhed og periode, så der er intet at trække.")
    raw = N0 / (1 + (N0 - 1) / big_n)
    by_margin = math.ceil(raw - 1e-9)
    n = min(max(by_margin, strata, 1), big_n)
    parts = [
        _(
            "Forslaget er %(n)s af %(N)s forløb. %(m)s forløb er nok til, at en andel i stikprøven (fx andelen "
            "af forløb med et fund) med 90 %% sikkerhed ligger højst ±15 procentpoint fra andelen blandt alle "
            "%(N)s forløb: n₀ = 1,645² × 0,25 / 0,15² ≈ %(n0)s for en stor population, korrigeret for "
            "populationens størrelse: n = n₀ / (1 + (n₀ − 1) / %(N)s) ≈ %(raw)s, rundet op."
        )
        % {"n": n, "N": big_n, "m": by_margin, "n0": _comma(N0, 1), "raw": _comma(raw, 1)}
    ]
    if strata > by_margin and n > by_margin:
        parts.append(
            ngettext(
                "Hævet til %(k)s, så gruppen får mindst ét forløb.",
                "Hævet til %(k)s, så hver af de %(k)s grupper får mindst ét forløb.",
                n,
            )
            % {"k": n}
        )
    if n == big_n:
        parts.append(_("Populationen er så lille, at alle forløb gennemgås."))
    parts.append(_("Aftal gerne størrelsen med revisor; en mindre stikprøve giver en større usikkerhed."))
    return n, " ".join(parts)


# --- The population from the database -------------------------------------------------------------


def population_ids(*, kommune_id: int, team_ids: Sequence[int], period_from: dt.date, period_to: dt.date) -> list[int]:
    """The forløb of the teams active in the period, by the population of the ledelsestilsyn's
    figures (`supervision.facts.POPULATION`: opened on or before the period's last day and not
    closed before its first), in one query."""
    params = {
        "kommune": kommune_id,
        "teams": list(team_ids),
        "coordinator": None,
        "period_from": period_from,
        "period_to": period_to,
    }
    with connection.cursor() as cursor:
        # POPULATION is a module constant of supervision.facts; the values travel as parameters.
        cursor.execute("WITH " + POPULATION + " SELECT f.id FROM f ORDER BY f.id", params)  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def build_population(
    *,
    leader,
    kommune_id: int,
    team_ids: Sequence[int],
    period_from: dt.date,
    period_to: dt.date,
    as_of: dt.date,
    previous_caseworkers: set[int] | frozenset[int] = frozenset(),
) -> list[Member]:
    """The population of a round with each forløb's risk factors as of `as_of` (the day of the
    draw), read through the leader's scope, in a fixed number of queries (two):

    - open flags: the forløb's flags not resolved (`followup.Flag.resolved_at` empty);
    - days overdue: days since the next samtale was due by `followup.selectors.with_due` (Min dag's
      definition), for a forløb open on the day; else 0;
    - no indsats: the forløb has started, and no indsats has (`cases.concepts.INDSATS_STARTED`);
    - days: since the start (before a start: since the case was opened), to the close if closed;
    - rotated: its current koordinerende sagsbehandler is in `previous_caseworkers`;
    - reviewed recently: a case review of it started in the 12 months before the day."""
    ids = population_ids(kommune_id=kommune_id, team_ids=team_ids, period_from=period_from, period_to=period_to)
    if not ids:
        return []
    open_flags = (
        Flag.objects.filter(forloeb=OuterRef("pk"), resolved_at__isnull=True)
        .order_by()
        .values("forloeb")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # The concept's fragment (cases.concepts, no user input) over the forløb's indsatser; the day is a parameter.
    started = RawSQL(  # noqa: S611
        "EXISTS (SELECT 1 FROM plans_intervention i WHERE i.forloeb_id = cases_forloeb.id AND "  # noqa: S608
        + INDSATS_STARTED.sql(i="i", d="%s")
        + ")",
        (as_of,),
    )
    since = timezone.make_aware(dt.datetime.combine(as_of - relativedelta(months=12), dt.time.min))
    reviewed = Review.objects.filter(item__forloeb=OuterRef("pk"), started_at__gte=since)
    rows = (
        with_due(Forloeb.objects.visible_to(leader).filter(pk__in=ids), today=as_of)
        .annotate(
            n_flags=Coalesce(Subquery(open_flags, output_field=IntegerField()), Value(0)),
            indsats_started=started,
            reviewed_recently=Exists(reviewed),
        )
        .order_by("pk")
        .values_list(
            "pk",
            "current_coordinator_id",
            "team_id",
            "opened_on",
            "start_date",
            "closed_on",
            "due_on",
            "n_flags",
            "indsats_started",
            "reviewed_recently",
        )
    )
    members = []
    for pk, coordinator_id, team_id, opened_on, start, closed_on, due_on, n_flags, any_started, recent in rows:
        open_on_day = opened_on <= as_of and (closed_on is None or closed_on > as_of)
        overdue = (as_of - due_on).days if open_on_day and due_on is not None and due_on < as_of else 0
        begin = start if start is not None and start <= as_of else opened_on
        end = min(as_of, closed_on) if closed_on is not None else as_of
        members.append(
            Member(
                forloeb_id=pk,
                coordinator_id=coordinator_id,
                team_id=team_id,
                open_flags=n_flags,
                overdue_days=overdue,
                no_indsats=start is not None and start <= as_of and not any_started,
                days=max(0, (end - begin).days),
                rotated=coordinator_id is not None and coordinator_id in previous_caseworkers,
                reviewed_recently=recent,
            )
        )
    return members
