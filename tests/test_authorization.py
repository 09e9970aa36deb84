"""Who may open what: every URL pattern of the project × every persona × GET/htmx/POST.

The cases are generated from the URL configuration (`get_resolver()`, recursively: every app,
the admin's changelists and change pages of every registered model, htmx variants, exports), so
a new URL pattern is covered without editing this file; a URL keyword this file cannot fill in
fails with a message saying which pattern and keyword to add to KWARG_VALUES.

One world, built once for the module and rolled back at the end: kommune A with team 1 (the
forløb under test, in iværksættelse, with a row of every kind: forberedende del, goals, health
document, agenda item, indstilling, afgørelse, plan version, delmål, indsatser, consent, other
case, coordination note, problem area, progression, samtale, flag) and team 2, plus kommune B.

Expected: anonymous is sent to a login page (or 405 for a method the view never takes); the
caseworker of team 1 (and, for the meeting pages and packet, the rehab member with the forløb on
an agenda within the window) is let in; everyone else gets 404 (or 405 for a method the view
never takes) and writes nothing. A POST is measured with PostgreSQL's per-transaction row
counters (`pg_stat_xact_user_tables`: rows inserted, updated or deleted in every table but the
session table) and rolled back, like every request here.
"""

import datetime as dt
import inspect
import re
from dataclasses import dataclass
from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cases import clock
from cases import services as case_services
from cases.models import Forloeb, Role, Sector
from followup.models import EvaluationRun, FollowUpMeeting, RuleSettings
from interchange.models import ExportLog, ImportRecord
from outcomes.models import ExitStatus, ForloebResult, Sanction, SanctionReason, SanctionType
from plans import services as plan_services
from plans.models import ActionPlan, Consent, Milestone
from rehab.models import AgendaItem, Goal, HealthDocument, Recommendation, TeamMeeting
from supervision.models import (
    Answer,
    ControlKind,
    PointKind,
    Review,
    ReviewAnswer,
    Risk,
    RiskResponse,
    RiskVersion,
    RoundRisk,
    SampleItem,
    TilsynAction,
    TilsynRound,
)
from tests.conftest import FORLOEB_OPENED_ON
from tests.factories import (
    BorgerFactory,
    FlagFactory,
    ForloebFactory,
    KommuneFactory,
    RehabMembershipFactory,
    RehabTeamFactory,
    TeamFactory,
    UserFactory,
)
from tests.plans.conftest import grant_forloeb
from tests.plans.test_min_plan import complete_plan

SECRET_NAME = "Hemmeligsen"  # the borger of the forløb under test; no one else may see it
PERSONAS = (
    "anonymous",
    "caseworker",  # the koordinerende sagsbehandler of team 1 (allowed)
    "caseworker_team2",
    "leader_team2",
    "rehab_member",  # on the rehab team that has the forløb on a meeting 3 days ago
    "rehab_member_late",  # the same member when that meeting is 90 days old
    "rehab_other",  # a member of another rehab team of kommune A
    "admin_kommune_b",  # a staff administrator of kommune B
)
REHAB_ON_AGENDA = {"caseworker", "rehab_member"}
# Who besides the caseworker of team 1 may open a pattern that names an object of the world.
ALLOWED = {
    "rehab:forloeb_rehab": REHAB_ON_AGENDA,
    "rehab:packet": REHAB_ON_AGENDA,
    "rehab:packet_pdf": REHAB_ON_AGENDA,
    "rehab:attendance": REHAB_ON_AGENDA,
    "rehab:recommendation_create": REHAB_ON_AGENDA,
    "rehab:recommendation_sent": REHAB_ON_AGENDA,
    # A meeting is the kommune's: its caseworkers and team leaders plan the agenda.
    "rehab:meeting_detail": REHAB_ON_AGENDA | {"caseworker_team2", "leader_team2"},
    # The case reviews and the round's report: team 1's leader only (not a persona); the action
    # a finding asks of the forløb's caseworker is answered by that caseworker.
    "supervision:review": set(),
    "supervision:finding_action": set(),
    "supervision:action_reply": {"caseworker"},
    "supervision:round_report": set(),
    "supervision:round_report_pdf": set(),
    "supervision:round_report_csv": set(),
    "supervision:round_report_json": set(),
    # The risk register and the tilsyn rounds: team 1's leader only (not a persona).
    "supervision:risk_detail": set(),
    "supervision:risk_retire": set(),
    "supervision:round_detail": set(),
    "supervision:round_draw": set(),
    "supervision:round_redraw_check": set(),
    "supervision:round_close": set(),
    "supervision:round_sample_json": set(),
    # The BEU 244 report: figures only, for those who supervise (a leader their teams).
    "supervision:beu244": set(),
    "supervision:beu244_pdf": set(),
    "supervision:beu244_csv": set(),
    "supervision:beu244_json": set(),
}
DEFAULT_ALLOWED = {"caseworker"}
# Pages without an object that show the forløb under test to whom (lists, worklists, meetings).
MAY_SHOW_THE_FORLOEB = {
    "desk:my_forloeb": {"caseworker"},
    "followup:min_dag": {"caseworker"},
    "followup:flag_list": {"caseworker"},
    "rehab:meeting_list": REHAB_ON_AGENDA | {"caseworker_team2", "leader_team2"},
    "supervision:forloeb_list": {"caseworker"},  # the forløb behind a figure: the caseworker's own
}
# Pages anyone may open.
PUBLIC = {"login", "logout", "admin:login", "admin:logout"}
# Django's admin answers 403 to any autocomplete request it cannot serve (no model here uses
# autocomplete fields), whoever asks: it reveals nothing.
ADMIN_AUTOCOMPLETE = "admin:autocomplete"
# Exports and other variants reached through the query string.
QUERY_VARIANTS = {
    "followup:flag_list": ["?format=csv", "?format=json", "?vis=alle&format=csv"],
    "followup:min_dag": ["?sagsbehandler={ks1}"],  # a team leader's view of a caseworker's Min dag
    "interchange:evaluation_export": [
        "?udtraek=e1&format=csv&pseudonymiseret=on",
        "?udtraek=e2&format=xlsx&pseudonymiseret=on",
        "?udtraek=e4&format=csv",
    ],
    "desk:my_forloeb": ["?scope=team", "?scope=team&sorter=advarsler", "?sorter=-samtale"],
    # The ledelsestilsyn; {team1} is the team of the forløb under test (another team for leader_team2),
    # {ks1} its koordinerende sagsbehandler.
    "supervision:dashboard": ["?team={team1}"],
    "supervision:compare": ["?punkt=A/past_max_duration", "?punkt=A/past_max_duration&team={team1}"],
    "supervision:forloeb_list": [
        "?punkt=A/past_max_duration&del=naevner",
        "?punkt=A/past_max_duration&del=naevner&team={team1}",
        "?advarsel=TEST_RULE",
        "?alder=%3C%3D30d&team={team1}",
        "?sagsbyrde={ks1}",  # the caseload of the forløb's koordinerende sagsbehandler
    ],
    "supervision:fokusrevision": ["?team={team1}"],
    "supervision:fokusrevision_json": ["?team={team1}"],
    "supervision:fokusrevision_csv": ["?team={team1}"],
    "supervision:beu244": ["?team={team1}"],
    "supervision:beu244_csv": ["?team={team1}"],
    "supervision:beu244_json": ["?team={team1}"],
}
# What a form must carry for the view to reach its permission check at all.
POST_DATA = {
    "plans:consent_withdraw": lambda w: {"forloeb": w["forloeb"].pk},
}


# --- the URL patterns ------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    name: str  # namespaced url name, e.g. "plans:situation"
    route: str
    kwargs: tuple[str, ...]
    model_admin: object | None  # for the admin's per-model patterns
    serves_htmx: bool  # the view answers htmx requests with a partial

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin:")


def _walk(resolvers, prefix="", namespace=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            name = f"{namespace}{entry.name}" if entry.name else f"{namespace}<unnamed {route}>"
            kwargs = tuple(entry.pattern.regex.groupindex)
            model_admin = getattr(entry.callback, "model_admin", None) or _admin_of_route(route)
            yield Pattern(name, route, kwargs, model_admin, _serves_htmx(entry.callback))


def _admin_of_route(route: str):
    """The ModelAdmin whose pages live under the route (for its unnamed `<id>/` redirect)."""
    for model, model_admin in admin.site._registry.items():
        if route.startswith(f"admin/{model._meta.app_label}/{model._meta.model_name}/"):
            return model_admin
    return None


def _serves_htmx(view) -> bool:
    """Whether the view's code looks at htmx (its module asks `request.htmx`)."""
    view = inspect.unwrap(view)
    try:
        return "request.htmx" in inspect.getsource(view)
    except (OSError, TypeError):
        return False


PATTERNS = sorted(_walk(get_resolver().url_patterns), key=lambda p: p.name)

# Every test here is a database test: pytest-django then runs them with the other database tests,
# before the transactional ones (live server, Celery), whose flush would empty the reference data that
# the data migrations load (the indsats catalogue). Each test runs in a savepoint inside the world's
# module transaction.
pytestmark = pytest.mark.django_db


# --- the world -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _build_world() -> dict:
    kommune_a = KommuneFactory(code="801", name="Kommune A")
    kommune_b = KommuneFactory(code="802", name="Kommune B")
    team1 = TeamFactory(kommune=kommune_a, name="Team 1")
    team2 = TeamFactory(kommune=kommune_a, name="Team 2")
    team_b = TeamFactory(kommune=kommune_b, name="Team B")
    caseworker = UserFactory(username="az-caseworker", kommune=kommune_a, teams=[team1])
    users = {
        "caseworker": caseworker,
        "caseworker_team2": UserFactory(username="az-caseworker2", kommune=kommune_a, teams=[team2]),
        "leader_team2": UserFactory(username="az-leader2", role=Role.TEAM_LEADER, kommune=kommune_a, teams=[team2]),
        "admin_kommune_b": UserFactory(
            username="az-admin-b", role=Role.ADMINISTRATOR, kommune=kommune_b, is_staff=True, teams=[team_b]
        ),
    }
    rehab_team = RehabTeamFactory(kommune=kommune_a, name="Rehabiliteringsteam A")
    member = RehabMembershipFactory(
        rehab_team=rehab_team,
        user=UserFactory(
            username="az-rehab", role=Role.REHAB_MEMBER, sector=Sector.MUNICIPAL_HEALTH, kommune=kommune_a
        ),
    ).user
    users["rehab_member"] = users["rehab_member_late"] = member
    other_rehab = RehabTeamFactory(kommune=kommune_a, name="Rehabiliteringsteam A2")
    users["rehab_other"] = RehabMembershipFactory(
        rehab_team=other_rehab,
        user=UserFactory(username="az-rehab2", role=Role.REHAB_MEMBER, sector=Sector.SOCIAL, kommune=kommune_a),
    ).user

    forloeb = ForloebFactory(
        team=team1,
        borger=BorgerFactory(first_name="Zelmira", last_name=SECRET_NAME),
        opened_on=FORLOEB_OPENED_ON,  # before the 2026 reform, so it can be granted
    )
    case_services.forloeb_assign_coordinator(
        forloeb=forloeb, coordinator=caseworker, valid_from=forloeb.opened_on, actor=caseworker
    )
    forloeb.refresh_from_db()
    forloeb = grant_forloeb(forloeb, caseworker, rehab_team)
    plan = complete_plan(forloeb, caseworker)
    forloeb.refresh_from_db()
    today = clock.today()
    consent = plan_services.consent_add(
        forloeb=forloeb,
        recipient="Egen læge",
        scope="Helbredsoplysninger",
        given_on=today,
        expires_on=None,
        actor=caseworker,
    )
    plan_services.other_case_add(
        forloeb=forloeb, kind="sygedagpenge", source="Borgeren", note="", consent=None, actor=caseworker
    )
    plan_services.coordination_note_add(
        forloeb=forloeb, written_on=today, forvaltning="social", note="Aftalt møde med bostøtten.", actor=caseworker
    )
    plan_services.problem_area_add(
        forloeb=forloeb, kind="helbred", source="Borgeren", recorded_on=today, actor=caseworker
    )
    milestone = Milestone.objects.filter(plan=plan).first()
    plan_services.progress_record(milestone=milestone, recorded_on=today, score=3, note="Bedre", actor=caseworker)
    FollowUpMeeting.objects.create(
        forloeb=forloeb,
        held_on=today - dt.timedelta(days=2),
        next_on=today + dt.timedelta(weeks=8),
        held_by=caseworker,
        created_by=caseworker,
    )
    flag = FlagFactory(forloeb=forloeb)
    EvaluationRun.objects.create(as_of=today, started_at=clock.now())
    Group.objects.create(name="Testgruppe")
    item = AgendaItem.objects.get(forloeb=forloeb)
    RuleSettings.objects.create(kommune=kommune_a)
    ImportRecord.objects.create(forloeb=forloeb, digest="0" * 64, schema_version="1.0", file_name="a.json")
    ExportLog.objects.create(user=caseworker, kind="e1", file_format="csv", pseudonymised=True, via="web")
    tilsyn = _tilsyn_world(kommune_a, team1, forloeb, caseworker)
    sanction = Sanction.objects.create(
        forloeb=forloeb,
        imposed_on=today,
        kind=SanctionType.FRADRAG,
        reason=SanctionReason.NOT_TAKEN_PART,
        recorded_by=caseworker,
        recorded_at=clock.now(),
    )
    # The admin's pages of the other outcome records (the forløb is open: rows as the services would not write them).
    ExitStatus.objects.create(forloeb=forloeb, point="1m", code="FP", recorded_by=caseworker, recorded_at=clock.now())
    ForloebResult.objects.create(forloeb=forloeb, updated_by=caseworker, updated_at=clock.now())
    clients, sessions = {"anonymous": Client()}, {}
    for persona, user in users.items():
        clients[persona] = Client()
        clients[persona].force_login(user)
        sessions[persona] = clients[persona].cookies[settings.SESSION_COOKIE_NAME].value
    return {
        "clients": clients,
        "sessions": sessions,
        "users": users,
        "kommune_a": kommune_a,
        "forloeb": forloeb,
        "meeting": item.meeting,
        "agenda_item": item,
        "recommendation": Recommendation.objects.get(forloeb=forloeb),
        "rehab_goal": Goal.objects.filter(forloeb=forloeb, content_type__model="preparatorypart").first(),
        "plan_goal": Goal.objects.filter(forloeb=forloeb, content_type__model="actionplan").first(),
        "health_document": HealthDocument.objects.filter(forloeb=forloeb).first(),
        "plan": plan,
        "milestone": milestone,
        "intervention": forloeb.interventions.order_by("id").first(),
        "consent": consent,
        "flag": flag,
        "sanction": sanction,
        **tilsyn,
    }


def _tilsyn_world(kommune, team, forloeb, caseworker) -> dict:
    """Team 1's leader's risk, a round with the forløb under test in its sample, its review with a
    finding, and the action that asks the forløb's caseworker to follow up."""
    leader = UserFactory(username="az-leader1", role=Role.TEAM_LEADER, kommune=kommune, teams=[team])
    now = clock.now()
    risk = Risk.objects.create(kommune=kommune, team=team, created_by=leader, created_at=now)
    version = RiskVersion.objects.create(
        risk=risk,
        number=1,
        title="Samtaler holdes ikke",
        likelihood=3,
        consequence=4,
        response=RiskResponse.CONTROL,
        control_kind=ControlKind.CASE_REVIEW,
        owner=leader,
        review_on=clock.today() + dt.timedelta(days=365),
        written_by=leader,
        written_at=now,
    )
    tilsyn_round = TilsynRound.objects.create(
        kommune=kommune,
        team=team,
        title="Runde 1",
        purpose="Opfølgning",
        period_from=clock.today() - dt.timedelta(days=90),
        period_to=clock.today(),
        started_by=leader,
        started_at=now,
    )
    RoundRisk.objects.create(round=tilsyn_round, risk_version=version)
    item = SampleItem.objects.create(round=tilsyn_round, forloeb=forloeb, position=1, coordinator=caseworker)
    review = Review.objects.create(item=item, reviewer=leader, started_at=now)
    answer = ReviewAnswer.objects.create(
        review=review, point="Q_GOALS", kind=PointKind.QUALITY, label="Konkrete mål", answer=Answer.FINDING
    )
    action = TilsynAction.objects.create(
        finding=answer,
        forloeb=forloeb,
        assignee=caseworker,
        text="Sæt konkrete mål",
        due_on=clock.today() + dt.timedelta(days=14),
        created_by=leader,
        created_at=now,
    )
    return {"risk": risk, "tilsyn_round": tilsyn_round, "sample_item": item, "review_answer": answer, "action": action}


def _pk(obj):
    assert obj is not None, "the test world lacks this object; build it in _build_world()"
    return obj.pk


def _admin_object(world, model_admin):
    """A row of the admin's model in kommune A (or, for shared data, any row)."""
    model = model_admin.model
    if model is Forloeb or model_admin.kommune_field is None:
        qs = model._default_manager.all()
    else:
        qs = model._default_manager.filter(**{model_admin.kommune_field: world["kommune_a"].pk})
    if model is type(world["users"]["caseworker"]):
        qs = qs.filter(pk=world["users"]["caseworker"].pk)
    return _pk(qs.order_by("pk").first())


# (url name, keyword) first, then the keyword alone.
KWARG_VALUES = {
    ("rehab:meeting_detail", "pk"): lambda w, p: w["meeting"].pk,
    ("rehab:goal_remove", "goal_pk"): lambda w, p: _pk(w["rehab_goal"]),
    ("plans:goal_remove", "goal_pk"): lambda w, p: _pk(w["plan_goal"] or w["rehab_goal"]),
    ("cases:borger_detail", "pk"): lambda w, p: w["forloeb"].borger_id,
    # `pk` names a forløb only in routes under forloeb/; any other `pk` must be mapped above.
    "pk": lambda w, p: w["forloeb"].pk if p.route.startswith("forloeb/<int:pk>") else None,
    "transition": lambda w, p: "close",
    "doc_pk": lambda w, p: _pk(w["health_document"]),
    "item_pk": lambda w, p: w["agenda_item"].pk,
    "rec_pk": lambda w, p: w["recommendation"].pk,
    "milestone_pk": lambda w, p: w["milestone"].pk,
    "version": lambda w, p: w["plan"].version,
    "ipk": lambda w, p: w["intervention"].pk,
    # Outcomes and the tilsyn cycle (issue 14).
    "sanction_pk": lambda w, p: w["sanction"].pk,
    "point": lambda w, p: "1m",  # the forsørgelsesstatus one month after the end
    "risk_pk": lambda w, p: w["risk"].pk,
    "round_pk": lambda w, p: w["tilsyn_round"].pk,
    "sample_pk": lambda w, p: w["sample_item"].pk,
    "answer_pk": lambda w, p: w["review_answer"].pk,
    "action_pk": lambda w, p: w["action"].pk,
    "action": lambda w, p: "start",
    "consent_pk": lambda w, p: w["consent"].pk,
    "flag_pk": lambda w, p: w["flag"].pk,
    # the admin
    ("admin:view_on_site", "object_id"): lambda w, p: w["forloeb"].pk,
    ("admin:auth_user_password_change", "id"): lambda w, p: w["users"]["caseworker"].pk,
    "url": lambda w, p: "ukendt/side/",  # the admin's catch-all
    "object_id": lambda w, p: _admin_object(w, p.model_admin),
    "app_label": lambda w, p: "cases",
    "content_type_id": lambda w, p: ContentType.objects.get_for_model(Forloeb).pk,
}


def _url(world, pattern: Pattern) -> str:
    kwargs = {}
    for kwarg in pattern.kwargs:
        fill = KWARG_VALUES.get((pattern.name, kwarg)) or KWARG_VALUES.get(kwarg)
        value = fill(world, pattern) if fill is not None else None
        if value is None:
            pytest.fail(
                f"URL pattern {pattern.name} ({pattern.route}) has the keyword {kwarg!r}, which "
                f"tests/test_authorization.py cannot fill in: add it to KWARG_VALUES."
            )
        kwargs[kwarg] = value
    if "<unnamed" not in pattern.name:
        return reverse(pattern.name, kwargs=kwargs)
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), pattern.route)
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), route)
    return "/" + route.replace("^", "").replace("$", "")


# --- the cases -------------------------------------------------------------------------------


def _cases():
    for pattern in PATTERNS:
        variants = [("GET", ""), ("POST", "")]
        if pattern.serves_htmx:
            variants.append(("GET-htmx", ""))
        variants += [("GET", query) for query in QUERY_VARIANTS.get(pattern.name, [])]
        for persona in PERSONAS:
            for method, query in variants:
                yield pytest.param(pattern, persona, method, query, id=f"{pattern.name}{query}-{persona}-{method}")


def _writes() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables"
            " WHERE relname <> 'django_session'"
        )
        return int(cursor.fetchone()[0])


def _request(world, pattern, persona, method, query):
    url = _url(world, pattern) + query.format(
        team1=world["forloeb"].team_id, ks1=world["forloeb"].current_coordinator_id
    )
    client = world["clients"][persona]
    # A request may have changed the client's cookies (logout, messages): start from the login.
    client.cookies = SimpleCookie()
    if persona in world["sessions"]:
        client.cookies[settings.SESSION_COOKIE_NAME] = world["sessions"][persona]
    with transaction.atomic():
        if persona == "rehab_member_late":
            TeamMeeting.objects.filter(pk=world["meeting"].pk).update(starts_at=clock.now() - dt.timedelta(days=90))
        before = _writes()
        headers = {"HTTP_HX_REQUEST": "true"} if method == "GET-htmx" else {}
        if method == "POST":
            response = client.post(url, POST_DATA.get(pattern.name, lambda w: {})(world), **headers)
        else:
            response = client.get(url, **headers)
        written = _writes() - before
        transaction.set_rollback(True)
    return url, response, written


def _is_login_redirect(response, *, admin_login: bool) -> bool:
    login_url = reverse("admin:login") if admin_login else reverse("login")
    return response.status_code == 302 and response["Location"].startswith(login_url)


@pytest.mark.parametrize(("pattern", "persona", "method", "query"), list(_cases()))
def test_every_url_answers_each_persona_as_the_rules_say(world, pattern, persona, method, query):
    url, response, written = _request(world, pattern, persona, method, query)
    status = response.status_code
    where = f"{method} {url} as {persona}: {status}"
    assert status < 500, where
    if pattern.name in PUBLIC:
        return
    if persona == "anonymous":
        assert _is_login_redirect(response, admin_login=pattern.is_admin) or status == 405, where
        assert written == 0, f"{where}, wrote {written} rows"
        return
    body = response.content.decode(errors="replace") if not response.streaming else ""

    if pattern.is_admin:
        _check_admin(world, pattern, persona, method, response, written, where, body)
        return
    if pattern.name == ADMIN_AUTOCOMPLETE:
        return
    if not pattern.kwargs:
        # A list, a worklist, a form or an export of one's own: never another team's forløb.
        assert status != 403, where
        if persona not in MAY_SHOW_THE_FORLOEB.get(pattern.name, set()):
            assert SECRET_NAME not in body, f"{where} shows the forløb under test"
        if method == "POST":
            assert written == 0, f"{where}: an empty form wrote {written} rows"
        return
    if persona in ALLOWED.get(pattern.name, DEFAULT_ALLOWED):
        # Let in: proves that the world's object is reachable, so the 404s below mean something.
        assert status not in (403, 404), where
        return
    assert status in (404, 405), f"{where} (expected 404)"
    assert SECRET_NAME not in body, where
    assert written == 0, f"{where}, wrote {written} rows"


def _check_admin(world, pattern, persona, method, response, written, where, body):
    status = response.status_code
    if persona != "admin_kommune_b":
        # Not staff: Django's admin sends everyone else to its login page.
        assert _is_login_redirect(response, admin_login=True), where
        assert written == 0, where
        return
    if pattern.name == ADMIN_AUTOCOMPLETE:
        assert status in (403, 404, 405), where
        return
    assert status != 403, where
    assert SECRET_NAME not in body, f"{where} shows the forløb under test"
    assert "Team 1" not in body, f"{where} shows kommune A's team"
    if method == "POST":
        assert written == 0, f"{where}, wrote {written} rows"
    if "object_id" in pattern.kwargs and pattern.model_admin is not None:
        shared = pattern.model_admin.kommune_field is None and not pattern.model_admin.superuser_only
        if not shared:
            expected = (302, 404, 405)  # the unnamed <id>/ redirects to <id>/change/, which is 404
            assert status in expected, f"{where} (expected 404 for another kommune's row)"
            if status == 302:
                assert response["Location"].startswith(reverse("admin:index")), where


def test_every_registered_model_admin_has_its_pages_in_the_generated_cases():
    names = {p.name for p in PATTERNS}
    for model in admin.site._registry:
        opts = model._meta
        assert f"admin:{opts.app_label}_{opts.model_name}_changelist" in names
        assert f"admin:{opts.app_label}_{opts.model_name}_change" in names


def test_the_world_has_every_kind_of_object(world):
    for key in ("rehab_goal", "health_document", "milestone", "intervention", "consent", "flag", "recommendation"):
        assert world[key] is not None, key
    assert world["forloeb"].phase == "ivaerksaettelse"
    assert ActionPlan.objects.filter(forloeb=world["forloeb"]).exists()
    assert Consent.objects.filter(borger=world["forloeb"].borger).exists()
