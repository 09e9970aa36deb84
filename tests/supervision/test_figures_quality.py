"""The quality figures of the ledelsestilsyn (fokusrevision §1 Q1-Q4, spec §3), counted by hand.

Each test builds a few forløb whose figures can be counted on paper, dated around one explicit
as-of day, and checks every control point it touches: its denominator (with the audit's
exclusions), its numerator, the forløb behind both (the drill-down) and, where it matters, the
split by team and caseworker and the reference. Nothing here reads today's date, so the figures
are the same whichever day the tests run (FORLOEB_CLOCK_SHIFT_DAYS)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases import clock
from cases.models import Role
from followup.selectors import flags_replay
from plans.selectors import funnel
from rehab.models import InterventionCategory
from supervision import points as cp
from supervision import selectors as s
from tests.factories import (
    ActionPlanFactory,
    FollowUpMeetingFactory,
    ForloebFactory,
    GoalFactory,
    HealthDocumentFactory,
    InterventionEventFactory,
    InterventionFactory,
    PreparatoryPartFactory,
    RecommendationFactory,
    RecommendedInterventionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DAY = date(2024, 6, 30)  # the as-of day of every figure here
EARLIER = date(2024, 2, 1)  # a day the documents are dated before DAY
LATER = DAY + timedelta(days=1)  # one day too late to count


@pytest.fixture
def admin(kommune):
    """Sees the whole kommune: the reference is every team's forløb."""
    return UserFactory(username="admin", role=Role.ADMINISTRATOR, kommune=kommune)


@pytest.fixture
def make(team, caseworker):
    def _make(*, team=team, coordinator=caseworker, closed_on=None, start_date=date(2023, 4, 1)):
        return ForloebFactory(
            team=team,
            current_coordinator=coordinator,
            opened_on=date(2023, 1, 2),
            start_date=start_date,
            closed_on=closed_on,
        )

    return _make


def unit_of(user, *, period_from=DAY, **scope):
    return s.unit_for(user, kommune_id=user.kommune_id, as_of=DAY, period_from=period_from, period_to=DAY, **scope)


def quality(unit) -> dict:
    return {f.point.ref: f for f in s.figures(unit, cp.QUALITY)}


def ids(*forloeb) -> list[int]:
    return sorted(f.pk for f in forloeb)


def check_share(unit, figures, ref, *, n, count):
    """The figure, and the forløb behind its denominator and numerator, are exactly these."""
    figure = figures[ref]
    assert (figure.unit.n, figure.unit.count) == (len(n), len(count)), ref
    assert s.drilldown_ids(unit, cp.BY_REF[ref], "n") == ids(*n), ref
    assert s.drilldown_ids(unit, cp.BY_REF[ref], "count") == ids(*count), ref


def check_buckets(unit, figures, ref, **buckets):
    """Every forløb of the denominator in exactly one bucket, and these are they."""
    figure = figures[ref]
    assert figure.unit.buckets == {label: len(members) for label, members in buckets.items()}, ref
    assert figure.unit.n == sum(len(members) for members in buckets.values()), ref
    for label, members in buckets.items():
        assert s.drilldown_ids(unit, cp.BY_REF[ref], "n", label) == ids(*members), (ref, label)


def plan(forloeb, *, version=1, completed_on=EARLIER, **kwargs):
    return ActionPlanFactory(forloeb=forloeb, version=version, completed_on=completed_on, **kwargs)


def indstilling(forloeb, *, given_on=EARLIER, categories=(), **kwargs):
    rec = RecommendationFactory(forloeb=forloeb, given_on=given_on, **kwargs)
    for category in categories:
        RecommendedInterventionFactory(recommendation=rec, category=category)
    return rec


# --- 1.1-1.6: concrete goals per document --------------------------------------------------------


@pytest.fixture
def goals(make):
    """Five forløb whose documents hold goals; see each line for what it tests."""
    # T5, goal loss: a concrete job goal in the forberedende del, none in the indstilling
    # ("afklaring af arbejdsevne"), an unconcrete one in the indsatsplan.
    loss = make()
    GoalFactory(document=PreparatoryPartFactory(forloeb=loss, signed_by_borger_on=EARLIER), concrete=True)
    indstilling(loss)
    GoalFactory(document=plan(loss), description="Komme tættere på arbejdsmarkedet")

    # Both kinds in the forberedende del, signed on the day itself; the indstilling has an
    # education goal only; the first plan a job goal, the plan in force (v2) an education goal.
    both = make()
    prep = PreparatoryPartFactory(forloeb=both, signed_by_borger_on=DAY)
    GoalFactory(document=prep, concrete=True)
    GoalFactory(document=prep, kind="uddannelse", concrete=True)
    GoalFactory(document=indstilling(both), kind="uddannelse", concrete=True)
    GoalFactory(document=plan(both, completed_on=EARLIER), concrete=True)
    GoalFactory(document=plan(both, version=2, completed_on=DAY - timedelta(days=10)), kind="uddannelse", concrete=True)

    # A forberedende del signed only after the day, and the indstilling came after it too: not yet a document.
    unsigned = make(start_date=None)
    GoalFactory(document=PreparatoryPartFactory(forloeb=unsigned, signed_by_borger_on=LATER), concrete=True)
    indstilling(unsigned, given_on=LATER)

    # Signed after the day, but the case got an indstilling (to fleksjob): the forberedende del
    # counts, the indstilling does not (not to a ressourceforløb). A job goal naming an education
    # but no occupation is not concrete.
    fleksjob = make(start_date=None)
    prep = PreparatoryPartFactory(forloeb=fleksjob, signed_by_borger_on=LATER)
    GoalFactory(document=prep, education="Pædagoguddannelsen")
    GoalFactory(document=indstilling(fleksjob, ordning="fleksjob"), concrete=True)

    # No forberedende del. An earlier indstilling had a concrete goal; the latest on the day has
    # none; one given after the day does. The only completed plan was completed after the day.
    later = make()
    GoalFactory(document=indstilling(later, given_on=date(2023, 3, 1)), concrete=True)
    indstilling(later, given_on=date(2024, 1, 10))
    GoalFactory(document=indstilling(later, given_on=LATER), concrete=True)
    GoalFactory(document=plan(later, completed_on=LATER), concrete=True)
    GoalFactory(document=plan(later, version=2, completed_on=None), concrete=True)
    return loss, both, unsigned, fleksjob, later


def test_t5_a_concrete_job_goal_lost_on_the_way_shows_in_each_documents_figure(admin, goals):
    loss, *_ = goals
    unit = unit_of(admin)
    figures = quality(unit)
    assert loss.pk in s.drilldown_ids(unit, cp.BY_REF["1.1"], "count")
    assert loss.pk in s.drilldown_ids(unit, cp.BY_REF["1.3/forberedende_del"], "n", "one")
    for document in ("indstilling", "indsatsplan", "min_plan"):
        assert loss.pk in s.drilldown_ids(unit, cp.BY_REF[f"1.3/{document}"], "n", "none"), document
    for point in ("1.4/job", "1.5/job", "1.6/job"):
        assert loss.pk in s.drilldown_ids(unit, cp.BY_REF[point], "n"), point
        assert loss.pk not in s.drilldown_ids(unit, cp.BY_REF[point], "count"), point
    assert figures["1.1"].unit.count > figures["1.4/job"].unit.count


def test_the_forberedende_del_counts_when_signed_by_the_day_or_once_the_case_has_an_indstilling(admin, goals):
    loss, both, unsigned, fleksjob, later = goals
    unit = unit_of(admin)
    figures = quality(unit)
    check_share(unit, figures, "1.1", n=[loss, both, fleksjob], count=[loss, both])
    check_share(unit, figures, "1.2", n=[loss, both, fleksjob], count=[both])
    check_buckets(unit, figures, "1.3/forberedende_del", both=[both], one=[loss], none=[fleksjob])


def test_indstilling_goals_count_on_the_latest_indstilling_to_a_ressourceforloeb_only(admin, goals):
    loss, both, unsigned, fleksjob, later = goals
    unit = unit_of(admin)
    figures = quality(unit)
    check_share(unit, figures, "1.4/job", n=[loss, both, later], count=[])
    check_share(unit, figures, "1.4/uddannelse", n=[loss, both, later], count=[both])
    check_buckets(unit, figures, "1.3/indstilling", both=[], one=[both], none=[loss, later])


def test_the_first_plan_and_the_plan_in_force_each_count_the_goals_of_their_own_version(admin, goals):
    loss, both, unsigned, fleksjob, later = goals
    unit = unit_of(admin)
    figures = quality(unit)
    check_share(unit, figures, "1.5/job", n=[loss, both], count=[both])
    check_share(unit, figures, "1.5/uddannelse", n=[loss, both], count=[])
    check_buckets(unit, figures, "1.3/indsatsplan", both=[], one=[both], none=[loss])
    check_share(unit, figures, "1.6/job", n=[loss, both], count=[])
    check_share(unit, figures, "1.6/uddannelse", n=[loss, both], count=[both])
    check_buckets(unit, figures, "1.3/min_plan", both=[], one=[both], none=[loss])


def test_before_the_forberedende_del_is_signed_it_is_in_no_goal_figure(admin, goals):
    loss, both, unsigned, fleksjob, later = goals
    unit = unit_of(admin)
    for point in cp.QUALITY_POINTS:
        if point.key[0] in ("1.1", "1.2", "1.3", "1.4", "1.5", "1.6"):
            assert unsigned.pk not in s.drilldown_ids(unit, point, "n"), point.ref


# --- 2.1-2.7: indsatser recommended, planned, started, lost, combined -------------------------------


def move(intervention, on, to_status="planlagt", from_status="indstillet"):
    return InterventionEventFactory(intervention=intervention, on=on, to_status=to_status, from_status=from_status)


@pytest.fixture
def indsatser(make):
    # T10: the team recommended virksomhedsrettet, mentor, kommunal sundhed and social; only the
    # mentor started. The virksomhedsrettet indsats was planned, then given up: still planned.
    # The health indsats says "igangsat" but has no actual start (the status is not read); the
    # social one is planned and starts only after the day.
    t10 = make()
    indstilling(
        t10, given_on=date(2023, 3, 1), categories=("virksomhedsrettet", "mentor", "sundhed_kommunal", "social")
    )
    plan(t10)
    mentor = InterventionFactory(forloeb=t10, category="mentor", status="igangsat", actual_start=date(2024, 4, 1))
    move(mentor, EARLIER)
    virk = InterventionFactory(forloeb=t10, category="virksomhedsrettet", status="ikke_ivaerksat")
    move(virk, EARLIER)
    move(virk, date(2024, 5, 1), to_status="ikke_ivaerksat", from_status="planlagt")
    InterventionFactory(forloeb=t10, category="sundhed_kommunal", status="igangsat", actual_start=None)
    social = InterventionFactory(forloeb=t10, category="social", actual_start=LATER)
    move(social, LATER)

    # Recommended to fleksjob, so no indstilling to a ressourceforløb, and no plan; yet a
    # virksomhedsrettet indsats started.
    fleksjob = make()
    indstilling(fleksjob, ordning="fleksjob", categories=("virksomhedsrettet",))
    virk = InterventionFactory(forloeb=fleksjob, status="igangsat", actual_start=date(2024, 3, 1))
    move(virk, EARLIER)

    # Virksomhedsrettet with regional treatment, both planned and started; vejledning planned on
    # the day itself, not started.
    regional = make()
    indstilling(regional, categories=("virksomhedsrettet", "sundhed_regional"))
    plan(regional)
    for category in ("virksomhedsrettet", "sundhed_regional"):
        started = InterventionFactory(forloeb=regional, category=category, status="igangsat", actual_start=DAY)
        move(started, EARLIER)
    move(InterventionFactory(forloeb=regional, category="vejledning_opkvalificering"), DAY)

    # Not (yet) granted on the day: no ressourceforløb in which an indsats could have started.
    make(start_date=None)
    make(start_date=LATER)
    return t10, fleksjob, regional


def test_recommended_counts_the_indstillinger_to_a_ressourceforloeb_per_category(admin, indsatser):
    t10, fleksjob, regional = indsatser
    unit = unit_of(admin)
    figures = quality(unit)
    both = [t10, regional]
    check_share(unit, figures, "2.1/virksomhedsrettet", n=both, count=both)
    check_share(unit, figures, "2.1/mentor", n=both, count=[t10])
    check_share(unit, figures, "2.1/sundhed", n=both, count=both)
    check_share(unit, figures, "2.1/sundhed_kommunal", n=both, count=[t10])
    check_share(unit, figures, "2.1/sundhed_regional", n=both, count=[regional])
    check_share(unit, figures, "2.1/social", n=both, count=[t10])
    check_share(unit, figures, "2.1/vejledning_opkvalificering", n=both, count=[])


def test_planned_means_entered_planlagt_on_or_before_the_day_whatever_happened_next(admin, indsatser):
    t10, fleksjob, regional = indsatser
    unit = unit_of(admin)
    figures = quality(unit)
    with_plan = [t10, regional]
    check_share(unit, figures, "2.2/virksomhedsrettet", n=with_plan, count=[t10, regional])
    check_share(unit, figures, "2.2/mentor", n=with_plan, count=[t10])
    check_share(unit, figures, "2.2/vejledning_opkvalificering", n=with_plan, count=[regional])
    check_share(unit, figures, "2.2/sundhed", n=with_plan, count=[regional])
    check_share(unit, figures, "2.2/sundhed_kommunal", n=with_plan, count=[])
    check_share(unit, figures, "2.2/social", n=with_plan, count=[])  # planned only after the day


def test_started_means_an_actual_start_by_the_day_in_a_granted_forloeb_and_the_status_is_not_read(admin, indsatser):
    t10, fleksjob, regional = indsatser
    unit = unit_of(admin)
    figures = quality(unit)
    every = [t10, fleksjob, regional]
    check_share(unit, figures, "2.4/virksomhedsrettet", n=every, count=[fleksjob, regional])
    check_share(unit, figures, "2.4/mentor", n=every, count=[t10])
    check_share(unit, figures, "2.4/sundhed", n=every, count=[regional])
    check_share(unit, figures, "2.4/sundhed_kommunal", n=every, count=[])  # "igangsat", no start
    check_share(unit, figures, "2.4/social", n=every, count=[])  # starts the day after
    check_share(unit, figures, "2.4/vejledning_opkvalificering", n=every, count=[])


def test_t10_indsatstab_counts_each_recommended_category_that_never_started(admin, indsatser):
    t10, fleksjob, regional = indsatser
    unit = unit_of(admin)
    figures = quality(unit)
    check_share(unit, figures, "2.6/virksomhedsrettet", n=[t10, regional], count=[t10])
    check_share(unit, figures, "2.6/mentor", n=[t10], count=[])
    check_share(unit, figures, "2.6/sundhed", n=[t10, regional], count=[t10])
    check_share(unit, figures, "2.6/sundhed_kommunal", n=[t10], count=[t10])
    check_share(unit, figures, "2.6/sundhed_regional", n=[regional], count=[])
    check_share(unit, figures, "2.6/social", n=[t10], count=[t10])
    check_share(unit, figures, "2.6/vejledning_opkvalificering", n=[], count=[])


def test_combinations_with_virksomhedsrettet_are_counted_per_stage(admin, indsatser):
    t10, fleksjob, regional = indsatser
    unit = unit_of(admin)
    figures = quality(unit)
    recommended, planned, every = [t10, regional], [t10, regional], [t10, fleksjob, regional]
    check_share(unit, figures, "2.7/indstilling/sundhed", n=recommended, count=[t10, regional])
    check_share(unit, figures, "2.7/indstilling/social", n=recommended, count=[t10])
    check_share(unit, figures, "2.7/indstilling/mentor", n=recommended, count=[t10])
    check_share(unit, figures, "2.7/indstilling/vejledning_opkvalificering", n=recommended, count=[])
    check_share(unit, figures, "2.7/planlagt/sundhed", n=planned, count=[regional])
    check_share(unit, figures, "2.7/planlagt/social", n=planned, count=[])
    check_share(unit, figures, "2.7/planlagt/mentor", n=planned, count=[t10])
    check_share(unit, figures, "2.7/planlagt/vejledning_opkvalificering", n=planned, count=[regional])
    check_share(unit, figures, "2.7/igangsat/sundhed", n=every, count=[regional])
    check_share(unit, figures, "2.7/igangsat/mentor", n=every, count=[])  # t10's mentor has no virksomhedsrettet
    check_share(unit, figures, "2.7/igangsat/social", n=every, count=[])
    check_share(unit, figures, "2.7/igangsat/vejledning_opkvalificering", n=every, count=[])


def test_the_plan_pages_funnel_agrees_with_the_figures_for_a_one_forloeb_unit_on_the_same_day(admin, make, caseworker):
    f = make()
    indstilling(f, categories=("virksomhedsrettet", "virksomhedsrettet", "mentor", "social"))
    plan(f)
    virk = InterventionFactory(forloeb=f, status="igangsat", actual_start=date(2024, 3, 1))
    move(virk, EARLIER)
    move(InterventionFactory(forloeb=f, category="mentor"), EARLIER)
    # An import recorded the status but not the start: not started by the one definition.
    InterventionFactory(forloeb=f, category="sundhed_kommunal", status="igangsat")
    # A start registered while the status was left behind: started.
    InterventionFactory(forloeb=f, category="uddannelse", status="bevilget", actual_start=date(2024, 4, 1))
    # Planned and started only after the day: neither, on the day.
    move(InterventionFactory(forloeb=f, category="social", status="igangsat", actual_start=LATER), LATER)
    figures = quality(unit_of(admin, coordinator_id=caseworker.pk))
    with time_machine.travel(datetime(2024, 6, 30, 12, 0, tzinfo=ZoneInfo("Europe/Copenhagen")), tick=False):
        assert clock.today() == DAY
        rows = {row.category: row for row in funnel(forloeb=f)}
    for category in InterventionCategory.values:
        row = rows.get(category)
        for point, seen in (
            ("2.1", row and row.recommended),
            ("2.2", row and row.planned),
            ("2.4", row and row.started),
        ):
            assert figures[f"{point}/{category}"].unit.n == 1
            assert figures[f"{point}/{category}"].unit.count == (1 if seen else 0), (point, category)
    assert rows["social"].planned == rows["social"].started == 0
    assert "sundhed_kommunal" not in rows  # neither recommended, planned nor started
    assert rows["uddannelse"].started == 1


# --- 2.10, 2.11: the koordinerende sagsbehandler -------------------------------------------------


def test_ks_named_in_the_plan_in_force_and_the_same_ks_at_the_latest_held_samtale(admin, make, caseworker, teammate):
    same = make()
    plan(same, coordinator=caseworker)
    FollowUpMeetingFactory(forloeb=same, held_on=date(2024, 5, 1), held_by=teammate)
    FollowUpMeetingFactory(forloeb=same, held_on=date(2024, 6, 1), held_by=caseworker)
    FollowUpMeetingFactory(forloeb=same, held_on=LATER, held_by=teammate)  # after the day

    dropped = make()  # the first plan named the KS, the plan in force does not
    plan(dropped, coordinator=caseworker)
    plan(dropped, version=2, coordinator=None, completed_on=date(2024, 5, 1))
    FollowUpMeetingFactory(forloeb=dropped, held_on=date(2024, 6, 1), held_by=caseworker)

    changed = make()  # the latest held samtale was someone else's; the udeblivelse after it is not held
    plan(changed, coordinator=caseworker)
    FollowUpMeetingFactory(forloeb=changed, held_on=date(2024, 5, 1), held_by=teammate)
    FollowUpMeetingFactory(forloeb=changed, held_on=date(2024, 6, 1), held_by=caseworker, borger_attended=False)

    no_samtale = make()  # only an udeblivelse: no held samtale to compare
    plan(no_samtale, coordinator=caseworker)
    FollowUpMeetingFactory(forloeb=no_samtale, held_on=date(2024, 6, 1), borger_attended=False)

    make()  # no plan: in neither figure
    unit = unit_of(admin)
    figures = quality(unit)
    check_share(unit, figures, "2.10", n=[same, dropped, changed, no_samtale], count=[same, changed, no_samtale])
    check_share(unit, figures, "2.11", n=[same, changed], count=[same])


# --- 3.1-3.6, 3.10: the borger's involvement and the content of the documents ------------------


def test_perspective_and_the_sections_of_each_document_count_when_written(admin, make, caseworker):
    written = make()
    PreparatoryPartFactory(forloeb=written, signed_by_borger_on=EARLIER, cv="")
    indstilling(written, borger_perspective="Jeg vil gerne prøve.", followup_extra_needed=True)
    plan(written, borger_perspective="")
    plan(written, version=2, completed_on=date(2024, 5, 1), borger_perspective="Nu giver det mening.")
    FollowUpMeetingFactory(
        forloeb=written,
        held_on=date(2024, 5, 1),
        status_on_interventions="Møder stabilt i praktikken.",
        mentor_need_assessed=True,
        borger_perspective="Det går bedre.",
    )
    FollowUpMeetingFactory(forloeb=written, held_on=date(2024, 6, 1), borger_attended=False)

    blank = make()  # blanks are not writing
    PreparatoryPartFactory(
        forloeb=blank,
        signed_by_borger_on=EARLIER,
        personal_resources="   ",
        borger_perspective=" \n ",
        challenges_social="",
        self_assessed_health="",
        cv="Kompetencer: truckcertifikat, kundeservice.",
    )
    indstilling(blank, borger_perspective="  ", followup_assessment=" ")
    plan(blank, borger_perspective="Jeg er med på planen.")
    FollowUpMeetingFactory(  # imported from an earlier system, which did not require the status
        forloeb=blank,
        held_on=date(2024, 5, 1),
        status_on_interventions="",
        new_agreements="Praktik udvides.",
        mentor_assessment="Ikke behov.",
    )
    FollowUpMeetingFactory(forloeb=blank, held_on=LATER, borger_perspective="Skrevet efter dagen.")

    unsigned = make(start_date=None)  # in no figure: nothing signed, held or completed
    PreparatoryPartFactory(forloeb=unsigned, signed_by_borger_on=None)
    FollowUpMeetingFactory(forloeb=unsigned, held_on=date(2024, 5, 1), borger_attended=False)

    unit = unit_of(admin)
    figures = quality(unit)
    both = [written, blank]
    check_share(unit, figures, "3.1/forberedende_del", n=both, count=[written])
    check_share(unit, figures, "3.1/indstilling", n=both, count=[written])
    check_share(unit, figures, "3.1/indsatsplan", n=both, count=[blank])  # the first plan's
    check_share(unit, figures, "3.1/samtale", n=both, count=[written])
    check_share(unit, figures, "3.2", n=both, count=[written])
    check_share(unit, figures, "3.3", n=both, count=[blank])
    check_share(unit, figures, "3.4", n=both, count=[written])
    check_share(unit, figures, "3.5", n=both, count=[written])
    check_share(unit, figures, "3.6", n=both, count=[written])
    check_share(unit, figures, "3.10/status", n=both, count=[written])
    check_share(unit, figures, "3.10/aftaler", n=both, count=[blank])
    check_share(unit, figures, "3.10/mentor", n=both, count=both)
    check_share(unit, figures, "3.10/perspektiv", n=both, count=[written])


# --- 3.8: next samtale agreed (T20) -----------------------------------------------------------------


@pytest.fixture
def next_samtale(make):
    no_date = make()  # T20: latest samtale without a date, and not for re-assessment
    FollowUpMeetingFactory(forloeb=no_date, held_on=date(2024, 6, 1), no_next_reason="andet")

    excused = []
    for reason in ("afsluttes", "genforelaeggelse", "revurdering"):
        f = make()
        plan(f, next_followup_on=date(2024, 3, 1))
        FollowUpMeetingFactory(forloeb=f, held_on=date(2024, 6, 1), no_next_reason=reason)
        excused.append(f)

    plan_date = make()  # before any samtale the plan's date counts; a samtale after the day is not yet there
    plan(plan_date, next_followup_on=date(2024, 7, 15))
    FollowUpMeetingFactory(forloeb=plan_date, held_on=LATER, no_next_reason="andet")

    plan_without = make()
    plan(plan_without)

    starts_later = make(start_date=LATER)  # granted from a later day: no samtale is due yet
    plan(starts_later)

    udeblivelse = make()  # the latest samtale, held or not, names the date (the plan's has none)
    plan(udeblivelse)
    FollowUpMeetingFactory(forloeb=udeblivelse, held_on=date(2024, 5, 1), no_next_reason="andet")
    FollowUpMeetingFactory(forloeb=udeblivelse, held_on=date(2024, 6, 1), borger_attended=False)

    agreed = make()
    FollowUpMeetingFactory(forloeb=agreed, held_on=date(2024, 6, 1), next_on=date(2024, 8, 1))

    closed = make(closed_on=date(2024, 6, 15))  # closed before the day (but active in the period)
    FollowUpMeetingFactory(forloeb=closed, held_on=date(2024, 6, 1), no_next_reason="andet")

    make()  # neither a samtale nor a plan: nothing to agree in
    return no_date, excused, plan_date, plan_without, udeblivelse, agreed, closed


def test_t20_next_samtale_agreed_in_open_granted_forloeb_where_relevant(admin, next_samtale):
    no_date, excused, plan_date, plan_without, udeblivelse, agreed, closed = next_samtale
    unit = unit_of(admin, period_from=date(2024, 6, 1))
    figures = quality(unit)
    check_share(
        unit,
        figures,
        "3.8",
        n=[no_date, plan_date, plan_without, udeblivelse, agreed],
        count=[plan_date, udeblivelse, agreed],
    )


# --- 4.1-4.4: health information by source, before and after the meeting -------------------------


def test_health_sources_before_and_after_the_meeting_count_what_was_received_by_the_day(admin, make):
    gp = make()
    PreparatoryPartFactory(forloeb=gp, signed_by_borger_on=EARLIER)
    indstilling(gp)
    HealthDocumentFactory(forloeb=gp, form="LÆ265", received_on=date(2023, 2, 1))
    HealthDocumentFactory(forloeb=gp, form="LÆ275", author_role="klinisk_funktion", received_on=LATER)
    HealthDocumentFactory(forloeb=gp, form="LÆ155", author_role="speciallaege", phase="efter", received_on=EARLIER)

    request_only = make(start_date=None)  # the LÆ 261 is the kommune's request, not information
    PreparatoryPartFactory(forloeb=request_only, signed_by_borger_on=EARLIER)
    HealthDocumentFactory(forloeb=request_only, form="LÆ261", author_role="kommune", received_on=date(2023, 2, 1))
    HealthDocumentFactory(forloeb=request_only, form="andet", author_role="speciallaege", received_on=EARLIER)
    HealthDocumentFactory(forloeb=request_only, form="journal", author_role="sygehus", phase="efter")

    clinical = make()
    PreparatoryPartFactory(forloeb=clinical, signed_by_borger_on=EARLIER)
    indstilling(clinical)
    HealthDocumentFactory(forloeb=clinical, form="LÆ265", received_on=None)  # requested, never received
    HealthDocumentFactory(
        forloeb=clinical, form="raadgivning", author_role="sundhedskoordinator", via_health_coordinator=True
    )
    HealthDocumentFactory(forloeb=clinical, form="LÆ145", phase="efter", received_on=EARLIER)
    HealthDocumentFactory(forloeb=clinical, form="LÆ275", author_role="klinisk_funktion", phase="efter")

    fleksjob = make(start_date=None)  # the meeting recommended fleksjob: still after a meeting
    PreparatoryPartFactory(forloeb=fleksjob, signed_by_borger_on=LATER)
    indstilling(fleksjob, ordning="fleksjob")
    HealthDocumentFactory(forloeb=fleksjob, form="LÆ265", phase="efter", received_on=EARLIER)

    unit = unit_of(admin)
    figures = quality(unit)
    with_fd, after_meeting = [gp, request_only, clinical, fleksjob], [gp, clinical, fleksjob]
    check_share(unit, figures, "4.1", n=with_fd, count=[gp])
    check_share(unit, figures, "4.2", n=with_fd, count=[clinical])
    check_share(unit, figures, "4.3", n=with_fd, count=[request_only])
    check_share(unit, figures, "4.4/egen_laege", n=after_meeting, count=[clinical, fleksjob])
    check_share(unit, figures, "4.4/klinisk_funktion", n=after_meeting, count=[clinical])
    check_share(unit, figures, "4.4/andre", n=after_meeting, count=[gp])


# --- Variation: per team, per caseworker, and the reference --------------------------------------


@pytest.fixture
def two_teams(make, caseworker, teammate, outsider, other_team):
    nord_named = make()
    GoalFactory(document=plan(nord_named, coordinator=caseworker), concrete=True)
    nord_unnamed = make()
    plan(nord_unnamed, coordinator=None)
    nord_teammate = make(coordinator=teammate)
    plan(nord_teammate, coordinator=teammate)
    syd_unnamed = make(team=other_team, coordinator=outsider)
    plan_syd = plan(syd_unnamed, coordinator=None)
    GoalFactory(document=plan_syd, concrete=True)
    GoalFactory(document=plan_syd, kind="uddannelse", concrete=True)
    make(team=other_team, coordinator=outsider)  # no plan
    return nord_named, nord_unnamed, nord_teammate, syd_unnamed


def value(figure_values, key):
    v = dict(figure_values)[key]
    return (v.n, v.count) if v.count is not None else (v.n, v.buckets)


def test_the_kommune_figure_splits_by_team_and_by_caseworker(
    admin, two_teams, team, other_team, caseworker, teammate, outsider
):
    unit = unit_of(admin)
    figures = quality(unit)
    ks = figures["2.10"]
    assert (ks.unit.n, ks.unit.count) == (4, 2) == (ks.reference.n, ks.reference.count)
    assert value(ks.by_team, team.pk) == (3, 2) and value(ks.by_team, other_team.pk) == (1, 0)
    assert value(ks.by_caseworker, caseworker.pk) == (2, 1)
    assert value(ks.by_caseworker, teammate.pk) == (1, 1)
    assert value(ks.by_caseworker, outsider.pk) == (1, 0)
    goals = figures["1.3/min_plan"]
    assert goals.unit.buckets == {"both": 1, "one": 1, "none": 2}
    assert value(goals.by_team, other_team.pk) == (1, {"both": 1, "one": 0, "none": 0})


def test_a_team_or_caseworker_unit_counts_its_own_forloeb_against_the_kommune(admin, two_teams, team, caseworker):
    nord_named, nord_unnamed, nord_teammate, syd_unnamed = two_teams
    unit = unit_of(admin, team_id=team.pk)
    figures = quality(unit)
    ks = figures["2.10"]
    assert (ks.unit.n, ks.unit.count, ks.reference.n, ks.reference.count) == (3, 2, 4, 2)
    check_share(unit, figures, "2.10", n=[nord_named, nord_unnamed, nord_teammate], count=[nord_named, nord_teammate])
    check_buckets(unit, figures, "1.3/min_plan", both=[], one=[nord_named], none=[nord_unnamed, nord_teammate])

    unit = unit_of(admin, coordinator_id=caseworker.pk)
    figures = quality(unit)
    check_share(unit, figures, "2.10", n=[nord_named, nord_unnamed], count=[nord_named])


def test_a_team_leader_and_a_caseworker_see_figures_of_their_own_forloeb_only(two_teams, team, team_leader, teammate):
    nord_named, nord_unnamed, nord_teammate, syd_unnamed = two_teams
    unit = unit_of(team_leader)
    ks = quality(unit)["2.10"]
    assert (ks.unit.n, ks.unit.count, ks.reference.n, ks.reference.count) == (3, 2, 3, 2)
    assert [t for t, _ in ks.by_team] == [team.pk]

    unit = unit_of(teammate)
    figures = quality(unit)
    check_share(unit, figures, "2.10", n=[nord_teammate], count=[nord_teammate])
    assert (figures["2.10"].reference.n, figures["2.10"].reference.count) == (1, 1)


# --- One definition everywhere: the figures and the flag rules agree ------------------------------


@pytest.fixture
def mixed(make, caseworker):
    """Open forløb with every combination the drift checks need, and one closed before the day."""
    lost_goal = make()  # v1 had a concrete goal, the plan in force has none and names no KS
    GoalFactory(document=plan(lost_goal), concrete=True)
    plan(lost_goal, version=2, coordinator=None, completed_on=date(2024, 5, 1))
    FollowUpMeetingFactory(forloeb=lost_goal, held_on=date(2024, 6, 1), no_next_reason="andet")

    kept = make()
    PreparatoryPartFactory(forloeb=kept, signed_by_borger_on=EARLIER)
    GoalFactory(document=indstilling(kept), concrete=True)
    GoalFactory(document=plan(kept), kind="uddannelse", concrete=True)
    FollowUpMeetingFactory(forloeb=kept, held_on=date(2024, 6, 1))

    no_plan = make()
    PreparatoryPartFactory(forloeb=no_plan, signed_by_borger_on=EARLIER)
    indstilling(no_plan)

    unconcrete = make()
    GoalFactory(document=plan(unconcrete, next_followup_on=None))

    fleksjob = make(start_date=None)
    PreparatoryPartFactory(forloeb=fleksjob, signed_by_borger_on=LATER)
    indstilling(fleksjob, ordning="fleksjob")

    starts_later = make(start_date=LATER)  # granted from a later day, a plan without a date
    GoalFactory(document=plan(starts_later), concrete=True)

    reassessed = make()
    plan(reassessed, coordinator=None)
    FollowUpMeetingFactory(forloeb=reassessed, held_on=date(2024, 6, 1), no_next_reason="revurdering")

    closed = make(closed_on=date(2024, 6, 15))
    plan(closed, coordinator=None)
    FollowUpMeetingFactory(forloeb=closed, held_on=date(2024, 6, 1), no_next_reason="andet")
    return [lost_goal, kept, no_plan, unconcrete, fleksjob, reassessed, starts_later], closed


def flagged(rule_id, subject="") -> set[int]:
    return {r.forloeb_id for r in flags_replay(day=DAY) if r.rule.id == rule_id and r.subject == subject}


def test_no_concrete_goal_in_a_document_is_the_none_bucket_of_its_figure(admin, mixed):
    open_forloeb, closed = mixed
    unit = unit_of(admin, period_from=date(2024, 6, 1))
    open_ids = {f.pk for f in open_forloeb}
    assert closed.pk in s.drilldown_ids(unit, cp.BY_REF["1.3/min_plan"], "n", "none")  # the period's, not the rule's
    for point, subject in (
        ("1.3/min_plan", "indsatsplan"),
        ("1.3/indstilling", "indstilling"),
        ("1.3/forberedende_del", "forberedende_del"),
    ):
        none = set(s.drilldown_ids(unit, cp.BY_REF[point], "n", "none")) & open_ids
        assert none == flagged("NO_CONCRETE_GOAL", subject), point
    lost_goal, unconcrete, reassessed = open_forloeb[0], open_forloeb[3], open_forloeb[5]
    assert flagged("NO_CONCRETE_GOAL", "indsatsplan") == {lost_goal.pk, unconcrete.pk, reassessed.pk}


def test_no_next_samtale_is_the_open_forloeb_missing_from_3_8(admin, mixed):
    open_forloeb, closed = mixed
    unit = unit_of(admin, period_from=date(2024, 6, 1))
    point = cp.BY_REF["3.8"]
    missing = set(s.drilldown_ids(unit, point, "n")) - set(s.drilldown_ids(unit, point, "count"))
    assert missing == flagged("NO_NEXT_SAMTALE") == {open_forloeb[0].pk, open_forloeb[3].pk}


def test_ks_not_in_plan_is_the_open_forloeb_missing_from_2_10(admin, mixed):
    open_forloeb, closed = mixed
    unit = unit_of(admin, period_from=date(2024, 6, 1))
    point = cp.BY_REF["2.10"]
    open_ids = {f.pk for f in open_forloeb}
    missing = set(s.drilldown_ids(unit, point, "n")) - set(s.drilldown_ids(unit, point, "count"))
    assert closed.pk in missing
    assert missing & open_ids == flagged("KS_NOT_IN_PLAN") == {open_forloeb[0].pk, open_forloeb[5].pk}
