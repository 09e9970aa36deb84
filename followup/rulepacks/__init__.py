"""Date-versioned rule packs, one module each. A flag names the rule, its version and its basis.

Which rules apply is decided per evaluation day (`Rule.in_force_on`) and, inside each rule's
SQL, per forløb (e.g. by the day it started): the 2020 first-six-months rule covers forløb that
started under the 2020 law, § 113, stk. 2 those that started from 2022.
"""

from datetime import date

from cases.rulepacks import FIRST_DAY, rulepack_on
from followup.rulepacks import bedre2022, lab2013, lab2020, reform2026, servicestandard
from followup.rulepacks.base import Pack, Rule

STANDARD = servicestandard.build()
PACKS: tuple[Pack, ...] = (lab2013.PACK, lab2020.PACK, bedre2022.PACK, reform2026.PACK, STANDARD)
RULES: dict[str, Rule] = {rule.id: rule for pack in PACKS for rule in pack.rules}


def rules_in_force(day: date) -> list[Rule]:
    return [rule for rule in RULES.values() if rule.in_force_on(day)]


def packs_for(*, started_on: date | None, day: date) -> list[tuple[Pack, str]]:
    """The packs that govern a forløb on a day, each with why, for the forløb's page."""
    result = []
    legal_now = rulepack_on(day)
    if started_on is not None and started_on >= FIRST_DAY:
        legal_start = rulepack_on(started_on)
        if legal_start.code != legal_now.code:
            result.append((_pack(legal_start.code), "start"))
    result.append((_pack(legal_now.code), "day"))
    result.append((STANDARD, "standard"))
    return result


def _pack(code: str) -> Pack:
    return next(p for p in PACKS if p.code == code)
