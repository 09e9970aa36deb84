"""Thin Celery tasks: they take ids and dates, never model instances or CPR numbers."""

from datetime import date

from celery import shared_task

from cases import clock
from followup import services


@shared_task(name="followup.evaluate_all")
def evaluate_all(as_of: str | None = None) -> dict:
    """The nightly run (beat schedule in settings): every rule over every forløb."""
    result = services.flags_evaluate(as_of=date.fromisoformat(as_of) if as_of else None)
    return {"as_of": result.as_of.isoformat(), "raised": result.total_raised, "resolved": result.total_resolved}


@shared_task(name="followup.evaluate_forloeb")
def evaluate_forloeb(forloeb_id: int) -> dict:
    """Re-evaluate one forløb after a change (queued on commit by cases.services.forloeb_changed)."""
    result = services.flags_evaluate(forloeb_ids=[forloeb_id])
    return {"raised": result.total_raised, "resolved": result.total_resolved}


@shared_task(name="followup.send_digests")
def send_digests() -> int:
    """The morning e-mail with Min dag's counts, for kommuner that have switched it on."""
    from django.conf import settings

    return services.digests_send(today=clock.today(), base_url=settings.FORLOEB_BASE_URL)


def queue_reevaluation(forloeb_id: int) -> None:
    """The change listener registered with `cases`: runs after the commit of the change."""
    evaluate_forloeb.delay(forloeb_id)
