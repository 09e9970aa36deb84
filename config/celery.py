import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("forloeb")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="forloeb.ping", ignore_result=False)  # its result is the round trip
def ping() -> str:
    """Round trip through broker and worker: `celery -A config call forloeb.ping`."""
    return "pong"
