"""Export forløb in the interchange format: `manage.py export_forloeb [--kommune K] [--team T]
[--from D] [--to D] [-o FILE]`. The file holds CPR numbers and names: it is for moving cases
between systems, and every export is logged."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from interchange.management.filters import add_filter_arguments, checked_filters
from interchange.models import ExportKind
from interchange.selectors import export_document, forloeb_for_export
from interchange.services import export_log


class Command(BaseCommand):
    help = "Udtræk forløb med hele deres historik i udvekslingsformatet (JSON)."

    def add_arguments(self, parser):
        add_filter_arguments(parser)
        parser.add_argument("-o", "--output", type=Path, help="fil at skrive til (ellers standard output)")

    def handle(self, *args, output=None, **options):
        filters = checked_filters(**options)
        qs = forloeb_for_export(**filters)
        document = export_document(qs, source=f"Forløb, kommune {filters['kommune_code'] or 'alle'}")
        text = json.dumps(document, ensure_ascii=False, indent=1)
        if output:
            try:
                output.write_text(text + "\n", encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"Kan ikke skrive til {output}: {exc.strerror}.") from None
        else:
            sys.stdout.write(text + "\n")
        export_log(
            user=None,
            kind=ExportKind.INTERCHANGE,
            file_format="json",
            pseudonymised=False,
            filters=filters,
            rows=len(document["forloeb"]),
            via="cli",
        )
        if output:
            self.stderr.write(f"{len(document['forloeb'])} forløb skrevet til {output}.")
