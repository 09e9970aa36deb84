"""Fictitious CPR numbers for demo and test data.

Real CPR numbers pass modulus 11 for most people born before 2007. We generate numbers
that are valid in form and date (so `stdnum.dk.cpr` accepts them) but deliberately
*fail* modulus 11, which makes them recognisably fictitious.
"""

import random
from datetime import date

from stdnum.dk import cpr as stdnum_cpr

WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


def _mod11_ok(digits: str) -> bool:
    return sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True)) % 11 == 0


def century_digit(birth: date, rng: random.Random) -> int:
    """A 7th digit that, with the two-digit year, gives back the birth year (stdnum's rules)."""
    yy = birth.year % 100
    if 1900 <= birth.year <= 1999:
        options = [0, 1, 2, 3] + ([4, 9] if yy >= 37 else []) + ([5, 6, 7, 8] if yy >= 58 else [])
    elif 2000 <= birth.year <= 2036:
        options = [4, 9] if birth.year <= 2036 else []
        options += [5, 6, 7, 8] if yy <= 57 else []
    else:
        raise ValueError("Birth year outside 1900-2036")
    return rng.choice(options)


def fictitious_cpr(birth: date, rng: random.Random | None = None, *, female: bool | None = None) -> str:
    rng = rng or random.Random()
    while True:
        first = century_digit(birth, rng)
        middle = rng.randrange(0, 100)
        last = rng.randrange(0, 10)
        if female is not None and (last % 2 == 0) != female:
            last = (last + 1) % 10
        value = f"{birth:%d%m%y}{first}{middle:02d}{last}"
        if not _mod11_ok(value) and stdnum_cpr.get_birth_date(value) == birth:
            return value
