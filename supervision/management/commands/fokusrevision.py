"""The machine-readable fokusrevision of a kommune or one of its teams (docs/fokusrevision.md).

manage.py fokusrevision --format json                                  # the only kommune, as of today
manage.py fokusrevision --kommune 101 --team team-nord --format csv -o fokusrevision.csv
manage.py fokusrevision --kommune 101 --from 2026-01-01 --to 2026-06-30 --as-of 2026-09-30 --format json

Every input is checked before anything is read or written; a bad one is a CommandError in Danish.
"""

from django.core.management.base import BaseCommand, CommandError

from cases import clock
from supervision import export
from supervision.management import options as options_module

FORMATS = {"json": export.write_json, "csv": export.write_csv}


class Command(BaseCommand):
    help = (
        "Fokusrevisionen i maskinlæsbar form: alle kontrolpunkter for en kommune eller et team, med nævner, "
        "tæller og andel eller fordeling, åbne advarsler og sagsantal pr. sagsbehandler, som JSON eller CSV. "
        "Se docs/fokusrevision.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--kommune",
            metavar="KODE",
            help="Kommunekode, fx 101. Kan udelades, når der kun er én kommune i databasen.",
        )
        parser.add_argument("--team", metavar="TEAMKODE", help="Kun dette team i kommunen (teamkode, fx team-nord).")
        parser.add_argument(
            "--as-of",
            dest="as_of",
            metavar="DATO",
            help="Opgørelsesdagen (ÅÅÅÅ-MM-DD): kun det, der er registreret med dato til og med den dag, tæller. "
            "Standard: i dag. Må ikke ligge i fremtiden.",
        )
        parser.add_argument(
            "--from",
            dest="period_from",
            metavar="DATO",
            help="Periodens første dag (ÅÅÅÅ-MM-DD): forløb, der ikke var afsluttet før den, er med. "
            "Standard: samme dag som --to.",
        )
        parser.add_argument(
            "--to",
            dest="period_to",
            metavar="DATO",
            help="Periodens sidste dag (ÅÅÅÅ-MM-DD): forløb, der var oprettet senest den dag, er med. "
            "Standard: opgørelsesdagen. Må ikke ligge efter den.",
        )
        parser.add_argument("--format", metavar="json|csv", help="Påkrævet: json eller csv.")
        parser.add_argument(
            "-o", "--output", metavar="FIL", help="Filen der skrives til; standard er skærmen (stdout)."
        )

    def handle(self, *args, format=None, output=None, **options):
        if format not in FORMATS:
            raise CommandError("Angiv formatet med --format json eller --format csv.")
        today = clock.today()
        as_of = options_module.day(options.get("as_of"), "--as-of") or today
        period_to = options_module.day(options.get("period_to"), "--to") or as_of
        period_from = options_module.day(options.get("period_from"), "--from") or period_to
        if as_of > today:
            raise CommandError(f"Opgørelsesdagen --as-of ({as_of}) ligger i fremtiden; i dag er {today}.")
        if period_to > as_of:
            raise CommandError(
                f"Periodens sidste dag --to ({period_to}) ligger efter opgørelsesdagen --as-of ({as_of}). "
                "Perioden skal være slut på opgørelsesdagen."
            )
        if period_from > period_to:
            raise CommandError(f"Periodens første dag --from ({period_from}) ligger efter --to ({period_to}).")
        try:
            unit = export.unit_for_codes(
                kommune_code=options_module.kommune_code(options.get("kommune")),
                team_code=options.get("team"),
                as_of=as_of,
                period_from=period_from,
                period_to=period_to,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        data = export.fokusrevision_data(unit)
        done = f"Fokusrevision for kommune {data['unit']['kommune']} pr. {as_of} skrevet til {output}."
        options_module.write(self, FORMATS[format], data, output, done)
