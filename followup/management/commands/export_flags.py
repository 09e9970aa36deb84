"""Export flags (JSON or CSV; no CPR numbers).

manage.py export_flags                              # every flag ever raised, with its lifecycle; JSON to stdout
manage.py export_flags --format csv -o flags.csv
manage.py export_flags --open-on 2020-03-01         # exactly the flags open on that day

`--open-on` answers from a replay of that day (`followup.selectors.flags_open_on`): the rules in
force that day run on everything now recorded, as a fresh database evaluated only on that day would
hold them, whatever days this database has evaluated (or not). A flag of the record that was open
that day is given with its lifecycle; one the record never raised (e.g. a forløb imported later)
has no id and no dates.
"""

from django.core.management.base import BaseCommand, CommandError

from followup import selectors
from followup.management.dates import parse_day


class Command(BaseCommand):
    help = (
        "Udtræk advarsler uden CPR-numre: forløb, regel og version, grundlag, dokumentation, rejst, kvitteret, løst. "
        "Uden --open-on: hver advarsel, der nogensinde er rejst, med hele dens historik."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument(
            "--open-on",
            type=parse_day,
            help="Præcis de advarsler, der var åbne denne dag (ÅÅÅÅ-MM-DD), beregnet på ny ud fra alt registreret "
            "(som en ny database evalueret kun den dag), uanset hvilke dage der er evalueret. En advarsel fra "
            "historikken, der var åben den dag, vises med sin historik; en, historikken aldrig har rejst (fx et "
            "forløb indlæst senere), uden id og datoer.",
        )
        parser.add_argument("-o", "--output", help="Filen der skrives til; standard er skærmen (stdout).")

    def handle(self, *args, format="json", open_on=None, output=None, **options):
        flags = selectors.flags_for_export() if open_on is None else selectors.flags_open_on(day=open_on)
        if not output:
            self.stdout.ending = ""  # json and csv write their own line ends
            selectors.write_flags(self.stdout, flags, format)
            return
        try:
            with open(output, "w", newline="", encoding="utf-8") as out:
                selectors.write_flags(out, flags, format)
        except OSError as exc:
            raise CommandError(f"Kan ikke skrive til {output}: {exc.strerror}.") from None
