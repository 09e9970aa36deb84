"""Load the DISCO-08 reference list (rehab/data/disco08.csv) into rehab.Occupation.

Codes that already exist keep their row and get the title from the file, so the
migration is safe on a database where someone has added occupations by hand.
The reverse removes the codes in the file (and fails if a goal still points at one).
"""

import csv
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "disco08.csv"


def read_occupations() -> list[tuple[str, str]]:
    with CSV_PATH.open(encoding="utf-8", newline="") as f:
        return [(row["code"].strip(), row["title"].strip()) for row in csv.DictReader(f)]


def load(apps, schema_editor):
    Occupation = apps.get_model("rehab", "Occupation")
    rows = read_occupations()
    existing = {o.code: o for o in Occupation.objects.filter(code__in=[code for code, _title in rows])}
    changed = []
    for code, title in rows:
        if code in existing and existing[code].title != title:
            existing[code].title = title
            changed.append(existing[code])
    Occupation.objects.bulk_update(changed, ["title"])
    Occupation.objects.bulk_create([Occupation(code=code, title=title) for code, title in rows if code not in existing])


def unload(apps, schema_editor):
    Occupation = apps.get_model("rehab", "Occupation")
    Occupation.objects.filter(code__in=[code for code, _title in read_occupations()]).delete()


class Migration(migrations.Migration):
    dependencies = [("rehab", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
