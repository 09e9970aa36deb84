"""Import forløb from interchange files: `manage.py import_forloeb FILE [FILE ...]`.

Each file is checked against the schema and the domain rules and then written all or nothing;
a file with any problem writes nothing, and every problem is printed with the file, the JSON
path and what is wrong. Forløb already imported from the same document are left unchanged, so
running the same files again changes nothing. The flags of the new forløb are evaluated last."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from interchange.services import forloeb_import
from interchange.validation import InterchangeError


def read_document(path: Path):
    """The file's JSON, or a Danish CommandError saying why it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"{path}: filen findes ikke.") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: filen er ikke UTF-8-tekst.") from None
    except OSError as exc:
        raise CommandError(f"{path}: filen kan ikke læses ({exc.strerror}).") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path}: ikke gyldig JSON (linje {exc.lineno}, kolonne {exc.colno}: {exc.msg}).") from None


class Command(BaseCommand):
    help = "Indlæs forløb fra en eller flere filer i udvekslingsformatet (alt eller intet pr. fil)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, metavar="FIL")
        parser.add_argument("--no-flags", action="store_true", help="Evaluer ikke reglerne for de nye forløb bagefter.")

    def handle(self, *args, files, no_flags=False, **options):
        failed = 0
        for path in files:
            try:
                document = read_document(path)
                result = forloeb_import(document=document, file_name=str(path), evaluate_flags=not no_flags)
            except CommandError as exc:
                self.stderr.write(str(exc))
                failed += 1
                continue
            except InterchangeError as exc:
                self.stderr.write(f"{path}: {len(exc.problems)} fejl; intet fra filen er indlæst.")
                for problem in exc.problems:
                    self.stderr.write(f"{path}: {problem.path}: {problem.message}")
                failed += 1
                continue
            rate = result.created / result.seconds * 60 if result.seconds and result.created else 0
            self.stdout.write(
                f"{path}: {result.created} forløb indlæst, {result.unchanged} uændrede "
                f"({result.seconds:.1f} s, {rate:,.0f} forløb/min); {result.flags_raised} advarsler rejst."
            )
        if failed:
            raise CommandError(f"{failed} af {len(files)} filer kunne ikke indlæses.")
