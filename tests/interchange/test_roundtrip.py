"""Export followed by import into an empty database reproduces the same data, on the whole demo
kommune (every phase, every kind of history the app records)."""

import io
import time

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from cases.models import Forloeb
from followup.models import Flag, FollowUpMeeting
from interchange.models import ImportRecord
from interchange.selectors import export_document, forloeb_for_export
from interchange.services import forloeb_import
from plans.models import Intervention, InterventionEvent
from rehab.models import Goal

DOMAIN_TABLES = (
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
    }


@pytest.fixture(scope="module")
def trip(django_db_setup, django_db_blocker):
    """The demo kommune, exported, then the database emptied and the file imported again."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        counts = row_counts()
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
