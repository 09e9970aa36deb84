"""The date argument of followup's commands, with a Danish message for a bad one."""

from datetime import date

from django.core.management.base import CommandError


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Ugyldig dato: {value!r}. Skriv den som ÅÅÅÅ-MM-DD, fx 2020-03-01.") from None
