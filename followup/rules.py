"""Permissions of followup (imported from FollowupConfig.ready())."""

import rules

from cases import rules as case_rules

rules.add_perm("followup.view", case_rules.can_view_forloeb)
rules.add_perm("followup.edit", case_rules.can_change_forloeb)
