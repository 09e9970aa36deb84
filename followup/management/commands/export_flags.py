"""Export every flag ever raised, with its lifecycle (JSON or CSV; no CPR numbers).

manage.py export_flags                              # JSON to stdout
manage.py export_flags --format csv -o flags.csv
manage.py export_flags --open-on 2020-03-01         # the flags open on that day
"""

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
        flags = selectors.flags_for_export(open_on=open_on)
        if not output:
            self.stdout.ending = ""  # json and csv write their own line ends
            selectors.write_flags(self.stdout, flags, format)
            return
        try:
            with open(output, "w", newline="", encoding="utf-8") as out:
                selectors.write_flags(out, flags, format)
        except OSError as exc:
            raise CommandError(f"Kan ikke skrive til {output}: {exc.strerror}.") from None
