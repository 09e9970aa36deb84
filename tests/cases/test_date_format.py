"""One Danish date format everywhere (`cases.dates`): ``3. dec. 2026`` in text, ``03.12.2026`` in
tables. Templates write dates only through the filters of ``{% load dates %}`` (dato, kortdato,
ugedag_dato, dato_tid), Python code only through `cases.dates`. This scan catches the next
``|date:"j. M Y"`` or ``strftime("%d.%m.%Y")`` before a fifth format reaches a page.

Machine formats stay allowed where no person reads them: ISO dates (``isoformat()``) in exports,
file names, URLs' query strings, SQL and ``<time datetime>``/``<input type=date value>``."""

import re
from pathlib import Path

from django.utils.translation import override

from cases import dates

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
APPS = ["cases", "plans", "rehab", "followup", "supervision", "interchange", "desk", "demo", "config"]

# `|date:` in a template: every date people read goes through the `dates` filters; machine dates
# are written `{{ d.isoformat }}`.
TEMPLATE_DATE_FILTER = re.compile(r"\|\s*date\s*:")
# A display date made by hand in Python: strftime with a day or month, or Django's date format.
PY_DISPLAY_DATE = re.compile(r"""strftime\(\s*["'][^"']*%[dbBjemA]|dateformat\.format\(|date_format\(""")


def _template_files():
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in {".html", ".txt", ".svg"})


def _python_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts or path == ROOT / "cases" / "dates.py":
                continue
            yield path


def test_the_formats_are_the_danish_ones():
    from datetime import date, datetime

    with override("da"):
        assert dates.text(date(2026, 12, 3)) == "3. dec. 2026"
        assert dates.short(date(2026, 12, 3)) == "03.12.2026"
        assert dates.with_weekday(date(2026, 12, 3)) == "torsdag 3. dec. 2026"
        assert dates.with_time(datetime(2026, 12, 3, 10, 14)) == "3. dec. 2026 kl. 10:14"


def test_no_template_formats_a_date_itself():
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()[:120]}"
        for path in _template_files()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if TEMPLATE_DATE_FILTER.search(line)
    ]
    assert not offenders, "Use {% load dates %} and |dato (text) or |kortdato (tables):\n" + "\n".join(offenders)


def test_no_app_code_formats_a_display_date_itself():
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()[:120]}"
        for path in _python_files()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PY_DISPLAY_DATE.search(line) and "noqa: date-format" not in line
    ]
    assert not offenders, "Use cases.dates.text/short/with_weekday/with_time:\n" + "\n".join(offenders)


def test_the_scan_catches_what_it_is_for():
    assert TEMPLATE_DATE_FILTER.search('{{ d|date:"j. M Y" }}')
    assert PY_DISPLAY_DATE.search('on.strftime("%d.%m.%Y")')
    assert not PY_DISPLAY_DATE.search('slot.strftime("%H:%M")')
    assert not PY_DISPLAY_DATE.search("today.isoformat()")
