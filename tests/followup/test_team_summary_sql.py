"""The team leader's summary on Min dag is counted in the database, with the worklist's own idea of
when a samtale is due: the same numbers as each caseworker's Min dag, in a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import clock
from cases.models import Role, TeamMembership, User
from followup import selectors
from followup.models import Resolution, RuleSettings
from tests.factories import FlagFactory, ForloebFactory, KommuneFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = clock.today()


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@pytest.fixture
def forloeb_of():
    """A forløb coordinated by `coordinator` in `team`; started 300 days ago unless told otherwise."""

    def _make(coordinator, team, *, start=-300, closed=False):
        f = ForloebFactory(
            team=team,
            opened_on=days(-400),
            start_date=days(start) if start is not None else None,
            closed_on=days(-1) if closed else None,
            current_coordinator=coordinator,
        )
        if closed:  # the phase field is protected; a closed forløb is afsluttet
            type(f).objects.filter(pk=f.pk).update(phase="afsluttet")
        return f

    return _make


def flag(forloeb, rule_id, *, resolved=False, acknowledged_by=None):
    return FlagFactory(
        forloeb=forloeb,
        rule_id=rule_id,
        acknowledged_by=acknowledged_by,
        acknowledged_at=timezone.now() if acknowledged_by else None,
        resolved_on=TODAY if resolved else None,
        resolved_at=timezone.now() if resolved else None,
        resolution=Resolution.CLEARED if resolved else "",
    )


@pytest.fixture
def no_standard_team(team_leader):
    """A team of a kommune that has switched its service standard off, also led by the team leader."""
    kommune = KommuneFactory(code="998", name="Andrup Kommune")
    RuleSettings.objects.create(kommune=kommune, standard_enabled=False)
    other = TeamFactory(kommune=kommune, name="Team Andrup")
    TeamMembership.objects.create(user=team_leader, team=other)
    return other


@pytest.fixture
def population(team, no_standard_team, caseworker, teammate, outsider, forloeb_of, samtale, make_plan):
    """Caseworkers of the team leader with forløb whose samtaler are due in every way there is;
    the comments give each forløb's due day (the standard allows 61 days)."""
    bo = UserFactory(username="bo", first_name="Bo", role=Role.CASEWORKER, teams=[no_standard_team])
    idle = UserFactory(username="ny", first_name="Ny", role=Role.CASEWORKER, teams=[team])

    # Karin, in a kommune with the default service standard.
    agreed_past = forloeb_of(caseworker, team)
    samtale(agreed_past, days(-30), next_on=days(-10))  # aftalt -10: overdue
    standard_first = forloeb_of(caseworker, team)
    samtale(standard_first, days(-65), next_on=days(30))  # standard -4: overdue
    agreed_future = forloeb_of(caseworker, team)
    samtale(agreed_future, days(-20), next_on=days(20))  # aftalt +20
    only_standard = forloeb_of(caseworker, team, start=-100)  # standard -39 from the start: overdue
    plan_past = forloeb_of(caseworker, team, start=-20)
    make_plan(plan_past, days(-50), next_followup_on=days(-5))  # the plan's aftalt -5: overdue
    not_started = forloeb_of(caseworker, team, start=None)  # nothing due before the start
    make_plan(not_started, days(-50), next_followup_on=days(-30))
    absent = forloeb_of(caseworker, team, start=-100)
    samtale(absent, days(-10), attended=False, next_on=days(30))  # not attended: standard -39: overdue
    no_next = forloeb_of(caseworker, team, start=-100)
    samtale(no_next, days(-10), reason="Forløbet afsluttes")  # the samtale overrules the plan: standard +51
    make_plan(no_next, days(-50), next_followup_on=days(-5))
    tie = forloeb_of(caseworker, team)
    samtale(tie, days(-70), next_on=days(-9))  # aftalt and standard both -9: overdue, aftalt
    closed = forloeb_of(caseworker, team, closed=True)  # neither counted nor its flags

    # The teammate.
    yesterday = forloeb_of(teammate, team)
    samtale(yesterday, days(-40), next_on=days(-1))  # aftalt -1: overdue
    due_today = forloeb_of(teammate, team)
    samtale(due_today, days(-30), next_on=TODAY)  # today: not overdue

    # Bo, in the kommune without the standard.
    never_seen = forloeb_of(bo, no_standard_team)  # no samtale, no plan: nothing due
    long_ago = forloeb_of(bo, no_standard_team)
    samtale(long_ago, days(-100), next_on=days(10))  # aftalt +10 (the standard would have said -39)
    agreed_missed = forloeb_of(bo, no_standard_team)
    samtale(agreed_missed, days(-40), next_on=days(-3))  # aftalt -3: overdue

    # Someone in another team: not the team leader's to see.
    elsewhere = forloeb_of(outsider, outsider.memberships.get().team)
    samtale(elsewhere, days(-200), next_on=days(-150))

    flag(agreed_past, "A")
    flag(agreed_past, "B")
    flag(standard_first, "A")
    flag(standard_first, "B", resolved=True)
    flag(closed, "A")
    flag(due_today, "A", resolved=True)
    flag(never_seen, "A")
    flag(long_ago, "A", acknowledged_by=bo)  # acknowledged, still open
    flag(elsewhere, "A")
    return {
        "karin": caseworker,
        "kollega": teammate,
        "bo": bo,
        "ny": idle,
        "agreed_past": agreed_past,
        "standard_first": standard_first,
        "agreed_future": agreed_future,
        "only_standard": only_standard,
        "plan_past": plan_past,
        "not_started": not_started,
        "absent": absent,
        "no_next": no_next,
        "tie": tie,
        "yesterday": yesterday,
        "due_today": due_today,
        "never_seen": never_seen,
        "long_ago": long_ago,
        "agreed_missed": agreed_missed,
    }


def summary_by_name(team_leader) -> dict[str, tuple[int, int, int]]:
    return {
        row.caseworker.username: (row.forloeb, row.overdue, row.open_flags)
        for row in selectors.team_summary(user=team_leader, today=TODAY)
    }


def test_the_summary_counts_forloeb_overdue_samtaler_and_open_flags_per_caseworker(team_leader, population):
    assert summary_by_name(team_leader) == {
        "ks": (9, 6, 3),
        "kollega": (2, 1, 0),
        "bo": (3, 1, 2),
        "ny": (0, 0, 0),
    }


def test_the_summary_says_what_each_caseworkers_min_dag_says(team_leader, population):
    people = [population[name] for name in ("karin", "kollega", "bo", "ny")]
    work = selectors.worklists(coordinators=people, today=TODAY)
    summary = summary_by_name(team_leader)
    for person in people:
        assert summary[person.username][1:] == (len(work[person.pk].overdue), work[person.pk].open_flag_count)


def test_each_forloeb_is_due_on_the_day_and_for_the_reason_worked_out_by_hand(population):
    people = [population[name] for name in ("karin", "kollega", "bo")]
    due = {
        f.pk: (f.due_on, f.why)
        for f in selectors.coordinated_forloeb(coordinator_ids=[p.pk for p in people], today=TODAY)
    }
    expected = {
        "agreed_past": (days(-10), "aftalt"),
        "standard_first": (days(-4), "standard"),
        "agreed_future": (days(20), "aftalt"),
        "only_standard": (days(-39), "standard"),
        "plan_past": (days(-5), "aftalt"),
        "not_started": (None, None),
        "absent": (days(-39), "standard"),
        "no_next": (days(51), "standard"),
        "tie": (days(-9), "aftalt"),
        "yesterday": (days(-1), "aftalt"),
        "due_today": (TODAY, "aftalt"),
        "never_seen": (None, None),
        "long_ago": (days(10), "aftalt"),
        "agreed_missed": (days(-3), "aftalt"),
    }
    assert due == {population[name].pk: value for name, value in expected.items()}


def test_the_worklist_lists_an_agreed_day_that_falls_on_the_standards_day_as_aftalt(population):
    work = selectors.worklist(coordinator=population["karin"], today=TODAY)
    tie = next(d for d in work.overdue if d.forloeb == population["tie"])
    assert (tie.due_on, tie.why, tie.days_overdue, tie.last_on) == (days(-9), "aftalt", 9, days(-70))


def fresh(user: User) -> User:
    """The user as a new request loads it (its teams not yet looked up)."""
    return User.objects.get(pk=user.pk)


def test_the_summary_runs_the_same_number_of_queries_however_many_forloeb(
    team_leader, team, caseworker, forloeb_of, samtale, population
):
    with CaptureQueriesContext(connection) as small:
        selectors.team_summary(user=fresh(team_leader), today=TODAY)

    kommune = KommuneFactory(code="997", name="Tredje Kommune")
    RuleSettings.objects.create(kommune=kommune, max_gap_days=30)
    third = TeamFactory(kommune=kommune, name="Team Tredje")
    TeamMembership.objects.create(user=team_leader, team=third)
    for n in range(5):
        person = UserFactory(username=f"ekstra{n}", role=Role.CASEWORKER, teams=[third, team])
        for i in range(4):
            f = forloeb_of(person, third if i % 2 else team)
            samtale(f, days(-20 * i - 5), next_on=days(10 - 10 * i))
            flag(f, "A")

    with CaptureQueriesContext(connection) as large:
        rows = selectors.team_summary(user=fresh(team_leader), today=TODAY)
    assert len(rows) == 9 and sum(row.forloeb for row in rows) == 14 + 20
    work = selectors.worklists(coordinators=[row.caseworker for row in rows], today=TODAY)
    assert [(row.overdue, row.open_flags) for row in rows] == [
        (len(work[row.caseworker.pk].overdue), work[row.caseworker.pk].open_flag_count) for row in rows
    ]
    assert len(large.captured_queries) == len(small.captured_queries)
