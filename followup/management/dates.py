"""The date argument of followup's commands, with a Danish message for a bad one."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from cases.forms import validate_date_range


def parse_day(value: str) -> date:
    """An ÅÅÅÅ-MM-DD argument within the range every form accepts (cases.forms.validate_date_range)."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Ugyldig dato: {value!r}. Skriv den som ÅÅÅÅ-MM-DD, fx 2020-03-01.") from None
    try:
        validate_date_range(day)
    except ValidationError as exc:
        raise CommandError(f"Ugyldig dato: {value!r}. {' '.join(exc.messages)}") from None
    return day
