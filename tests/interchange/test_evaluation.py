"""The evaluation exports E1, E2 and E4 (spec §1.10, R-000-07/08/12/13): what the rows say on a
forløb with a known history, that a pseudonymised file holds no CPR number anywhere, that every
export is logged, and who may take them (web and command line)."""

import csv
import io
import random
import re
import time
import uuid
import zipfile
from datetime import date, datetime
from datetime import time as dtime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.cpr import fictitious_cpr
from cases.models import Borger, Forloeb, PhaseTransition, Role
from followup.models import FollowUpMeeting
from interchange import evaluation
from interchange.models import ExportLog
from interchange.pseudonym import person_key
from interchange.selectors import forloeb_for_export
from plans.models import Intervention, InterventionEvent, InterventionType, ProblemArea, Progress
from rehab.models import Decision, PreparatoryPart, Recommendation, RecommendedIntervention
from tests.conftest import login
from tests.factories import (
    AgendaItemFactory,
    BorgerFactory,
    DecisionFactory,
    ExitStatusFactory,
    ForloebFactory,
    ForloebResultFactory,
    RecommendationFactory,
    SanctionFactory,
    TeamFactory,
    TeamMeetingFactory,
    UserFactory,
)

CPH = ZoneInfo("Europe/Copenhagen")
AS_OF = date(2025, 1, 1)
URL = "/udtraek/"


# --- Builders -----------------------------------------------------------------------------------


def make_borger(born=date(1980, 5, 17), seed=1, **kwargs):
    cpr = fictitious_cpr(born, random.Random(seed), female=True)
    return BorgerFactory(cpr=cpr, **kwargs)


def make_forloeb(team, coordinator, *, borger=None, opened_on, start_date=None, planned_end_date=None, **kwargs):
    return ForloebFactory(
        team=team,
        borger=borger or BorgerFactory(),
        opened_on=opened_on,
        start_date=start_date,
        planned_end_date=planned_end_date,
        current_coordinator=coordinator,
        **kwargs,
    )


def indsats(forloeb, code, status, actor, *, planned=True, planned_start=None, start=None, end=None, **fields):
    """An indsats of the catalogue type `code`; `planned` writes the lifecycle event into
    `planlagt` that makes it count as planned."""
    type_ = InterventionType.objects.get(code=code, valid_to__isnull=True)
    item = Intervention.objects.create(
        forloeb=forloeb,
        type=type_,
        category=type_.category,
        status=status,
        planned_start=planned_start,
        actual_start=start,
        actual_end=end,
        **fields,
    )
    if planned:
        on = planned_start or forloeb.opened_on
        InterventionEvent.objects.create(intervention=item, action="create", to_status="planlagt", on=on, actor=actor)
    return item


def move(forloeb, name, from_phase, to_phase, at, actor):
    PhaseTransition.objects.create(
        forloeb=forloeb, transition=name, from_phase=from_phase, to_phase=to_phase, at=at, actor=actor
    )


@pytest.fixture
def history(team, caseworker, rehab_team):
    """Forløb 1 of a borger, opened 10.1.2024 and granted from 1.3.2024 for two years, with six
    indsatser of known status and dates, four samtaler, progression on two delmål."""
    borger = make_borger(first_name="Zakarias", last_name="Quistgaard", address="Kildevej 7, 9999 Testrup")
    f = make_forloeb(
        team,
        caseworker,
        borger=borger,
        opened_on=date(2024, 1, 10),
        start_date=date(2024, 3, 1),
        planned_end_date=date(2026, 2, 28),
    )
    move(f, "to_rehab_team", "forberedende_del", "rehabiliteringsteam", datetime(2024, 2, 1, 9, tzinfo=CPH), caseworker)
    move(f, "give_indstilling", "rehabiliteringsteam", "indstilling", datetime(2024, 2, 15, 11, tzinfo=CPH), caseworker)
    move(f, "grant", "indstilling", "indsatsdel", datetime(2024, 2, 25, 10, tzinfo=CPH), caseworker)
    # 22:30 UTC on 30 April is 00:30 on 1 May in Copenhagen: the phase changes in May.
    move(
        f,
        "start_ivaerksaettelse",
        "indsatsdel",
        "ivaerksaettelse",
        datetime(2024, 4, 30, 22, 30, tzinfo=ZoneInfo("UTC")),
        caseworker,
    )
    PreparatoryPart.objects.create(
        forloeb=f,
        borger_wish="ressourceforloeb",
        previous_benefit="kontanthjaelp",
        borger_perspective=f"Mit CPR-nummer er {borger.cpr}",  # free text never leaves
    )
    meeting = TeamMeetingFactory(rehab_team=rehab_team, starts_at=datetime(2024, 2, 15, 10, tzinfo=CPH))
    item = AgendaItemFactory(meeting=meeting, forloeb=f, slot_start=dtime(10, 0))
    rec = Recommendation.objects.create(
        forloeb=f,
        agenda_item=item,
        given_on=date(2024, 2, 15),
        ordning="ressourceforloeb",
        duration_years=2,
        recorded_by=caseworker,
    )
    praktik_rec = RecommendedIntervention.objects.create(
        recommendation=rec, category="virksomhedsrettet", description="Praktik i kantine"
    )
    Decision.objects.create(
        forloeb=f,
        recommendation=rec,
        decided_on=date(2024, 2, 25),
        ordning="ressourceforloeb",
        duration_years=2,
        decided_by=caseworker,
    )
    items = {
        "praktik": indsats(
            f,
            "virksomhedspraktik",
            "gennemfoert",
            caseworker,
            planned_start=date(2024, 3, 15),
            planned_end=date(2024, 6, 15),
            start=date(2024, 4, 1),
            end=date(2024, 6, 30),
            cost=Decimal("5000.00"),
            recommended=praktik_rec,
            employer_cvr="13585628",
        ),
        "fysio": indsats(
            f,
            "fysioterapi",
            "igangsat",
            caseworker,
            planned_start=date(2024, 4, 15),
            start=date(2024, 5, 1),
            cost=Decimal("1200.50"),
        ),
        "bostoette": indsats(
            f,
            "socialpaedagogisk-stoette",
            "afbrudt",
            caseworker,
            start=date(2024, 9, 1),
            end=date(2024, 10, 1),
            status_reason=f"Borgeren {borger.first_name} flyttede",
        ),
        "mentor": indsats(f, "mentor", "planlagt", caseworker, planned_start=date(2024, 11, 1)),
        "andet": indsats(f, "andet", "indstillet", caseworker, planned=False),
        "fvu": indsats(f, "fvu-obu", "ikke_ivaerksat", caseworker),
    }
    for day, attended in [
        (date(2024, 3, 20), True),
        (date(2024, 5, 15), True),
        (date(2024, 7, 10), False),
        (date(2024, 9, 4), True),
    ]:
        FollowUpMeeting.objects.create(
            forloeb=f,
            held_on=day,
            borger_attended=attended,
            next_on=day.replace(day=28),
            held_by=caseworker,
            created_by=caseworker,
            borger_perspective=f"{borger.full_name} ({borger.formatted_cpr})",
        )
    delmaal_a, delmaal_b = uuid.uuid4(), uuid.uuid4()
    for lineage, day, score in [
        (delmaal_a, date(2024, 5, 1), 2),
        (delmaal_b, date(2024, 5, 1), 1),
        (delmaal_a, date(2024, 8, 1), 4),
        (delmaal_b, date(2024, 9, 1), 3),
    ]:
        Progress.objects.create(
            forloeb=f, milestone_lineage=lineage, recorded_on=day, score=score, recorded_by=caseworker
        )
    for kind in ("psykisk", "fysisk", "psykisk"):
        ProblemArea.objects.create(forloeb=f, kind=kind, source="dokumenteret", recorded_on=date(2024, 1, 20))
    return f, items


def e1(qs, *, pseudonymised=True, today=AS_OF):
    return {r["forloeb_id"]: r for r in evaluation.e1_rows(forloeb_qs=qs, pseudonymised=pseudonymised, today=today)}


# --- E1 -----------------------------------------------------------------------------------------


def test_e1_counts_planned_started_completed_and_interrupted_apart(history):
    f, _ = history
    row = e1(Forloeb.objects.filter(pk=f.pk))[str(f.uuid)]
    # Planned: ever entered `planlagt` (5; the indstillet "andet" never did), started: an actual
    # start (3), completed 1, interrupted 1. Not-started planned ones never count as executed.
    assert (row["n_indsats_planlagt"], row["n_indsats_igangsat"]) == (5, 3)
    assert (row["n_indsats_gennemfoert"], row["n_indsats_afbrudt"]) == (1, 1)


def test_e1_counts_what_is_planned_started_and_held_by_the_export_day(history):
    """The concepts of `cases.concepts` (INDSATS_PLANNED, INDSATS_STARTED, SAMTALE_HELD and
    SAMTALE_MISSED) read on the export day, as the flag rules read them on theirs: an export for
    1.6.2024 does not count the mentor planned for November, the bostøtte started in September or
    the udeblivelse of July."""
    f, _ = history
    row = e1(Forloeb.objects.filter(pk=f.pk), today=date(2024, 6, 1))[str(f.uuid)]
    assert (row["n_indsats_planlagt"], row["n_indsats_igangsat"]) == (4, 2)
    assert (row["n_samtaler"], row["n_udeblivelser"]) == (2, 0)
    assert (row["combination_class"], row["sum_udgift"]) == ("B+H", Decimal("6200.50"))


def test_e1_combination_coordination_and_first_indsats(history):
    f, _ = history
    row = e1(Forloeb.objects.filter(pk=f.pk))[str(f.uuid)]
    assert [row[f"dom_{d}"] for d in "BSHUA"] == [1, 1, 1, 0, 0]  # U and A were never started
    assert row["combination_class"] == "B+S+H"
    # praktik (Apr-Jun) overlaps fysioterapi (from May, still running), which overlaps bostøtte (Sep).
    assert row["coordination_pattern"] == "parallel"
    assert row["foerste_indsats_domain"] == "B"
    assert row["dage_til_foerste_indsats"] == 31  # 1.3 to 1.4.2024


def test_e1_rehab_decision_dates_baseline_contact_progression_and_cost(history, caseworker):
    f, _ = history
    row = e1(Forloeb.objects.filter(pk=f.pk))[str(f.uuid)]
    assert row["person_key"] == person_key(f.borger.cpr)
    assert row["sagsbehandler_key"] == person_key(f"user:{caseworker.pk}")
    assert (row["kommunekode"], row["team_id"], row["sequence_no"]) == (f.kommune.code, f.team.code, 1)
    assert row["rehab_moede_dato"] == date(2024, 2, 15)
    assert row["rehab_indstilling_kode"] == "ressourceforloeb"
    assert row["borgers_oenske_foer_moede"] == "ressourceforloeb"
    assert (row["afgoerelse_dato"], row["afgoerelse_kode"]) == (date(2024, 2, 25), "ressourceforloeb")
    assert (row["start_dato"], row["planlagt_slut_dato"], row["planlagt_varighed_mdr"]) == (
        date(2024, 3, 1),
        date(2026, 2, 28),
        24,
    )
    assert row["faktisk_slut_dato"] is None and row["afslutningsaarsag_kode"] == ""
    assert row["ydelse_type"] == "ressourceforloebsydelse"
    assert (row["alder_start"], row["koen"]) == (43, "K")  # born 17.5.1980, a woman's CPR
    assert row["forsoergelse_foer_kode"] == "kontanthjaelp"
    assert row["problemomraader"] == "fysisk;psykisk"
    assert (row["n_samtaler"], row["n_udeblivelser"]) == (3, 1)
    assert (row["progression_start"], row["progression_seneste"]) == (1.5, 3.5)
    assert row["sum_udgift"] == Decimal("6200.50")  # executed indsatser only
    assert (row["schema_version"], row["udtraeksdato"]) == (evaluation.SCHEMA_VERSION, AS_OF)
    # Nothing recorded after the end (the forløb runs), no sanctions, no fleksjob, no førtidspension.
    assert (row["n_sanktioner"], row["status_1m_kode"], row["status_13u_kode"]) == (0, "", "")
    assert (row["fleksjob_visiteret_dato"], row["fleksjob_ansat_dato"], row["fleksjobbonus_status"]) == (
        None,
        None,
        "ingen",
    )
    assert (row["revalidering_dato"], row["fp_indstillet_dato"], row["fp_tilkendt_dato"]) == (None, None, None)
    assert (row["afbrudt"], row["tidlig_afslutning_kode"], row["fp_foer_forloeb"]) == (0, "", 0)
    assert list(row) == evaluation.E1_COLUMNS


def test_e1_administrative_mode_gives_cpr_and_username(history, caseworker):
    f, _ = history
    row = e1(Forloeb.objects.filter(pk=f.pk), pseudonymised=False)[str(f.uuid)]
    assert (row["person_key"], row["sagsbehandler_key"]) == (f.borger.cpr, caseworker.username)


def test_e1_sequential_and_no_indsats_forloeb(team, caseworker):
    sequential = make_forloeb(team, caseworker, opened_on=date(2023, 11, 1), start_date=date(2024, 1, 1))
    indsats(sequential, "virksomhedspraktik", "gennemfoert", caseworker, start=date(2024, 1, 8), end=date(2024, 2, 28))
    indsats(
        sequential, "psykiatrisk-behandling", "gennemfoert", caseworker, start=date(2024, 3, 1), end=date(2024, 5, 1)
    )
    empty = make_forloeb(team, caseworker, opened_on=date(2024, 6, 1))
    rows = e1(Forloeb.objects.filter(pk__in=[sequential.pk, empty.pk]))
    seq, none = rows[str(sequential.uuid)], rows[str(empty.uuid)]
    assert (seq["combination_class"], seq["coordination_pattern"], seq["foerste_indsats_domain"]) == (
        "B+H",
        "sequential",
        "B",
    )
    assert (none["combination_class"], none["coordination_pattern"], none["foerste_indsats_domain"]) == (
        "none",
        "none",
        "",
    )
    assert none["ydelse_type"] == "" and none["dage_til_foerste_indsats"] is None and none["sum_udgift"] is None


# --- E1: outcomes after the end (BEU 244) -------------------------------------------------------


def closed(team, caseworker, *, closed_on, outcome, planned_end_date=date(2025, 4, 30), **kwargs):
    """A forløb granted from 1.5.2022 (opened 1.2.2022), closed on `closed_on` with `outcome`."""
    return make_forloeb(
        team,
        caseworker,
        opened_on=date(2022, 2, 1),
        start_date=date(2022, 5, 1),
        planned_end_date=planned_end_date,
        closed_on=closed_on,
        outcome=outcome,
        **kwargs,
    )


def test_e1_gives_the_status_after_the_end_the_early_end_and_the_sanctions_by_reason(team, caseworker):
    f = closed(
        team, caseworker, closed_on=date(2024, 3, 15), outcome="kontanthjaelp", early_end_reason="manglende_medvirken"
    )
    ExitStatusFactory(forloeb=f, point="1m", code="KONTANTHJ")
    ExitStatusFactory(forloeb=f, point="13u", code="ORD_BESK", job_hours_per_week=Decimal("20"), hours_source="borger")
    ForloebResultFactory(
        forloeb=f, ordinary_job_from=date(2024, 6, 1), job_hours_per_week=Decimal("20"), hours_source="borger"
    )
    for day, reason in [(date(2022, 9, 1), "ikke_medvirket"), (date(2023, 2, 1), "ikke_medvirket")]:
        SanctionFactory(forloeb=f, imposed_on=day, reason=reason)
    SanctionFactory(forloeb=f, imposed_on=date(2023, 10, 2), reason="ikke_gennemfoert", kind="nedsaettelse")

    row = e1(Forloeb.objects.filter(pk=f.pk))[str(f.uuid)]

    assert (row["status_1m_kode"], row["status_13u_kode"]) == ("KONTANTHJ", "ORD_BESK")
    assert (row["job_timer_uge"], row["timer_kilde"]) == (Decimal("20"), "borger")
    # Closed a year before the planned end, and kontanthjælp is no success: not completed (question 10).
    assert (row["afbrudt"], row["tidlig_afslutning_kode"]) == (1, "manglende_medvirken")
    assert (row["n_sanktioner"], row["n_sanktioner_ikke_medvirket"], row["n_sanktioner_ikke_gennemfoert"]) == (3, 2, 1)


def test_e1_counts_an_early_end_into_work_or_an_end_on_the_planned_day_as_completed(team, caseworker):
    into_work = closed(
        team, caseworker, closed_on=date(2023, 6, 1), outcome="loenmodtager", early_end_reason="job_uddannelse"
    )
    on_time = closed(
        team,
        caseworker,
        borger=BorgerFactory(),
        closed_on=date(2024, 4, 30),
        planned_end_date=date(2024, 4, 30),
        outcome="kontanthjaelp",
    )

    rows = e1(Forloeb.objects.filter(pk__in=[into_work.pk, on_time.pk]))

    assert (rows[str(into_work.uuid)]["afbrudt"], rows[str(into_work.uuid)]["tidlig_afslutning_kode"]) == (
        0,
        "job_uddannelse",
    )
    assert (rows[str(on_time.uuid)]["afbrudt"], rows[str(on_time.uuid)]["tidlig_afslutning_kode"]) == (0, "")
    assert rows[str(on_time.uuid)]["status_1m_kode"] == ""  # not recorded


def test_e1_fleksjob_visitation_from_the_afgoerelse_employment_hours_and_bonus_from_the_result(team, caseworker):
    f = closed(team, caseworker, closed_on=date(2023, 9, 29), outcome="fleksjob", early_end_reason="fleksjob")
    DecisionFactory(forloeb=f, decided_on=date(2023, 9, 29), ordning="fleksjob", duration_years=None)
    ExitStatusFactory(forloeb=f, point="1m", code="LEDIGHEDSYDELSE")
    ExitStatusFactory(
        forloeb=f, point="13u", code="FLEKSJOB", job_hours_per_week=Decimal("12"), hours_source="kontrakt"
    )
    ForloebResultFactory(
        forloeb=f,
        fleksjob_expected_hours=Decimal("10"),
        fleksjob_employed_on=date(2023, 12, 1),
        fleksjob_hours_per_week=Decimal("12.5"),
        fleksjob_employer_cvr="13585628",
        fleksjob_bonus_status="udloest",
        fleksjob_bonus_preapproved_on=date(2023, 11, 20),
        fleksjob_bonus_paid_on=date(2024, 6, 3),
    )

    row = e1(Forloeb.objects.filter(pk=f.pk))[str(f.uuid)]

    assert row["fleksjob_visiteret_dato"] == date(2023, 9, 29)  # the kommune's afgørelse
    assert (row["fleksjob_forventet_timer_uge"], row["fleksjob_ansat_dato"], row["fleksjob_timer_uge"]) == (
        Decimal("10"),
        date(2023, 12, 1),
        Decimal("12.5"),
    )
    assert (row["fleksjobbonus_status"], row["fleksjobbonus_dato"]) == ("udloest", date(2024, 6, 3))
    assert row["status_13u_kode"] == "FLEKSJOB"


def test_e1_a_visitation_recorded_on_the_result_wins_over_the_afgoerelse_and_a_preapproved_bonus_has_its_day(
    team, caseworker
):
    f = closed(team, caseworker, closed_on=date(2023, 9, 29), outcome="ledighedsydelse", early_end_reason="fleksjob")
    DecisionFactory(forloeb=f, decided_on=date(2023, 9, 1), ordning="fleksjob", duration_years=None)
    ForloebResultFactory(
        forloeb=f,
        fleksjob_visiteret_on=date(2023, 9, 15),
        fleksjob_employed_on=date(2024, 2, 1),
        fleksjob_bonus_status="forhaandsgodkendt",
        fleksjob_bonus_preapproved_on=date(2024, 1, 22),
    )

    row = e1(Forloeb.objects.filter(pk=f.pk))[str(f.uuid)]

    assert row["fleksjob_visiteret_dato"] == date(2023, 9, 15)
    assert (row["fleksjobbonus_status"], row["fleksjobbonus_dato"]) == ("forhaandsgodkendt", date(2024, 1, 22))


def test_e1_foertidspension_indstillet_and_tilkendt_from_the_team_and_the_afgoerelse_or_from_the_result(
    team, caseworker
):
    from_rehab = closed(
        team, caseworker, closed_on=date(2023, 3, 1), outcome="foertidspension", early_end_reason="foertidspension"
    )
    RecommendationFactory(forloeb=from_rehab, given_on=date(2023, 1, 17), ordning="foertidspension")
    DecisionFactory(forloeb=from_rehab, decided_on=date(2023, 3, 1), ordning="foertidspension", duration_years=None)
    # Indstillet and tilkendt after the end, outside the app: recorded on the result.
    recorded = closed(
        team,
        caseworker,
        borger=BorgerFactory(),
        closed_on=date(2023, 5, 1),
        outcome="sygedagpenge",
        early_end_reason="helbred",
    )
    ForloebResultFactory(
        forloeb=recorded, fp_indstillet_on=date(2023, 11, 7), fp_tilkendt_on=date(2024, 2, 12), fp_decision_ref="FP-1"
    )
    ExitStatusFactory(forloeb=recorded, point="13u", code="SYGEDAGPENGE")

    rows = e1(Forloeb.objects.filter(pk__in=[from_rehab.pk, recorded.pk]))

    a, b = rows[str(from_rehab.uuid)], rows[str(recorded.uuid)]
    assert (a["fp_indstillet_dato"], a["fp_tilkendt_dato"]) == (date(2023, 1, 17), date(2023, 3, 1))
    assert (b["fp_indstillet_dato"], b["fp_tilkendt_dato"]) == (date(2023, 11, 7), date(2024, 2, 12))
    assert (a["fp_foer_forloeb"], a["ydelse_type"]) == (0, "ressourceforloebsydelse")


def test_e1_a_borger_who_kept_a_foertidspension_is_marked_and_revalidering_has_its_kind_and_start(team, caseworker):
    held = closed(team, caseworker, closed_on=date(2023, 3, 1), outcome="andet", early_end_reason="andet")
    ForloebResultFactory(forloeb=held, fp_held_before=True)
    ExitStatusFactory(forloeb=held, point="1m", code="FP")
    reval = closed(
        team,
        caseworker,
        borger=BorgerFactory(),
        closed_on=date(2023, 8, 1),
        outcome="revalidering",
        early_end_reason="revurdering",
    )
    ForloebResultFactory(forloeb=reval, revalidering_type="forrevalidering", revalidering_from=date(2023, 8, 14))

    rows = e1(Forloeb.objects.filter(pk__in=[held.pk, reval.pk]))

    assert (rows[str(held.uuid)]["fp_foer_forloeb"], rows[str(held.uuid)]["ydelse_type"]) == (1, "foertidspension")
    assert (rows[str(reval.uuid)]["revalidering_type"], rows[str(reval.uuid)]["revalidering_dato"]) == (
        "forrevalidering",
        date(2023, 8, 14),
    )


def test_coordination_pattern_rule():
    d = date
    assert evaluation.coordination_pattern([]) == "none"
    assert evaluation.coordination_pattern([(d(2024, 1, 1), d(2024, 2, 1))]) == "single"
    # Sharing a single day is an overlap; the day after is not.
    assert evaluation.coordination_pattern([(d(2024, 1, 1), d(2024, 2, 1)), (d(2024, 2, 1), d(2024, 3, 1))]) == (
        "parallel"
    )
    assert evaluation.coordination_pattern([(d(2024, 1, 1), d(2024, 2, 1)), (d(2024, 2, 2), d(2024, 3, 1))]) == (
        "sequential"
    )
    mixed = [(d(2024, 1, 1), d(2024, 3, 1)), (d(2024, 2, 1), d(2024, 4, 1)), (d(2024, 6, 1), d(2024, 7, 1))]
    assert evaluation.coordination_pattern(mixed) == "mixed"
    assert evaluation.combination_class(set()) == "none"
    assert evaluation.combination_class({"H", "B", "U", "A"}) == "B+H"
    assert evaluation.combination_class({"S", "H", "B"}) == "B+S+H"


# --- E2 -----------------------------------------------------------------------------------------


def test_e2_one_row_per_indsats_with_planned_and_actual_apart(history):
    f, items = history
    rows = {r["indsats_id"]: r for r in evaluation.e2_rows(forloeb_qs=Forloeb.objects.filter(pk=f.pk))}
    assert set(rows) == {i.pk for i in items.values()}
    praktik = rows[items["praktik"].pk]
    assert praktik == {
        "indsats_id": items["praktik"].pk,
        "forloeb_id": str(f.uuid),
        "domain": "B",
        "legal_basis": "LAB",
        "kategori_kode": "virksomhedsrettet",
        "underkategori_kode": "virksomhedspraktik",
        "provider_type": "jobcenter",
        "iværksat_som_led_i_forloeb": 1,
        "indstillet_af_rehabteam": 1,
        "status": "gennemfoert",
        "planlagt_start": date(2024, 3, 15),
        "faktisk_start": date(2024, 4, 1),
        "planlagt_slut": date(2024, 6, 15),
        "faktisk_slut": date(2024, 6, 30),
        "timer_uge": None,
        "afbrydelsesaarsag_kode": None,
        "pris": Decimal("5000.00"),
        "delmaal_id": None,
        "virksomhed_cvr": "13585628",
    }
    mentor = rows[items["mentor"].pk]
    assert (mentor["planlagt_start"], mentor["faktisk_start"], mentor["status"]) == (
        date(2024, 11, 1),
        None,
        "planlagt",
    )
    assert rows[items["andet"].pk]["domain"] == "A"
    assert rows[items["fysio"].pk]["legal_basis"] == "sundhedsloven"
    assert rows[items["bostoette"].pk]["legal_basis"] == "serviceloven"
    assert rows[items["bostoette"].pk]["afbrydelsesaarsag_kode"] is None  # the reason is free text


# --- E4 -----------------------------------------------------------------------------------------


def test_e4_months_phase_ydelse_and_active_domains(history):
    f, _ = history
    rows = evaluation.e4_rows(
        forloeb_qs=Forloeb.objects.filter(pk=f.pk),
        pseudonymised=True,
        month_from=date(2023, 11, 5),
        month_to=date(2024, 5, 20),
    )
    got = [(r["maaned"], r["fase"], r["ydelse"], r["aktive_domaener"]) for r in rows]
    assert got == [
        ("2024-01", "forberedende_del", "", ""),
        ("2024-02", "indsatsdel", "", ""),  # granted 25.2, the ydelse starts 1.3
        ("2024-03", "indsatsdel", "ressourceforloebsydelse", ""),
        ("2024-04", "indsatsdel", "ressourceforloebsydelse", "B"),  # iværksat 1.5 00:30 Danish time
        ("2024-05", "ivaerksaettelse", "ressourceforloebsydelse", "B;H"),
    ]
    may = rows[-1]
    assert [may[f"dom_{d}"] for d in "BSHUA"] == [1, 0, 1, 0, 0]
    assert {r["person_key"] for r in rows} == {person_key(f.borger.cpr)}
    assert {r["forloeb_id"] for r in rows} == {str(f.uuid)}
    assert list(may) == evaluation.E4_COLUMNS


def test_e4_one_row_per_borger_and_month_across_two_forloeb(team, caseworker):
    """A borger whose first forløb closes on 10 March and whose second opens on 20 March has one
    March row: the newest forløb, with the first one's ydelse and indsats still counted."""
    borger = make_borger(seed=7)
    first = make_forloeb(
        team,
        caseworker,
        borger=borger,
        opened_on=date(2023, 3, 1),
        start_date=date(2023, 6, 1),
        planned_end_date=date(2025, 5, 31),
        closed_on=date(2024, 3, 10),
        outcome="andet",
    )
    Forloeb.objects.filter(pk=first.pk).update(phase="afsluttet")
    move(first, "grant", "indstilling", "indsatsdel", datetime(2023, 5, 20, 9, tzinfo=CPH), caseworker)
    indsats(first, "stoette-kontaktperson", "afbrudt", caseworker, start=date(2023, 9, 1), end=date(2024, 3, 5))
    second = make_forloeb(team, caseworker, borger=borger, sequence_no=2, opened_on=date(2024, 3, 20))
    make_forloeb(team, caseworker, opened_on=date(2024, 6, 1))  # another borger, opened after the period

    rows = evaluation.e4_rows(
        forloeb_qs=Forloeb.objects.all(), pseudonymised=False, month_from=date(2024, 2, 1), month_to=date(2024, 4, 30)
    )
    got = [(r["person_key"], r["maaned"], r["forloeb_id"], r["fase"], r["ydelse"], r["aktive_domaener"]) for r in rows]
    assert got == [
        (borger.cpr, "2024-02", str(first.uuid), "indsatsdel", "ressourceforloebsydelse", "S"),
        (borger.cpr, "2024-03", str(second.uuid), "forberedende_del", "ressourceforloebsydelse", "S"),
        (borger.cpr, "2024-04", str(second.uuid), "forberedende_del", "", ""),
    ]


# --- Queries ------------------------------------------------------------------------------------


def test_the_number_of_queries_does_not_grow_with_the_forloeb(history, team, caseworker):
    def queries(kind):
        with CaptureQueriesContext(connection) as ctx:
            evaluation.export_rows(kind, forloeb_qs=Forloeb.objects.all(), pseudonymised=True, today=AS_OF)
        return len(ctx.captured_queries)

    before = {kind: queries(kind) for kind in evaluation.KINDS}
    for _ in range(4):
        f = make_forloeb(team, caseworker, opened_on=date(2024, 1, 1), start_date=date(2024, 2, 1))
        indsats(f, "mentor", "igangsat", caseworker, start=date(2024, 2, 1))
        FollowUpMeeting.objects.create(
            forloeb=f, held_on=date(2024, 3, 1), next_on=date(2024, 5, 1), held_by=caseworker, created_by=caseworker
        )
        move(f, "grant", "indstilling", "indsatsdel", datetime(2024, 1, 20, 9, tzinfo=CPH), caseworker)
        PreparatoryPart.objects.create(forloeb=f, borger_wish="fleksjob")
        ProblemArea.objects.create(forloeb=f, kind="fysisk", source="dokumenteret", recorded_on=date(2024, 1, 2))
        ExitStatusFactory(forloeb=f, point="1m")
        ForloebResultFactory(forloeb=f, fleksjob_visiteret_on=date(2024, 3, 1))
        SanctionFactory(forloeb=f)
    assert {kind: queries(kind) for kind in evaluation.KINDS} == before


# --- No CPR in a pseudonymised file -------------------------------------------------------------


def file_text(path) -> str:
    """Everything in the file: a CSV's text, or every part of an XLSX (the zip's XML) plus every
    cell value as openpyxl reads it."""
    data = path.read_bytes()
    if not data.startswith(b"PK"):
        return data.decode("utf-8")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist()]
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    cells = [str(c) for sheet in workbook for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    return "\n".join(parts + cells)


def cpr_forms(borger: Borger) -> list[str]:
    return [borger.cpr, borger.formatted_cpr, f"{borger.cpr[:6]} {borger.cpr[6:]}"]


@pytest.mark.parametrize("kind", evaluation.KINDS)
@pytest.mark.parametrize("fmt", evaluation.FORMATS)
def test_a_pseudonymised_file_holds_no_cpr_and_no_names(history, tmp_path, kind, fmt):
    f, _ = history
    borger = f.borger
    path = tmp_path / f"{kind}.{fmt}"
    call_command(
        "export_evaluation", kind, "--format", fmt, "--from", "2024-01-01", "-o", str(path), stdout=io.StringIO()
    )
    text = file_text(path)
    for secret in [*cpr_forms(borger), borger.first_name, borger.last_name, "Kildevej", "flyttede"]:
        assert secret not in text, secret
    if kind != "e2":  # E2 has no person key; it links to E1 by forloeb_id
        assert person_key(borger.cpr) in text
    assert str(f.uuid) in text

    cpr_path = tmp_path / f"{kind}-cpr.{fmt}"
    call_command(
        "export_evaluation",
        kind,
        "--format",
        fmt,
        "--from",
        "2024-01-01",
        "--cpr",
        "-o",
        str(cpr_path),
        stdout=io.StringIO(),
    )
    if kind != "e2":  # the check above would have seen it: the administrative mode has it
        assert borger.cpr in file_text(cpr_path)


def test_the_same_cpr_gives_the_same_person_key_in_two_exports(history, team, caseworker, tmp_path):
    f, _ = history
    Forloeb.objects.filter(pk=f.pk).update(phase="afsluttet", closed_on=date(2025, 12, 1))
    second = make_forloeb(team, caseworker, borger=f.borger, sequence_no=2, opened_on=date(2026, 1, 5))

    def keys(kind):
        out = io.StringIO()
        call_command("export_evaluation", kind, "--from", "2024-01-01", stdout=out)
        return {(r["forloeb_id"], r["person_key"]) for r in csv.DictReader(io.StringIO(out.getvalue()))}

    e1_keys, again, e4_keys = keys("e1"), keys("e1"), keys("e4")
    assert e1_keys == again
    assert e1_keys == {(str(f.uuid), person_key(f.borger.cpr)), (str(second.uuid), person_key(f.borger.cpr))}
    assert {k for _, k in e4_keys} == {person_key(f.borger.cpr)}


def test_demo_data_exports_fast_and_without_any_cpr(db):
    """The demo kommune (about 660 forløb, 1,800 indsatser): every export in both formats in a few
    seconds, and none of its 600 CPR numbers in any pseudonymised file."""
    call_command("seed_demo", stdout=io.StringIO())
    cprs = set(Borger.objects.values_list("cpr", flat=True))
    today = timezone.localdate()
    qs = forloeb_for_export()
    found = set()
    for kind in evaluation.KINDS:
        started = time.monotonic()
        columns, rows = evaluation.export_rows(kind, forloeb_qs=qs, pseudonymised=True, today=today)
        text_out, binary_out = io.StringIO(), io.BytesIO()
        evaluation.write_csv(text_out, columns, rows)
        evaluation.write_xlsx(binary_out, columns, rows, sheet_title=kind.upper())
        seconds = time.monotonic() - started
        print(f"{kind}: {len(rows)} rows, csv + xlsx in {seconds:.2f} s")
        assert rows and seconds < 20
        if kind != "e4":
            assert len(rows) == (Forloeb if kind == "e1" else Intervention).objects.count()
        with zipfile.ZipFile(binary_out) as archive:
            xml = "".join(archive.read(name).decode("utf-8") for name in archive.namelist())
        for text in (text_out.getvalue(), xml):
            found |= {m.replace("-", "") for m in re.findall(r"\d{6}-?\d{4}", text)} & cprs
    assert len(cprs) >= 600 and not found


# --- Command line -------------------------------------------------------------------------------


def test_a_command_line_export_is_logged_with_filter_and_row_count(
    history, team, other_team, caseworker, outsider, tmp_path
):
    f, _ = history
    make_forloeb(other_team, outsider, opened_on=date(2024, 2, 1))
    path = tmp_path / "e1.csv"
    out = io.StringIO()
    call_command("export_evaluation", "e1", "--team", team.code, "--from", "2024-01-01", "-o", str(path), stdout=out)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert [r["forloeb_id"] for r in rows] == [str(f.uuid)]  # the team filter leaves the other team out
    assert list(rows[0]) == evaluation.E1_COLUMNS
    assert "1 række skrevet til" in out.getvalue()
    log = ExportLog.objects.get()
    assert (log.user, log.via, log.kind, log.file_format, log.pseudonymised, log.rows) == (
        None,
        "cli",
        "e1",
        "csv",
        True,
        1,
    )
    assert log.filters == {"kommune_code": None, "team_code": team.code, "period_from": "2024-01-01", "period_to": None}


def test_a_csv_goes_to_stdout_and_an_xlsx_needs_a_file(history, tmp_path):
    out = io.StringIO()
    call_command("export_evaluation", "e2", "--cpr", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 6
    assert ExportLog.objects.get().pseudonymised is False
    with pytest.raises(CommandError, match="XLSX-udtræk kan ikke skrives til skærmen"):
        call_command("export_evaluation", "e2", "--format", "xlsx", stdout=io.StringIO())
    path = tmp_path / "e4.xlsx"
    call_command(
        "export_evaluation",
        "e4",
        "--format",
        "xlsx",
        "--from",
        "2024-01-01",
        "--to",
        "2024-05-31",
        "-o",
        str(path),
        stdout=io.StringIO(),
    )
    sheet = openpyxl.load_workbook(path, read_only=True)["E4"]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == evaluation.E4_COLUMNS and len(values) == 1 + 5
    assert ExportLog.objects.filter(kind="e4", file_format="xlsx", rows=5).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["e1", "--kommune", "000"], "Ukendt kommunekode: '000'"),
        (["e1", "--team", "findes-ikke"], "Ukendt teamkode: 'findes-ikke'"),
        (["e1", "--from", "2024-06-01", "--to", "2024-01-01"], "ligger efter --to"),
        (["e1", "--from", "2024-13-01"], "Ugyldig dato: '2024-13-01'"),
        (["e3"], "Ukendt udtræk: 'e3'"),
        (["e1", "--format", "pdf"], "Ukendt format: 'pdf'"),
        (["e1", "--cpr", "--pseudonymised"], "Vælg enten --pseudonymised eller --cpr"),
        (["e1", "-o", "/findes/ikke/e1.csv"], "Kan ikke skrive til /findes/ikke/e1.csv"),
    ],
)
def test_bad_command_line_input_gives_a_danish_error_and_no_export(db, team, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("export_evaluation", *args, stdout=io.StringIO())
    assert not ExportLog.objects.exists()


def test_a_team_code_is_checked_within_the_kommune_given(db, team, kommune):
    TeamFactory(kommune__code="101", kommune__name="Anden Kommune", name="Team Øst")
    with pytest.raises(CommandError, match=re.escape("Ukendt teamkode i kommune 101: 'team-nord'")):
        call_command("export_evaluation", "e1", "--kommune", "101", "--team", team.code, stdout=io.StringIO())
    call_command("export_evaluation", "e1", "--kommune", kommune.code, "--team", team.code, stdout=io.StringIO())


# --- Web ----------------------------------------------------------------------------------------


@pytest.fixture
def administrator(kommune):
    return UserFactory(username="admin", role=Role.ADMINISTRATOR, kommune=kommune)


def test_the_page_explains_the_purpose_and_is_pseudonymised_by_default(client, team_leader, team, other_team):
    response = login(client, team_leader).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "må ikke bruges til afgørelser i den enkelte borgers sag" in html
    assert "Hvert udtræk logges" in html
    assert re.search(r'<input type="checkbox" name="pseudonymiseret"[^>]*checked', html)
    assert "<legend>Udtræk</legend>" in html and '<label for="id_fra">Periode fra</label>' in html
    assert team.name in html and other_team.name not in html  # only the leader's own teams
    assert f'href="{URL}"' in html  # the nav link
    assert not ExportLog.objects.exists()


@pytest.mark.parametrize("who", ["caseworker", "rehab_member"])
def test_anyone_but_team_leaders_and_administrators_gets_404(db, client, request, who):
    user = request.getfixturevalue(who)
    client = login(client, user)
    assert client.get(URL).status_code == 404
    assert client.get(URL, {"udtraek": "e1", "format": "csv", "pseudonymiseret": "on"}).status_code == 404
    assert f'href="{URL}"' not in client.get("/min-dag/").content.decode()
    assert not ExportLog.objects.exists()


def test_a_team_leader_downloads_a_logged_export_of_the_chosen_team(
    client, history, team_leader, team, other_team, outsider
):
    f, _ = history
    team_leader.memberships.create(team=other_team)  # the leader leads both teams
    other = make_forloeb(other_team, outsider, opened_on=date(2024, 2, 1))
    client = login(client, team_leader)
    both = client.get(URL, {"udtraek": "e1", "format": "csv", "pseudonymiseret": "on"})
    assert both.status_code == 200
    assert {r["forloeb_id"] for r in csv.DictReader(io.StringIO(both.content.decode()))} == {
        str(f.uuid),
        str(other.uuid),
    }

    response = client.get(
        URL, {"udtraek": "e1", "format": "csv", "team": other_team.pk, "fra": "2024-01-01", "pseudonymiseret": "on"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="e1_{today}.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["forloeb_id"] for r in rows] == [str(other.uuid)]
    assert f.borger.cpr not in response.content.decode()
    log = ExportLog.objects.order_by("at", "id").last()
    assert (log.user, log.via, log.kind, log.file_format, log.pseudonymised, log.rows) == (
        team_leader,
        "web",
        "e1",
        "csv",
        True,
        1,
    )
    assert log.filters == {
        "kommune_code": other_team.kommune.code,
        "team_code": other_team.code,
        "period_from": "2024-01-01",
        "period_to": None,
    }
    assert ExportLog.objects.count() == 2


def test_a_team_leader_sees_only_their_teams(client, history, team_leader, other_team, outsider):
    other = make_forloeb(other_team, outsider, opened_on=date(2024, 2, 1))
    client = login(client, team_leader)
    response = client.get(URL, {"udtraek": "e2", "format": "csv", "pseudonymiseret": "on"})
    assert str(other.uuid) not in response.content.decode()
    refused = client.get(URL, {"udtraek": "e1", "format": "csv", "team": other_team.pk, "pseudonymiseret": "on"})
    assert refused.status_code == 400
    assert "Vælg et af dine egne teams." in refused.content.decode()


def test_a_team_leader_cannot_take_the_cpr_mode(client, history, team_leader):
    f, _ = history
    response = login(client, team_leader).get(URL, {"udtraek": "e1", "format": "csv"})  # box not ticked
    assert response.status_code == 400
    html = response.content.decode()
    assert "Kun en administrator kan tage et udtræk med CPR-numre" in html
    assert 'aria-invalid="true"' in html and "id_pseudonymiseret_error" in html
    assert f.borger.cpr not in html
    assert not ExportLog.objects.exists()


def test_an_administrator_takes_the_cpr_mode_as_xlsx(client, history, administrator):
    f, _ = history
    response = login(client, administrator).get(
        URL, {"udtraek": "e4", "format": "xlsx", "fra": "2024-01-01", "til": "2024-05-31"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)["E4"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "person_key" and {v[0] for v in values[1:]} == {f.borger.cpr}
    log = ExportLog.objects.get()
    assert (log.user, log.pseudonymised, log.rows, log.file_format, log.kind) == (administrator, False, 5, "xlsx", "e4")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"fra": "2024-06-01", "til": "2024-01-01"}, "Periodens slutdato ligger før dens startdato."),
        ({"fra": "2024-02-30"}, "Skriv en gyldig dato, fx 2025-01-31."),
        ({"udtraek": "e3"}, "Vælg E1, E2 eller E4."),
        ({"format": "pdf"}, "Vælg CSV eller XLSX."),
    ],
)
def test_invalid_input_shows_the_form_again_with_danish_errors(client, team_leader, params, message):
    query = {"udtraek": "e1", "format": "csv", "pseudonymiseret": "on", **params}
    response = login(client, team_leader).get(URL, query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ExportLog.objects.exists()
