"""No lost updates (cases.concurrency): the coordinator assignment from a stale page, and the
class test that makes the next edit view choose how it stops a lost update."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cases.concurrency import EditTokenMixin
from cases.forms import AssignCoordinatorForm
from cases.models import Forloeb
from outcomes.forms import EarlyEndReasonForm, ExitStatusForm, ResultForm, SanctionEditForm
from plans.forms.plan import InterventionMoveForm, PlanForm
from rehab.forms.meetings import AttendanceForm
from rehab.forms.preparatory import PreparatoryPartForm
from supervision.review_forms import ReviewAnswerForm
from supervision.tilsyn_forms import RoundDrawForm
from tests.conftest import login
from tests.edit_forms import page_token
from tests.factories import UserFactory

STALE = "En anden har gemt ændringer, efter du åbnede siden."


def test_a_coordinator_chosen_on_a_stale_page_is_refused(client, forloeb, caseworker, teammate, team):
    third = UserFactory(username="tredje", first_name="Tove", last_name="Dam", teams=[team])
    page = reverse("cases:forloeb_detail", args=[forloeb.pk])
    address = reverse("cases:forloeb_assign_coordinator", args=[forloeb.pk])
    colleague = login(Client(), teammate)
    login(client, caseworker)
    mine = page_token(client, page, address)
    theirs = page_token(colleague, page, address)
    today = forloeb.opened_on.isoformat()
    assert (
        colleague.post(address, {"coordinator": teammate.pk, "valid_from": today, "edit_token": theirs}).status_code
        == 302
    )

    response = client.post(address, {"coordinator": third.pk, "valid_from": today, "edit_token": mine})
    body = response.content.decode()
    assert response.status_code == 400
    assert STALE in body and f"Koordinerende sagsbehandler: {teammate.get_full_name()}" in body
    assert Forloeb.objects.get(pk=forloeb.pk).current_coordinator == teammate
    assert forloeb.coordinator_assignments.count() == 2


# --- The class: every view that accepts a POST says how it prevents a lost update ----------------

TOKEN = "edit token (cases.concurrency)"
SET_ONCE = "set once: refuses to overwrite or clear what is set"
CREATES = "creates a new row (append-only) or deletes one; nothing is overwritten"
PHASE = "phase transition: refuses a stale phase (expected_phase) under a row lock"
READS = "reads only: POST keeps the query (a CPR number) out of the address; writes only the access log"

# Add each new POST view here. An edit of an existing record needs the edit token (the form
# subclasses EditTokenMixin, its service calls check_unchanged) or a set-once rule.
POST_VIEWS = {
    "cases:forloeb_create": (CREATES, None),
    "cases:forloeb_transition": (PHASE, None),
    "cases:forloeb_assign_coordinator": (TOKEN, AssignCoordinatorForm),
    "rehab:preparatory_edit": (TOKEN, PreparatoryPartForm),
    "rehab:goal_add": (CREATES, None),
    "rehab:goal_remove": (CREATES, None),
    "rehab:health_add": (CREATES, None),
    "rehab:health_received": (SET_ONCE, None),  # rehab.services.health_document_mark_received
    "rehab:meeting_create": (CREATES, None),
    "rehab:agenda_add": (CREATES, None),
    "rehab:attendance": (TOKEN, AttendanceForm),
    "rehab:recommendation_create": (PHASE, None),  # creates the indstilling and moves the phase
    "rehab:recommendation_sent": (SET_ONCE, None),  # rehab.services.recommendation_mark_sent
    "rehab:decision_create": (PHASE, None),  # creates the afgørelse and moves the phase
    "plans:plan_start": (CREATES, None),  # refuses when a plan exists
    "plans:plan_update": (TOKEN, PlanForm),
    "plans:milestone_add": (CREATES, None),
    "plans:milestone_remove": (CREATES, None),
    "plans:goal_add": (CREATES, None),
    "plans:goal_remove": (CREATES, None),
    "plans:plan_complete": (SET_ONCE, None),  # a completed version is frozen (plans.services._draft)
    "plans:plan_revise": (CREATES, None),  # a new version; refused while a draft exists
    "plans:intervention_add": (CREATES, None),
    "plans:intervention_move": (TOKEN, InterventionMoveForm),
    "plans:consent_add": (CREATES, None),
    "plans:consent_withdraw": (SET_ONCE, None),  # "Samtykket er allerede trukket tilbage."
    "plans:other_case_add": (CREATES, None),
    "plans:coordination_note_add": (CREATES, None),
    "plans:problem_area_add": (CREATES, None),
    "plans:progress_record": (CREATES, None),  # progression is a new row per measurement
    "followup:followup_add": (CREATES, None),
    "followup:flag_acknowledge": (SET_ONCE, None),  # "Advarslen er allerede kvitteret for."
    "followup:flag_snooze": (CREATES, None),  # a new FlagSnooze row under the flag's row lock; the latest counts
    "outcomes:exit_status_record": (TOKEN, ExitStatusForm),  # the token of a status not yet recorded too
    "outcomes:result_update": (TOKEN, ResultForm),
    "outcomes:early_end_reason": (TOKEN, EarlyEndReasonForm),
    "outcomes:sanction_add": (CREATES, None),
    "outcomes:sanction_update": (TOKEN, SanctionEditForm),
    "supervision:review": (TOKEN, ReviewAnswerForm),  # each point's answer; "Start gennemgang" creates
    "supervision:finding_action": (CREATES, None),  # one action per finding: refused when it has one
    "supervision:action_reply": (SET_ONCE, None),  # "Opfølgningen er allerede lukket."
    "supervision:risk_create": (CREATES, None),
    # A revision writes a new RiskVersion; refused when the form's version number is not the latest.
    "supervision:risk_detail": (CREATES, None),
    "supervision:risk_retire": (SET_ONCE, None),  # "Risikoen er allerede udgået."
    "supervision:round_create": (CREATES, None),
    "supervision:round_draw": (TOKEN, RoundDrawForm),  # replaces the sample only as the page showed it
    "supervision:round_close": (SET_ONCE, None),  # "Runden er allerede afsluttet."; risk revisions by version
    "desk:search": (READS, None),
}


def _app_patterns(resolvers=None, namespace=""):
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            yield from _app_patterns(entry.url_patterns, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.name and namespace:
            yield f"{namespace}:{entry.name}", entry.pattern.converters


def _accepts_post(client, name: str, converters) -> bool:
    """Views restricted to GET answer 405 before the login check; the others send to the login."""
    args = {key: 1 if conv.regex == "[0-9]+" else "plan" for key, conv in converters.items()}
    return client.post(reverse(name, kwargs=args)).status_code != 405


@pytest.mark.django_db
def test_every_view_that_accepts_a_post_says_how_it_prevents_a_lost_update():
    client = Client()
    posting = {name for name, converters in _app_patterns() if _accepts_post(client, name, converters)}
    assert posting, "no POST views found: the URL walk is broken"
    unclassified = posting - POST_VIEWS.keys()
    assert not unclassified, f"classify these POST views in POST_VIEWS (edit token, set once, ...): {unclassified}"
    assert not POST_VIEWS.keys() - posting, f"no longer accept POST: {POST_VIEWS.keys() - posting}"


@pytest.mark.parametrize("name", [n for n, (how, _form) in POST_VIEWS.items() if how == TOKEN])
def test_each_edit_form_carries_the_edit_token(name):
    form_class = POST_VIEWS[name][1]
    assert issubclass(form_class, EditTokenMixin)
    assert form_class.__mro__.index(EditTokenMixin) == 1, "EditTokenMixin must come first in the bases"
