import pytest

from cases import rules as case_rules

CASES_OWN_GUARDS = {"has_coordinator", "forloeb_started", "is_frikommune", "first_forloeb"}


@pytest.fixture(autouse=True)
def only_the_state_machines_own_guards(monkeypatch):
    """These tests are about the state machine in `cases`; the guards that later apps
    register (forberedende del complete, indstilling recorded, …) are tested there."""
    for name, guards in list(case_rules.GUARDS.items()):
        monkeypatch.setitem(case_rules.GUARDS, name, [g for g in guards if g.code in CASES_OWN_GUARDS])
    monkeypatch.setattr(case_rules, "STEP_URLS", {})
