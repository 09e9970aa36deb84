"""Evaluate every rule for every forløb, as the nightly Celery job does.

manage.py evaluate_flags                      # as of today
manage.py evaluate_flags --as-of 2020-03-01   # a day on or after the latest evaluated day
manage.py evaluate_flags --as-of 2020-03-01 --dry-run   # what was open that day, per rule; writes nothing
manage.py evaluate_flags --forloeb 12 --forloeb 13      # just these forløb

The flag record only moves forward: a day before the latest evaluated day (a full run, or any
flag raised or resolved, also by an import or a change) is refused, since the open flags of later
days would hide that day's and the run would resolve flags that are still true. A past day is
answered exactly, writing nothing, by `--dry-run` (counts) and `export_flags --open-on` (the flags).
"""

from django.core.management.base import BaseCommand, CommandError

from cases import clock
from followup import services
from followup.management.dates import parse_day


class Command(BaseCommand):
    help = (
        "Evaluér reglerne pr. en dag for alle forløb (eller de angivne), som natkørslen gør: rejs nye advarsler "
        "og løs dem, der ikke længere gælder. Advarselshistorikken går kun fremad: en dag før den senest "
        "evaluerede afvises. Hvad der var åbent på en tidligere dag, beregnes på ny uden at skrive noget med "
        "--dry-run eller export_flags --open-on."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            type=parse_day,
            help="Dagen der evalueres pr. (ÅÅÅÅ-MM-DD); standard i dag. Ikke før den senest evaluerede dag, "
            "undtagen med --dry-run.",
        )
        parser.add_argument("--forloeb", type=int, action="append", help="Kun dette forløb (id); kan gentages.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Skriv intet: vis pr. regel, hvor mange advarsler der var åbne på dagen, beregnet på ny ud fra alt "
            "registreret (som en ny database evalueret kun den dag). Enhver dag er tilladt.",
        )

    def handle(self, *args, as_of=None, forloeb=None, dry_run=False, **options):
        as_of = as_of or clock.today()
        if dry_run:
            counts = services.flags_preview(as_of=as_of, forloeb_ids=forloeb)
            for rule_id, count in counts.items():
                self.stdout.write(f"{rule_id:28} {count:8}")
            self.stdout.write(
                f"Åbne advarsler pr. {as_of.isoformat()}: {sum(counts.values())} (beregnet på ny; intet er skrevet)."
            )
            return
        latest = services.latest_evaluated_day()
        if latest and as_of < latest:
            raise CommandError(
                f"Der er allerede evalueret pr. {latest.isoformat()}, og advarselshistorikken går kun fremad. "
                f"Se hvad der var åbent pr. {as_of.isoformat()} med --dry-run (antal pr. regel) eller "
                f"export_flags --open-on {as_of.isoformat()} (advarslerne); begge beregner dagen på ny uden at "
                "ændre noget."
            )
        result = services.flags_evaluate(as_of=as_of, forloeb_ids=forloeb)
        for rule_id in result.raised:
            raised, resolved = result.raised[rule_id], result.resolved[rule_id]
            if raised or resolved:
                self.stdout.write(f"{rule_id:28} rejst {raised:7}  løst {resolved:7}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Evalueret pr. {as_of.isoformat()}: {result.total_raised} rejst, {result.total_resolved} løst, "
                f"{result.queries} SQL-forespørgsler, {result.seconds:.2f} s."
            )
        )
