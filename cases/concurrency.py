"""Optimistic locking for every form that edits an existing record of case data (no lost updates).

The form carries a hidden, signed *edit token*: a digest of each edited field's value as the
record stood when the page was loaded (`EditTokenMixin`). The service locks the row
(`select_for_update`) and calls `check_unchanged(instance, token)`; when another person has saved
one of those fields since, it raises `StaleEdit`, which names each changed field with the value
now stored and nothing is written. `cases.forms.add_service_errors` shows it as a non-field error
and gives the re-rendered form (still holding the user's own input) a fresh token, so a second
"Gem" after reading the other person's change is a deliberate choice.

Digests rather than values: the token stays small and repeats no personal data; signing binds it
to the model and stops a forged token. No version column is needed, and a record that does not
exist yet (a forberedende del never saved) is compared with its defaults.

Set-once facts (the indstilling sent on a date, a health document received) use
`refuse_overwrite`: a second POST may add what is missing but never replace or clear what is set.
"""

import hashlib
import json
from collections.abc import Iterable

from django import forms
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import dates

TOKEN_FIELD = "edit_token"  # noqa: S105 (a form field name, not a secret)
_SALT = "forloeb.concurrency.edit-token"
_SHOWN_CHARS = 300  # the other person's text is shown up to this length in the message


def _field(instance: models.Model, name: str) -> models.Field:
    return instance._meta.get_field(name)


def _digest(instance: models.Model, name: str) -> str:
    value = _field(instance, name).value_from_object(instance)  # a foreign key gives its id
    if value == "" or value == []:
        value = None  # a blank text and an empty list are the same "nothing" as NULL
    raw = json.dumps(value, default=str, sort_keys=True).encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def edit_token(instance: models.Model, fields: Iterable[str]) -> str:
    """The token a form carries: the model and a digest of each field as it is now."""
    values = {name: _digest(instance, name) for name in fields}
    return signing.Signer(salt=_SALT).sign_object({"m": instance._meta.label_lower, "v": values})


def display_value(instance: models.Model, name: str) -> str:
    """A field's stored value as a person reads it (choice labels, Danish dates, names)."""
    field = _field(instance, name)
    value = getattr(instance, name)
    if value is None or value == "" or value == []:
        return _("(tom)")
    if isinstance(value, bool):
        return _("Ja") if value else _("Nej")
    base = getattr(field, "base_field", None)  # an ArrayField of choices
    if isinstance(value, list):
        labels = dict(base.flatchoices) if base is not None and base.choices else {}
        return ", ".join(str(labels.get(v, v)) for v in value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, models.Model):
        return getattr(value, "get_full_name", lambda: "")() or str(value)
    if hasattr(value, "year"):
        return dates.text(value)
    return Truncator(str(value)).chars(_SHOWN_CHARS)


def field_label(instance: models.Model, name: str) -> str:
    return capfirst(str(_field(instance, name).verbose_name))


class StaleEdit(ValidationError):
    """Another person saved the record after this form was loaded. `changes` holds (label, value
    now stored) per changed field; `token` is a fresh token for the record as it now stands."""

    def __init__(self, instance: models.Model, changed: list[str], fields: Iterable[str]):
        self.changes = [(field_label(instance, n), display_value(instance, n)) for n in changed]
        self.token = edit_token(instance, fields)
        lines = [
            _(
                "En anden har gemt ændringer, efter du åbnede siden. Dine ændringer er ikke gemt, men står "
                "stadig i formularen. Se hvad der nu er gemt, ret til og gem igen:"
            ),
            *(_("%(label)s: %(value)s") % {"label": label, "value": value} for label, value in self.changes),
        ]
        super().__init__(lines)


def check_unchanged(instance: models.Model, token: str | None) -> None:
    """Raise StaleEdit when a field in `token` no longer has the value it had when the form was
    loaded. Call it inside the service's transaction on a row locked with select_for_update.
    `token=None` is a caller outside a form (the demo, the import, a service test): no check."""
    if token is None:
        return
    try:
        data = signing.Signer(salt=_SALT).unsign_object(token)
        values = data["v"]
        if data["m"] != instance._meta.label_lower or not isinstance(values, dict):
            raise ValueError
        names = [n for n in values if _field(instance, n)]
    except (signing.BadSignature, ValueError, KeyError, TypeError, LookupError, FieldDoesNotExist):
        raise ValidationError(_("Formularen kunne ikke kontrolleres. Genindlæs siden, og prøv igen.")) from None
    changed = [n for n in names if _digest(instance, n) != values[n]]
    if changed:
        raise StaleEdit(instance, changed, names)


def refuse_overwrite(instance: models.Model, **new: object) -> dict[str, object]:
    """Set-once fields: what to write. A value given for a field that is still empty is written;
    an empty value keeps what is stored (a second POST never clears); a value that differs from
    one already stored is refused with a Danish message on its field."""
    errors: dict[str, list[str]] = {}
    writes: dict[str, object] = {}
    for name, value in new.items():
        stored = getattr(instance, name)
        if value in (None, ""):
            continue
        if stored in (None, ""):
            writes[name] = value
        elif stored != value:
            errors[name] = [
                _("%(label)s er allerede registreret (%(value)s) og kan ikke ændres her.")
                % {"label": field_label(instance, name), "value": display_value(instance, name)}
            ]
    if errors:
        raise ValidationError(errors)
    return writes


class EditTokenMixin:
    """Put first in the bases of a form that edits an existing record. It adds the hidden
    `edit_token` (for `edit_of`, a ModelForm's instance by default, over `edit_token_fields`,
    a ModelForm's fields by default) and refuses a POST without one."""

    edit_token_fields: tuple[str, ...] = ()
    missing_token_message = gettext_lazy("Formularen kunne ikke kontrolleres. Genindlæs siden, og prøv igen.")

    def __init__(self, *args, edit_of: models.Model | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if edit_of is None:
            edit_of = getattr(self, "instance", None)
        names = self.edit_token_fields or tuple(self._meta.fields)
        self.fields[TOKEN_FIELD] = forms.CharField(widget=forms.HiddenInput, required=False)
        if edit_of is not None:
            self.fields[TOKEN_FIELD].initial = edit_token(edit_of, names)

    def clean(self):
        cleaned = super().clean()
        if not self.cleaned_data.get(TOKEN_FIELD):
            self.add_error(None, self.missing_token_message)
        return cleaned

    @property
    def submitted_token(self) -> str:
        return self.cleaned_data[TOKEN_FIELD]

    def refresh_token(self, token: str) -> None:
        """After a StaleEdit: keep the user's input, base the next save on the record as it is now."""
        data = self.data.copy()
        data[self.add_prefix(TOKEN_FIELD)] = token
        self.data = data
