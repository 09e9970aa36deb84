"""`import_forloeb` on malformed files: a Danish message with the file (and the JSON path when
there is one), no traceback, nothing written; and no message ever repeats a CPR number."""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.models import validate_cpr
from cases.text import LONG_TEXT
from interchange.management.commands import import_forloeb
from tests.interchange.test_import import CPR, counts, document, problems_of

pytestmark = pytest.mark.django_db


def with_change(change) -> str:
    doc = document()
    change(doc)
    return json.dumps(doc)


def _set(path: str, value):
    def change(doc):
        *parents, last = path.split(".")
        target = doc
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value

    return change


GOOD = json.dumps(document())
MALFORMED = {
    "nested 3,000 deep": ("[" * 3000 + "]" * 3000, "for dybt"),
    "an integer of 5,001 digits": ('{"forloeb": [' + "9" * 5001 + "]}", "for mange cifre"),
    "NaN": (GOOD.replace('"sequence_no": 1', '"sequence_no": NaN'), "NaN er ikke et tal"),
    "Infinity": (GOOD.replace('"sequence_no": 1', '"sequence_no": -Infinity'), "er ikke et tal"),
    "a float too large": (GOOD.replace('"sequence_no": 1', '"sequence_no": 1e999'), "for stort"),
    "a top-level array": ("[" + GOOD + "]", "ét JSON-objekt"),
    "a top-level string": ('"forloeb"', "ét JSON-objekt"),
    "an empty file": ("", "ikke gyldig JSON"),
    "a NUL character": (with_change(_set("borgere.0.first_name", "An\x00na")), "$.borgere[0].first_name"),
    "half a surrogate pair": (
        GOOD.replace('"first_name": "Anna"', '"first_name": "An\\ud800na"'),
        "$.borgere[0].first_name",
    ),
    "1.0 for an integer": (with_change(_set("forloeb.0.sequence_no", 1.0)), "heltal"),
    "a time in year 9999 west of UTC": (
        with_change(_set("meetings.0.starts_at", "9999-12-31T23:00:00-05:00")),
        "$.meetings[0].starts_at",
    ),
    "a date in year 9999": (with_change(_set("forloeb.0.planned_end_date", "9999-12-31")), "uden for årene"),
    "a slot at 25:99": (with_change(_set("forloeb.0.agenda_items.0.slot_start", "25:99")), "Klokkeslættet"),
}


@pytest.mark.parametrize("text,expected", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_file_gets_a_danish_message_no_traceback_and_writes_nothing(tmp_path, text, expected):
    path = tmp_path / "fil.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    before = counts()
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 af 1 filer kunne ikke indlæses"):
        call_command("import_forloeb", str(path), stdout=io.StringIO(), stderr=err)

    assert f"{path}: " in err.getvalue() and expected in err.getvalue()
    assert "Traceback" not in err.getvalue()
    assert counts() == before


def test_a_file_that_is_not_utf8_or_too_large_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes(GOOD.replace("Anna", "Åse").encode("latin-1"))
    huge = tmp_path / "stor.json"
    huge.write_text(GOOD, encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 af 1 filer kunne ikke indlæses"):
        call_command("import_forloeb", str(latin1), stdout=io.StringIO(), stderr=err)
    monkeypatch.setattr(import_forloeb, "MAX_FILE_BYTES", len(GOOD) - 1)
    with pytest.raises(CommandError, match="1 af 1 filer kunne ikke indlæses"):
        call_command("import_forloeb", str(huge), stdout=io.StringIO(), stderr=err)

    assert f"{latin1}: filen er ikke UTF-8-tekst." in err.getvalue()
    assert f"{huge}: filen er for stor" in err.getvalue() and "Del den i flere filer" in err.getvalue()


def test_an_over_long_text_is_refused_with_its_path_and_nothing_is_written():
    doc = document()
    doc["forloeb"][0]["followups"][0]["new_agreements"] = "x" * (LONG_TEXT + 1)
    before = counts()

    problems = dict(problems_of(doc))

    assert problems == {"$.forloeb[0].followups[0].new_agreements": f"Teksten er for lang (højst {LONG_TEXT} tegn)."}
    assert counts() == before


@pytest.mark.parametrize("bad_cpr", ["01018012345", "0101801234x", "3213801234", "0101-801234"])
def test_a_message_about_an_invalid_cpr_names_the_path_and_the_problem_never_the_digits(bad_cpr):
    doc = document()
    doc["borgere"][0]["cpr"] = bad_cpr
    doc["forloeb"][0]["borger"] = bad_cpr

    problems = problems_of(doc)

    paths = {path for path, _message in problems}
    assert {"$.borgere[0].cpr", "$.forloeb[0].borger"} <= paths
    text = json.dumps(problems, ensure_ascii=False)
    assert bad_cpr not in text and bad_cpr[:10] not in text and bad_cpr.replace("-", "")[:10] not in text


def test_a_cpr_number_in_any_other_field_is_never_repeated_in_a_message():
    in_schema = document()  # refused by the schema
    in_schema["forloeb"][0]["phase"] = CPR
    in_schema["forloeb"][0]["interventions"][0]["status"] = f"{CPR} Anna Berg"
    in_rules = document()  # refused by the domain checks
    in_rules["forloeb"][0]["team"] = "010180-1234"
    in_rules["forloeb"][0]["coordinators"][0]["user"] = CPR

    problems = problems_of(in_schema) + problems_of(in_rules)

    assert {"$.forloeb[0].phase", "$.forloeb[0].team", "$.forloeb[0].coordinators[0].user"} <= {p for p, _ in problems}
    assert all("0101801234" not in m and "010180-1234" not in m for _p, m in problems)


@pytest.mark.parametrize("bad_cpr", ["01018012345", "3213801234", "0101801234x", "0000000000"])
def test_the_cpr_validator_of_the_forms_never_repeats_the_number(bad_cpr):
    with pytest.raises(ValidationError) as info:
        validate_cpr(bad_cpr)

    assert bad_cpr not in " ".join(info.value.messages) and bad_cpr[:6] not in " ".join(info.value.messages)
