"""The outbox of re-evaluation requests: no change goes unevaluated, and no save waits on Redis.

1. `request_reevaluation` is the change listener registered with `cases`: it runs inside the
   transaction of the change and writes an `EvaluationRequest` row, so the request is committed
   exactly when the change is (a rolled-back change leaves none).
2. After the commit, `publish` sends `followup.drain_outbox` to Celery once, with no retries and
   short socket timeouts (settings: `CELERY_BROKER_TRANSPORT_OPTIONS`), and the task ignores its
   result, so the result backend is never touched on the request path. A failed publish is logged
   and pauses further publishing for `PUBLISH_PAUSE_SECONDS`; the saved change is not affected.
3. `outbox_drain` (the worker task, the beat sweep every minute and a sweep when a worker starts)
   takes the waiting rows with `SELECT ... FOR UPDATE SKIP LOCKED`, evaluates their forløb
   set-based and deletes the rows in the same transaction, so two workers never take the same row
   and a crash leaves the rows for the next sweep.

Without REDIS_URL Celery runs eagerly, so the publish drains the outbox in-process right after
the commit: the change is evaluated before the page reloads.
"""

import logging
import time

from django.db import transaction

from cases import clock
from followup.models import EvaluationRequest

logger = logging.getLogger(__name__)

DRAIN_BATCH_SIZE = 500
# After a failed publish, the next ones are skipped for this long (the sweep catches up), so an
# outage costs at most one short timeout per worker process, not one per save.
PUBLISH_PAUSE_SECONDS = 15.0
_publish_paused_until = 0.0


def request_reevaluation(forloeb_id: int) -> None:
    """The change listener: runs inside the change's transaction (see cases.services.forloeb_changed)."""
    EvaluationRequest.objects.create(forloeb_id=forloeb_id, requested_at=clock.now())
    transaction.on_commit(publish, robust=True)


def publish() -> bool:
    """Ask a worker to drain the outbox now. Never raises and never waits long: a failure is logged
    (the ids stay in the outbox, never in the log) and the periodic sweep picks the rows up."""
    global _publish_paused_until
    if time.monotonic() < _publish_paused_until:
        return False
    from followup.tasks import drain_outbox

    try:
        drain_outbox.apply_async(retry=False, ignore_result=True)
    except Exception as exc:  # noqa: BLE001 - whatever the broker raises, the saved change stands
        _publish_paused_until = time.monotonic() + PUBLISH_PAUSE_SECONDS
        logger.warning(
            "Could not publish the outbox drain to Celery (%s: %s); the periodic sweep will evaluate "
            "the waiting changes once the broker is back.",
            type(exc).__name__,
            exc,
        )
        return False
    return True


def reset_publish_pause() -> None:
    """Publish again at once (tests, and after an operator has restored the broker)."""
    global _publish_paused_until
    _publish_paused_until = 0.0


def outbox_drain(*, batch_size: int = DRAIN_BATCH_SIZE) -> int:
    """Evaluate every waiting request, a batch per transaction; rows another worker holds are
    skipped (it evaluates them). Returns the number of requests handled."""
    from followup import services

    handled = 0
    while True:
        with transaction.atomic():
            rows = list(
                EvaluationRequest.objects.select_for_update(skip_locked=True)
                .order_by("pk")
                .values_list("pk", "forloeb_id")[:batch_size]
            )
            if not rows:
                return handled
            services.flags_evaluate(forloeb_ids=[forloeb_id for _, forloeb_id in rows])
            EvaluationRequest.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
        handled += len(rows)
