"""Forms of the indsatsplan page. They parse and label input; the rules live in plans.services,
whose Danish messages are put back on these forms by the views."""

from django import forms
from django.utils.translation import gettext_lazy as _
from stdnum.dk import cvr as stdnum_cvr

from cases import clock
from cases.concurrency import EditTokenMixin
from cases.forms import BoundedDateField, DateInput
from cases.text import limit_of
from plans.models import ActionPlan, Forvaltning, Intervention, InterventionEvent, Source
from plans.services import EMPLOYER_CATEGORIES, PLAN_FIELDS
from rehab.models import Hensyn, InterventionCategory

TEXTAREA = forms.Textarea(attrs={"rows": 3})
DATE_REQUIRED = {"required": _("Angiv datoen.")}


def compact_cvr(value: str) -> str:
    """ "DK 1358 5628" → "13585628"; whether it is valid is for the service to say."""
    return stdnum_cvr.compact(value) if value and value.strip() else ""


class PlanForm(EditTokenMixin, forms.Form):
    """The fields of a draft indsatsplan (services.plan_update), with the edit token of the
    plan as loaded (cases.concurrency)."""

    edit_token_fields = PLAN_FIELDS

    coordinator = forms.ModelChoiceField(label=_("Koordinerende sagsbehandler"), queryset=None, required=False)
    followup_cadence_weeks = forms.IntegerField(
        label=_("Opfølgning hver (uger)"),
        min_value=1,
        max_value=52,
        required=False,
        help_text=_("Hvor ofte I holder opfølgningssamtale, fx hver 4. uge."),
    )
    followup_agreement = forms.CharField(
        max_length=limit_of(ActionPlan, "followup_agreement"),
        label=_("Aftale om opfølgning"),
        widget=TEXTAREA,
        required=False,
        help_text=_("Hvordan og hvor ofte I taler sammen, med borgerens ønsker."),
    )
    next_followup_on = BoundedDateField(label=_("Næste samtale"), widget=DateInput(), required=False)
    hensyn = forms.MultipleChoiceField(
        label=_("Hensyn"), choices=Hensyn.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    borger_perspective = forms.CharField(
        max_length=limit_of(ActionPlan, "borger_perspective"),
        label=_("Borgerens perspektiv på de planlagte indsatser"),
        widget=TEXTAREA,
        required=False,
        help_text=_("Med borgerens egne ord."),
    )

    def __init__(self, *args, coordinators, plan=None, **kwargs):
        if plan is not None:
            kwargs["initial"] = {
                "coordinator": plan.coordinator_id,
                "followup_cadence_weeks": plan.followup_cadence_weeks,
                "followup_agreement": plan.followup_agreement,
                "next_followup_on": plan.next_followup_on,
                "hensyn": list(plan.hensyn),
                "borger_perspective": plan.borger_perspective,
            }
        super().__init__(*args, edit_of=plan, **kwargs)
        self.fields["coordinator"].queryset = coordinators


class MilestoneForm(forms.Form):
    description = forms.CharField(
        label=_("Delmål"), max_length=300, error_messages={"required": _("Beskriv delmålet.")}
    )
    target_date = BoundedDateField(label=_("Forventet nået"), widget=DateInput(), required=False)


class CompleteForm(forms.Form):
    completed_on = BoundedDateField(label=_("Færdiggjort den"), widget=DateInput(), error_messages=DATE_REQUIRED)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["completed_on"].initial = clock.today()


class ReviseForm(forms.Form):
    reason = forms.CharField(
        label=_("Hvorfor revideres planen?"),
        max_length=300,
        help_text=_("Fx “opfølgningssamtalen den 3. marts: praktikken er afbrudt”."),
        error_messages={"required": _("Skriv hvorfor planen revideres, fx opfølgningssamtalen den …")},
    )


class InterventionForm(forms.Form):
    """A new indsats (services.intervention_add); the type is chosen from the current catalogue."""

    type = forms.ModelChoiceField(
        label=_("Indsats"), queryset=None, error_messages={"required": _("Vælg en indsats fra kataloget.")}
    )
    description = forms.CharField(label=_("Beskrivelse"), max_length=300, required=False)
    planned_start = BoundedDateField(label=_("Planlagt start"), widget=DateInput(), required=False)
    planned_end = BoundedDateField(label=_("Planlagt slut"), widget=DateInput(), required=False)
    hours_per_week = forms.DecimalField(
        label=_("Timer pr. uge"), max_digits=4, decimal_places=1, required=False, min_value=0
    )
    provider = forms.CharField(label=_("Leverandør"), max_length=200, required=False)
    forvaltning = forms.ChoiceField(label=_("Forvaltning"), choices=Forvaltning.choices, initial=Forvaltning.JOBCENTER)
    employer_cvr = forms.CharField(
        label=_("Arbejdsgivers CVR-nummer"),
        max_length=20,
        required=False,
        help_text=_("Til virksomhedsrettede indsatser: 8 cifre."),
    )
    cost = forms.DecimalField(label=_("Udgift (kr.)"), max_digits=10, decimal_places=2, required=False)
    part_of_forloeb = forms.BooleanField(label=_("Iværksat som led i forløbet"), required=False, initial=True)
    source = forms.ChoiceField(label=_("Kilde"), choices=Source.choices, initial=Source.HERE)

    def clean_employer_cvr(self) -> str:
        return compact_cvr(self.cleaned_data["employer_cvr"])

    def __init__(self, *args, catalogue, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["type"]
        field.queryset = catalogue
        types = list(catalogue)  # one query; the grouped choices are built from it
        labels = dict(InterventionCategory.choices)
        groups: dict[str, list] = {}
        for t in types:
            groups.setdefault(str(labels.get(t.category, t.category)), []).append((t.pk, t.name))
        field.choices = [("", "---------"), *groups.items()]


# --- Moving one indsats a step (services.intervention_move) ------------------------------------

MOVE_DATE_LABELS = {
    "grant": _("Bevilget den"),
    "start": _("Startet den"),
    "complete": _("Gennemført den"),
    "interrupt": _("Afbrudt den"),
    "not_started": _("Besluttet den"),
}


class InterventionMoveForm(EditTokenMixin, forms.Form):
    """The few fields one lifecycle step needs, pre-filled so the usual case is one click on
    "Gem". Which fields appear depends on the action and the indsats. The edit token holds the
    status the page showed (cases.concurrency), so a step chosen on a stale page is refused."""

    edit_token_fields = ("status",)

    def __init__(self, *args, action: str, intervention: Intervention, **kwargs):
        super().__init__(*args, edit_of=intervention, **kwargs)
        self.action = action
        self.intervention = intervention
        today = clock.today()
        employer = intervention.category in EMPLOYER_CATEGORIES
        if action == "plan":
            self.fields["planned_start"] = BoundedDateField(
                label=_("Planlagt start"), widget=DateInput(), initial=today, error_messages=DATE_REQUIRED
            )
            self.fields["planned_end"] = BoundedDateField(label=_("Planlagt slut"), widget=DateInput(), required=False)
        else:
            self.fields["on"] = BoundedDateField(
                label=MOVE_DATE_LABELS[action], widget=DateInput(), initial=today, error_messages=DATE_REQUIRED
            )
        if employer and (action == "grant" or (action == "start" and not intervention.employer_cvr)):
            # Required by the service, which gives the Danish message; `required` here helps the browser.
            self.fields["employer_cvr"] = forms.CharField(
                label=_("Arbejdsgivers CVR-nummer"),
                max_length=20,
                required=False,
                initial=intervention.employer_cvr,
                widget=forms.TextInput(attrs={"required": True, "inputmode": "numeric", "autocomplete": "off"}),
            )
        if action in ("interrupt", "not_started"):
            self.fields["reason"] = forms.CharField(
                max_length=limit_of(InterventionEvent, "reason"),
                label=_("Begrundelse"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "required": True}),
            )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {
            "on": data.get("on") or clock.today(),
            "reason": data.get("reason") or "",
            "employer_cvr": compact_cvr(data.get("employer_cvr") or ""),
            "edit_token": self.submitted_token,
        }
        if self.action == "plan":
            kwargs["planned_start"] = data.get("planned_start")
            kwargs["planned_end"] = data.get("planned_end")
        return kwargs
