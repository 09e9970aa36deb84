"""The real Celery worker on a real Redis: a samtale saved in the web app queues the
re-evaluation of its forløb on commit, and the worker resolves the overdue flag with no
manual step."""

import datetime as dt
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from django.utils import timezone

from config.celery import app
from followup.models import Flag
from tests.conftest import login
from tests.followup.conftest import evaluate

TODAY = timezone.localdate()


@pytest.mark.django_db(transaction=True)
def test_a_samtale_saved_in_the_web_app_resolves_the_overdue_flag_through_the_worker(
    redis_broker, client, caseworker, make_forloeb, samtale
):
    f = make_forloeb(
        opened_on=TODAY - dt.timedelta(days=400),
        start_date=TODAY - dt.timedelta(days=300),
        planned_end_date=TODAY + dt.timedelta(days=300),
    )
    samtale(f, TODAY - dt.timedelta(days=90), next_on=TODAY - dt.timedelta(days=40))
    evaluate(TODAY)
    flag = Flag.objects.get(forloeb=f, rule_id="STD_SAMTALE_OVERDUE")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        login(client, caseworker)
        response = client.post(
            reverse("followup:followup_add", args=[f.pk]),
            {
                "held_on": TODAY.isoformat(),
                "setting": "individuel",
                "channel": "video",
                "borger_attended": "on",
                "status_on_interventions": "Deltager i praktikken som aftalt.",
                "next_on": (TODAY + dt.timedelta(weeks=6)).isoformat(),
                "held_by": caseworker.pk,
            },
        )
        assert response.status_code == 302
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            flag.refresh_from_db()
            if flag.resolved_at is not None:
                break
            time.sleep(0.2)
    assert flag.resolved_on == TODAY and flag.resolution == "ophoert"
    assert not Flag.objects.filter(forloeb=f, rule_id="AGREED_SAMTALE_OVERDUE", resolved_at__isnull=True).exists()
