"""A nightly run missed while Redis was down is caught up once beat can reach a worker again."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from followup import tasks
from followup.models import EvaluationRun

CPH = ZoneInfo("Europe/Copenhagen")


def test_the_missed_nightly_run_is_made_once_after_half_past_two(db):
    with time_machine.travel(datetime(2027, 3, 10, 2, 15, tzinfo=CPH), tick=False):
        assert tasks.evaluate_all_if_missed() is None  # not due yet
    assert not EvaluationRun.objects.exists()
    with time_machine.travel(datetime(2027, 3, 10, 7, 45, tzinfo=CPH), tick=False):
        result = tasks.evaluate_all_if_missed()
        assert result is not None and result["as_of"] == "2027-03-10"
        assert tasks.evaluate_all_if_missed() is None  # made once a day
    run = EvaluationRun.objects.get()
    assert run.as_of.isoformat() == "2027-03-10" and run.finished_at is not None


def test_a_nightly_run_that_happened_is_not_repeated(db):
    with time_machine.travel(datetime(2027, 3, 10, 2, 30, tzinfo=CPH), tick=False):
        tasks.evaluate_all()
    with time_machine.travel(datetime(2027, 3, 10, 9, 0, tzinfo=CPH), tick=False):
        assert tasks.evaluate_all_if_missed() is None
    assert EvaluationRun.objects.count() == 1


def test_beat_sends_the_catch_up_every_quarter_of_an_hour(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["followup-nightly-catch-up"]
    assert entry["task"] == "followup.evaluate_all_if_missed"
    assert entry["schedule"].minute == {0, 15, 30, 45}
