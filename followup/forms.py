"""Forms of followup. They parse and label input; the rules live in followup.services, whose
Danish messages the views put back on these forms."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import BoundedDateField, DateInput
from cases.text import limit_of
from followup.models import FlagSnooze, FollowUpMeeting, NoNextReason, SamtaleChannel, SamtaleSetting

TEXTAREA = forms.Textarea(attrs={"rows": 2})
# The field the samtale form opens with the focus in: everything before it is filled in already.
FIRST_TO_FILL = "status_on_interventions"


class FollowUpForm(forms.Form):
    """Register an opfølgningssamtale. Everything a usual samtale needs is filled in already
    (today, individual, in person, held by me, the borger came, the next date the standard
    suggests), so registering it is: open the form, check it, save."""

    held_on = BoundedDateField(label=_("Dato"), widget=DateInput(), error_messages={"required": _("Angiv datoen.")})
    held_time = forms.TimeField(
        label=_("Klokkeslæt"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), required=False
    )
    setting = forms.ChoiceField(label=_("Form"), choices=SamtaleSetting.choices, initial=SamtaleSetting.INDIVIDUAL)
    channel = forms.ChoiceField(label=_("Kanal"), choices=SamtaleChannel.choices, initial=SamtaleChannel.IN_PERSON)
    borger_attended = forms.BooleanField(
        label=_("Borgeren deltog"),
        required=False,
        initial=True,
        help_text=_("Fjern krydset ved udeblivelse; en udeblivelse tæller ikke som en samtale."),
    )
    status_on_interventions = forms.CharField(
        max_length=limit_of(FollowUpMeeting, "status_on_interventions"),
        label=_("Status på deltagelse i indsatser"),
        widget=TEXTAREA,
        required=False,  # required when the borger attended: followup.services says so, on this field
        help_text=_("Skal udfyldes, når borgeren deltog: hvordan går det med indsatserne?"),
    )
    new_agreements = forms.CharField(
        max_length=limit_of(FollowUpMeeting, "new_agreements"),
        label=_("Nye aftaler om indsatsplanen"),
        widget=TEXTAREA,
        required=False,
    )
    mentor_need_assessed = forms.BooleanField(label=_("Behovet for (øget) mentorstøtte er vurderet"), required=False)
    mentor_assessment = forms.CharField(
        max_length=limit_of(FollowUpMeeting, "mentor_assessment"),
        label=_("Vurdering af mentorbehov"),
        widget=TEXTAREA,
        required=False,
    )
    borger_perspective = forms.CharField(
        max_length=limit_of(FollowUpMeeting, "borger_perspective"),
        label=_("Borgerens perspektiv"),
        widget=TEXTAREA,
        required=False,
        help_text=_("Med borgerens egne ord."),
    )
    next_on = BoundedDateField(
        label=_("Næste samtale"),
        widget=DateInput(),
        required=False,
        help_text=_("Foreslået ud fra kommunens servicestandard; ret den til det, I aftaler."),
    )
    no_next_reason = forms.ChoiceField(
        label=_("Ingen næste samtale, fordi"),
        choices=[("", _("(der er aftalt en næste samtale)")), *NoNextReason.choices],
        required=False,
    )
    no_next_note = forms.CharField(label=_("Begrundelse"), max_length=300, required=False)
    held_by = forms.ModelChoiceField(label=_("Afholdt af"), queryset=None, required=False)
    revise_plan = forms.BooleanField(
        label=_("Samtalen ændrer indsatsplanen: start en revision"),
        required=False,
        help_text=_("Planen åbnes som en ny version, når samtalen er gemt."),
    )
    revision_reason = forms.CharField(label=_("Hvad ændres i planen"), max_length=250, required=False)

    def __init__(self, *args, colleagues, actor, today: dt.date, gap_days: int, autofocus: bool = True, **kwargs):
        kwargs.setdefault(
            "initial",
            {"held_on": today, "next_on": today + dt.timedelta(days=min(gap_days, 56)), "held_by": actor.pk},
        )
        super().__init__(*args, **kwargs)
        self.fields["held_by"].queryset = colleagues
        self.fields["held_by"].empty_label = None
        if autofocus:  # the date and the rest are filled in already: the caseworker starts with the status
            self.focus(FIRST_TO_FILL)

    def focus(self, name: str) -> None:
        """Put `autofocus` on one field (and only that one)."""
        for field in self.fields.values():
            field.widget.attrs.pop("autofocus", None)
        self.fields[name].widget.attrs["autofocus"] = True

    def focus_first_error(self) -> None:
        """After a refused save, the focus starts on the first field that needs correcting."""
        name = next((name for name in self.fields if name in self.errors), None)
        if name is not None:
            self.focus(name)


class AcknowledgeForm(forms.Form):
    comment = forms.CharField(
        label=_("Hvad gøres der ved det"),
        max_length=500,
        error_messages={"required": _("Skriv kort hvad der gøres ved det.")},
    )


class WorklistForm(forms.Form):
    """The team leader's choice of whose Min dag to see."""

    sagsbehandler = forms.ModelChoiceField(label=_("Sagsbehandler"), queryset=None, required=False)

    def __init__(self, *args, caseworkers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sagsbehandler"].queryset = caseworkers


class SnoozeForm(forms.Form):
    """Put off a good-practice flag: until which day, and why (the rules: `services.flag_snooze`)."""

    until = BoundedDateField(
        label=_("Udsæt til"),
        widget=DateInput(),
        error_messages={"required": _("Angiv datoen, advarslen udsættes til.")},
    )
    reason = forms.CharField(
        label=_("Hvorfor"),
        max_length=limit_of(FlagSnooze, "reason"),
        error_messages={"required": _("Skriv kort hvorfor advarslen udsættes.")},
    )
