"""The DISCO-08 reference list, loaded by the data migration rehab 0002."""

import csv
from pathlib import Path

import rehab
from rehab.models import Occupation

CSV_PATH = Path(rehab.__file__).resolve().parent / "data" / "disco08.csv"


def test_the_migration_loads_the_disco08_list(db):
    assert Occupation.objects.count() > 100
    codes = list(Occupation.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    assert all(len(code) == 4 and code.isdigit() for code in codes)
    assert Occupation.objects.get(code="5322").title.startswith("Social- og sundhedshjælpere")
    assert Occupation.objects.filter(code__in=["9112", "9412", "5223", "9333", "8322", "5153"]).count() == 6


def test_the_csv_has_unique_four_digit_codes_and_danish_titles():
    with CSV_PATH.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    codes = [row["code"] for row in rows]
    assert 120 <= len(rows) <= 200
    assert len(codes) == len(set(codes))
    assert all(len(code) == 4 and code.isdigit() and code[0] != "0" for code in codes)
    assert all(row["title"].strip() == row["title"] and row["title"] for row in rows)
