"""Forms of the meeting pages: plan a meeting, book a forløb on it, record attendance.

Forms only parse and label input; the rules (phase, double booking, kommune, when attendance
may be recorded) live in rehab.services.
"""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import dates
from cases.concurrency import EditTokenMixin
from cases.forms import BoundedDateField
from cases.models import Forloeb, Sector, User
from rehab import selectors
from rehab.models import AgendaItem, RehabTeam, TeamMeeting


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


TIME_ERRORS = {"required": _("Angiv et klokkeslæt."), "invalid": _("Skriv klokkeslættet som tt:mm, fx 09:30.")}


def meeting_label(meeting: TeamMeeting) -> str:
    """“tirsdag 4. marts 2025 kl. 09:00, Rehabiliteringsteamet, Jobcentret” in local time."""
    when = dates.with_weekday_and_time(meeting.starts_at)
    return f"{when}, {meeting.rehab_team.name}, {meeting.place}"


# --- Plan a meeting -----------------------------------------------------------------------------


class MeetingForm(forms.Form):
    rehab_team = forms.ModelChoiceField(
        label=_("Rehabiliteringsteam"),
        queryset=RehabTeam.objects.none(),
        error_messages={
            "required": _("Vælg et rehabiliteringsteam."),
            "invalid_choice": _("Vælg et af kommunens rehabiliteringsteams."),
        },
    )
    date = BoundedDateField(
        label=_("Dato"),
        widget=DateInput(),
        error_messages={"required": _("Angiv mødets dato."), "invalid": _("Skriv datoen som dd.mm.åååå.")},
    )
    time = forms.TimeField(label=_("Klokkeslæt"), widget=TimeInput(), error_messages=TIME_ERRORS)
    place = forms.CharField(
        label=_("Sted"),
        max_length=200,
        help_text=_("Fx “Jobcentret, mødelokale 2” eller “Virtuelt møde”."),
        error_messages={
            "required": _("Angiv hvor mødet holdes."),
            "max_length": _("Stedet må højst fylde %(limit_value)d tegn."),
        },
    )

    def __init__(self, *args, rehab_teams, **kwargs):
        kwargs.setdefault("auto_id", "id_meeting_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["rehab_team"]
        field.queryset = rehab_teams
        field.empty_label = _("Vælg rehabiliteringsteam")

    @property
    def starts_at(self) -> dt.datetime:
        """The meeting's start as an aware datetime in the kommune's (Danish) time zone."""
        data = self.cleaned_data
        return timezone.make_aware(dt.datetime.combine(data["date"], data["time"]))


def meeting_form_for(user: User, data=None) -> MeetingForm:
    return MeetingForm(data, rehab_teams=selectors.rehab_teams_for(user=user))


# --- Book a forløb on a meeting --------------------------------------------------------------------


class AgendaForm(forms.Form):
    meeting = forms.TypedChoiceField(
        label=_("Møde"),
        coerce=int,
        error_messages={"required": _("Vælg et møde."), "invalid_choice": _("Vælg et af de kommende møder.")},
    )
    slot_start = forms.TimeField(label=_("Tidspunkt på mødet"), widget=TimeInput(), error_messages=TIME_ERRORS)
    slot_minutes = forms.IntegerField(
        label=_("Varighed (minutter)"),
        initial=30,
        min_value=10,
        max_value=180,
        error_messages={
            "required": _("Angiv hvor mange minutter forløbet skal have på mødet."),
            "invalid": _("Skriv varigheden som et helt antal minutter."),
            "min_value": _("Varigheden skal være mindst %(limit_value)s minutter."),
            "max_value": _("Varigheden må højst være %(limit_value)s minutter."),
        },
    )

    def __init__(self, *args, meetings: list[TeamMeeting], **kwargs):
        kwargs.setdefault("auto_id", "id_agenda_%s")
        super().__init__(*args, **kwargs)
        self.meetings = {m.pk: m for m in meetings}
        self.fields["meeting"].choices = [("", _("Vælg møde")), *[(m.pk, meeting_label(m)) for m in meetings]]

    def clean_meeting(self) -> TeamMeeting:
        return self.meetings[self.cleaned_data["meeting"]]


def agenda_form_for(user: User, forloeb: Forloeb, data=None) -> AgendaForm:
    """The booking form for one forløb: the upcoming meetings the user sees in the forløb's kommune.

    Evaluates the meetings once (one query); rendering and validating need no more."""
    meetings = list(selectors.upcoming_meetings(user=user, kommune_id=forloeb.kommune_id))
    return AgendaForm(data, meetings=meetings)


# --- Attendance ----------------------------------------------------------------------------------------

UNKNOWN, YES, NO = "ukendt", "ja", "nej"
PRESENCE_CHOICES = [(YES, _("Ja")), (NO, _("Nej")), (UNKNOWN, _("Ved ikke"))]
PRESENCE_VALUES = {YES: True, NO: False, UNKNOWN: None, "": None}
PRESENCE_FIELDS = ("borger_present", "relative_present", "bisidder_present")


def _presence_field(label) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=PRESENCE_CHOICES,
        widget=forms.RadioSelect,
        required=False,
        initial=UNKNOWN,
        error_messages={"invalid_choice": _("Vælg ja, nej eller ved ikke.")},
    )


class AttendanceForm(EditTokenMixin, forms.Form):
    """Who attended one agenda item; "Ret fremmøde" edits it, so it carries the edit token."""

    edit_token_fields = ("sectors_present", *PRESENCE_FIELDS)
    sectors_present = forms.MultipleChoiceField(
        label=_("Sektorer til stede"),
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": _("“%(value)s” er ikke en sektor i rehabiliteringsteamet.")},
    )
    borger_present = _presence_field(_("Borgeren deltog"))
    relative_present = _presence_field(_("Pårørende deltog"))
    bisidder_present = _presence_field(_("Bisidder deltog"))

    def cleaned_presence(self) -> dict[str, bool | None]:
        return {name: PRESENCE_VALUES[self.cleaned_data.get(name) or ""] for name in PRESENCE_FIELDS}


def _as_choice(value: bool | None) -> str:
    return {True: YES, False: NO}.get(value, UNKNOWN)


def attendance_form_for(item: AgendaItem, data=None) -> AttendanceForm:
    """One form per agenda item, with ids prefixed by the item so a meeting page can hold many."""
    initial = {"sectors_present": list(item.sectors_present)}
    initial.update({name: _as_choice(getattr(item, name)) for name in PRESENCE_FIELDS})
    return AttendanceForm(data, initial=initial, auto_id=f"id_att{item.pk}_%s", edit_of=item)
