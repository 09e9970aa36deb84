"""Outcome data in the interchange format (schema 1.1): the forsørgelsesstatus after the end, the
result record, the sanctions and the reason for an early end travel both ways, bad outcome data is
refused with its path and a Danish message, and a 1.0 file (which has none) is read as before."""

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from cases.models import Forloeb
from interchange.models import ImportRecord
from interchange.schema import SCHEMA_VERSION, load_schema
from interchange.selectors import export_document, forloeb_for_export
from interchange.services import forloeb_import
from outcomes.models import ExitStatus, ForloebResult, Sanction
from tests.interchange.test_import import FORLOEB_ID, counts, document, forloeb_doc, problems_of

pytestmark = pytest.mark.django_db

OTHER_ID = "0c7b8f0e-1f0a-4d7e-8c1d-2b9e5a7c3d22"
OTHER_CPR = "0202851234"

EXIT_STATUSES = [
    {
        "point": "1m",
        "code": "KONTANTHJ",
        "job_hours_per_week": None,
        "hours_source": "",
        "note": "",
        "recorded_by": "ks-17",
        "recorded_at": "2021-04-06T10:00:00+02:00",
    },
    {
        "point": "13u",
        "code": "ORD_BESK",
        "job_hours_per_week": 22.5,
        "hours_source": "eindkomst",
        "note": "Ansat i kantinen.",
        "recorded_by": "ks-17",
        "recorded_at": "2021-06-03T09:00:00+02:00",
    },
]
RESULT = {
    "ordinary_job_from": "2021-05-17",
    "job_hours_per_week": 22.5,
    "hours_source": "eindkomst",
    "fleksjob_visiteret_on": None,
    "fleksjob_expected_hours": None,
    "fleksjob_employed_on": None,
    "fleksjob_hours_per_week": None,
    "fleksjob_employer_cvr": "",
    "fleksjob_bonus_status": "ingen",
    "fleksjob_bonus_preapproved_on": None,
    "fleksjob_bonus_paid_on": None,
    "revalidering_type": "",
    "revalidering_from": None,
    "fp_indstillet_on": None,
    "fp_tilkendt_on": None,
    "fp_decision_ref": "",
    "fp_held_before": False,
    "updated_by": "ks-17",
    "updated_at": "2021-06-03T09:05:00+02:00",
}
SANCTIONS = [
    {
        "imposed_on": "2020-02-10",
        "kind": "fradrag",
        "reason": "ikke_medvirket",
        "note": "Udeblevet fra to samtaler.",
        "recorded_by": "ks-17",
        "recorded_at": "2020-02-11T08:30:00+01:00",
    }
]


def closed_doc(*, id_=FORLOEB_ID, cpr="0101801234", closed_on="2021-03-01", **outcome) -> dict:
    """The forløb of test_import, closed on `closed_on` (two years before its planned end, so early)
    with kontanthjælp, and with the outcome data given (by default all of them)."""
    f = forloeb_doc(id_=id_, cpr=cpr)
    f.update(phase="afsluttet", phase_changed_at=f"{closed_on}T14:00:00+01:00", closed_on=closed_on)
    f["outcome"] = "kontanthjaelp"
    f["transitions"].append(
        {
            "transition": "close",
            "from_phase": "ivaerksaettelse",
            "to_phase": "afsluttet",
            "at": f"{closed_on}T14:00:00+01:00",
            "actor": "ks-17",
            "outcome": "kontanthjaelp",
        }
    )
    f.update(
        {
            "early_end_reason": "manglende_medvirken",
            "exit_statuses": copy.deepcopy(EXIT_STATUSES),
            "result": copy.deepcopy(RESULT),
            "sanctions": copy.deepcopy(SANCTIONS),
            **outcome,
        }
    )
    return f


def document_1_1(*forloeb, cprs=("0101801234",)) -> dict:
    return {**document(*forloeb, cprs=cprs), "schema_version": "1.1"}


OUTCOME_KEYS = ("early_end_reason", "exit_statuses", "result", "sanctions")


def test_a_1_1_file_brings_the_outcome_after_the_end_the_result_and_the_sanctions():
    result = forloeb_import(document=document_1_1(closed_doc()), file_name="resultater.json")

    assert result.created == 1
    f = Forloeb.objects.get(uuid=FORLOEB_ID)
    assert f.early_end_reason == "manglende_medvirken"
    statuses = {s.point: s for s in ExitStatus.objects.filter(forloeb=f)}
    assert (statuses["1m"].code, statuses["13u"].code) == ("KONTANTHJ", "ORD_BESK")
    assert (statuses["13u"].job_hours_per_week, statuses["13u"].hours_source) == (Decimal("22.5"), "eindkomst")
    assert statuses["13u"].recorded_by.external_id == "ks-17"
    assert ForloebResult.objects.get(forloeb=f).ordinary_job_from == date(2021, 5, 17)
    sanction = Sanction.objects.get(forloeb=f)
    assert (sanction.imposed_on, sanction.kind, sanction.reason) == (date(2020, 2, 10), "fradrag", "ikke_medvirket")
    assert ImportRecord.objects.get(forloeb=f).schema_version == "1.1"


def test_the_export_writes_1_1_with_the_outcome_data_as_it_came():
    given = closed_doc()
    forloeb_import(document=document_1_1(given), file_name="a.json")

    exported = export_document(forloeb_for_export())

    assert exported["schema_version"] == SCHEMA_VERSION == "1.1"
    assert {k: exported["forloeb"][0][k] for k in OUTCOME_KEYS} == {k: given[k] for k in OUTCOME_KEYS}


def test_a_forloeb_without_outcome_data_is_written_with_empty_outcome_keys():
    forloeb_import(document=document_1_1(forloeb_doc()), file_name="a.json")

    f = export_document(forloeb_for_export())["forloeb"][0]

    assert {k: f[k] for k in OUTCOME_KEYS} == {
        "early_end_reason": "",
        "exit_statuses": [],
        "result": None,
        "sanctions": [],
    }


def test_a_1_0_file_is_still_imported_also_with_a_forloeb_closed_early_without_a_reason():
    """Version 1.0 had no outcome data: its forløb are read as before, and a forløb it closed early
    has no reason to give."""
    old = closed_doc()
    for key in OUTCOME_KEYS:
        del old[key]
    doc = document(old)
    assert doc["schema_version"] == "1.0"

    result = forloeb_import(document=doc, file_name="gammel.json")

    assert result.created == 1
    f = Forloeb.objects.get(uuid=FORLOEB_ID)
    assert (f.closed_on, f.early_end_reason) == (date(2021, 3, 1), "")
    assert not ExitStatus.objects.exists() and not ForloebResult.objects.exists() and not Sanction.objects.exists()
    assert ImportRecord.objects.get(forloeb=f).schema_version == "1.0"


def test_a_forloeb_sent_in_1_0_and_again_in_1_1_without_outcome_data_is_the_same_forloeb():
    forloeb_import(document=document(forloeb_doc()), file_name="gammel.json")
    before = counts()
    same = {**forloeb_doc(), "early_end_reason": "", "exit_statuses": [], "result": None, "sanctions": []}

    result = forloeb_import(document=document_1_1(same), file_name="ny.json")

    assert (result.created, result.unchanged) == (0, 1)
    assert counts() == before


def test_a_1_0_file_is_checked_against_the_1_0_schema_which_has_no_outcome_data():
    doc = document(forloeb_doc())
    doc["forloeb"][0]["sanctions"] = copy.deepcopy(SANCTIONS)

    assert dict(problems_of(doc)) == {"$.forloeb[0]": "Ukendt felt: 'sanctions'."}
    assert "sanctions" not in load_schema("1.0")["properties"]["forloeb"]["items"]["properties"]


def test_a_file_of_an_unknown_version_is_refused_by_name():
    doc = {**document_1_1(forloeb_doc()), "schema_version": "2.0"}

    problems = dict(problems_of(doc))

    assert problems == {"$.schema_version": "Skemaversionen kendes ikke. Forløb indlæser version 1.0 og 1.1."}
    assert Forloeb.objects.count() == 0


def test_bad_outcome_data_names_each_problem_by_its_path_in_danish_and_writes_nothing():
    still_open = {**forloeb_doc(), "early_end_reason": "helbred", "exit_statuses": copy.deepcopy(EXIT_STATUSES[:1])}
    closed = closed_doc(
        id_=OTHER_ID,
        cpr=OTHER_CPR,
        early_end_reason="",
        exit_statuses=[EXIT_STATUSES[0], {**EXIT_STATUSES[1], "point": "1m"}],
        result={**RESULT, "fleksjob_employer_cvr": "12345678", "fp_tilkendt_on": "2099-01-01"},
        sanctions=[{**SANCTIONS[0], "imposed_on": "2018-12-24"}],
    )
    closed["agenda_items"][0]["slot_start"] = "10:30"
    before = counts()

    problems = dict(problems_of(document_1_1(still_open, closed, cprs=("0101801234", OTHER_CPR))))

    assert problems["$.forloeb[0].exit_statuses[0]"] == (
        "Kun et afsluttet forløb kan have en forsørgelsesstatus efter afslutningen."
    )
    assert problems["$.forloeb[0].early_end_reason"] == (
        "Kun et forløb, der er afsluttet før den planlagte slutdato, kan have en årsag til det."
    )
    assert "$.forloeb[1].early_end_reason" not in problems  # a missing reason is accepted (D18)
    assert problems["$.forloeb[1].exit_statuses[1].point"] == "Forsørgelsesstatus ved '1m' står to gange."
    assert problems["$.forloeb[1].sanctions[0].imposed_on"] == (
        "Sanktionen (2018-12-24) ligger før forløbet blev oprettet (2019-02-01)."
    )
    assert "CVR-nummeret" in problems["$.forloeb[1].result.fleksjob_employer_cvr"]
    assert "i fremtiden" in problems["$.forloeb[1].result.fp_tilkendt_on"]
    assert counts() == before
    assert not Sanction.objects.exists()


def test_a_forloeb_closed_on_its_planned_end_needs_no_reason_and_may_not_have_one():
    on_time = closed_doc(closed_on="2023-05-01", early_end_reason="")
    assert forloeb_import(document=document_1_1(on_time), file_name="a.json").created == 1

    late = closed_doc(id_=OTHER_ID, cpr=OTHER_CPR, closed_on="2023-06-01", early_end_reason="andet")
    late["agenda_items"][0]["slot_start"] = "10:30"
    problems = dict(problems_of(document_1_1(late, cprs=(OTHER_CPR,))))
    assert "$.forloeb[0].early_end_reason" in problems


def test_a_code_outside_the_lists_is_refused_by_the_schema_with_the_valid_codes():
    bad = closed_doc(exit_statuses=[{**EXIT_STATUSES[0], "code": "JOB"}], sanctions=[{**SANCTIONS[0], "reason": "x"}])

    problems = dict(problems_of(document_1_1(bad)))

    assert problems["$.forloeb[0].exit_statuses[0].code"].startswith('Værdien "JOB" er ikke en gyldig kode.')
    assert "'ORD_BESK'" in problems["$.forloeb[0].exit_statuses[0].code"]
    assert "'ikke_medvirket'" in problems["$.forloeb[0].sanctions[0].reason"]
    assert Forloeb.objects.count() == 0


def test_the_documented_example_is_the_forloeb_its_import_exports():
    """docs/interchange-example.json is a 1.1 file in the shape the export writes (every field), so
    importing it and exporting the forløb again gives the same forløb object."""
    example = json.loads((Path(__file__).parents[2] / "docs" / "interchange-example.json").read_text("utf-8"))
    assert example["schema_version"] == SCHEMA_VERSION
    assert example["forloeb"][0]["exit_statuses"] and example["forloeb"][0]["sanctions"]

    forloeb_import(document=example, file_name="docs/interchange-example.json", evaluate_flags=False)

    assert export_document(forloeb_for_export())["forloeb"] == example["forloeb"]
