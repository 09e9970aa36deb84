"""Reads of the desk: Mine forløb (with the next samtale and the open flags) and the search, both
scoped to the user through `Forloeb.objects.visible_to`. A fixed number of queries per page."""

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from cases.models import CASE_ROLES, Borger, Forloeb, Phase, Role, Team, User
from desk import search as search_terms
from followup.models import Flag
from followup.rulepacks import RULES
from followup.selectors import with_due

PAGE_SIZE = 25
SEARCH_LIMIT = 50
NO_FLAG = 99  # the severity of a forløb without open flags: after every tier

# The sortable columns: key -> (label, ordering). `?sorter=key` sorts that way, `?sorter=-key` the
# other way (NULLs last both ways); anything else falls back to DEFAULT_SORT.
COLUMNS = {
    "navn": (_("Borger"), ("borger__last_name", "borger__first_name", "id")),
    "fase": (_("Fase"), ("phase", "id")),
    "samtale": (_("Næste samtale"), (F("due_on").asc(nulls_last=True), "id")),
    # Most severe first (the most severe open flag's tier, then how many), those without flags last.
    "advarsler": (_("Åbne advarsler"), ("flag_severity", "-open_flags", "id")),
    "slut": (_("Planlagt slut"), (F("planned_end_date").asc(nulls_last=True), "id")),
    "oprettet": (_("Oprettet"), ("opened_on", "id")),
}
DEFAULT_SORT = "samtale"


def _reverse(ordering) -> tuple:
    out = []
    for term in ordering:
        if isinstance(term, str):
            out.append(term[1:] if term.startswith("-") else f"-{term}")
        else:  # an OrderBy: flip it, keep NULLs last
            out.append(F(term.expression.name).desc(nulls_last=True) if not term.descending else term.expression.asc())
    return tuple(out)


def ordering_for(sorter: str) -> tuple:
    key = sorter.removeprefix("-")
    if key not in COLUMNS:
        key, sorter = DEFAULT_SORT, DEFAULT_SORT
    ascending = COLUMNS[key][1]
    return _reverse(ascending) if sorter.startswith("-") else ascending


def is_sorter(value: str) -> bool:
    return value.removeprefix("-") in COLUMNS


def flag_tier_case() -> Case:
    """A flag's severity in SQL: its rule's tier (1 law, 2 the kommune's standard, 3 good practice);
    for a rule no longer in the packs, its basis (law before service standard)."""
    by_tier: dict[int, list[str]] = {}
    for rule_id, rule in RULES.items():
        tier = getattr(rule, "tier", None)
        if tier is not None:
            by_tier.setdefault(tier, []).append(rule_id)
    whens = [When(rule_id__in=ids, then=Value(tier)) for tier, ids in sorted(by_tier.items())]
    whens += [When(basis_kind="lov", then=Value(1)), When(basis_kind="servicestandard", then=Value(2))]
    return Case(*whens, default=Value(3), output_field=IntegerField())


def with_flags(qs: QuerySet) -> QuerySet:
    """`open_flags` (count) and `flag_severity` (the most severe open flag's tier; NO_FLAG when none),
    each one subquery."""
    open_flags = Flag.objects.filter(forloeb=OuterRef("pk"), resolved_at__isnull=True).order_by()
    count = open_flags.values("forloeb").annotate(n=Count("pk")).values("n")
    severity = open_flags.annotate(tier=flag_tier_case()).order_by("tier").values("tier")[:1]
    return qs.annotate(
        open_flags=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)),
        flag_severity=Coalesce(Subquery(severity, output_field=IntegerField()), Value(NO_FLAG)),
    )


# --- Mine forløb -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListFilter:
    scope: str = "mine"  # "mine" (I coordinate) or "team" (all of my teams)
    phase: str = ""
    team: int | None = None
    sorter: str = DEFAULT_SORT
    page: int = 1


def default_scope(user: User) -> str:
    return "mine" if user.role in CASE_ROLES else "team"


def teams_for_user(*, user: User) -> list[Team]:
    if user.is_administrator:
        qs = Team.objects.all() if user.is_superuser else Team.objects.filter(kommune_id=user.kommune_id)
    else:
        qs = Team.objects.filter(pk__in=user.team_ids)
    return list(qs.order_by("name"))


def forloeb_page(*, user: User, filters: ListFilter, today: date) -> Page:
    qs: QuerySet = Forloeb.objects.visible_to(user).select_related("borger", "team", "current_coordinator")
    if filters.scope == "mine":
        qs = qs.filter(current_coordinator=user)
    if filters.phase in Phase.values:
        qs = qs.filter(phase=filters.phase)
    if filters.team:
        qs = qs.filter(team_id=filters.team)
    qs = with_flags(with_due(qs, today=today)).order_by(*ordering_for(filters.sorter))
    return Paginator(qs, PAGE_SIZE).get_page(filters.page)


@dataclass(frozen=True)
class Shown:
    """Which columns the list needs: none that is the same on every row."""

    team: bool
    coordinator: bool


def columns_shown(*, filters: ListFilter, teams: list[Team]) -> Shown:
    return Shown(team=len(teams) > 1 and not filters.team, coordinator=filters.scope != "mine")


# --- Search ----------------------------------------------------------------------------------------


@dataclass
class SearchResult:
    criterion: search_terms.Criterion
    forloeb: list[Forloeb]
    more: bool  # more than SEARCH_LIMIT hits: only the first are listed

    @property
    def exact(self) -> Forloeb | None:
        """The forløb to go straight to: a CPR number or a forløb's id that names one forløb (for a
        CPR number with several, the open one)."""
        if self.criterion.kind not in (search_terms.CPR, search_terms.FORLOEB) or not self.forloeb:
            return None
        if len(self.forloeb) == 1:
            return self.forloeb[0]
        still_open = [f for f in self.forloeb if f.phase != Phase.AFSLUTTET]
        return still_open[0] if len(still_open) == 1 else None


def search_forloeb(*, user: User, criterion: search_terms.Criterion) -> SearchResult:
    """The forløb the user may see that match, open ones first, then by name. One query."""
    qs = Forloeb.objects.visible_to(user).select_related("borger", "team", "current_coordinator")
    kind, value = criterion.kind, criterion.value
    if kind == search_terms.CPR:
        qs = qs.filter(borger__cpr=value)
    elif kind == search_terms.BIRTH:
        qs = qs.filter(borger__cpr__startswith=f"{value.day:02d}{value.month:02d}{value.year % 100:02d}")
    elif kind == search_terms.BIRTH_ANY_CENTURY:
        qs = qs.filter(borger__cpr__startswith=value)
    elif kind == search_terms.FORLOEB:
        qs = qs.filter(pk=value)
    else:
        for word in value:
            qs = qs.filter(Q(borger__first_name__icontains=word) | Q(borger__last_name__icontains=word))
    qs = qs.annotate(
        closed=Case(When(phase=Phase.AFSLUTTET, then=Value(1)), default=Value(0), output_field=IntegerField())
    ).order_by("closed", "borger__last_name", "borger__first_name", "sequence_no", "id")
    # A whole date: the six digits hold every century, so keep those born in the year asked for.
    # Fetched one more than shown, so "more" needs no count.
    rows = list(qs[: SEARCH_LIMIT * 4 + 1] if kind == search_terms.BIRTH else qs[: SEARCH_LIMIT + 1])
    if kind == search_terms.BIRTH:
        rows = [f for f in rows if _born_on(f.borger, value)]
    return SearchResult(criterion, rows[:SEARCH_LIMIT], more=len(rows) > SEARCH_LIMIT)


def _born_on(borger: Borger, day: date) -> bool:
    try:
        return borger.birth_date == day
    except Exception:  # a stored number stdnum cannot read  # noqa: BLE001
        return False


def may_search(user: User) -> bool:
    return user.is_administrator or user.role in (*CASE_ROLES, Role.TEAM_LEADER)
