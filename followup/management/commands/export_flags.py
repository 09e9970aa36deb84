"""Export every flag ever raised, with its lifecycle (JSON or CSV; no CPR numbers).

manage.py export_flags                              # JSON to stdout
manage.py export_flags --format csv -o flags.csv
manage.py export_flags --open-on 2020-03-01         # the flags open on that day
"""

import csv
import json

from django.core.management.base import BaseCommand, CommandError

from followup import selectors
from followup.management.dates import parse_day


class Command(BaseCommand):
    help = "Export flags: forløb, rule id and version, basis, evidence, raised, acknowledged, resolved."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--open-on", type=parse_day, help="Only the flags open on this day (YYYY-MM-DD).")
        parser.add_argument("-o", "--output", help="File to write; default stdout.")

    def handle(self, *args, format="json", open_on=None, output=None, **options):
        rows = (selectors.export_row(f) for f in selectors.flags_for_export(open_on=open_on).iterator(chunk_size=2000))
        if output:
            try:
                out = open(output, "w", newline="", encoding="utf-8")  # noqa: SIM115 - closed below
            except OSError as exc:
                raise CommandError(f"Kan ikke skrive til {output}: {exc.strerror}.") from None
        else:
            out = self.stdout
            out.ending = ""  # json and csv write their own line ends
        try:
            if format == "json":
                json.dump(list(rows), out, ensure_ascii=False, indent=1)
                out.write("\n")
            else:
                writer = csv.DictWriter(out, fieldnames=selectors.EXPORT_COLUMNS)
                writer.writeheader()
                for row in rows:
                    writer.writerow({**row, "evidence": json.dumps(row["evidence"], ensure_ascii=False)})
        finally:
            if output:
                out.close()
