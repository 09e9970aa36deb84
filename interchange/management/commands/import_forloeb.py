"""Import forløb from interchange files: `manage.py import_forloeb FILE [FILE ...]`.

Each file is checked against the schema and the domain rules and then written all or nothing;
a file with any problem writes nothing, and every problem is printed with the file, the JSON
path and what is wrong. Forløb already imported from the same document are left unchanged, so
running the same files again changes nothing. The flags of the new forløb are evaluated last."""

import json
import logging
import math
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from interchange.services import forloeb_import
from interchange.validation import InterchangeError

logger = logging.getLogger(__name__)

# A file larger than this is refused before it is read: parsing JSON takes several times the
# file's size in memory. The demo kommune's 660 forløb are about 10 MB; split a larger export.
MAX_FILE_BYTES = 500 * 1024 * 1024


class BadNumber(ValueError):
    """A number JSON does not allow, with the Danish reason."""


def _no_constant(name: str):
    raise BadNumber(f"{name} er ikke et tal i JSON")


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise BadNumber("et tal er for stort")
    return value


def parse_json(text: str):
    """JSON as the standard allows it: no NaN or Infinity, no number too large for a float.
    Raises ValueError (also for an integer of more than 4,300 digits) or RecursionError (nested
    too deep) for a file that is not such JSON."""
    return json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)


def read_document(path: Path):
    """The file's JSON, or a Danish CommandError saying why it cannot be read."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CommandError(
                f"{path}: filen er for stor ({size / 1024 / 1024:.1f} MB; højst "
                f"{MAX_FILE_BYTES // 1024 // 1024} MB). Del den i flere filer."
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"{path}: filen findes ikke.") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: filen er ikke UTF-8-tekst.") from None
    except OSError as exc:
        raise CommandError(f"{path}: filen kan ikke læses ({exc.strerror}).") from None
    try:
        return parse_json(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path}: ikke gyldig JSON (linje {exc.lineno}, kolonne {exc.colno}: {exc.msg}).") from None
    except RecursionError:
        raise CommandError(f"{path}: ikke gyldig JSON her: lister og objekter er lagt for dybt i hinanden.") from None
    except MemoryError:
        raise CommandError(f"{path}: filen er for stor til at blive læst. Del den i flere filer.") from None
    except BadNumber as exc:
        raise CommandError(f"{path}: ikke gyldig JSON her: {exc}.") from None
    except ValueError:  # an integer of more than 4,300 digits (Python's limit)
        raise CommandError(f"{path}: ikke gyldig JSON her: et tal har for mange cifre.") from None


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
            except Exception as exc:
                # A file the checks let through but the writer could not take: the import ran in
                # one transaction, so nothing was written. No traceback and no exception text
                # (it may quote a value from the file, such as a CPR number); --traceback shows it.
                if options.get("traceback"):
                    raise
                logger.error("import_forloeb: %s from %s", type(exc).__name__, path)
                self.stderr.write(
                    f"{path}: filen kunne ikke indlæses (uventet fejl: {type(exc).__name__}); intet fra filen er "
                    "indlæst. Kør igen med --traceback for detaljer."
                )
                failed += 1
                continue
            rate = result.created / result.seconds * 60 if result.seconds and result.created else 0
            self.stdout.write(
                f"{path}: {result.created} forløb indlæst, {result.unchanged} uændrede "
                f"({result.seconds:.1f} s, {rate:,.0f} forløb/min); {result.flags_raised} advarsler rejst."
            )
        if failed:
            raise CommandError(f"{failed} af {len(files)} filer kunne ikke indlæses.")
