from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.forms import BoundedDateField, DateInput
from cases.text import limit_of
from rehab.models import (
    Decision,
    Goal,
    Hensyn,
    InterventionCategory,
    Occupation,
    Ordning,
    Recommendation,
    WithoutTeamGround,
)


class RecommendationForm(forms.Form):
    agenda_item = forms.ModelChoiceField(label=_("Behandlet på mødet"), queryset=None)
    given_on = BoundedDateField(label=_("Indstillingen givet"), widget=DateInput())
    ordning = forms.ChoiceField(label=_("Indstillet ordning"), choices=Ordning.choices)
    duration_years = forms.IntegerField(
        label=_("Varighed (år)"),
        min_value=1,
        max_value=10,
        required=False,
        help_text=_("Kun for ressourceforløb. Tilladt varighed afhænger af reglerne på datoen."),
    )
    justification = forms.CharField(
        max_length=limit_of(Recommendation, "justification"),
        label=_("Faglig begrundelse"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Påkrævet ved indstilling om fleksjob eller førtidspension."),
    )
    hensyn = forms.MultipleChoiceField(
        label=_("Hensyn"), choices=Hensyn.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    followup_assessment = forms.CharField(
        max_length=limit_of(Recommendation, "followup_assessment"),
        label=_("Vurdering af behov for opfølgning ud over minimum"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    followup_extra_needed = forms.BooleanField(label=_("Borgeren har behov for tættere opfølgning"), required=False)
    borger_perspective = forms.CharField(
        max_length=limit_of(Recommendation, "borger_perspective"),
        label=_("Borgerens perspektiv"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    sent_to_borger_on = BoundedDateField(label=_("Sendt til borgeren"), widget=DateInput(), required=False)
    sent_to_gp_on = BoundedDateField(label=_("Sendt til praktiserende læge"), widget=DateInput(), required=False)

    def __init__(self, *args, agenda_items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = agenda_items
        self.fields["agenda_item"].label_from_instance = lambda item: (
            f"{item.meeting.rehab_team}: {timezone.localtime(item.meeting.starts_at):%d.%m.%Y} kl. {item.slot_start:%H:%M}"
        )
        first = agenda_items.first()
        if first is not None:
            self.fields["agenda_item"].initial = first.pk
            self.fields["given_on"].initial = timezone.localdate(first.meeting.starts_at)


class RecommendationGoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["kind", "description", "occupation", "education"]
        widgets = {"description": forms.TextInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occupation"].queryset = Occupation.objects.order_by("title")
        self.fields["occupation"].required = False


class InterventionForm(forms.Form):
    category = forms.ChoiceField(label=_("Kategori"), choices=[("", "---------"), *InterventionCategory.choices])
    description = forms.CharField(label=_("Indsats"), max_length=300)
    within_months = forms.IntegerField(label=_("Inden for (måneder)"), min_value=1, max_value=36, required=False)
    planned_by = BoundedDateField(label=_("Eller senest (dato)"), widget=DateInput(), required=False)


GoalFormSet = forms.formset_factory(RecommendationGoalForm, extra=2)
InterventionFormSet = forms.formset_factory(InterventionForm, extra=3)


def filled(formset) -> list[dict]:
    """The rows the user actually filled in (blank extra rows are ignored)."""
    return [f.cleaned_data for f in formset.forms if f.has_changed() and f.cleaned_data]


class RecommendationSentForm(forms.Form):
    sent_to_borger_on = BoundedDateField(label=_("Sendt til borgeren"), widget=DateInput(), required=False)
    sent_to_gp_on = BoundedDateField(label=_("Sendt til praktiserende læge"), widget=DateInput(), required=False)


class DecisionForm(forms.Form):
    decided_on = BoundedDateField(label=_("Afgørelsesdato"), widget=DateInput())
    ordning = forms.ChoiceField(label=_("Ordning"), choices=Ordning.choices)
    duration_years = forms.IntegerField(label=_("Varighed (år)"), min_value=1, max_value=10, required=False)
    benefit_start_on = BoundedDateField(
        label=_("Start af ressourceforløbsydelse"),
        widget=DateInput(),
        required=False,
        help_text=_("Ressourceforløbet løber fra denne dato."),
    )
    deviation_reason = forms.CharField(
        max_length=limit_of(Decision, "deviation_reason"),
        label=_("Begrundelse, hvis afgørelsen ikke følger indstillingen"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    borger_consent_on = BoundedDateField(
        label=_("Borgeren har ønsket et nyt ressourceforløb (dato)"),
        widget=DateInput(),
        required=False,
        help_text=_("Påkrævet for borgere over 40 år, der har haft et ressourceforløb før."),
    )


class DecisionWithoutTeamForm(DecisionForm):
    without_team_ground = forms.ChoiceField(
        label=_("Grundlag for afgørelse uden rehabiliteringsteamet"), choices=WithoutTeamGround.choices
    )
    without_team_documentation = forms.CharField(
        max_length=limit_of(Decision, "without_team_documentation"),
        label=_("Dokumentation for grundlaget"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    only_employment_interventions = forms.BooleanField(
        label=_("Der planlægges alene beskæftigelsesrettede indsatser"), required=False
    )
