"""Celery runs on a real Redis: a task goes through the broker to a worker and back."""

from celery.contrib.testing.worker import start_worker

from config.celery import app, ping


def test_a_task_round_trips_through_redis_and_a_worker(redis_broker):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = ping.delay()
        assert result.get(timeout=20) == "pong"
    assert redis_broker.startswith(("redis://", "redis+socket://", "rediss://"))


def test_the_beat_schedule_uses_copenhagen_time():
    assert app.conf.timezone == "Europe/Copenhagen"


def test_the_nightly_evaluation_is_scheduled_in_code():
    from celery.schedules import crontab

    entry = app.conf.beat_schedule["followup-nightly-evaluation"]
    assert entry["task"] == "followup.evaluate_all" and entry["task"] in app.tasks
    assert isinstance(entry["schedule"], crontab)
