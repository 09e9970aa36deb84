"""What the ledelsestilsyn's report commands (`fokusrevision`, `beu244`) share: reading a day and
the kommune from the command line, and writing the report to stdout or a file. Every failure is
a CommandError in Danish."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from cases.models import Kommune
from followup.management.dates import parse_day


def day(value, option: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return parse_day(value)
    except CommandError as exc:
        raise CommandError(f"{option}: {exc}") from None


def kommune_code(code: str | None) -> str:
    """The kommune named, else the only one in the database."""
    if code:
        return code
    codes = list(Kommune.objects.order_by("code").values_list("code", flat=True)[:6])
    if not codes:
        raise CommandError("Der er ingen kommuner i databasen.")
    if len(codes) > 1:
        shown = ", ".join(codes[:5]) + (", ..." if len(codes) > 5 else "")
        raise CommandError(f"Der er flere kommuner i databasen. Angiv kommunen med --kommune KODE ({shown}).")
    return codes[0]


def write(command: BaseCommand, writer, data, output: str | None, done: str) -> None:
    """The report to stdout, or to the file `output` followed by the line `done`."""
    if not output:
        command.stdout.ending = ""  # the writers end their own lines
        writer(command.stdout, data)
        return
    try:
        with open(output, "w", newline="", encoding="utf-8") as out:
            writer(out, data)
    except OSError as exc:
        raise CommandError(f"Kan ikke skrive til {output}: {exc.strerror}.") from None
    command.stdout.write(done + "\n")
