"""Permissions of the evaluation exports (found by rules' autodiscovery at start-up)."""

import rules

from cases import rules as case_rules
from cases.models import Role


@rules.predicate
def is_team_leader(user) -> bool:
    return user.is_authenticated and user.role == Role.TEAM_LEADER


# Statistics for the teams one leads, or the kommune one administers (R-000-13). Also a rule, so
# the menu can test it without asking Django's model backend (two queries on every page).
can_export_evaluation = is_team_leader | case_rules.has_administrator_role
rules.add_perm("interchange.export_evaluation", can_export_evaluation)
rules.add_rule("interchange.export_evaluation", can_export_evaluation)
# The administrative mode, with CPR numbers instead of person keys.
rules.add_perm("interchange.export_with_cpr", case_rules.has_administrator_role)
