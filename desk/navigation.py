"""The main menu, per role, from one place (the context processor `menu`).

Only entries the user can use: each entry's condition is the same as the page's own check, so no
menu link can lead to a 404 (tests/desk/test_navigation.py opens every entry as every role).
Costs no query: everything is decided from the user row and the rules' predicates."""

import rules
from django.urls import reverse
from django.utils.translation import gettext as _

from cases.models import CASE_ROLES, Role


def sees_forloeb(user) -> bool:
    """Whether `Forloeb.objects.visible_to(user)` can hold anything (Mine forløb, the search)."""
    return user.is_authenticated and (user.is_administrator or user.role in (*CASE_ROLES, Role.TEAM_LEADER))


def is_supervisor(user) -> bool:
    return user.role == Role.TEAM_LEADER or user.is_administrator


def landing_url_name(user) -> str:
    """Where the user starts: a caseworker at Min dag, a team leader and an administrator at their
    overview, a member of the rehabiliteringsteam at the meetings and their packets."""
    if user.role in CASE_ROLES:
        return "followup:min_dag"
    if is_supervisor(user) and user.kommune_id is not None:
        return "supervision:dashboard"
    if user.role == Role.REHAB_MEMBER:
        return "rehab:meeting_list"
    return "desk:my_forloeb"


def menu_entries(user) -> list[tuple[str, str]]:
    """(url name, label) of each entry the user can use, in menu order."""
    entries = []
    if user.role in CASE_ROLES or is_supervisor(user):
        entries.append(("followup:min_dag", _("Min dag")))
    if sees_forloeb(user):
        entries.append(("desk:my_forloeb", _("Mine forløb")))
    entries.append(("rehab:meeting_list", _("Møder i rehabiliteringsteamet")))
    if user.role in (*CASE_ROLES, Role.TEAM_LEADER) or user.is_administrator:  # cases.views.forloeb_create
        entries.append(("cases:forloeb_create", _("Opret forløb")))
    if user.kommune_id is not None:  # supervision.views._context needs the kommune
        if is_supervisor(user):
            entries.append(("supervision:dashboard", _("Ledelsestilsyn")))
        elif user.role in CASE_ROLES:
            entries.append(("supervision:dashboard", _("Mine tal")))
    # The rule, not has_perm: Django's model backend would cost two queries on every page.
    if user.is_superuser or rules.test_rule("interchange.export_evaluation", user):
        entries.append(("interchange:evaluation_export", _("Udtræk")))
    return entries


def menu(request) -> dict:
    """Context processor: `nav_items`, a list of {"label", "url", "current"}, `header_search`
    (whether the header shows the search: only to those who can see forløb) and `is_supervisor`
    (the ledelsestilsyn's own pages: risk register, rounds, BEU 244)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "header_search": False, "is_supervisor": False}
    match = getattr(request, "resolver_match", None)
    here = match.view_name if match else ""
    items = [{"label": label, "url": reverse(name), "current": name == here} for name, label in menu_entries(user)]
    return {"nav_items": items, "header_search": sees_forloeb(user), "is_supervisor": is_supervisor(user)}
