"""Export followed by import into an empty database reproduces the same data, on the whole demo
kommune (every phase, every kind of history the app records, the outcome data after the end).
The demo's outcome data (`demo.outcomes_data`) are checked here too, since they travel through
the format: they pass the outcomes app's own rules."""

import io
import time
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from cases import clock
from cases.models import Forloeb, User
from followup.models import Flag, FollowUpMeeting
from interchange.models import ImportRecord
from interchange.selectors import export_document, forloeb_for_export
from interchange.services import forloeb_import
from outcomes import services as outcome_services
from outcomes.models import TABLE_3, ExitStatus, ForloebResult, Sanction
from outcomes.selectors import ended_early, follow_up_tasks, results_for
from plans.models import Intervention, InterventionEvent
from rehab.models import Goal

DOMAIN_TABLES = (
    "outcomes_exitstatus",
    "outcomes_forloebresult",
    "outcomes_sanction",
    "interchange_importrecord",
    "interchange_exportlog",
    "followup_flag",
    "followup_evaluationrun",
    "followup_followupmeeting",
    "followup_rulesettings",
    "plans_progress",
    "plans_problemarea",
    "plans_othercase",
    "plans_consent",
    "plans_coordinationnote",
    "plans_planitem",
    "plans_interventionevent",
    "plans_intervention",
    "plans_milestone",
    "plans_actionplan",
    "rehab_decision",
    "rehab_recommendedintervention",
    "rehab_recommendation",
    "rehab_agendaitem",
    "rehab_teammeeting",
    "rehab_rehabteammembership",
    "rehab_rehabteam",
    "rehab_healthdocument",
    "rehab_goal",
    "rehab_preparatorypart",
    "cases_accesslog",
    "cases_phasetransition",
    "cases_coordinatorassignment",
    "cases_forloeb",
    "cases_borger",
    "cases_teammembership",
    "cases_user_groups",
    "cases_user_user_permissions",
    "django_admin_log",
    "cases_user",
    "cases_team",
    "cases_kommune",
)


def empty_database():
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {', '.join(DOMAIN_TABLES)} CASCADE")  # noqa: S608 - constant names


def row_counts() -> dict:
    return {
        "forloeb": Forloeb.objects.count(),
        "interventions": Intervention.objects.count(),
        "events": InterventionEvent.objects.count(),
        "followups": FollowUpMeeting.objects.count(),
        "goals": Goal.objects.count(),
        "concrete": Goal.objects.filter(is_concrete=True).count(),
        "open_flags": Flag.objects.filter(resolved_at__isnull=True).count(),
        "exit_statuses": ExitStatus.objects.count(),
        "results": ForloebResult.objects.count(),
        "sanctions": Sanction.objects.count(),
        "early_end_reasons": Forloeb.objects.exclude(early_end_reason="").count(),
    }


def demo_outcomes() -> dict:
    """The demo's outcome data, and every record of them the outcomes app's rules would refuse."""
    today = clock.today()
    refused = []
    for s in ExitStatus.objects.select_related("forloeb"):
        errors = outcome_services.exit_status_errors(
            forloeb=s.forloeb,
            point=s.point,
            code=s.code,
            job_hours_per_week=s.job_hours_per_week,
            hours_source=s.hours_source,
            today=today,
        )
        refused += [("exit status", s.forloeb_id, errors)] if errors else []
    rows = list(ForloebResult.objects.select_related("forloeb"))
    effective = results_for(r.forloeb_id for r in rows)
    for r in rows:
        values = {name: getattr(r, name) for name in outcome_services.RESULT_EDIT_FIELDS}
        errors = outcome_services.result_errors(forloeb=r.forloeb, values=values, effective=effective[r.forloeb_id])
        refused += [("result", r.forloeb_id, errors)] if errors else []
    for s in Sanction.objects.select_related("forloeb"):
        errors = outcome_services.sanction_errors(
            forloeb=s.forloeb, imposed_on=s.imposed_on, kind=s.kind, reason=s.reason
        )
        refused += [("sanction", s.forloeb_id, errors)] if errors else []
    closed = Forloeb.objects.filter(closed_on__isnull=False)
    return {
        "refused": refused,
        "early_without_reason": [
            f.pk for f in closed if ended_early(f.closed_on, f.planned_end_date) and not f.early_end_reason
        ],
        "reason_without_early": [
            f.pk for f in closed if f.early_end_reason and not ended_early(f.closed_on, f.planned_end_date)
        ],
        "table_3": Counter(TABLE_3[c] for c in ExitStatus.objects.filter(point="1m").values_list("code", flat=True)),
        "main_login_tasks": follow_up_tasks(coordinator=User.objects.get(username="sagsbehandler"), today=today),
    }


@pytest.fixture(scope="module")
def trip(django_db_setup, django_db_blocker):
    """The demo kommune, exported, then the database emptied and the file imported again."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        counts = row_counts()
        demo = demo_outcomes()
        first = export_document(forloeb_for_export())
        empty_database()
        started = time.perf_counter()
        result = forloeb_import(document=first, file_name="demo.json")
        seconds = time.perf_counter() - started
        second = export_document(forloeb_for_export())
        after = row_counts()
        again = forloeb_import(document=second, file_name="again.json")
        records = ImportRecord.objects.count()
        transaction.set_rollback(True)
    return {
        "first": first,
        "second": second,
        "counts": counts,
        "after": after,
        "result": result,
        "seconds": seconds,
        "again": again,
        "records": records,
        "demo": demo,
    }


@pytest.fixture
def exported(trip, db):
    return trip


def test_export_then_import_into_an_empty_database_reproduces_the_same_file(exported):
    first, second = dict(exported["first"]), dict(exported["second"])
    first.pop("created_at"), second.pop("created_at")
    assert first["forloeb"], "the demo has forløb"
    for key in first:
        assert first[key] == second[key], key


def test_every_row_came_back_and_the_flags_were_evaluated(exported):
    print(exported["counts"], f"import {exported['seconds']:.1f} s")
    assert exported["after"] == exported["counts"]
    assert exported["result"].created == exported["counts"]["forloeb"]


def test_importing_the_export_of_imported_data_again_changes_nothing(exported):
    assert exported["again"].created == 0
    assert exported["again"].unchanged == exported["counts"]["forloeb"]


def test_the_demo_file_carries_outcome_data_of_every_kind(exported):
    counts = exported["counts"]
    assert counts["exit_statuses"] and counts["results"] and counts["sanctions"] and counts["early_end_reasons"]
    forloeb = exported["first"]["forloeb"]
    assert any(f["result"] and f["result"]["fleksjob_employed_on"] for f in forloeb)


def test_the_demo_outcome_data_pass_the_outcomes_apps_rules(exported):
    demo = exported["demo"]
    assert demo["refused"] == []
    # Closing before the planned end asks for the reason; closing on or after it refuses one.
    assert demo["early_without_reason"] == [] and demo["reason_without_early"] == []


def test_the_demo_outcomes_look_like_the_2015_answer_and_give_the_demo_login_a_follow_up(exported):
    demo = exported["demo"]
    table, total = demo["table_3"], sum(demo["table_3"].values())
    print({k: f"{100 * v / total:.0f} %" for k, v in table.most_common()})
    # Table 3 of the answer to BEU 244: 46 % førtidspension, 25 % work or selvforsørgelse, then
    # ledighedsydelse, kontanthjælp and fleksjob.
    assert table.most_common(2)[0][0] == "Førtidspension mv."
    assert 0.30 <= table["Førtidspension mv."] / total <= 0.55
    assert 0.15 <= table["Beskæftigelse/selvforsørgelse"] / total <= 0.35
    assert all(table[c] for c in ("Ledighedsydelse", "Kontanthjælp", "Fleksjob"))
    assert demo["main_login_tasks"], "the demo login has a follow-up after the end due on Min dag"
