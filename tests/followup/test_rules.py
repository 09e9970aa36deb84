"""Every rule at its boundary dates, with the fokusrevision's scenarios (§8, T1-T23) where they
exist. Each test builds a forløb with a dated history and evaluates as of chosen days: only what
is dated on or before the day counts, and the rule packs in force on that day apply."""

import datetime as dt
from datetime import date

import pytest

from followup.models import Flag, RuleSettings
from rehab.models import DocumentKind
from tests.factories import BorgerFactory
from tests.followup.conftest import evaluate, open_flags

pytestmark = pytest.mark.django_db

D = date


def samtaler_every(samtale, forloeb, first: date, n: int, *, days: int, **kwargs):
    return [samtale(forloeb, first + dt.timedelta(days=i * days), **kwargs) for i in range(n)]


# --- Contact: the old LAB, the 2020 LAB and the kommune's standard ------------------------------


def test_t1_four_samtaler_in_twelve_months_breaks_the_old_law_and_the_standard(make_forloeb, samtale):
    f = make_forloeb(opened_on=D(2018, 8, 1), start_date=D(2018, 9, 1), planned_end_date=D(2021, 9, 1))
    for day in (D(2019, 3, 10), D(2019, 5, 2), D(2019, 7, 15), D(2019, 10, 20)):
        samtale(f, day, next_on=day + dt.timedelta(days=300))
    evaluate(D(2019, 12, 31))
    assert {"LAB2013_UNDER_6_12M", "STD_UNDER_6_12M"} <= open_flags(f)
    flag = Flag.objects.get(forloeb=f, rule_id="LAB2013_UNDER_6_12M")
    assert flag.evidence["antal"] == 4 and flag.evidence["krav"] == 6
    assert flag.basis_kind == "lov" and flag.pack == "LAB2013"
    assert Flag.objects.get(forloeb=f, rule_id="STD_UNDER_6_12M").basis_kind == "servicestandard"


def test_on_the_day_the_2020_pack_takes_over_the_old_six_a_year_rule_ends_but_the_standard_stays(make_forloeb, samtale):
    f = make_forloeb(opened_on=D(2018, 8, 1), start_date=D(2018, 9, 1), planned_end_date=D(2021, 9, 1))
    for day in (D(2019, 3, 10), D(2019, 5, 2), D(2019, 7, 15), D(2019, 10, 20)):
        samtale(f, day, next_on=day + dt.timedelta(days=300))
    evaluate(D(2019, 12, 31))
    evaluate(D(2020, 1, 1))
    old = Flag.objects.get(forloeb=f, rule_id="LAB2013_UNDER_6_12M")
    assert old.resolved_on == D(2020, 1, 1) and old.resolution == "ikke_i_kraft"
    assert "STD_UNDER_6_12M" in open_flags(f)


def test_t2_six_samtaler_in_different_two_month_windows_raise_nothing(make_forloeb, samtale):
    f = make_forloeb(opened_on=D(2018, 8, 1), start_date=D(2018, 9, 1), planned_end_date=D(2021, 9, 1))
    samtaler_every(samtale, f, D(2019, 5, 10), 6, days=55)
    evaluate(D(2020, 3, 1))
    assert not {"LAB2013_UNDER_6_12M", "STD_UNDER_6_12M", "STD_SAMTALE_OVERDUE"} & open_flags(f)


def test_the_twelve_month_count_starts_when_the_forloeb_is_a_year_old(make_forloeb, samtale):
    f = make_forloeb(opened_on=D(2018, 8, 1), start_date=D(2018, 9, 1), planned_end_date=D(2021, 9, 1))
    samtaler_every(samtale, f, D(2018, 9, 20), 5, days=60)
    evaluate(D(2019, 8, 31))  # eleven months and 30 days: too new to judge (T3)
    assert "LAB2013_UNDER_6_12M" not in open_flags(f)
    evaluate(D(2019, 9, 1))
    assert "LAB2013_UNDER_6_12M" in open_flags(f)


def test_group_samtaler_and_udeblivelser_do_not_count_for_the_law(make_forloeb, samtale):
    f = make_forloeb(opened_on=D(2018, 8, 1), start_date=D(2018, 9, 1), planned_end_date=D(2021, 9, 1))
    samtaler_every(samtale, f, D(2019, 1, 5), 4, days=55)
    samtale(f, D(2019, 9, 1), setting="gruppe")
    samtale(f, D(2019, 10, 30), attended=False)
    evaluate(D(2019, 12, 15))
    flags = open_flags(f)
    assert "LAB2013_UNDER_6_12M" in flags  # 4 individual
    assert "STD_UNDER_6_12M" in flags  # 5 attended (the group one counts for the standard)
    assert Flag.objects.get(forloeb=f, rule_id="STD_UNDER_6_12M").evidence["antal"] == 5


def test_t4_three_individual_and_one_group_samtale_in_the_first_six_months_breaks_lab_31(make_forloeb, samtale):
    f = make_forloeb(opened_on=D(2020, 1, 10), start_date=D(2020, 2, 1), planned_end_date=D(2022, 2, 1))
    for day in (D(2020, 2, 10), D(2020, 4, 1), D(2020, 5, 20)):
        samtale(f, day)
    samtale(f, D(2020, 7, 1), setting="gruppe")
    evaluate(D(2020, 7, 31))  # the six months are not over yet
    assert "LAB2020_FIRST6M_UNDER_4" not in open_flags(f)
    evaluate(D(2020, 8, 1))
    flag = Flag.objects.get(forloeb=f, rule_id="LAB2020_FIRST6M_UNDER_4")
    assert flag.evidence["antal"] == 3 and flag.pack == "LAB2020"
    assert "LAB § 31, stk. 3" in flag.basis
    samtale(f, D(2020, 8, 20))  # the first individual samtale after the six months
    evaluate(D(2020, 8, 19))
    assert "LAB2020_FIRST6M_UNDER_4" in open_flags(f)
    evaluate(D(2020, 8, 20))
    flag.refresh_from_db()
    assert flag.resolved_on == D(2020, 8, 20) and flag.resolution == "ophoert"


def test_the_first_six_months_rule_covers_only_forloeb_started_under_the_2020_law(make_forloeb, samtale):
    f = make_forloeb(opened_on=D(2019, 11, 1), start_date=D(2019, 12, 31), planned_end_date=D(2021, 12, 31))
    samtale(f, D(2020, 1, 15))
    evaluate(D(2020, 9, 1))
    assert "LAB2020_FIRST6M_UNDER_4" not in open_flags(f)


def test_four_individual_samtaler_in_the_first_six_months_meet_lab_31(make_forloeb, samtale):
    f = make_forloeb(opened_on=D(2020, 1, 10), start_date=D(2020, 2, 1), planned_end_date=D(2022, 2, 1))
    samtaler_every(samtale, f, D(2020, 2, 3), 4, days=40)
    evaluate(D(2020, 8, 1))
    assert "LAB2020_FIRST6M_UNDER_4" not in open_flags(f)


def test_the_standard_flags_a_samtale_overdue_the_day_after_the_gap(make_forloeb, samtale):
    f = make_forloeb(opened_on=D(2024, 1, 1), start_date=D(2024, 2, 1), planned_end_date=D(2026, 2, 1))
    samtale(f, D(2024, 3, 1), next_on=D(2024, 6, 1))
    evaluate(D(2024, 5, 1))  # 2024-03-01 + 61 days
    assert "STD_SAMTALE_OVERDUE" not in open_flags(f)
    evaluate(D(2024, 5, 2))
    flag = Flag.objects.get(forloeb=f, rule_id="STD_SAMTALE_OVERDUE")
    assert flag.evidence["senest"] == "2024-05-01" and flag.raised_on == D(2024, 5, 2)


def test_a_samtale_on_the_dst_change_day_counts_on_its_danish_calendar_day(make_forloeb, caseworker):
    """A samtale at 00:30 on 25 October 2026 (summer time ends) is 22:30 UTC the day before; the
    law counts the Danish day. Registered through the service with a time of day."""
    from followup import services

    f = make_forloeb(opened_on=D(2026, 5, 1), start_date=D(2026, 6, 1), planned_end_date=D(2028, 6, 1))
    meeting = services.followup_register(
        forloeb=f,
        data={
            "held_on": D(2026, 10, 25),
            "held_time": dt.time(0, 30),
            "setting": "individuel",
            "channel": "fremmoede",
            "borger_attended": True,
            "status_on_interventions": "Deltager i praktikken som aftalt.",
            "next_on": D(2026, 12, 20),
        },
        actor=caseworker,
    )
    meeting.refresh_from_db()
    assert meeting.held_at.astimezone(dt.UTC).date() == D(2026, 10, 24)
    assert meeting.held_on == D(2026, 10, 25)
    evaluate(D(2026, 12, 25))  # 25 October + 61 days
    assert "STD_SAMTALE_OVERDUE" not in open_flags(f)
    evaluate(D(2026, 12, 26))
    assert Flag.objects.get(forloeb=f, rule_id="STD_SAMTALE_OVERDUE").evidence["sidste_samtale"] == "2026-10-25"


def test_a_samtale_on_the_spring_dst_day_keeps_its_day_too(make_forloeb, samtale):
    f = make_forloeb(opened_on=D(2026, 1, 5), start_date=D(2026, 2, 1), planned_end_date=D(2028, 2, 1))
    samtale(f, D(2026, 3, 29), next_on=D(2026, 5, 20))  # summer time begins
    evaluate(D(2026, 5, 29))
    assert "STD_SAMTALE_OVERDUE" not in open_flags(f)
    evaluate(D(2026, 5, 30))
    assert "STD_SAMTALE_OVERDUE" in open_flags(f)


def test_the_kommune_can_set_its_own_standard_or_switch_it_off(make_forloeb, samtale, kommune):
    f = make_forloeb(opened_on=D(2024, 1, 1), start_date=D(2024, 2, 1), planned_end_date=D(2026, 2, 1))
    samtale(f, D(2024, 3, 1), next_on=D(2024, 8, 1))
    RuleSettings.objects.create(kommune=kommune, max_gap_days=91)
    evaluate(D(2024, 5, 15))
    assert "STD_SAMTALE_OVERDUE" not in open_flags(f)
    evaluate(D(2024, 6, 1))
    assert "STD_SAMTALE_OVERDUE" in open_flags(f)
    RuleSettings.objects.filter(kommune=kommune).update(standard_enabled=False)
    evaluate(D(2024, 6, 2))
    assert "STD_SAMTALE_OVERDUE" not in open_flags(f)


def test_the_agreed_samtale_is_overdue_under_lab_32_the_day_after_the_agreed_date(make_forloeb, samtale):
    f = make_forloeb(opened_on=D(2020, 6, 1), start_date=D(2020, 7, 1), planned_end_date=D(2022, 7, 1))
    samtale(f, D(2021, 1, 10), next_on=D(2021, 3, 1))
    evaluate(D(2021, 3, 1))
    assert "AGREED_SAMTALE_OVERDUE" not in open_flags(f)
    evaluate(D(2021, 3, 2))
    flag = Flag.objects.get(forloeb=f, rule_id="AGREED_SAMTALE_OVERDUE")
    assert flag.evidence["aftalt_dato"] == "2021-03-01" and "LAB § 32" in flag.basis


def test_the_agreed_contact_rule_is_not_in_force_before_2020(make_forloeb, samtale):
    f = make_forloeb(opened_on=D(2018, 6, 1), start_date=D(2018, 7, 1), planned_end_date=D(2021, 7, 1))
    samtale(f, D(2019, 10, 10), next_on=D(2019, 11, 1))
    evaluate(D(2019, 12, 31))
    assert "AGREED_SAMTALE_OVERDUE" not in open_flags(f)
    evaluate(D(2020, 1, 1))
    assert "AGREED_SAMTALE_OVERDUE" in open_flags(f)


def test_t20_no_next_samtale_agreed_is_flagged_unless_the_case_is_being_reassessed(make_forloeb, samtale):
    flagged = make_forloeb(opened_on=D(2019, 6, 1), start_date=D(2019, 7, 1), planned_end_date=D(2021, 7, 1))
    excused = make_forloeb(opened_on=D(2019, 6, 1), start_date=D(2019, 7, 1), planned_end_date=D(2021, 7, 1))
    samtale(flagged, D(2020, 1, 15), next_on=None, reason="andet")
    samtale(excused, D(2020, 1, 15), next_on=None, reason="revurdering")
    evaluate(D(2020, 3, 1))
    assert "NO_NEXT_SAMTALE" in open_flags(flagged)
    assert "NO_NEXT_SAMTALE" not in open_flags(excused)


# --- Goals -----------------------------------------------------------------------------------


def test_t5_the_concrete_goal_lost_between_forberedende_del_indstilling_and_plan(
    make_forloeb, preparatory, recommend, make_plan, add_goal
):
    f = make_forloeb(opened_on=D(2019, 1, 2), start_date=D(2019, 4, 1), planned_end_date=D(2021, 4, 1))
    part = preparatory(f, work_started_on=D(2019, 1, 7), signed_on=D(2019, 2, 20))
    add_goal(part, DocumentKind.FORBEREDENDE_DEL, concrete=True)
    rec = recommend(f, D(2019, 3, 15))
    plan = make_plan(f, D(2019, 5, 1))
    add_goal(plan, DocumentKind.INDSATSPLAN, concrete=False)
    evaluate(D(2019, 5, 1))
    flags = open_flags(f)
    assert {"NO_CONCRETE_GOAL:indstilling", "NO_CONCRETE_GOAL:indsatsplan"} <= flags
    assert "NO_CONCRETE_GOAL:forberedende_del" not in flags
    assert rec.pk  # the indstilling named no goal at all
    assert Flag.objects.get(forloeb=f, subject="indstilling").evidence["mål"] == 0


def test_a_concrete_goal_added_to_the_revised_plan_resolves_the_plan_flag(make_forloeb, recommend, make_plan, add_goal):
    f = make_forloeb(opened_on=D(2019, 1, 2), start_date=D(2019, 4, 1), planned_end_date=D(2021, 4, 1))
    recommend(f, D(2019, 3, 15))
    add_goal(make_plan(f, D(2019, 5, 1)), DocumentKind.INDSATSPLAN, concrete=False)
    evaluate(D(2019, 6, 1))
    assert "NO_CONCRETE_GOAL:indsatsplan" in open_flags(f)
    add_goal(make_plan(f, D(2019, 8, 1), version=2), DocumentKind.INDSATSPLAN, concrete=True)
    evaluate(D(2019, 7, 31))  # the revision is dated later: not yet known
    assert "NO_CONCRETE_GOAL:indsatsplan" in open_flags(f)
    evaluate(D(2019, 8, 1))
    assert "NO_CONCRETE_GOAL:indsatsplan" not in open_flags(f)
    assert Flag.objects.get(forloeb=f, subject="indsatsplan").resolution == "ophoert"


# --- Indsatser ---------------------------------------------------------------------------------

T10_RECOMMENDED = [
    {"category": "virksomhedsrettet", "description": "Virksomhedspraktik"},
    {"category": "mentor", "description": "Mentor"},
    {"category": "sundhed_kommunal", "description": "Fysioterapi"},
    {"category": "social", "description": "Bostøtte"},
]


def test_t10_recommended_indsatser_never_started_are_flagged_per_indsats_after_the_threshold(
    make_forloeb, recommend, start_indsats
):
    f = make_forloeb(opened_on=D(2018, 11, 1), start_date=D(2019, 2, 15), planned_end_date=D(2021, 2, 15))
    rec = recommend(f, D(2019, 2, 1), interventions=T10_RECOMMENDED)
    mentor = rec.interventions.get(category="mentor")
    start_indsats(f, "mentor", actual_start=D(2019, 4, 1), recommended=mentor)
    evaluate(D(2019, 8, 17))  # 2019-02-15 + 183 days
    assert not any(flag.startswith("INDSATS_NOT_STARTED") for flag in open_flags(f))
    evaluate(D(2019, 8, 18))
    flags = Flag.objects.filter(forloeb=f, rule_id="INDSATS_NOT_STARTED")
    assert sorted(fl.evidence["kategori"] for fl in flags) == ["social", "sundhed_kommunal", "virksomhedsrettet"]


def test_the_not_started_threshold_is_configurable_per_category(make_forloeb, recommend, kommune):
    RuleSettings.objects.create(kommune=kommune, not_started_days_by_category={"mentor": 30})
    f = make_forloeb(opened_on=D(2018, 11, 1), start_date=D(2019, 2, 15), planned_end_date=D(2021, 2, 15))
    recommend(f, D(2019, 2, 1), interventions=T10_RECOMMENDED)
    evaluate(D(2019, 3, 18))
    assert [fl.evidence["kategori"] for fl in Flag.objects.filter(forloeb=f, rule_id="INDSATS_NOT_STARTED")] == [
        "mentor"
    ]


def test_t11_the_late_virksomhedsrettet_indsats_is_raised_then_resolved_on_its_start_day(
    make_forloeb, recommend, start_indsats
):
    f = make_forloeb(opened_on=D(2018, 10, 1), start_date=D(2019, 1, 1), planned_end_date=D(2021, 1, 1))
    rec = recommend(f, D(2018, 12, 10), interventions=[T10_RECOMMENDED[0]])
    start_indsats(f, "virksomhedsrettet", actual_start=D(2019, 9, 15), recommended=rec.interventions.get())
    for day in (D(2019, 7, 3), D(2019, 7, 4), D(2019, 9, 14), D(2019, 9, 15)):  # 183 days: 3 July
        evaluate(day)
    flag = Flag.objects.get(forloeb=f, rule_id="INDSATS_NOT_STARTED")
    assert flag.raised_on == D(2019, 7, 4) and flag.resolved_on == D(2019, 9, 15)
    assert flag.raised_at and flag.resolved_at


def test_t9_no_indsatsplan_four_months_after_the_meeting(make_forloeb, recommend, make_plan):
    f = make_forloeb(opened_on=D(2019, 3, 1), start_date=D(2019, 8, 15), planned_end_date=D(2021, 8, 15))
    recommend(f, D(2019, 8, 1))
    evaluate(D(2019, 12, 1))  # 2019-08-01 + 122 days
    assert "NO_INDSATSPLAN" not in open_flags(f)
    evaluate(D(2019, 12, 2))
    assert "NO_INDSATSPLAN" in open_flags(f)
    make_plan(f, D(2019, 12, 10))
    evaluate(D(2019, 12, 10))
    assert "NO_INDSATSPLAN" not in open_flags(f)


def test_p113_no_indsats_started_within_six_months_of_a_2022_forloeb(make_forloeb, start_indsats):
    f = make_forloeb(opened_on=D(2022, 1, 3), start_date=D(2022, 3, 1), planned_end_date=D(2024, 3, 1))
    evaluate(D(2022, 9, 1))
    assert "P113_NO_INDSATS_6M" not in open_flags(f)
    evaluate(D(2022, 9, 2))
    flag = Flag.objects.get(forloeb=f, rule_id="P113_NO_INDSATS_6M")
    assert flag.pack == "BEDRE2022" and "§ 113, stk. 2" in flag.basis


def test_p113_is_met_by_an_indsats_started_inside_the_six_months(make_forloeb, start_indsats):
    f = make_forloeb(opened_on=D(2022, 1, 3), start_date=D(2022, 3, 1), planned_end_date=D(2024, 3, 1))
    start_indsats(f, "mentor", actual_start=D(2022, 8, 31))
    evaluate(D(2022, 10, 1))
    assert "P113_NO_INDSATS_6M" not in open_flags(f)


def test_p113_does_not_cover_a_forloeb_that_started_before_2022(make_forloeb):
    f = make_forloeb(opened_on=D(2021, 10, 1), start_date=D(2021, 12, 31), planned_end_date=D(2023, 12, 31))
    evaluate(D(2022, 9, 1))
    assert "P113_NO_INDSATS_6M" not in open_flags(f)


def test_p113_is_resolved_by_the_genforelaeggelse(make_forloeb, caseworker):
    from cases.models import PhaseTransition

    f = make_forloeb(opened_on=D(2022, 1, 3), start_date=D(2022, 3, 1), planned_end_date=D(2024, 3, 1))
    evaluate(D(2022, 9, 10))
    PhaseTransition.objects.create(
        forloeb=f,
        transition="genforelaeggelse",
        from_phase="ivaerksaettelse",
        to_phase="rehabiliteringsteam",
        actor=caseworker,
        at=dt.datetime(2022, 9, 20, 10, 0, tzinfo=dt.UTC),
    )
    evaluate(D(2022, 9, 20))
    assert Flag.objects.get(forloeb=f, rule_id="P113_NO_INDSATS_6M").resolved_on == D(2022, 9, 20)


# --- Waiting times ---------------------------------------------------------------------------------


def test_t7_a_long_wait_for_the_rehab_team_is_flagged_as_good_practice_not_law(make_forloeb, preparatory):
    from rehab.models import AgendaItem, TeamMeeting
    from tests.factories import RehabTeamFactory

    f = make_forloeb(opened_on=D(2019, 1, 2))
    preparatory(f, work_started_on=D(2019, 1, 7))
    evaluate(D(2019, 3, 9))  # 61 days
    assert "REHAB_WAIT_LONG" not in open_flags(f)
    evaluate(D(2019, 3, 10))
    flag = Flag.objects.get(forloeb=f, rule_id="REHAB_WAIT_LONG")
    assert flag.basis_kind == "servicestandard" and "N1" in flag.basis
    meeting = TeamMeeting.objects.create(
        rehab_team=RehabTeamFactory(kommune=f.kommune),
        starts_at=dt.datetime(2019, 7, 15, 9, 0, tzinfo=dt.UTC),
        place="Mødelokale 2",
    )
    AgendaItem.objects.create(meeting=meeting, forloeb=f, slot_start=dt.time(9, 0))
    evaluate(D(2019, 7, 14))
    assert "REHAB_WAIT_LONG" in open_flags(f)
    evaluate(D(2019, 7, 15))
    assert Flag.objects.get(pk=flag.pk).resolved_on == D(2019, 7, 15)


def test_t8_the_indstilling_not_sent_within_two_weeks_and_replay_ignores_the_later_sending(make_forloeb, recommend):
    f = make_forloeb(opened_on=D(2019, 5, 1))
    recommend(f, D(2019, 9, 2), sent_on=D(2019, 9, 30))
    evaluate(D(2019, 9, 16))
    assert "INDSTILLING_LATE_TO_BORGER" not in open_flags(f)
    evaluate(D(2019, 9, 17))  # sent on 30 September: not known on the 17th
    flag = Flag.objects.get(forloeb=f, rule_id="INDSTILLING_LATE_TO_BORGER")
    assert "N2" in flag.basis
    evaluate(D(2019, 9, 30))
    flag.refresh_from_db()
    assert flag.resolved_on == D(2019, 9, 30)


def test_the_sending_and_plan_deadlines_run_from_the_meeting_day_not_from_a_later_registration(make_forloeb, recommend):
    """`cases.concepts.MEETING_ON`: both standards count from the rehabiliteringsteam's meeting. An
    indstilling registered four days after the meeting, on its agenda item, does not move them; the
    meeting's day is its Danish calendar day (00:30 on 1 August is 31 July in UTC). Without an agenda
    item the indstilling's own date stands in for the meeting (t8, t9)."""
    from rehab.models import AgendaItem, TeamMeeting
    from tests.factories import RehabTeamFactory

    f = make_forloeb(opened_on=D(2019, 3, 1), start_date=D(2019, 8, 15), planned_end_date=D(2021, 8, 15))
    meeting = TeamMeeting.objects.create(
        rehab_team=RehabTeamFactory(kommune=f.kommune),
        starts_at=dt.datetime(2019, 7, 31, 22, 30, tzinfo=dt.UTC),
        place="Mødelokale 2",
    )
    indstilling = recommend(f, D(2019, 8, 5))
    indstilling.agenda_item = AgendaItem.objects.create(meeting=meeting, forloeb=f, slot_start=dt.time(0, 30))
    indstilling.save(update_fields=["agenda_item"])

    evaluate(D(2019, 8, 15))  # the meeting + 14 days
    assert "INDSTILLING_LATE_TO_BORGER" not in open_flags(f)
    evaluate(D(2019, 8, 16))  # counted from the registration it would be the 20th
    flag = Flag.objects.get(forloeb=f, rule_id="INDSTILLING_LATE_TO_BORGER")
    assert (flag.evidence["møde"], flag.evidence["indstilling"], flag.evidence["frist"]) == (
        "2019-08-01",
        "2019-08-05",
        "2019-08-15",
    )
    evaluate(D(2019, 12, 1))  # the meeting + 122 days
    assert "NO_INDSATSPLAN" not in open_flags(f)
    evaluate(D(2019, 12, 2))  # counted from the registration it would be 6 December
    assert Flag.objects.get(forloeb=f, rule_id="NO_INDSATSPLAN").evidence["frist"] == "2019-12-01"


# --- End of the period, repeat forløb, the koordinerende sagsbehandler, the 2026 reform -----------------


def test_t23_genforelaeggelse_is_due_ninety_days_before_the_end(make_forloeb):
    f = make_forloeb(opened_on=D(2017, 1, 10), start_date=D(2017, 4, 1), planned_end_date=D(2020, 3, 31))
    evaluate(D(2019, 12, 31))  # 91 days left
    assert "GENFORELAEGGELSE_DUE" not in open_flags(f)
    evaluate(D(2020, 1, 1))
    assert Flag.objects.get(forloeb=f, rule_id="GENFORELAEGGELSE_DUE").evidence["slutdato"] == "2020-03-31"


def test_the_maximum_duration_of_the_pack_in_force_at_the_start_sets_the_end(make_forloeb):
    """A forløb started in 2022 may last at most three years (bedre ressourceforløb), whatever
    end date was typed."""
    f = make_forloeb(opened_on=D(2021, 12, 1), start_date=D(2022, 1, 10), planned_end_date=D(2027, 1, 9))
    evaluate(D(2024, 10, 11))  # 2025-01-10 minus 91 days
    assert "GENFORELAEGGELSE_DUE" not in open_flags(f)
    evaluate(D(2024, 10, 12))
    assert Flag.objects.get(forloeb=f, rule_id="GENFORELAEGGELSE_DUE").evidence["slutdato"] == "2025-01-10"


def further_forloeb(make_forloeb, borger):
    """A second ressourceforløb (granted 2019) for a borger who had one in 2014-2017."""
    make_forloeb(
        opened_on=D(2014, 1, 1),
        start_date=D(2014, 3, 1),
        planned_end_date=D(2017, 3, 1),
        closed_on=D(2017, 3, 1),
        borger=borger,
    )
    return make_forloeb(
        opened_on=D(2019, 5, 1),
        start_date=D(2019, 12, 1),
        planned_end_date=D(2021, 12, 1),
        borger=borger,
        sequence_no=2,
    )


def test_t15_a_further_forloeb_for_a_borger_over_40_without_consent(make_forloeb, decide):
    borger = BorgerFactory(cpr="0505721234")  # born 5 May 1972
    f = further_forloeb(make_forloeb, borger)
    decide(f, D(2019, 11, 15))
    evaluate(D(2019, 11, 15))
    flag = Flag.objects.get(forloeb=f, rule_id="OVER40_NO_CONSENT")
    assert flag.evidence["alder_ved_afgørelse"] == 47
    assert "0505721234" not in str(flag.evidence)


def test_the_over_40_rule_is_met_by_the_borgers_wish_and_does_not_apply_under_40(make_forloeb, decide):
    older, younger = BorgerFactory(cpr="0505721234"), BorgerFactory(cpr="0101851234")
    for borger, consent in ((older, D(2019, 11, 1)), (younger, None)):
        f = further_forloeb(make_forloeb, borger)
        decide(f, D(2019, 11, 15), consent_on=consent)
    evaluate(D(2019, 12, 1))
    assert not Flag.objects.filter(rule_id="OVER40_NO_CONSENT").exists()


def test_t17_the_plan_does_not_name_the_koordinerende_sagsbehandler(make_forloeb, make_plan):
    f = make_forloeb(opened_on=D(2019, 1, 2), start_date=D(2019, 4, 1), planned_end_date=D(2021, 4, 1))
    make_plan(f, D(2019, 5, 1), coordinator=None)
    evaluate(D(2019, 5, 1))
    assert "KS_NOT_IN_PLAN" in open_flags(f)


def test_the_2026_reform_flags_a_new_ressourceforloeb_for_a_new_borger_only(make_forloeb, preparatory):
    new = make_forloeb(opened_on=D(2026, 7, 1), start_date=D(2026, 10, 1), planned_end_date=D(2028, 10, 1))
    running = make_forloeb(opened_on=D(2026, 6, 1), start_date=D(2026, 10, 1), planned_end_date=D(2028, 10, 1))
    preparatory(running, work_started_on=D(2026, 6, 30))
    evaluate(D(2026, 10, 1))
    assert "REFORM2026_NEW_FORLOEB" in open_flags(new)
    assert "REFORM2026_NEW_FORLOEB" not in open_flags(running)
    assert Flag.objects.get(forloeb=new, rule_id="REFORM2026_NEW_FORLOEB").pack == "REFORM2026"


# --- Lifecycle ------------------------------------------------------------------------------------


def test_closing_the_forloeb_resolves_its_open_flags_as_closed(make_forloeb):
    f = make_forloeb(opened_on=D(2017, 1, 10), start_date=D(2017, 4, 1), planned_end_date=D(2020, 3, 31))
    evaluate(D(2020, 1, 2))
    type(f).objects.filter(pk=f.pk).update(closed_on=D(2020, 2, 1))
    evaluate(D(2020, 2, 1))
    flag = Flag.objects.get(forloeb=f, rule_id="GENFORELAEGGELSE_DUE")
    assert flag.resolution == "afsluttet" and flag.resolved_on == D(2020, 2, 1)


def test_evaluating_twice_raises_nothing_new(make_forloeb, samtale, recommend):
    f = make_forloeb(opened_on=D(2018, 8, 1), start_date=D(2018, 9, 1), planned_end_date=D(2020, 9, 1))
    recommend(f, D(2018, 8, 20), interventions=T10_RECOMMENDED)
    samtale(f, D(2019, 1, 10), next_on=None, reason="andet")
    first = evaluate(D(2020, 3, 1))
    assert first.total_raised >= 5
    count = Flag.objects.count()
    second = evaluate(D(2020, 3, 1))
    assert second.total_raised == 0 and second.total_resolved == 0
    assert Flag.objects.count() == count


def test_a_flag_that_clears_and_comes_back_is_a_new_flag_and_the_old_one_keeps_its_history(make_forloeb, samtale):
    f = make_forloeb(opened_on=D(2024, 1, 1), start_date=D(2024, 2, 1), planned_end_date=D(2026, 2, 1))
    samtale(f, D(2024, 2, 10), next_on=D(2024, 4, 1))
    evaluate(D(2024, 4, 20))
    samtale(f, D(2024, 4, 25), next_on=D(2024, 6, 1))
    evaluate(D(2024, 4, 25))
    evaluate(D(2024, 7, 1))
    flags = list(Flag.objects.filter(forloeb=f, rule_id="STD_SAMTALE_OVERDUE").order_by("raised_on"))
    assert [(fl.raised_on, fl.resolved_on) for fl in flags] == [(D(2024, 4, 20), D(2024, 4, 25)), (D(2024, 7, 1), None)]


def test_a_single_forloeb_evaluation_leaves_other_forloeb_alone(make_forloeb, samtale):
    a = make_forloeb(opened_on=D(2024, 1, 1), start_date=D(2024, 2, 1), planned_end_date=D(2026, 2, 1))
    b = make_forloeb(opened_on=D(2024, 1, 1), start_date=D(2024, 2, 1), planned_end_date=D(2026, 2, 1))
    evaluate(D(2024, 6, 1))
    assert "STD_SAMTALE_OVERDUE" in open_flags(a) and "STD_SAMTALE_OVERDUE" in open_flags(b)
    samtale(a, D(2024, 6, 1))
    samtale(b, D(2024, 6, 1))
    evaluate(D(2024, 6, 1), forloeb=a)
    assert "STD_SAMTALE_OVERDUE" not in open_flags(a)
    assert "STD_SAMTALE_OVERDUE" in open_flags(b)


@pytest.mark.parametrize(("decided_on", "flagged"), [(D(2019, 11, 14), False), (D(2019, 11, 15), True)])
def test_the_over_40_rule_starts_on_the_40th_birthday(make_forloeb, decide, decided_on, flagged):
    borger = BorgerFactory(cpr="1511791234")  # born 15 November 1979
    f = further_forloeb(make_forloeb, borger)
    decide(f, decided_on)
    evaluate(D(2019, 12, 1))
    assert ("OVER40_NO_CONSENT" in open_flags(f)) is flagged
