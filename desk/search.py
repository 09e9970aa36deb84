"""What a search in the header asks for, read from the one text field.

- A CPR number, 10 digits with or without the dash (``010203-1234``): that borger.
- A birth date: 6 digits ``ddmmåå`` (every century), or ``dd.mm.åååå`` (also with ``-`` or ``/``,
  or 8 digits ``ddmmåååå``): the borgere born that day.
- A forløb number: the forløb's id, the number in its address (``/forloeb/123/``), shown in the
  search results as "Id". Written as plain digits (any length but 6, 8 or 10) or as
  ``forløb 123``, ``nr. 123`` or ``#123``. (Not "forløb nr." of a borger's page, which counts the
  borger's own forløb 1, 2, 3 and so names no forløb alone.)
- Otherwise a name: every word must be in the first or the last name (case-insensitive, anywhere in
  the name). Accents are not folded: PostgreSQL's unaccent would need a migration that installs the
  extension; Danish names are mostly written with their own letters (æ, ø, å).

`Criterion.label` is what the access log stores: the kind and a masked value ("CPR 010203-****",
"født 01.02.2003", "forløb 123", "navn: mette hansen"), never a whole CPR number.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import dates

MAX_LENGTH = 100
NAME = "name"
CPR = "cpr"
BIRTH = "birth"  # a whole date
BIRTH_ANY_CENTURY = "birth6"  # ddmmåå
FORLOEB = "forloeb"

HINT = gettext_lazy("Skriv et navn, et CPR-nummer, en fødselsdato (ddmmåå eller dd.mm.åååå) eller et forløbs id.")

_CPR = re.compile(r"^(\d{6})-?(\d{4})$")
_DATE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_FORLOEB = re.compile(r"^(?:forløb|forloeb|nr\.?|id|#)\s*(?:nr\.?|id)?\s*(\d{1,9})$", re.IGNORECASE)
_WORD = re.compile(r"^[^\W\d_]+(?:[-'’.][^\W\d_]+)*\.?$")


@dataclass(frozen=True)
class Criterion:
    kind: str
    value: object  # the words, the compact CPR, the date, (day, month, two-digit year) or the id
    label: str  # masked, for the access log and the page


def _date_or_none(day: int, month: int, year: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse(text: str) -> Criterion:
    """The criterion in `text`, or a ValidationError with a Danish message."""
    text = " ".join((text or "").split())
    if not text:
        raise ValidationError(_("Skriv, hvad du søger efter.") + " " + str(HINT), code="required")
    if len(text) > MAX_LENGTH:
        raise ValidationError(_("Søgningen er for lang (højst %(n)s tegn).") % {"n": MAX_LENGTH}, code="too_long")
    if m := _FORLOEB.match(text):
        return Criterion(FORLOEB, int(m.group(1)), f"forløb {int(m.group(1))}")
    if m := _CPR.match(text):
        digits = m.group(1) + m.group(2)
        if not any(_date_or_none(int(digits[:2]), int(digits[2:4]), c + int(digits[4:6])) for c in (1900, 2000)):
            raise ValidationError(_("CPR-nummerets første seks cifre er ikke en gyldig fødselsdato."), code="bad_cpr")
        return Criterion(CPR, digits, f"CPR {digits[:6]}-****")
    if m := _DATE.match(text) or (re.fullmatch(r"\d{8}", text) and re.match(r"(\d\d)(\d\d)(\d{4})", text)):
        day = _date_or_none(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if day is None:
            if len(text) == 8 and text.isdigit():
                return Criterion(FORLOEB, int(text), f"forløb {int(text)}")
            raise ValidationError(_("%(text)s er ikke en gyldig dato.") % {"text": text}, code="bad_date")
        return Criterion(BIRTH, day, f"født {dates.short(day)}")
    if re.fullmatch(r"\d{6}", text):
        dd, mm, yy = int(text[:2]), int(text[2:4]), int(text[4:])
        if not any(_date_or_none(dd, mm, c + yy) for c in (1900, 2000)):
            raise ValidationError(
                _("%(text)s er ikke en gyldig fødselsdato (ddmmåå).") % {"text": text}, code="bad_date"
            )
        return Criterion(BIRTH_ANY_CENTURY, text, f"født {text[:2]}.{text[2:4]}.{text[4:]}")
    if text.isdigit():
        if len(text) > 9:
            raise ValidationError(str(HINT), code="bad_number")
        return Criterion(FORLOEB, int(text), f"forløb {int(text)}")
    words = text.split(" ")
    if not all(_WORD.match(w) for w in words):
        raise ValidationError(str(HINT), code="bad_name")
    if len(text) < 2:
        raise ValidationError(_("Skriv mindst to bogstaver af navnet."), code="too_short")
    words = [w.casefold() for w in words]
    return Criterion(NAME, tuple(words), "navn: " + " ".join(words)[:MAX_LENGTH])
