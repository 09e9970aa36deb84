"""The evaluation exports E1, E2 and E4 from the command line (pseudonymised unless --cpr).

manage.py export_evaluation e1                                   # CSV to stdout
manage.py export_evaluation e4 --from 2025-01-01 --to 2025-12-31 --team team-nord -o e4.csv
manage.py export_evaluation e2 --format xlsx --kommune 101 -o e2.xlsx
manage.py export_evaluation e1 --cpr -o e1.csv                   # administrative mode, with CPR numbers

Every export is logged (interchange.ExportLog, via "cli", no user)."""

from django.core.management.base import BaseCommand, CommandError

from cases import clock
from interchange import evaluation
from interchange.management.filters import add_filter_arguments, checked_filters
from interchange.selectors import forloeb_for_export
from interchange.services import export_log


class Command(BaseCommand):
    help = "Evaluation exports: E1 (forløb), E2 (indsatser), E4 (borger and month), as CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="e1, e2 or e4")
        parser.add_argument("--format", default="csv", help="csv (default) or xlsx (needs -o)")
        add_filter_arguments(parser)
        parser.add_argument(
            "--pseudonymised", action="store_true", help="Person keys instead of CPR numbers (default)."
        )
        parser.add_argument("--cpr", action="store_true", help="CPR numbers and usernames (administrative mode).")
        parser.add_argument("-o", "--output", help="File to write; default stdout (CSV only).")

    def handle(self, *args, kind, format, **options):
        output = options.get("output")
        if options.get("cpr") and options.get("pseudonymised"):
            raise CommandError("Vælg enten --pseudonymised eller --cpr, ikke begge.")
        pseudonymised = not options.get("cpr")
        kind, file_format = kind.lower(), format.lower()
        if kind not in evaluation.KINDS:
            raise CommandError(f"Ukendt udtræk: {kind!r}. Vælg e1, e2 eller e4.")
        if file_format not in evaluation.FORMATS:
            raise CommandError(f"Ukendt format: {format!r}. Vælg csv eller xlsx.")
        if file_format == "xlsx" and not output:
            raise CommandError("Et XLSX-udtræk kan ikke skrives til skærmen. Angiv en fil med -o.")
        filters = checked_filters(**options)
        period_from, period_to = filters["period_from"], filters["period_to"]
        today = clock.today()
        columns, rows = evaluation.export_rows(
            kind,
            forloeb_qs=forloeb_for_export(**filters),
            pseudonymised=pseudonymised,
            today=today,
            period_from=period_from,
            period_to=period_to,
        )
        if output:
            try:
                out = open(output, "wb") if file_format == "xlsx" else open(output, "w", newline="", encoding="utf-8")  # noqa: SIM115
            except OSError as exc:
                raise CommandError(f"Kan ikke skrive til {output}: {exc.strerror}.") from None
        else:
            self.stdout.ending = ""  # csv writes its own line ends
            out = self.stdout
        # Logged before the data leaves, so no export goes out unlogged.
        export_log(
            user=None,
            kind=kind,
            file_format=file_format,
            pseudonymised=pseudonymised,
            filters=filters,
            rows=len(rows),
            via="cli",
        )
        try:
            if file_format == "xlsx":
                evaluation.write_xlsx(out, columns, rows, sheet_title=kind.upper())
            else:
                evaluation.write_csv(out, columns, rows)
        finally:
            if output:
                out.close()
        if output:
            self.stdout.write(f"{len(rows)} {'række' if len(rows) == 1 else 'rækker'} skrevet til {output}.")
