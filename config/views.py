"""Error pages that render without the database: Danish, standalone templates with a minimal
context (no context processors, so no session or user look-up)."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

# How long a browser (or a proxy) should wait before trying again when the database is unreachable.
RETRY_AFTER_SECONDS = 30


def server_error(request) -> HttpResponse:
    """`handler500`: called while Django handles the uncaught exception, so `sys.exc_info()` is it.
    The database unreachable (or a connection lost) answers 503 "try again shortly"; anything else
    500. Django has already logged the exception."""
    exception = sys.exc_info()[1]
    database_unavailable = isinstance(exception, (OperationalError, InterfaceError))
    body = loader.get_template("500.html").render({"database_unavailable": database_unavailable})
    response = HttpResponse(body, status=503 if database_unavailable else 500)
    if database_unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
