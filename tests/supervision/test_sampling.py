"""Drawing a tilsyn round's sample (supervision.sampling): the same inputs give the same sample
(so it can be shown to an auditor), the risk weighting favours what it should, the stratified draw
shares the size fairly, the rotation and the 12-month rule keep the same cases from coming back,
and the suggested size follows its stated rule. Pure: no database."""

import math
import random
from collections import Counter

import pytest

from supervision.sampling import (
    BY_CASEWORKER,
    BY_TEAM,
    RANDOM,
    RISK_WEIGHTED,
    STRATIFIED,
    TIER_NORMAL,
    TIER_REVIEWED,
    TIER_ROTATED,
    Member,
    allocate,
    draw,
    risk_weight,
    same_sample,
    suggest_size,
)


def population(n=40, caseworkers=4, teams=2):
    """n forløb shared round-robin among caseworkers 101.. and teams 11.., no risk factors."""
    return [Member(forloeb_id=1000 + i, coordinator_id=101 + i % caseworkers, team_id=11 + i % teams) for i in range(n)]


def high_risk_population():
    """40 forløb, 5 of them (ids 1003, 1011, 1019, 1027, 1035) with every risk factor."""
    high = {1003, 1011, 1019, 1027, 1035}
    members = []
    for i in range(40):
        pk = 1000 + i
        if pk in high:
            members.append(Member(pk, 101 + i % 4, 11, open_flags=4, overdue_days=120, no_indsats=True, days=3 * 365))
        else:
            members.append(Member(pk, 101 + i % 4, 11, days=200))
    return members, high


def ids(drawn):
    return [d.forloeb_id for d in drawn]


# --- The same seed, the same sample -------------------------------------------------------------


@pytest.mark.parametrize("method", [RANDOM, STRATIFIED, RISK_WEIGHTED])
def test_the_same_seed_draws_the_same_sample(method):
    members, _ = high_risk_population()
    first = draw(members, method, 10, 424242, {"strata": BY_CASEWORKER})
    again = draw(members, method, 10, 424242, {"strata": BY_CASEWORKER})
    assert len(first) == 10
    assert first == again and same_sample(first, again)


@pytest.mark.parametrize("method", [RANDOM, STRATIFIED, RISK_WEIGHTED])
def test_the_order_the_population_comes_in_does_not_matter(method):
    members, _ = high_risk_population()
    shuffled = members[:]
    random.Random(7).shuffle(shuffled)
    assert draw(members, method, 10, 99, {}) == draw(shuffled, method, 10, 99, {})


@pytest.mark.parametrize("method", [RANDOM, STRATIFIED, RISK_WEIGHTED])
def test_a_different_seed_draws_a_different_sample(method):
    members, _ = high_risk_population()
    samples = {tuple(ids(draw(members, method, 10, seed, {}))) for seed in range(20)}
    assert len(samples) > 15


def test_a_stored_population_draws_the_same_sample_as_the_original():
    members, _ = high_risk_population()
    stored = [Member.from_dict(m.to_dict()) for m in members]
    assert stored == members
    assert draw(stored, RISK_WEIGHTED, 8, 2024, {"rotation": True}) == draw(
        members, RISK_WEIGHTED, 8, 2024, {"rotation": True}
    )


def test_the_draw_is_numbered_in_order_and_never_repeats_a_forloeb():
    drawn = draw(population(), RANDOM, 15, 5, {})
    assert [d.position for d in drawn] == list(range(1, 16))
    assert len(set(ids(drawn))) == 15


def test_a_size_above_the_population_takes_everyone_once():
    members = population(6)
    assert sorted(ids(draw(members, RANDOM, 50, 1, {}))) == [m.forloeb_id for m in members]


# --- Risk weighting -----------------------------------------------------------------------------


def test_the_weight_follows_the_documented_formula():
    assert risk_weight(open_flags=0, overdue_days=0, no_indsats=False, days=100) == 1
    assert risk_weight(open_flags=2, overdue_days=0, no_indsats=False, days=0) == 3
    assert risk_weight(open_flags=9, overdue_days=0, no_indsats=False, days=0) == 6  # at most +5
    assert risk_weight(open_flags=0, overdue_days=45, no_indsats=False, days=0) == 2.5
    assert risk_weight(open_flags=0, overdue_days=1000, no_indsats=False, days=0) == 5  # at most +4
    assert risk_weight(open_flags=0, overdue_days=0, no_indsats=True, days=90) == 1  # not yet 3 months
    assert risk_weight(open_flags=0, overdue_days=0, no_indsats=True, days=91) == 3
    assert risk_weight(open_flags=0, overdue_days=0, no_indsats=False, days=365 + 365) == 2  # a year past the first
    assert risk_weight(open_flags=0, overdue_days=0, no_indsats=False, days=365 * 10) == 4  # at most +3
    assert Member(1, 2, 3, open_flags=4, overdue_days=120, no_indsats=True, days=3 * 365).weight == 1 + 4 + 4 + 2 + 2


def test_risk_weighting_draws_the_high_risk_forloeb_far_more_often_than_chance():
    """5 high-risk forløb of 40 (weight 13 against 1.0): drawing 5, uniform chance would give each
    a 1 in 8 chance; over 300 seeds they are drawn far more often, and far more than the others."""
    members, high = high_risk_population()
    seeds = range(300)
    counts = Counter(pk for seed in seeds for pk in ids(draw(members, RISK_WEIGHTED, 5, seed, {})))
    share_high = sum(counts[pk] for pk in high) / (5 * len(seeds))
    assert share_high > 0.45  # uniform: 5/40 = 0.125; weight 13 against 1 gives about 0.56
    assert min(counts[pk] for pk in high) > 3 * max(counts[pk] for pk in counts if pk not in high)
    uniform = Counter(pk for seed in seeds for pk in ids(draw(members, RANDOM, 5, seed, {})))
    assert sum(uniform[pk] for pk in high) / (5 * len(seeds)) < 0.25  # the random draw does not favour them


def test_risk_weighting_for_one_seed_draws_the_high_risk_group_first():
    members, high = high_risk_population()
    drawn = draw(members, RISK_WEIGHTED, 5, 20240601, {})
    assert len(set(ids(drawn)) & high) >= 4
    assert drawn[0].weight == 13 and drawn[0].forloeb_id in high
    assert ids(drawn) == ids(draw(members, RISK_WEIGHTED, 5, 20240601, {}))


# --- Stratified -----------------------------------------------------------------------------------


def test_allocation_is_proportional_with_at_least_one_each_by_the_largest_remainder():
    assert allocate({"a": 30, "b": 10}, 8) == {"a": 6, "b": 2}
    assert allocate({"a": 10, "b": 10, "c": 10}, 4) == {"a": 2, "b": 1, "c": 1}  # tie: the strata's order
    assert allocate({"a": 37, "b": 2, "c": 1}, 5) == {"a": 3, "b": 1, "c": 1}  # every stratum gets one
    assert allocate({"a": 30, "b": 5, "c": 5}, 2) == {"a": 2, "b": 0, "c": 0}  # too few for one each
    assert allocate({"a": 3, "b": 1}, 10) == {"a": 3, "b": 1}  # never more than a stratum holds
    for n in range(0, 41):
        shares = allocate({"a": 20, "b": 12, "c": 5, "d": 3}, n)
        assert sum(shares.values()) == n


def test_the_stratified_draw_takes_a_share_of_each_caseworker():
    # Caseworker 101 has 20 forløb, 102 has 12, 103 has 6, 104 has 2.
    sizes = {101: 20, 102: 12, 103: 6, 104: 2}
    members = [Member(1000 + i, cw, 11) for i, cw in enumerate(cw for cw, n in sizes.items() for _ in range(n))]
    drawn = draw(members, STRATIFIED, 10, 3, {"strata": BY_CASEWORKER})
    per_caseworker = Counter(d.coordinator_id for d in drawn)
    assert per_caseworker == {101: 5, 102: 3, 103: 1, 104: 1}
    assert {d.stratum for d in drawn} == {"101", "102", "103", "104"}
    assert [d.stratum for d in drawn] == sorted((d.stratum for d in drawn), key=int)  # stratum by stratum


def test_the_stratified_draw_by_team():
    members = population(30, caseworkers=5, teams=3)
    drawn = draw(members, STRATIFIED, 9, 11, {"strata": BY_TEAM})
    assert Counter(d.team_id for d in drawn) == {11: 3, 12: 3, 13: 3}


# --- Rotation and the 12-month rule -----------------------------------------------------------------


def _with(members, *, rotated=(), reviewed=()):
    return [
        Member(
            m.forloeb_id,
            m.coordinator_id,
            m.team_id,
            days=m.days,
            rotated=m.coordinator_id in rotated,
            reviewed_recently=m.forloeb_id in reviewed,
        )
        for m in members
    ]


@pytest.mark.parametrize("method", [RANDOM, STRATIFIED, RISK_WEIGHTED])
def test_rotation_leaves_out_last_rounds_caseworkers_while_there_are_others(method):
    members = _with(population(40, caseworkers=4), rotated={101, 102})
    drawn = draw(members, method, 12, 8, {"rotation": True})
    assert {d.coordinator_id for d in drawn} <= {103, 104}
    assert all(d.tier == TIER_NORMAL for d in drawn)


def test_rotation_draws_last_rounds_caseworkers_only_when_the_others_are_exhausted():
    members = _with(population(40, caseworkers=4), rotated={101, 102, 103})  # 10 forløb left with 104
    drawn = draw(members, RANDOM, 14, 8, {"rotation": True})
    assert [d.coordinator_id for d in drawn[:10]] == [104] * 10
    assert all(d.tier == TIER_ROTATED for d in drawn[10:]) and len(drawn) == 14


def test_without_rotation_last_rounds_caseworkers_are_drawn_as_anyone_else():
    members = _with(population(40, caseworkers=4), rotated={101, 102})
    drawn = draw(members, RANDOM, 20, 8, {"rotation": False})
    assert {101, 102} & {d.coordinator_id for d in drawn}


def test_a_forloeb_reviewed_in_the_last_12_months_comes_last_whatever_the_rotation():
    reviewed = {1000 + i for i in range(36)}  # all but four
    members = _with(population(40), reviewed=reviewed)
    for rotation in (True, False):
        drawn = draw(members, RISK_WEIGHTED, 6, 4, {"rotation": rotation})
        assert set(ids(drawn[:4])) == {1036, 1037, 1038, 1039}
        assert [d.tier for d in drawn[4:]] == [TIER_REVIEWED, TIER_REVIEWED]


# --- The suggested size -----------------------------------------------------------------------------


def test_the_suggested_size_follows_the_finite_population_rule():
    n0 = 1.645**2 * 0.25 / 0.15**2
    for big_n in (1, 5, 10, 40, 100, 500, 5000):
        n, reason = suggest_size(big_n)
        assert n == min(big_n, math.ceil(n0 / (1 + (n0 - 1) / big_n) - 1e-9))
        assert f"af {big_n} forløb" in reason and "90 %" in reason and "±15" in reason
    assert suggest_size(40)[0] == 18
    assert suggest_size(10_000)[0] == 30
    assert suggest_size(1_000_000)[0] == 31  # never above n0 ≈ 30.07, rounded up
    assert suggest_size(0) == (0, "Der er ingen forløb i rundens enhed og periode, så der er intet at trække.")


def test_the_suggested_size_grows_with_the_population_and_never_exceeds_it():
    sizes = [suggest_size(n)[0] for n in range(1, 2000)]
    assert sizes == sorted(sizes)
    assert all(s <= n for s, n in zip(sizes, range(1, 2000), strict=True))


def test_the_suggested_size_gives_every_stratum_one_and_says_so():
    n, reason = suggest_size(200, strata=40)
    assert n == 40 and "mindst ét forløb" in reason
    n, reason = suggest_size(12, strata=4)
    assert n == 9 and "mindst ét" not in reason
    n, reason = suggest_size(3)
    assert n == 3 and "alle forløb gennemgås" in reason
