from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases import clock, dates
from cases.concurrency import EditTokenMixin, StaleEdit
from cases.models import CasePurpose, EarlyEndReason, Outcome, Phase, PhaseTransition, validate_cpr
from cases.rulepacks import BEFORE_FIRST_PACK, FIRST_DAY
from cases.text import limit_of


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's Danish ValidationError on the form: on the field it names when the form
    has that field, else on the form as a whole. Every app's views use this."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)
    if isinstance(exc, StaleEdit) and hasattr(form, "refresh_token"):
        form.refresh_token(exc.token)  # the user's input stays; the next save is based on what is stored now


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


# Every date a user types is within these: a year like 9999 or 0001 parses, but date arithmetic
# on it overflows and no rule covers it. Wide enough for any birth date, case date or planned end;
# services check tighter limits where the domain has them (e.g. `cases.rulepacks.rulepack_errors`).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def validate_date_range(value: date) -> None:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            _("Datoen skal ligge mellem %(first)s og %(last)s."),
            code="date_range",
            params={"first": dates.short(EARLIEST_DATE), "last": dates.short(LATEST_DATE)},
        )


class BoundedDateField(forms.DateField):
    """The date field of every form in the apps (a test walks every form and checks it): a
    Danish message on the field for a date outside EARLIEST_DATE..LATEST_DATE, never a crash
    further on, and the same range as the browser date picker's min/max."""

    widget = DateInput
    default_validators = [validate_date_range]

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if getattr(widget, "input_type", "") == "date":
            attrs.update(min=EARLIEST_DATE.isoformat(), max=LATEST_DATE.isoformat())
        return attrs


def bounded_formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    """`Meta.formfield_callback` of every ModelForm with a date: model date fields become
    BoundedDateField."""
    if isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
        kwargs.setdefault("form_class", BoundedDateField)
    return db_field.formfield(**kwargs)


class TransitionForm(forms.Form):
    """The input a phase change needs. Which fields appear depends on the transition."""

    expected_phase = forms.ChoiceField(choices=Phase.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        max_length=limit_of(PhaseTransition, "reason"),
        label=_("Begrundelse / note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    start_date = BoundedDateField(label=_("Startdato for ressourceforløbet"), widget=DateInput(), required=False)
    planned_end_date = BoundedDateField(label=_("Planlagt slutdato"), widget=DateInput(), required=False)
    outcome = forms.ChoiceField(
        label=_("Afslutningsårsag"), choices=[("", "---------"), *Outcome.choices], required=False
    )
    closed_on = BoundedDateField(label=_("Afsluttet den"), widget=DateInput(), required=False)
    early_end_reason = forms.ChoiceField(
        label=_("Årsag til at forløbet slutter før planlagt"),
        choices=[("", "---------"), *EarlyEndReason.choices],
        required=False,  # required when closed before the planned end: cases.rules says so, on this field
        help_text=_("Skal udfyldes, når forløbet afsluttes før den planlagte slutdato. Ellers tom."),
    )

    FIELDS = {
        "grant": ("start_date", "planned_end_date", "reason"),
        "close": ("outcome", "closed_on", "early_end_reason", "reason"),
        "genforelaeggelse": ("reason",),
    }

    def __init__(self, *args, transition: str, forloeb=None, **kwargs):
        """`forloeb`: the one to move; its planned end date decides whether the early-end reason
        is asked (a forløb never granted has none) and is named in its help text."""
        super().__init__(*args, **kwargs)
        keep = {"expected_phase", *self.FIELDS.get(transition, ("reason",))}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "closed_on" in self.fields:
            self.fields["closed_on"].initial = clock.today()
        if "early_end_reason" in self.fields and forloeb is not None:
            if forloeb.planned_end_date is None:
                del self.fields["early_end_reason"]
            else:
                self.fields["early_end_reason"].help_text = _(
                    "Skal udfyldes, når forløbet afsluttes før den planlagte slutdato, %(date)s. Ellers tom."
                ) % {"date": dates.text(forloeb.planned_end_date)}
        if transition == "genforelaeggelse":
            self.fields["reason"].label = _("Hvorfor genforelægges forløbet?")
            self.fields["reason"].required = True
        self.transition = transition


class AssignCoordinatorForm(EditTokenMixin, forms.Form):
    """Carries the edit token of the coordinator the page showed (cases.concurrency)."""

    edit_token_fields = ("current_coordinator",)
    coordinator = forms.ModelChoiceField(label=_("Ny koordinerende sagsbehandler"), queryset=None)
    valid_from = BoundedDateField(label=_("Fra og med"), widget=DateInput())

    def __init__(self, *args, coordinators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = coordinators
        self.fields["valid_from"].initial = clock.today()


class ForloebCreateForm(forms.Form):
    cpr = forms.CharField(label=_("CPR-nummer"), max_length=11, help_text=_("10 cifre, fx 010190-1234"))
    first_name = forms.CharField(label=_("Fornavn"), max_length=100)
    last_name = forms.CharField(label=_("Efternavn"), max_length=100)
    address = forms.CharField(label=_("Adresse"), max_length=200, required=False)
    phone = forms.CharField(label=_("Telefon"), max_length=30, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=None)
    opened_on = BoundedDateField(
        label=_("Sagen oprettet"),
        widget=DateInput(),
        help_text=_("Den dag den forberedende del blev påbegyndt. Loven på den dag afgør, om forløbet kan oprettes."),
    )
    purpose = forms.ChoiceField(
        label=_("Sagen forelægges rehabiliteringsteamet med henblik på"),
        choices=CasePurpose.choices,
        initial=CasePurpose.RESSOURCEFORLOEB,
        widget=forms.RadioSelect,
        required=False,  # not answered: a ressourceforløb, or not yet known
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["opened_on"].initial = clock.today()
        self.fields["cpr"].widget.attrs.update({"autocomplete": "off", "inputmode": "numeric"})

    def clean_cpr(self):
        return validate_cpr(self.cleaned_data["cpr"])

    def clean_purpose(self):
        return self.cleaned_data["purpose"] or CasePurpose.RESSOURCEFORLOEB

    def clean_opened_on(self):
        value = self.cleaned_data["opened_on"]
        if value > clock.today():
            raise forms.ValidationError(_("Datoen kan ikke ligge i fremtiden."))
        if value < FIRST_DAY:
            raise forms.ValidationError(BEFORE_FIRST_PACK)
        return value
