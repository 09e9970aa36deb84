"""Thin Celery tasks: they take ids and dates, never model instances or CPR numbers."""

from datetime import date
from datetime import time as dtime

from celery import shared_task
from celery.signals import worker_ready
from django.utils import timezone

from cases import clock
from followup import outbox, services


@shared_task(name="followup.evaluate_all")
def evaluate_all(as_of: str | None = None) -> dict:
    """The nightly run (beat schedule in settings): every rule over every forløb."""
    result = services.flags_evaluate(as_of=date.fromisoformat(as_of) if as_of else None)
    return {"as_of": result.as_of.isoformat(), "raised": result.total_raised, "resolved": result.total_resolved}


# When the nightly run is due (the beat entry "followup-nightly-evaluation" in settings).
NIGHTLY_AT = dtime(2, 30)


@shared_task(name="followup.evaluate_all_if_missed")
def evaluate_all_if_missed() -> dict | None:
    """Catch up a nightly run that did not happen (Redis or the workers were down at 02:30): beat
    sends this every 15 minutes, and it runs the full evaluation only when today's is due and has
    not finished. The run is recorded like the nightly one, so it happens once a day."""
    now = timezone.localtime(clock.now())
    if now.time() < NIGHTLY_AT or services.full_run_finished_on(day=now.date()):
        return None
    return evaluate_all()


@shared_task(name="followup.evaluate_forloeb")
def evaluate_forloeb(forloeb_id: int) -> dict:
    """Re-evaluate one forløb now (changes go through the outbox and `drain_outbox` instead)."""
    result = services.flags_evaluate(forloeb_ids=[forloeb_id])
    return {"raised": result.total_raised, "resolved": result.total_resolved}


@shared_task(name="followup.send_digests")
def send_digests() -> int:
    """The morning e-mail with Min dag's counts, for kommuner that have switched it on."""
    from django.conf import settings

    return services.digests_send(today=clock.today(), base_url=settings.FORLOEB_BASE_URL)


@shared_task(name="followup.drain_outbox", ignore_result=True)
def drain_outbox() -> int:
    """Evaluate the forløb waiting in the outbox: published after each change's commit, sent by
    beat every minute (the sweep) and when a worker starts (see followup.outbox)."""
    return outbox.outbox_drain()


@worker_ready.connect
def sweep_outbox_on_worker_start(sender=None, **kwargs) -> None:
    """A starting worker drains what was left while Redis or the workers were down."""
    drain_outbox.apply_async(ignore_result=True)
