"""The compliance figures of the ledelsestilsyn, proven against hand counts: 3.9 (samtaler in the
latest 12 months, the kommune's standard and the law before 2020), 3.11 (four individual samtaler
in the first six months), §6.3 A (forløb past the longest lawful duration) and 1.10 (a further
forløb for a borger over 40 without the borger's wish recorded).

Each test builds a small population by hand, dated relative to the day the figures are read "as
of", and checks the denominator with the audit's exclusions, the numerator or buckets at their
edges, the forløb behind each figure, the values per team and caseworker, and that the flag rules
find exactly the forløb the figures count (one definition everywhere)."""

import datetime as dt
import random
from datetime import date
from types import SimpleNamespace

import pytest
from django.http import Http404

from cases import clock
from cases.cpr import fictitious_cpr
from cases.models import Forloeb, Role
from cases.rulepacks import rulepack_on
from followup import selectors as followup_selectors
from followup import services as followup_services
from followup.models import RuleSettings
from supervision import points, selectors
from supervision.selectors import Value
from tests.factories import (
    BorgerFactory,
    DecisionFactory,
    FollowUpMeetingFactory,
    ForloebFactory,
    KommuneFactory,
    TeamFactory,
    UserFactory,
)
from tests.supervision.figures import check_distribution, check_share, figure, ids, months_after

pytestmark = pytest.mark.django_db

D = date
DAY = dt.timedelta(days=1)
TODAY = clock.today()


# --- Building and reading ---------------------------------------------------------------------


def new_forloeb(team, coordinator, *, start, opened=None, closed=None, borger=None, sequence_no=1):
    f = ForloebFactory(
        team=team,
        borger=borger or BorgerFactory(),
        sequence_no=sequence_no,
        opened_on=opened or start - dt.timedelta(days=90),
        start_date=start,
        closed_on=closed,
        current_coordinator=coordinator,
    )
    if closed is not None:  # the phase field is protected; a closed forløb is afsluttet
        Forloeb.objects.filter(pk=f.pk).update(phase="afsluttet")
    return f


def samtaler(forloeb, days, **fields):
    for day in days:
        FollowUpMeetingFactory(forloeb=forloeb, held_on=day, **fields)


def unit(org, user, d, *, team=None, coordinator=None):
    return selectors.unit_for(
        user,
        kommune_id=org.kommune.pk,
        as_of=d,
        period_from=d,
        period_to=d,
        team_id=team.pk if team else None,
        coordinator_id=coordinator.pk if coordinator else None,
    )


def flagged(org, rule_id, d) -> list[int]:
    """The kommune's forløb a rule finds on the day, by the replay and by the dry run alike."""
    kommune_forloeb = list(Forloeb.objects.filter(kommune=org.kommune).values_list("pk", flat=True))
    found = sorted(
        r.forloeb_id
        for r in followup_selectors.flags_replay(day=d, forloeb_ids=kommune_forloeb)
        if r.rule.id == rule_id
    )
    assert followup_services.flags_preview(as_of=d, forloeb_ids=kommune_forloeb)[rule_id] == len(found)
    return found


# --- 3.9: samtaler in the latest 12 months ----------------------------------------------------------


def latest_year(d, n):
    """n days inside the 12 months up to d: d - 7, then every 50 days back (at most 307 days)."""
    return [d - dt.timedelta(days=7 + 50 * i) for i in range(n)]


def samtale_population(org, d):
    """Open forløb at least a year old on d with 0-7 held samtaler in the latest 12 months, and the
    forløb the audit leaves out (younger than 12 months, closed, not granted, another kommune)."""
    year_ago, start = months_after(d, -12), months_after(d, -18)

    def make(team, coordinator, held=0, *, start=start, closed=None):
        f = new_forloeb(team, coordinator, start=start, closed=closed)
        samtaler(f, latest_year(d, held))
        return f

    p = SimpleNamespace(
        three=make(org.nord, org.a, 3),
        four=make(org.nord, org.a, 4),
        five=make(org.nord, org.a, 5),
        six=make(org.nord, org.b, 6),
        seven=make(org.nord, org.b, 7),
        # Five individual samtaler, a group samtale and an udeblivelse.
        mixed=make(org.syd, org.c, 5),
        # Exactly 12 months old; the window starts the day after the same date a year before.
        year_old=make(org.syd, org.c, 4, start=year_ago),
        window_first_and_last_day=make(org.syd, org.c, 4),
        closing_after_the_day=make(org.syd, org.c, 4, closed=d + DAY),
        one_day_short_of_a_year=make(org.syd, org.c, 2, start=year_ago + DAY),
        closed_on_the_day=make(org.syd, org.c, 2, closed=d),
        not_granted=new_forloeb(org.syd, org.c, start=None, opened=start),
        elsewhere=make(TeamFactory(kommune=KommuneFactory(code="998", name="Andetrup Kommune")), None, 2),
    )
    samtaler(p.mixed, [d - dt.timedelta(days=20)], setting="gruppe")
    samtaler(p.mixed, [d - dt.timedelta(days=30)], borger_attended=False)
    samtaler(p.year_old, [year_ago, year_ago + DAY, d + DAY])  # 4 + the middle one: 5
    samtaler(p.window_first_and_last_day, [year_ago + DAY, d])  # 6
    return p


def counted_in_3_9(p):
    return [
        p.three,
        p.four,
        p.five,
        p.six,
        p.seven,
        p.mixed,
        p.year_old,
        p.window_first_and_last_day,
        p.closing_after_the_day,
    ]


def under_six_held(p):
    return [p.three, p.four, p.five, p.year_old, p.closing_after_the_day]


SAMTALE_DAYS = [D(2019, 12, 15), D(2020, 2, 29), TODAY]


@pytest.mark.parametrize("d", SAMTALE_DAYS, ids=str)
def test_held_samtaler_in_the_latest_12_months_fall_in_the_audits_buckets_for_open_forloeb_a_year_old(org, d):
    p = samtale_population(org, d)
    check_distribution(
        unit(org, org.admin, d),
        "3.9",
        {
            "<=3": [p.three],
            "4-5": [p.four, p.five, p.year_old, p.closing_after_the_day],
            "6": [p.six, p.mixed, p.window_first_and_last_day],
            ">6": [p.seven],
        },
    )


@pytest.mark.parametrize("d", SAMTALE_DAYS, ids=str)
def test_a_group_samtale_counts_for_the_standard_but_neither_it_nor_an_udeblivelse_counts_for_the_law(org, d):
    p = samtale_population(org, d)
    u = unit(org, org.admin, d)
    check_share(u, "3.9/standard", n=counted_in_3_9(p), count=under_six_held(p))
    check_share(u, "3.9/law", n=counted_in_3_9(p), count=[*under_six_held(p), p.mixed])


def test_the_kommunes_own_number_of_samtaler_sets_the_standards_bar(org):
    d = D(2019, 12, 15)
    RuleSettings.objects.create(kommune=org.kommune, samtaler_per_year=8)
    p = samtale_population(org, d)
    check_share(unit(org, org.admin, d), "3.9/standard", n=counted_in_3_9(p), count=counted_in_3_9(p))


def test_a_kommune_that_switched_its_standard_off_has_no_standard_figure_but_still_the_law(org):
    d = D(2019, 12, 15)
    RuleSettings.objects.create(kommune=org.kommune, standard_enabled=False)
    p = samtale_population(org, d)
    u = unit(org, org.admin, d)
    check_share(u, "3.9/standard", n=[], count=[])
    check_share(u, "3.9/law", n=counted_in_3_9(p), count=[*under_six_held(p), p.mixed])


def test_each_team_and_caseworker_gets_its_own_samtale_figures_beside_the_kommunes(org):
    d = D(2019, 12, 15)
    samtale_population(org, d)
    fig = figure(unit(org, org.admin, d), "3.9")

    def value(n, le3, le5, six, more):
        return Value(n, buckets={"<=3": le3, "4-5": le5, "6": six, ">6": more})

    assert fig.unit == fig.reference == value(9, 1, 4, 3, 1)
    assert dict(fig.by_team) == {org.nord.pk: value(5, 1, 2, 1, 1), org.syd.pk: value(4, 0, 2, 2, 0)}
    assert dict(fig.by_caseworker) == {
        org.a.pk: value(3, 1, 2, 0, 0),
        org.b.pk: value(2, 0, 0, 1, 1),
        org.c.pk: value(4, 0, 2, 2, 0),
    }
    law = figure(unit(org, org.admin, d), "3.9/law")
    assert dict(law.by_team) == {org.nord.pk: Value(5, count=3), org.syd.pk: Value(4, count=3)}
    assert dict(law.by_caseworker) == {
        org.a.pk: Value(3, count=3),
        org.b.pk: Value(2, count=0),
        org.c.pk: Value(4, count=3),
    }


def test_a_team_or_a_caseworker_chosen_by_the_administrator_is_read_against_the_whole_kommune(org):
    d = D(2019, 12, 15)
    p = samtale_population(org, d)
    kommune_wide = figure(unit(org, org.admin, d), "3.9").unit

    syd = unit(org, org.admin, d, team=org.syd)
    check_distribution(
        syd,
        "3.9",
        {"4-5": [p.year_old, p.closing_after_the_day], "6": [p.mixed, p.window_first_and_last_day]},
    )
    assert figure(syd, "3.9").reference == kommune_wide

    b = unit(org, org.admin, d, coordinator=org.b)
    check_distribution(b, "3.9", {"6": [p.six], ">6": [p.seven]})
    check_share(b, "3.9/law", n=[p.six, p.seven], count=[])
    assert figure(b, "3.9").reference == kommune_wide


def test_a_team_leader_is_compared_with_what_they_may_see_and_a_caseworker_sees_only_their_own_forloeb(org):
    d = D(2019, 12, 15)
    p = samtale_population(org, d)
    leader = UserFactory(username="leder", role=Role.TEAM_LEADER, teams=[org.nord])
    nord = unit(org, leader, d)
    check_distribution(nord, "3.9", {"<=3": [p.three], "4-5": [p.four, p.five], "6": [p.six], ">6": [p.seven]})
    fig = figure(nord, "3.9")
    assert fig.reference == fig.unit and [team for team, _ in fig.by_team] == [org.nord.pk]
    with pytest.raises(Http404):
        unit(org, leader, d, team=org.syd)

    own = unit(org, org.a, d)
    check_distribution(own, "3.9", {"<=3": [p.three], "4-5": [p.four, p.five]})
    check_share(own, "3.9/standard", n=[p.three, p.four, p.five], count=[p.three, p.four, p.five])
    assert figure(own, "3.9").reference == figure(own, "3.9").unit


@pytest.mark.parametrize("per_year", [None, 5, 8])
@pytest.mark.parametrize("d", SAMTALE_DAYS, ids=str)
def test_the_standard_figure_counts_exactly_the_forloeb_the_std_under_6_12m_rule_flags(org, d, per_year):
    if per_year:
        RuleSettings.objects.create(kommune=org.kommune, samtaler_per_year=per_year)
    samtale_population(org, d)
    counted = selectors.drilldown_ids(unit(org, org.admin, d), points.BY_REF["3.9/standard"], "count")
    assert counted
    assert counted == flagged(org, "STD_UNDER_6_12M", d)


@pytest.mark.parametrize("d", [D(2019, 12, 15), D(2019, 2, 28), D(2016, 8, 31)], ids=str)
def test_before_2020_the_law_figure_counts_exactly_the_forloeb_the_lab2013_rule_flags(org, d):
    p = samtale_population(org, d)
    counted = selectors.drilldown_ids(unit(org, org.admin, d), points.BY_REF["3.9/law"], "count")
    assert counted == ids([*under_six_held(p), p.mixed])
    assert counted == flagged(org, "LAB2013_UNDER_6_12M", d)


# --- 3.11: four individual samtaler in the first six months (LAB § 31, stk. 3, from 2020) -------------


def first_months_population(org, d):
    """Forløb started under the 2020 law whose first six months are over on d, with individual
    samtaler 10, 50, 90 and 130 days after the start, and the forløb left out."""
    start, six_months_ago = months_after(d, -7), months_after(d, -6)

    def make(team, coordinator, individual, *, start=start, closed=None):
        f = new_forloeb(team, coordinator, start=start, closed=closed)
        samtaler(f, [start + dt.timedelta(days=10 + 40 * i) for i in range(individual)])
        return f

    p = SimpleNamespace(
        four=make(org.nord, org.a, 4),
        three_and_a_group_samtale=make(org.nord, org.a, 3),
        three_and_an_udeblivelse=make(org.nord, org.b, 3),
        fourth_on_the_day_six_months_end=make(org.syd, org.c, 3),
        fourth_the_day_before_the_start=make(org.syd, org.c, 3),
        six_months_old_today=make(org.syd, org.c, 4, start=six_months_ago),
        six_months_old_tomorrow=make(org.syd, org.c, 0, start=six_months_ago + DAY),
        started_under_the_old_law=make(org.syd, org.c, 0, start=D(2019, 12, 31)),
        closed_on_the_day=make(org.syd, org.c, 0, closed=d),
    )
    samtaler(p.three_and_a_group_samtale, [start + dt.timedelta(days=150)], setting="gruppe")
    samtaler(p.three_and_an_udeblivelse, [start + dt.timedelta(days=150)], borger_attended=False)
    samtaler(p.fourth_on_the_day_six_months_end, [months_after(start, 6)])
    samtaler(p.fourth_the_day_before_the_start, [start - DAY])
    return p


def short_in_first_months(p):
    return [
        p.three_and_a_group_samtale,
        p.three_and_an_udeblivelse,
        p.fourth_on_the_day_six_months_end,
        p.fourth_the_day_before_the_start,
    ]


@pytest.mark.parametrize("d", [D(2020, 9, 15), TODAY], ids=str)
def test_only_individual_samtaler_held_in_the_first_six_months_count_towards_the_four(org, d):
    p = first_months_population(org, d)
    check_share(
        unit(org, org.admin, d),
        "3.11",
        n=[p.four, *short_in_first_months(p), p.six_months_old_today],
        count=short_in_first_months(p),
    )


@pytest.mark.parametrize("d", [D(2020, 9, 15), TODAY], ids=str)
def test_the_first_six_months_figure_counts_what_the_lab2020_rule_flags_and_the_warnings_resolved_since(org, d):
    """The flag resolves once an individual samtale is held after the six months (the warning has
    done its job); the figure keeps counting the forløb, whose first six months fell short."""
    p = first_months_population(org, d)
    counted = selectors.drilldown_ids(unit(org, org.admin, d), points.BY_REF["3.11"], "count")
    still_flagged = flagged(org, "LAB2020_FIRST6M_UNDER_4", d)
    assert set(still_flagged) <= set(counted)
    assert sorted(set(counted) - set(still_flagged)) == [p.fourth_on_the_day_six_months_end.pk]


# --- §6.3 A: past the longest lawful duration -------------------------------------------------------


def test_a_forloeb_is_past_its_longest_duration_the_day_after_five_years_or_three_when_started_from_2022(org):
    d = D(2025, 1, 2)
    starts = {  # start: past the maximum on d (5 years; started from 1.1.2022: 3 years)
        D(2020, 1, 1): True,
        D(2020, 1, 2): False,  # five years end today
        D(2021, 12, 31): False,  # the old maximum, five years
        D(2022, 1, 1): True,
        D(2022, 1, 2): False,  # three years end today
    }
    for start, past in starts.items():  # the hand count follows the rule packs (cases.concepts.max_end)
        years = rulepack_on(start).max_duration_years
        assert (start.replace(year=start.year + years) < d) is past
    granted = {start: new_forloeb(org.nord if past else org.syd, org.a, start=start) for start, past in starts.items()}
    new_forloeb(org.nord, org.a, start=None, opened=D(2024, 12, 1))  # not granted
    new_forloeb(org.nord, org.a, start=d + DAY)  # starts tomorrow
    new_forloeb(org.nord, org.a, start=D(2018, 1, 1), closed=d)  # past five years, but closed

    u = unit(org, org.admin, d)
    check_share(
        u,
        "A/past_max_duration",
        n=list(granted.values()),
        count=[f for start, f in granted.items() if starts[start]],
    )
    fig = figure(u, "A/past_max_duration")
    assert dict(fig.by_team) == {org.nord.pk: Value(2, count=2), org.syd.pk: Value(3, count=0)}


# --- 1.10: a further forløb for a borger over 40 without the borger's wish ----------------------------

_rng = random.Random(1040)


def further_forloeb(org, team, coordinator, *, born, decided_on, consent_on=None, earlier_granted=True, closed=None):
    """A borger's second forløb, granted on `decided_on`, after an earlier one closed in 2018."""
    borger = BorgerFactory(cpr=fictitious_cpr(born, _rng))
    earlier_start = D(2015, 3, 1) if earlier_granted else None
    new_forloeb(team, coordinator, start=earlier_start, opened=D(2015, 1, 5), closed=D(2018, 6, 30), borger=borger)
    f = new_forloeb(team, coordinator, start=decided_on, borger=borger, sequence_no=2, closed=closed)
    DecisionFactory(forloeb=f, decided_on=decided_on, borger_consent_on=consent_on)
    return f


def over_40_population(org):
    p = SimpleNamespace(
        forty_at_the_afgoerelse=further_forloeb(org, org.nord, org.a, born=D(1980, 5, 5), decided_on=D(2020, 5, 5)),
        thirty_nine_at_the_afgoerelse=further_forloeb(
            org, org.nord, org.a, born=D(1980, 5, 6), decided_on=D(2020, 5, 5)
        ),
        wish_recorded=further_forloeb(
            org, org.nord, org.b, born=D(1975, 1, 10), decided_on=D(2020, 6, 1), consent_on=D(2020, 5, 20)
        ),
        wish_recorded_2_march=further_forloeb(
            org, org.syd, org.c, born=D(1975, 2, 10), decided_on=D(2020, 6, 1), consent_on=D(2021, 3, 2)
        ),
        wish_recorded_1_march=further_forloeb(
            org, org.syd, org.c, born=D(1975, 3, 10), decided_on=D(2020, 6, 1), consent_on=D(2021, 3, 1)
        ),
        decided_2_march=further_forloeb(org, org.syd, org.c, born=D(1979, 1, 1), decided_on=D(2021, 3, 2)),
        earlier_never_granted=further_forloeb(
            org, org.syd, org.c, born=D(1970, 4, 4), decided_on=D(2020, 6, 1), earlier_granted=False
        ),
        closed_1_march=further_forloeb(
            org, org.syd, org.c, born=D(1970, 7, 7), decided_on=D(2019, 6, 1), closed=D(2021, 3, 1)
        ),
    )
    first = new_forloeb(
        org.syd, org.c, start=D(2020, 6, 1), borger=BorgerFactory(cpr=fictitious_cpr(D(1970, 1, 2), _rng))
    )
    DecisionFactory(forloeb=first, decided_on=D(2020, 6, 1))  # the borger's first forløb: no wish needed
    return p


def test_a_further_forloeb_needs_the_wish_of_a_borger_40_or_older_at_the_afgoerelse_recorded_by_the_day(org):
    p = over_40_population(org)
    u = unit(org, org.admin, D(2021, 3, 1))
    check_share(
        u,
        "1.10",
        n=[p.forty_at_the_afgoerelse, p.wish_recorded, p.wish_recorded_2_march, p.wish_recorded_1_march],
        count=[p.forty_at_the_afgoerelse, p.wish_recorded_2_march],
    )
    fig = figure(u, "1.10")
    assert dict(fig.by_team) == {org.nord.pk: Value(2, count=1), org.syd.pk: Value(2, count=1)}
    assert dict(fig.by_caseworker) == {
        org.a.pk: Value(1, count=1),
        org.b.pk: Value(1, count=0),
        org.c.pk: Value(2, count=1),
    }


def test_the_next_day_a_new_afgoerelse_enters_the_over_40_figure_and_a_wish_recorded_that_day_leaves_it(org):
    p = over_40_population(org)
    check_share(
        unit(org, org.admin, D(2021, 3, 2)),
        "1.10",
        n=[
            p.forty_at_the_afgoerelse,
            p.wish_recorded,
            p.wish_recorded_2_march,
            p.wish_recorded_1_march,
            p.decided_2_march,
        ],
        count=[p.forty_at_the_afgoerelse, p.decided_2_march],
    )


@pytest.mark.parametrize("d", [D(2021, 3, 1), D(2021, 3, 2)], ids=str)
def test_the_over_40_figure_counts_exactly_the_forloeb_the_over40_no_consent_rule_flags(org, d):
    over_40_population(org)
    counted = selectors.drilldown_ids(unit(org, org.admin, d), points.BY_REF["1.10"], "count")
    assert len(counted) == 2
    assert counted == flagged(org, "OVER40_NO_CONSENT", d)
