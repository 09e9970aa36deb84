"""Small request helpers shared by every app's views."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

NEXT_PARAMETER = "next"

# The status of an htmx partial re-rendered with form errors. templates/base.html configures htmx 2
# to swap it (htmx swaps no 4xx by default); other 4xx/5xx are not swapped. Non-htmx pages keep
# their own error status (400 or 422): the browser shows those whatever the status.
HTMX_FORM_ERROR = 422


def safe_next(request: HttpRequest, default: str) -> str:
    """Where to go after a form: the `next` parameter (POST, else GET) when it is a local path on
    this site, else `default`. Every view that reads a redirect parameter uses this, and reads it
    before it writes anything, so a bad value can neither send the user elsewhere nor fail after
    the write (a resubmit would then duplicate it)."""
    target = request.POST.get(NEXT_PARAMETER) or request.GET.get(NEXT_PARAMETER) or ""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    ):
        return target
    return default
