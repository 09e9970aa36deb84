"""Importing interchange files: checked against the schema and the domain rules first, written
all or nothing, idempotent by the forløb's id, with the history's own dates."""

import io
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.models import Borger, Forloeb, Kommune, PhaseTransition, User
from followup.models import Flag, FollowUpMeeting
from interchange.models import ExportLog, ImportRecord
from interchange.schema import build_schema, load_schema
from interchange.selectors import export_document, forloeb_for_export
from interchange.services import forloeb_import
from interchange.validation import InterchangeError
from plans.models import Intervention, InterventionEvent
from rehab.models import Goal, Recommendation

CPR = "0101801234"  # born 1 January 1980
FORLOEB_ID = "6f1c7d1e-3b9a-4c1e-9f53-2d7f0e4b8a11"


def samtale(day: str, next_on: str | None) -> dict:
    return {
        "held_on": day,
        "setting": "individuel",
        "channel": "fremmoede",
        "held_by": "ks-17",
        "borger_attended": True,
        "next_on": next_on,
        "no_next_reason": "" if next_on else "revurdering",
        "created_at": f"{day}T10:00:00+01:00",
    }


def forloeb_doc(*, id_=FORLOEB_ID, cpr=CPR, sequence_no=1) -> dict:
    """A forløb from 2019 in iværksættelse, with indstilling, afgørelse, plan, indsats and samtaler."""
    return {
        "id": id_,
        "borger": cpr,
        "sequence_no": sequence_no,
        "kommune": "461",
        "team": "team-a",
        "phase": "ivaerksaettelse",
        "opened_on": "2019-02-01",
        "start_date": "2019-05-01",
        "planned_end_date": "2023-05-01",
        "created_at": "2019-02-01T09:00:00+01:00",
        "coordinators": [{"user": "ks-17", "valid_from": "2019-02-01", "valid_to": None}],
        "transitions": [
            {
                "transition": "to_rehab_team",
                "from_phase": "forberedende_del",
                "to_phase": "rehabiliteringsteam",
                "at": "2019-03-15T10:00:00+01:00",
                "actor": "ks-17",
            },
            {
                "transition": "give_indstilling",
                "from_phase": "rehabiliteringsteam",
                "to_phase": "indstilling",
                "at": "2019-04-10T11:00:00+02:00",
                "actor": "ks-17",
            },
            {
                "transition": "grant",
                "from_phase": "indstilling",
                "to_phase": "indsatsdel",
                "at": "2019-04-20T09:00:00+02:00",
                "actor": "ks-17",
            },
            {
                "transition": "start_ivaerksaettelse",
                "from_phase": "indsatsdel",
                "to_phase": "ivaerksaettelse",
                "at": "2019-05-10T09:00:00+02:00",
                "actor": "ks-17",
            },
        ],
        "preparatory_part": {
            "work_started_on": "2019-02-01",
            "wishes": "Arbejde med dyr",
            "goals": [
                {
                    "kind": "job",
                    "description": "Dyrepasser",
                    "occupation": "5164",
                    "created_at": "2019-02-10T10:00:00+01:00",
                }
            ],
        },
        "agenda_items": [
            {"id": "a1", "meeting": "m1", "slot_start": "10:00", "sectors_present": ["beskaeftigelse", "social"]}
        ],
        "recommendations": [
            {
                "id": "r1",
                "agenda_item": "a1",
                "given_on": "2019-04-10",
                "ordning": "ressourceforloeb",
                "duration_years": 4,
                "recorded_by": "ks-17",
                "created_at": "2019-04-10T11:00:00+02:00",
                "interventions": [{"id": "ri1", "category": "mentor", "description": "Mentor", "within_months": 2}],
            }
        ],
        "decisions": [
            {
                "recommendation": "r1",
                "decided_on": "2019-04-20",
                "ordning": "ressourceforloeb",
                "duration_years": 4,
                "decided_by": "ks-17",
                "benefit_start_on": "2019-05-01",
            }
        ],
        "interventions": [
            {
                "id": "i1",
                "type": "mentor",
                "category": "mentor",
                "recommended": "ri1",
                "status": "igangsat",
                "planned_start": "2019-05-15",
                "actual_start": "2019-05-20",
                "hours_per_week": 2.5,
                "created_at": "2019-05-01T09:00:00+02:00",
                "events": [
                    {
                        "action": "start",
                        "from_status": "planlagt",
                        "to_status": "igangsat",
                        "on": "2019-05-20",
                        "actor": "ks-17",
                        "at": "2019-05-20T12:00:00+02:00",
                    }
                ],
            }
        ],
        "action_plans": [
            {
                "version": 1,
                "recommendation": "r1",
                "coordinator": "ks-17",
                "completed_on": "2019-05-05",
                "created_by": "ks-17",
                "created_at": "2019-04-25T09:00:00+02:00",
                "milestones": [{"lineage": "0b5d5a52-2d51-4c3c-8f5a-0a8d35e4c001", "description": "Stabil hverdag"}],
                "items": [{"intervention": "i1", "status": "planlagt", "planned_start": "2019-05-15"}],
            }
        ],
        "progress": [
            {
                "milestone_lineage": "0b5d5a52-2d51-4c3c-8f5a-0a8d35e4c001",
                "recorded_on": "2019-08-01",
                "score": 2,
                "recorded_by": "ks-17",
            }
        ],
        "followups": [samtale("2019-06-01", "2019-08-01"), samtale("2019-08-01", "2019-10-01")],
    }


def document(*forloeb, cprs=(CPR,)) -> dict:
    return {
        "format": "forloeb-udveksling",
        "schema_version": "1.0",
        "source": "Fagsystem X",
        "kommuner": [
            {
                "code": "461",
                "name": "Odense Kommune",
                "teams": [{"code": "team-a", "name": "Team A"}],
                "rehab_teams": [
                    {"name": "Rehabiliteringsteam Syd", "members": [{"user": "ks-17", "sector": "beskaeftigelse"}]}
                ],
            }
        ],
        "users": [
            {
                "id": "ks-17",
                "first_name": "Kim",
                "last_name": "Madsen",
                "role": "koordinerende",
                "kommune": "461",
                "teams": ["team-a"],
            }
        ],
        "meetings": [
            {
                "id": "m1",
                "kommune": "461",
                "rehab_team": "Rehabiliteringsteam Syd",
                "starts_at": "2019-04-10T09:00:00+02:00",
                "place": "Rådhuset",
            }
        ],
        "borgere": [{"cpr": cpr, "first_name": "Anna", "last_name": "Berg"} for cpr in cprs],
        "forloeb": list(forloeb) or [forloeb_doc()],
    }


def counts() -> dict:
    models = (
        Kommune,
        User,
        Borger,
        Forloeb,
        PhaseTransition,
        Recommendation,
        Intervention,
        InterventionEvent,
        FollowUpMeeting,
        Goal,
        Flag,
        ImportRecord,
    )
    return {m.__name__: m.objects.count() for m in models}


def problems_of(doc: dict) -> list[tuple[str, str]]:
    with pytest.raises(InterchangeError) as info:
        forloeb_import(document=doc, file_name="f.json")
    return [(p.path, p.message) for p in info.value.problems]


@pytest.mark.django_db
def test_the_committed_schema_is_the_one_the_models_give():
    assert load_schema() == build_schema(), "run interchange.schema.write_schema() after changing a code list"


@pytest.mark.django_db
def test_a_file_from_another_system_is_imported_with_its_own_dates_and_its_flags_evaluated():
    result = forloeb_import(document=document(), file_name="fra-x.json")

    assert result.created == 1
    f = Forloeb.objects.get(uuid=FORLOEB_ID)
    assert (f.opened_on, f.start_date, f.phase) == (date(2019, 2, 1), date(2019, 5, 1), "ivaerksaettelse")
    assert f.current_coordinator.external_id == "ks-17"
    assert f.created_at == datetime.fromisoformat("2019-02-01T09:00:00+01:00")
    assert [t.at.date() for t in f.transitions.all()] == [
        date(2019, 3, 15),
        date(2019, 4, 10),
        date(2019, 4, 20),
        date(2019, 5, 10),
    ]
    assert f.recommendations.get().agenda_item.meeting.place == "Rådhuset"
    assert Goal.objects.get(forloeb=f).is_concrete
    iv = f.interventions.get()
    assert iv.recommended.recommendation.decision.decided_on == date(2019, 4, 20)
    assert (iv.planned_start, iv.actual_start) == (date(2019, 5, 15), date(2019, 5, 20))
    assert iv.events.get().at.date() == date(2019, 5, 20)
    # The imported caseworker exists but cannot log in until an administrator sets a password.
    assert not User.objects.get(external_id="ks-17").has_usable_password()
    # No samtale since October 2019: the flags come from the history, under the rules of then.
    rules = set(Flag.objects.filter(forloeb=f, resolved_at__isnull=True).values_list("rule_id", flat=True))
    assert "STD_SAMTALE_OVERDUE" in rules or "AGREED_SAMTALE_OVERDUE" in rules
    assert ImportRecord.objects.get(forloeb=f).file_name == "fra-x.json"


@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing():
    forloeb_import(document=document(), file_name="a.json")
    before = counts()

    result = forloeb_import(document=document(), file_name="a.json")

    assert (result.created, result.unchanged) == (0, 1)
    assert counts() == before


@pytest.mark.django_db
def test_a_changed_forloeb_under_a_known_id_is_refused_and_nothing_is_overwritten():
    forloeb_import(document=document(), file_name="a.json")
    before = counts()
    changed = document()
    changed["forloeb"][0]["followups"].append(samtale("2019-10-01", "2019-12-01"))

    problems = problems_of(changed)

    assert problems[0][0] == "$.forloeb[0].id"
    assert "findes allerede" in problems[0][1]
    assert counts() == before


@pytest.mark.django_db
def test_a_schema_invalid_file_names_every_problem_by_its_json_path_in_danish_and_writes_nothing():
    doc = document()
    f = doc["forloeb"][0]
    f["phase"] = "faerdig"
    del f["opened_on"]
    f["interventions"][0]["hours_per_week"] = "mange"
    f["followups"][0]["colour"] = "blå"
    before = counts()

    problems = dict(problems_of(doc))

    assert 'Værdien "faerdig" er ikke en gyldig kode' in problems["$.forloeb[0].phase"]
    assert problems["$.forloeb[0]"] == "Feltet 'opened_on' mangler."
    assert "$.forloeb[0].interventions[0].hours_per_week" in problems
    assert problems["$.forloeb[0].followups[0]"] == "Ukendt felt: 'colour'."
    assert counts() == before


@pytest.mark.django_db
def test_an_indsats_started_before_the_borgers_birth_is_refused():
    doc = document()
    doc["forloeb"][0]["interventions"][0]["actual_start"] = "1979-06-01"

    problems = dict(problems_of(doc))

    assert problems["$.forloeb[0].interventions[0].actual_start"] == (
        "Datoen 1979-06-01 ligger før borgerens fødsel (1980-01-01)."
    )
    assert Forloeb.objects.count() == 0


@pytest.mark.django_db
def test_a_forloeb_of_seven_years_is_refused_under_the_rules_when_it_was_granted():
    doc = document()
    doc["forloeb"][0]["planned_end_date"] = "2026-05-01"

    problems = dict(problems_of(doc))

    message = problems["$.forloeb[0].planned_end_date"]
    assert "7.0 år" in message and "højst vare 5 år" in message and "LAB2013" in message


@pytest.mark.django_db
def test_domain_rules_on_references_statuses_and_samtaler():
    doc = document()
    f = doc["forloeb"][0]
    f["interventions"][0]["status"] = "gennemfoert"  # no actual_end
    f["interventions"][0]["type"] = "ukendt-type"
    f["action_plans"][0]["items"][0]["intervention"] = "i9"
    f["followups"][1]["next_on"] = "2019-07-01"  # before the samtale
    f["followups"].append({**samtale("2026-11-01", None), "held_on": "2099-01-01"})
    f["team"] = "team-z"

    problems = dict(problems_of(doc))

    assert "faktisk slutdato" in problems["$.forloeb[0].interventions[0].actual_end"]
    assert "findes ikke i indsatskataloget" in problems["$.forloeb[0].interventions[0].type"]
    assert "'i9'" in problems["$.forloeb[0].action_plans[0].items[0].intervention"]
    assert problems["$.forloeb[0].followups[1].next_on"] == "Næste samtale skal ligge efter samtalen."
    assert "i fremtiden" in problems["$.forloeb[0].followups[2].held_on"]
    assert "team-z" in problems["$.forloeb[0].team"]


@pytest.mark.django_db
def test_a_batch_with_one_bad_forloeb_writes_nothing_at_all():
    good_1 = forloeb_doc()
    good_2 = forloeb_doc(id_="0c7b8f0e-1f0a-4d7e-8c1d-2b9e5a7c3d22", cpr="0202851234")
    bad = forloeb_doc(id_="5e2a1b3c-4d5e-4f60-8a7b-9c0d1e2f3a44", cpr="0303901234")
    bad["interventions"][0]["actual_start"] = "1985-01-01"
    good_2["agenda_items"][0]["slot_start"], bad["agenda_items"][0]["slot_start"] = "10:30", "11:00"
    doc = document(good_1, good_2, bad, cprs=(CPR, "0202851234", "0303901234"))
    before = counts()

    problems = problems_of(doc)

    assert [p for p, _m in problems] == ["$.forloeb[2].interventions[0].actual_start"]
    assert counts() == before  # not the two good forløb, nor the kommune, users or borgere


@pytest.mark.django_db
def test_two_forloeb_in_the_same_slot_of_a_meeting_are_refused_also_against_the_database():
    other = forloeb_doc(id_="0c7b8f0e-1f0a-4d7e-8c1d-2b9e5a7c3d22", cpr="0202851234")

    problems = dict(problems_of(document(forloeb_doc(), other, cprs=(CPR, "0202851234"))))
    assert "allerede optaget" in problems["$.forloeb[1].agenda_items[0].slot_start"]

    forloeb_import(document=document(), file_name="a.json", evaluate_flags=False)
    problems = dict(problems_of(document(other, cprs=("0202851234",))))
    assert "allerede optaget" in problems["$.forloeb[0].agenda_items[0].slot_start"]


@pytest.mark.django_db
def test_a_borger_with_two_open_forloeb_or_a_repeated_sequence_number_is_refused():
    second = forloeb_doc(id_="0c7b8f0e-1f0a-4d7e-8c1d-2b9e5a7c3d22")

    problems = dict(problems_of(document(forloeb_doc(), second)))

    assert "forløb nr. 1" in problems["$.forloeb[1].sequence_no"]
    assert "åbent forløb" in problems["$.forloeb[1].phase"]


def write(tmp_path, name: str, content) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(path)


@pytest.mark.django_db
def test_the_command_imports_good_files_and_reports_bad_ones_by_file_and_path(tmp_path):
    good = write(tmp_path, "god.json", document())
    bad_doc = document(forloeb_doc(id_="0c7b8f0e-1f0a-4d7e-8c1d-2b9e5a7c3d22", cpr="0202851234"), cprs=("0202851234",))
    bad_doc["forloeb"][0]["opened_on"] = "2019-13-01"
    bad = write(tmp_path, "daarlig.json", bad_doc)
    broken = write(tmp_path, "itu.json", '{"format": "forloeb-udveksling",\n "forloeb": [}')
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match="3 af 4 filer kunne ikke indlæses"):
        call_command("import_forloeb", good, bad, broken, str(tmp_path / "mangler.json"), stdout=out, stderr=err)

    assert "god.json: 1 forløb indlæst, 0 uændrede" in out.getvalue()
    errors = err.getvalue()
    assert f"{bad}: $.forloeb[0].opened_on: 2019-13-01 er ikke en gyldig dato." in errors
    assert f"{broken}: ikke gyldig JSON (linje 2" in errors
    assert "mangler.json: filen findes ikke." in errors
    assert Forloeb.objects.count() == 1


@pytest.mark.django_db
def test_export_forloeb_filters_by_kommune_team_and_period_and_is_logged(tmp_path):
    forloeb_import(document=document(), file_name="a.json", evaluate_flags=False)
    out = tmp_path / "ud.json"

    call_command(
        "export_forloeb",
        "--kommune",
        "461",
        "--team",
        "team-a",
        "--from",
        "2020-01-01",
        "-o",
        str(out),
        stderr=io.StringIO(),
    )
    assert [f["id"] for f in json.loads(out.read_text())["forloeb"]] == [FORLOEB_ID]

    call_command("export_forloeb", "--to", "2018-12-31", "-o", str(out), stderr=io.StringIO())
    assert json.loads(out.read_text())["forloeb"] == []

    with pytest.raises(CommandError, match="Ukendt teamkode: 'team-q'"):
        call_command("export_forloeb", "--team", "team-q", "-o", str(out))
    log = ExportLog.objects.order_by("at").first()
    assert (log.kind, log.via, log.rows, log.filters) == (
        "interchange",
        "cli",
        1,
        {"kommune_code": "461", "team_code": "team-a", "period_from": "2020-01-01", "period_to": None},
    )


def shifted(value, years: int):
    """The same history `years` later (every 2019 date becomes 2019 + years)."""
    if isinstance(value, dict):
        return {k: shifted(v, years) for k, v in value.items()}
    if isinstance(value, list):
        return [shifted(v, years) for v in value]
    if isinstance(value, str):
        return value.replace("2019-", f"{2019 + years}-")
    return value


@pytest.mark.django_db
def test_a_forloeb_started_in_2019_is_judged_by_the_rules_of_2019():
    """Two samtaler in the first six months: no breach for a forløb started in 2019, a breach of LAB
    § 31, stk. 3 (four in six months, from 2020) for the same history started in 2021."""
    later = shifted(forloeb_doc(id_="0c7b8f0e-1f0a-4d7e-8c1d-2b9e5a7c3d22", cpr="0202851234"), 2)
    later["agenda_items"][0]["slot_start"] = "10:30"
    forloeb_import(document=document(forloeb_doc(), later, cprs=(CPR, "0202851234")), file_name="a.json")

    def rules(uuid):
        return set(Flag.objects.filter(forloeb__uuid=uuid).values_list("rule_id", flat=True))

    assert "LAB2020_FIRST6M_UNDER_4" not in rules(FORLOEB_ID)
    assert "LAB2020_FIRST6M_UNDER_4" in rules(later["id"])
    assert Forloeb.objects.get(uuid=later["id"]).start_date == date(2021, 5, 1)


@pytest.mark.django_db
def test_the_documented_example_file_imports_into_an_empty_database():
    example = json.loads((Path(__file__).parents[2] / "docs" / "interchange-example.json").read_text("utf-8"))

    result = forloeb_import(document=example, file_name="docs/interchange-example.json")

    assert result.created == len(example["forloeb"]) == 1


@pytest.mark.django_db
def test_exporting_forloeb_made_in_forloeb_and_importing_the_file_again_changes_nothing(forloeb):
    """A forløb made here has no import record: its own export is recognised as unchanged."""
    exported = export_document(forloeb_for_export())
    before = counts()

    result = forloeb_import(document=exported, file_name="egen.json")

    assert (result.created, result.unchanged) == (0, 1)
    assert counts() == before


@pytest.mark.django_db
def test_rules_the_database_would_otherwise_meet_first():
    doc = document()
    f = doc["forloeb"][0]
    doc["users"].append({"id": "ks-18", "role": "koordinerende", "teams": ["team-a"]})  # no kommune
    doc["borgere"][0]["consents"] = [
        {"id": "c1", "recipient": "praktiserende_laege", "scope": "LÆ 265", "given_on": "2019-02-30"},
        {"id": "c1", "recipient": "praktiserende_laege", "scope": "LÆ 265", "given_on": "2019-03-01"},
    ]
    f["recommendations"].append({**f["recommendations"][0], "id": "r2"})  # same agenda item, same ri1
    f["outcome"] = "fleksjob"  # on an open forløb
    f["interventions"][0]["category"] = "social"  # the type "mentor" is a mentor indsats
    f["decisions"][0]["decided_on"] = "2012-06-01"

    problems = dict(problems_of(doc))

    assert "skal høre til en kommune" in problems["$.users[1].kommune"]
    assert problems["$.borgere[0].consents[0].given_on"] == "2019-02-30 er ikke en gyldig dato."
    assert "står to gange" in problems["$.borgere[0].consents[1].id"]
    assert "allerede en indstilling" in problems["$.forloeb[0].recommendations[1].agenda_item"]
    assert "står to gange" in problems["$.forloeb[0].recommendations[1].interventions[0].id"]
    assert "Kun et afsluttet forløb" in problems["$.forloeb[0].outcome"]
    assert "kategorien 'mentor'" in problems["$.forloeb[0].interventions[0].category"]
    assert "findes fra 2013-01-01" in problems["$.forloeb[0].decisions[0]"]


@pytest.mark.django_db
def test_a_write_the_database_refuses_answers_in_danish_and_writes_nothing(monkeypatch):
    """A safety net for a rule the checks do not know: the COPY error becomes a Danish problem."""
    from interchange import validation

    real = validation.Checker.check_parts
    monkeypatch.setattr(validation.Checker, "check_parts", lambda self, path, f: None)
    doc = document()
    doc["forloeb"][0]["recommendations"].append(
        {**doc["forloeb"][0]["recommendations"][0], "id": "r2", "interventions": []}
    )
    before = counts()

    problems = problems_of(doc)

    assert problems[0][0] == "$"
    assert "Databasen afviste filen" in problems[0][1] and "intet er indlæst" in problems[0][1]
    assert counts() == before
    monkeypatch.setattr(validation.Checker, "check_parts", real)
