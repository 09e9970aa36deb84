"""Export forløb in the interchange format: `manage.py export_forloeb [--kommune K] [--team T]
[--from D] [--to D] [-o FILE]`. The file holds CPR numbers and names: it is for moving cases
between systems, and every export is logged."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.models import Kommune, Team
from followup.management.dates import parse_day
from interchange.models import ExportKind
from interchange.selectors import export_document, forloeb_for_export
from interchange.services import export_log


class Command(BaseCommand):
    help = "Udtræk forløb med hele deres historik i udvekslingsformatet (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--kommune", help="kommunekode, fx 998")
        parser.add_argument("--team", help="teamkode, fx team-nord")
        parser.add_argument("--from", dest="period_from", help="forløb åbne på eller efter denne dag (ÅÅÅÅ-MM-DD)")
        parser.add_argument("--to", dest="period_to", help="forløb oprettet på eller før denne dag (ÅÅÅÅ-MM-DD)")
        parser.add_argument("-o", "--output", type=Path, help="fil at skrive til (ellers standard output)")

    def handle(self, *args, kommune=None, team=None, period_from=None, period_to=None, output=None, **options):
        start = parse_day(period_from) if period_from else None
        end = parse_day(period_to) if period_to else None
        if start and end and start > end:
            raise CommandError("--from skal ligge før --to.")
        if kommune and not Kommune.objects.filter(code=kommune).exists():
            raise CommandError(f"Kommunen med kode '{kommune}' findes ikke.")
        if team and not Team.objects.filter(code=team, **({"kommune__code": kommune} if kommune else {})).exists():
            raise CommandError(f"Teamet med kode '{team}' findes ikke.")
        qs = forloeb_for_export(kommune_code=kommune, team_code=team, period_from=start, period_to=end)
        document = export_document(qs, source=f"Forløb, kommune {kommune or 'alle'}")
        text = json.dumps(document, ensure_ascii=False, indent=1)
        if output:
            try:
                output.write_text(text + "\n", encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"Kan ikke skrive til {output}: {exc.strerror}.") from None
        else:
            sys.stdout.write(text + "\n")
        filters = {"kommune": kommune, "team": team, "from": period_from, "to": period_to}
        export_log(
            user=None,
            kind=ExportKind.INTERCHANGE,
            file_format="json",
            pseudonymised=False,
            filters={k: v for k, v in filters.items() if v},
            rows=len(document["forloeb"]),
            via="cli",
        )
        if output:
            self.stderr.write(f"{len(document['forloeb'])} forløb skrevet til {output}.")
