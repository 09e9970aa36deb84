"""Evaluate every rule for every forløb, as the nightly Celery job does.

manage.py evaluate_flags                      # as of today
manage.py evaluate_flags --as-of 2020-03-01   # replay a past day: only what was dated by then counts
manage.py evaluate_flags --as-of 2020-03-01 --dry-run   # count what would be flagged, write nothing
manage.py evaluate_flags --forloeb 12 --forloeb 13      # just these forløb
"""

from django.core.management.base import BaseCommand, CommandError

from cases import clock
from followup import services
from followup.management.dates import parse_day


class Command(BaseCommand):
    help = "Evaluate the rule packs and raise or resolve flags (set-based, idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=parse_day, help="The day to evaluate as of (YYYY-MM-DD); default today.")
        parser.add_argument("--forloeb", type=int, action="append", help="Only this forløb (id); may repeat.")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be flagged; write nothing.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Allow a full run as of a day before the latest full run (it would resolve later flags).",
        )

    def handle(self, *args, as_of=None, forloeb=None, dry_run=False, force=False, **options):
        as_of = as_of or clock.today()
        if dry_run:
            for rule_id, count in services.flags_preview(as_of=as_of).items():
                self.stdout.write(f"{rule_id:28} {count:8}")
            return
        latest = services.latest_full_run_day()
        if forloeb is None and latest and as_of < latest and not force:
            raise CommandError(
                f"Der er allerede evalueret pr. {latest.isoformat()}. En tidligere dato kan kun afspilles med "
                "--dry-run (eller --force i en tom eller genindlæst database)."
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
