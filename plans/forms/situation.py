"""Forms of the borger's situation page. They only parse input: every rule (dates not in the
future, expiry after the given date, score 1-5, one open problem area per kind) lives in
plans.services, whose Danish messages the views put back on these forms."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases import clock
from cases.forms import BoundedDateField, DateInput
from cases.text import limit_of
from plans.models import (
    ConsentRecipient,
    CoordinationNote,
    Forvaltning,
    OtherCaseKind,
    ProblemAreaKind,
    ProblemSource,
)

# The same texts as the services' messages, so a blank field reads the same whichever catches it.
REQUIRED_NOTE = _("Skriv notatet.")
REQUIRED_SCOPE = _("Beskriv hvad samtykket omfatter.")
REQUIRED_SOURCE = _("Angiv hvor oplysningen kommer fra.")


def _today_at_most(form: forms.Form, *names: str) -> None:
    """Let the browser's date picker stop at today (the service checks it again)."""
    today = clock.today()
    for name in names:
        form.fields[name].widget.attrs["max"] = today.isoformat()
        if not form.is_bound and form.fields[name].initial is None:
            form.fields[name].initial = today


class ProblemAreaForm(forms.Form):
    kind = forms.ChoiceField(label=_("Problemområde"), choices=[("", "---------"), *ProblemAreaKind.choices])
    source = forms.ChoiceField(label=_("Kilde"), choices=[("", "---------"), *ProblemSource.choices])
    recorded_on = BoundedDateField(label=_("Registreret"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "problem_%s")
        super().__init__(*args, **kwargs)
        _today_at_most(self, "recorded_on")


class ProgressForm(forms.Form):
    milestone = forms.ModelChoiceField(label=_("Delmål"), queryset=None)
    recorded_on = BoundedDateField(label=_("Dato"), widget=DateInput())
    # No min/max validators here: the service's "Scoren skal være mellem 1 og 5." is the message.
    score = forms.IntegerField(
        label=_("Score (1-5)"),
        help_text=_("1 = langt fra delmålet, 5 = delmålet er nået."),
        widget=forms.NumberInput(attrs={"min": 1, "max": 5, "step": 1}),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, milestones, **kwargs):
        kwargs.setdefault("auto_id", "progress_%s")
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = milestones
        _today_at_most(self, "recorded_on")


class OtherCaseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Sagstype"), choices=[("", "---------"), *OtherCaseKind.choices])
    source = forms.CharField(
        label=_("Kilde"),
        max_length=200,
        error_messages={"required": REQUIRED_SOURCE},
        help_text=_("Hvor kommer oplysningen fra, fx borgeren selv eller socialforvaltningen."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    consent = forms.ModelChoiceField(
        label=_("Samtykke til at dele oplysninger"),
        queryset=None,
        required=False,
        empty_label=_("Intet samtykke"),
        help_text=_("Kun samtykker, der gælder i dag, kan vælges."),
    )

    def __init__(self, *args, consents, **kwargs):
        """`consents`: the borger's consents the user may see (plans.selectors.consents_for)."""
        kwargs.setdefault("auto_id", "othercase_%s")
        super().__init__(*args, **kwargs)
        today = clock.today()
        self.fields["consent"].queryset = (
            consents.filter(given_on__lte=today)
            .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
            .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
            .order_by("-given_on", "-id")
        )
        self.fields["consent"].label_from_instance = lambda c: f"{c.get_recipient_display()}: {c.scope}"


class ConsentForm(forms.Form):
    recipient = forms.ChoiceField(label=_("Deling med"), choices=[("", "---------"), *ConsentRecipient.choices])
    scope = forms.CharField(label=_("Omfang"), max_length=300, error_messages={"required": REQUIRED_SCOPE})
    given_on = BoundedDateField(label=_("Givet"), widget=DateInput())
    expires_on = BoundedDateField(label=_("Udløber"), widget=DateInput(), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "consent_%s")
        super().__init__(*args, **kwargs)
        _today_at_most(self, "given_on")


class CoordinationNoteForm(forms.Form):
    written_on = BoundedDateField(label=_("Dato"), widget=DateInput())
    forvaltning = forms.ChoiceField(label=_("Forvaltning"), choices=[("", "---------"), *Forvaltning.choices])
    note = forms.CharField(
        max_length=limit_of(CoordinationNote, "note"),
        label=_("Notat"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": REQUIRED_NOTE},
    )
    intervention = forms.ModelChoiceField(
        label=_("Vedrører indsatsen"), queryset=None, required=False, empty_label=_("Ingen bestemt indsats")
    )

    def __init__(self, *args, interventions, **kwargs):
        kwargs.setdefault("auto_id", "coordination_%s")
        super().__init__(*args, **kwargs)
        self.fields["intervention"].queryset = interventions
        _today_at_most(self, "written_on")
