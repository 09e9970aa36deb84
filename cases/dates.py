"""The one way the app writes a date for people to read (Danish).

- in running text and headings: ``3. dec. 2026`` (`text`), with the weekday where it helps
  (``torsdag 3. dec. 2026``, `with_weekday`), a time as ``3. dec. 2026 kl. 10:14`` (`with_time`);
- in table cells, CSV exports, PDFs' tables and messages that name a date as data: ``03.12.2026``
  (`short`).

Templates use the filters of `cases.templatetags.dates` (``{{ d|dato }}``, ``{{ d|kortdato }}``,
``{{ d|dato_tid }}``, ``{{ d|ugedag_dato }}``), Python code these functions; a test scans the templates
and the code for any other date format. Month abbreviations are Django's own Danish ones (format
character ``N``).
"""

from datetime import date, datetime

from django.utils import timezone
from django.utils.dateformat import format as django_format

TEXT = "j. N Y"
SHORT = "d.m.Y"
WEEKDAY = "l j. N Y"
TIME = "H:i"


def _value(value: date | datetime) -> date | datetime:
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def text(value: date | datetime | None) -> str:
    """``3. dec. 2026``"""
    return django_format(_value(value), TEXT) if value else ""


def short(value: date | datetime | None) -> str:
    """``03.12.2026``"""
    return django_format(_value(value), SHORT) if value else ""


def with_weekday(value: date | datetime | None) -> str:
    """``torsdag 3. dec. 2026``"""
    return django_format(_value(value), WEEKDAY) if value else ""


def with_weekday_and_time(value: datetime | None) -> str:
    """``torsdag 3. dec. 2026 kl. 10:14`` (local time)."""
    if not value:
        return ""
    value = _value(value)
    return f"{django_format(value, WEEKDAY)} kl. {django_format(value, TIME)}"


def with_time(value: datetime | None) -> str:
    """``3. dec. 2026 kl. 10:14`` (local time)."""
    if not value:
        return ""
    value = _value(value)
    return f"{django_format(value, TEXT)} kl. {django_format(value, TIME)}"
