"""The BEU 244 report of a kommune or one of its teams, as JSON or CSV (docs/beu244.md).

manage.py beu244 --format json                                         # the only kommune, the last year
manage.py beu244 --kommune 101 --team team-nord --format csv -o beu244.csv
manage.py beu244 --kommune 101 --fra 2026-01-01 --til 2026-06-30 --pr-dato 2026-09-30 --graense 10 --format json

The command line is the administrator's: every forløb of the kommune counts. The figures leave
the team, so small counts are suppressed in every column, the total included. Every input is
checked before anything is read or written; a bad one is a CommandError in Danish.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases import clock
from cases.models import Forloeb
from supervision import beu244, export
from supervision.management import options as options_module

FORMATS = {"json": beu244.write_json, "csv": beu244.write_csv}


def _threshold(value) -> int:
    if value is None:
        return settings.BEU244_SMALL_CELL
    try:
        threshold = int(value)
    except (TypeError, ValueError):
        raise CommandError(f"--graense skal være et helt tal, fx 5 (fik {value!r}).") from None
    if threshold < 2:
        raise CommandError(
            f"--graense skal være mindst 2 (fik {threshold}): tal, der forlader teamet, skjules altid, når de er 1."
        )
    return threshold


class Command(BaseCommand):
    help = (
        "Svaret på BEU alm. del spørgsmål 244 (2015) ud fra kommunens egne data: de elleve spørgsmål i alt og pr. "
        "kommune og team, med små tal skjult. Som JSON (nøgler '1'..'11' og 'meta') eller CSV. Se docs/beu244.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--kommune", metavar="KODE", help="Kommunekode, fx 101. Kan udelades, når der kun er én kommune."
        )
        parser.add_argument("--team", metavar="TEAMKODE", help="Kun dette team i kommunen (teamkode, fx team-nord).")
        parser.add_argument(
            "--pr-dato",
            dest="as_of",
            metavar="DATO",
            help="Opgørelsesdagen (ÅÅÅÅ-MM-DD). Standard: i dag. Må ikke ligge i fremtiden.",
        )
        parser.add_argument(
            "--fra",
            dest="period_from",
            metavar="DATO",
            help="Periodens første dag (ÅÅÅÅ-MM-DD). Standard: et år før --til (perioden er et år).",
        )
        parser.add_argument(
            "--til",
            dest="period_to",
            metavar="DATO",
            help="Periodens sidste dag (ÅÅÅÅ-MM-DD). Standard: opgørelsesdagen. Må ikke ligge efter den.",
        )
        parser.add_argument(
            "--graense",
            metavar="N",
            help=f"Tal fra 1 til N-1 skjules (vises som '<N'). Standard: {settings.BEU244_SMALL_CELL} "
            "(indstillingen BEU244_SMALL_CELL). Mindst 2.",
        )
        parser.add_argument("--format", metavar="json|csv", help="Påkrævet: json eller csv.")
        parser.add_argument("-o", "--output", metavar="FIL", help="Filen der skrives til; standard er skærmen.")

    def handle(self, *args, format=None, output=None, **options):
        if format not in FORMATS:
            raise CommandError("Angiv formatet med --format json eller --format csv.")
        threshold = _threshold(options.get("graense"))
        today = clock.today()
        as_of = options_module.day(options.get("as_of"), "--pr-dato") or today
        period_to = options_module.day(options.get("period_to"), "--til") or as_of
        period_from = options_module.day(options.get("period_from"), "--fra") or beu244.default_period_from(period_to)
        if as_of > today:
            raise CommandError(f"Opgørelsesdagen --pr-dato ({as_of}) ligger i fremtiden; i dag er {today}.")
        if period_to > as_of:
            raise CommandError(
                f"Periodens sidste dag --til ({period_to}) ligger efter opgørelsesdagen --pr-dato ({as_of})."
            )
        if period_from > period_to:
            raise CommandError(f"Periodens første dag --fra ({period_from}) ligger efter --til ({period_to}).")
        team_code = options.get("team") or None
        kommune_code = options_module.kommune_code(options.get("kommune"))
        try:
            unit = export.unit_for_codes(
                kommune_code=kommune_code,
                team_code=team_code,
                as_of=as_of,
                period_from=period_from,
                period_to=period_to,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        forloeb = Forloeb.objects.filter(kommune_id=unit.kommune_id)
        if unit.team_id is not None:
            forloeb = forloeb.filter(team_id=unit.team_id)
        rep = beu244.report(forloeb, period_from, period_to, as_of, threshold)
        data = beu244.as_data(rep, scope={"kommune": kommune_code, "team": team_code})
        done = f"BEU 244 for kommune {kommune_code} pr. {as_of} skrevet til {output}."
        options_module.write(self, FORMATS[format], data, output, done)
