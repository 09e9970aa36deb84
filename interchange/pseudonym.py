"""The person key of the pseudonymised exports: a keyed hash of the CPR number."""

import hashlib
import hmac

from django.conf import settings


def person_key(cpr: str) -> str:
    """HMAC-SHA256 of the compact CPR number under `settings.PSEUDONYM_KEY`, as 32 hex digits.

    The same CPR and key always give the same key (so exports can be linked over time and to
    registers by whoever holds the key); without the key it cannot be turned back into a CPR."""
    digest = hmac.new(settings.PSEUDONYM_KEY.encode(), cpr.encode(), hashlib.sha256).hexdigest()
    return digest[:32]
