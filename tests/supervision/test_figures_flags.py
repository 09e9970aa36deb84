"""The ledelsestilsyn's flag figures and caseload, counted by hand.

The flags open on an explicit day, by rule and by age (days since raised, with the bucket edges
30/31, 90/91 and 180/181), how many of them were acknowledged by then without being resolved, the
forløb behind each figure, and each caseworker's open forløb. Nothing reads today's date."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404

from cases.models import Role
from supervision import selectors as s
from tests.factories import FlagFactory, ForloebFactory, KommuneFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = date(2024, 6, 30)
LATER = DAY + timedelta(days=1)
CPH = ZoneInfo("Europe/Copenhagen")
GOAL, KS, NEXT = "NO_CONCRETE_GOAL", "KS_NOT_IN_PLAN", "NO_NEXT_SAMTALE"


@pytest.fixture
def admin(kommune):
    return UserFactory(username="admin", role=Role.ADMINISTRATOR, kommune=kommune)


@pytest.fixture
def make(team, caseworker):
    def _make(*, team=team, coordinator=caseworker, opened_on=date(2023, 1, 2), **dates):
        return ForloebFactory(team=team, current_coordinator=coordinator, opened_on=opened_on, **dates)

    return _make


def unit_of(user, *, period_from=DAY, **scope):
    return s.unit_for(user, kommune_id=user.kommune_id, as_of=DAY, period_from=period_from, period_to=DAY, **scope)


def ago(days: int) -> date:
    return DAY - timedelta(days=days)


def ids(*forloeb) -> list[int]:
    return sorted(f.pk for f in forloeb)


@pytest.fixture
def flags(make, caseworker, teammate, outsider, other_team):
    """Three forløb in two teams with flags at every age edge; see each line."""
    f1 = make()
    FlagFactory(forloeb=f1, rule_id=GOAL, subject="indsatsplan", raised_on=ago(30))  # <=30d, the edge
    FlagFactory(forloeb=f1, rule_id=GOAL, subject="indstilling", raised_on=DAY)  # raised on the day
    FlagFactory(  # 31-90d, acknowledged and still open
        forloeb=f1,
        rule_id=KS,
        raised_on=ago(31),
        acknowledged_by=caseworker,
        acknowledged_at=datetime(2024, 6, 25, 10, 0, tzinfo=CPH),
    )
    FlagFactory(  # resolved on the day: not open on it
        forloeb=f1, rule_id=NEXT, raised_on=ago(100), resolved_on=DAY, resolved_at=datetime(2024, 6, 30, 2, tzinfo=CPH)
    )

    f2 = make(coordinator=teammate)
    FlagFactory(  # 31-90d, the edge; acknowledged late in the evening of the day (Danish time)
        forloeb=f2,
        rule_id=GOAL,
        subject="indsatsplan",
        raised_on=ago(90),
        acknowledged_by=teammate,
        acknowledged_at=datetime(2024, 6, 30, 23, 30, tzinfo=CPH),
    )
    FlagFactory(  # 91-180d; resolved only the day after
        forloeb=f2, rule_id=KS, raised_on=ago(91), resolved_on=LATER, resolved_at=datetime(2024, 7, 1, 2, tzinfo=CPH)
    )
    FlagFactory(forloeb=f2, rule_id=NEXT, raised_on=LATER)  # raised after the day

    f3 = make(team=other_team, coordinator=outsider)
    FlagFactory(forloeb=f3, rule_id=GOAL, subject="indsatsplan", raised_on=ago(180))  # 91-180d, the edge
    FlagFactory(  # >180d; acknowledged just after midnight, the day after
        forloeb=f3,
        rule_id=NEXT,
        raised_on=ago(181),
        acknowledged_by=outsider,
        acknowledged_at=datetime(2024, 7, 1, 0, 30, tzinfo=CPH),
    )

    closed = make(closed_on=date(2024, 1, 1))  # not active in the period
    FlagFactory(forloeb=closed, rule_id=NEXT, raised_on=ago(200))
    elsewhere = ForloebFactory(team=TeamFactory(kommune=KommuneFactory(code="998", name="Andenby")), opened_on=DAY)
    FlagFactory(forloeb=elsewhere, rule_id=NEXT, raised_on=ago(10))
    return f1, f2, f3


def test_the_flags_open_on_the_day_by_rule_and_by_age(admin, flags):
    figures = s.flag_figures(unit_of(admin))
    assert figures.open == 7
    assert figures.by_rule == {GOAL: 4, KS: 2, NEXT: 1}
    assert figures.by_age == {"<=30d": 2, "31-90d": 2, "91-180d": 2, ">180d": 1}
    assert [(rule, n) for rule, _, n in figures.rule_rows()] == [(GOAL, 4), (KS, 2), (NEXT, 1)]


def test_acknowledged_counts_what_was_acknowledged_by_the_danish_day_and_is_still_open(admin, flags):
    f1, f2, f3 = flags
    unit = unit_of(admin)
    assert s.flag_figures(unit).acknowledged == 2
    assert s.flag_drilldown_ids(unit, acknowledged=True) == ids(f1, f2)


def test_a_team_or_a_caseworker_counts_the_flags_of_its_own_forloeb(admin, flags, team, teammate):
    f1, f2, f3 = flags
    nord = s.flag_figures(unit_of(admin, team_id=team.pk))
    assert (nord.open, nord.acknowledged) == (5, 2)
    assert nord.by_rule == {GOAL: 3, KS: 2}
    assert nord.by_age == {"<=30d": 2, "31-90d": 2, "91-180d": 1, ">180d": 0}
    own = s.flag_figures(unit_of(admin, coordinator_id=teammate.pk))
    assert (own.open, own.acknowledged, own.by_rule) == (2, 1, {GOAL: 1, KS: 1})


def test_a_team_leader_sees_the_flags_of_the_team_and_a_caseworker_their_own(flags, team_leader, teammate):
    f1, f2, f3 = flags
    assert s.flag_figures(unit_of(team_leader)).by_rule == {GOAL: 3, KS: 2}
    assert s.flag_drilldown_ids(unit_of(team_leader)) == ids(f1, f2)
    assert s.flag_drilldown_ids(unit_of(teammate)) == ids(f2)


def test_the_forloeb_behind_a_flag_figure(admin, flags, team, teammate):
    f1, f2, f3 = flags
    unit = unit_of(admin)
    assert s.flag_drilldown_ids(unit) == ids(f1, f2, f3)
    assert s.flag_drilldown_ids(unit, rule_id=GOAL) == ids(f1, f2, f3)
    assert s.flag_drilldown_ids(unit, rule_id=NEXT) == ids(f3)  # f1's resolved on the day, f2's raised after
    assert s.flag_drilldown_ids(unit, age="<=30d") == ids(f1)
    assert s.flag_drilldown_ids(unit, age="31-90d") == ids(f1, f2)
    assert s.flag_drilldown_ids(unit, age="91-180d") == ids(f2, f3)
    assert s.flag_drilldown_ids(unit, age=">180d") == ids(f3)
    assert s.flag_drilldown_ids(unit_of(admin, team_id=team.pk), rule_id=KS) == ids(f1, f2)
    assert s.flag_drilldown_ids(unit_of(admin, coordinator_id=teammate.pk), age="91-180d") == ids(f2)
    with pytest.raises(Http404):
        s.flag_drilldown_ids(unit, age="30d")


def test_an_earlier_day_sees_the_flags_open_then(admin, flags):
    f1, f2, f3 = flags
    unit = s.unit_for(admin, kommune_id=admin.kommune_id, as_of=ago(31), period_from=ago(31), period_to=ago(31))
    figures = s.flag_figures(unit)  # f1's KS raised that day; its NEXT, resolved only later, still open
    assert figures.by_rule == {GOAL: 2, KS: 2, NEXT: 2}
    assert figures.by_age == {"<=30d": 1, "31-90d": 3, "91-180d": 2, ">180d": 0}
    assert figures.acknowledged == 0
    assert s.flag_drilldown_ids(unit, rule_id=NEXT) == ids(f1, f3)


# --- Caseload -----------------------------------------------------------------------------------


@pytest.fixture
def caseloads(make, caseworker, teammate, outsider, other_team):
    make()
    make(start_date=None)  # still in the forberedende del: open, and on the caseworker's desk
    make(closed_on=LATER)  # closes the day after
    make(closed_on=DAY)  # closed on the day: no longer open
    make(closed_on=date(2024, 6, 1))  # closed before the day
    make(opened_on=LATER)  # not opened yet
    make(coordinator=None)  # nobody's
    make(coordinator=teammate)
    make(team=other_team, coordinator=outsider)


def test_caseload_counts_each_caseworkers_open_forloeb_on_the_day(admin, caseloads, caseworker, teammate, outsider):
    expected = {caseworker.pk: 3, teammate.pk: 1, outsider.pk: 1}
    assert s.caseload(unit_of(admin)) == expected
    assert s.caseload(unit_of(admin, period_from=date(2024, 1, 1))) == expected  # closed ones stay out


def test_caseload_is_within_what_the_user_may_see(caseloads, team_leader, caseworker, teammate):
    assert s.caseload(unit_of(team_leader)) == {caseworker.pk: 3, teammate.pk: 1}
    assert s.caseload(unit_of(teammate)) == {teammate.pk: 1}
