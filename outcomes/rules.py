"""Permissions of outcomes (imported from OutcomesConfig.ready()): whoever may see and change the
forløb may see and record what became of the borger."""

import rules

from cases import rules as case_rules

rules.add_perm("outcomes.view", case_rules.can_view_forloeb)
rules.add_perm("outcomes.edit", case_rules.can_change_forloeb)
