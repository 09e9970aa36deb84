"""Collecting a service's Danish validation errors by field, then raising them together,
so a form shows every problem at once and nothing is written. Used by every app's services."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cases import clock

Errors = dict[str, list[str]]


def add_error(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def raise_if(errors: Errors) -> None:
    errors = {k: v for k, v in errors.items() if v}
    if errors:
        raise ValidationError(errors)


def not_in_future(errors: Errors, **dates: date | None) -> None:
    today = clock.today()
    for field, value in dates.items():
        if value and value > today:
            add_error(errors, field, _("Datoen kan ikke ligge i fremtiden."))
