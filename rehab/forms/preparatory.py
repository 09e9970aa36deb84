from django import forms
from django.utils.translation import gettext_lazy as _

from cases.concurrency import EditTokenMixin
from cases.forms import BoundedDateField, DateInput, bounded_formfield
from cases.text import limit_of
from rehab.models import Goal, HealthDocument, Occupation, PreparatoryPart

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class PreparatoryPartForm(EditTokenMixin, forms.ModelForm):
    """All sections of the forberedende del. Saving a draft is always allowed; the
    checklist (rehab.rules.preparatory_checklist) says what is still missing. Carries the
    edit token of the sections as loaded (cases.concurrency), also when nothing is saved yet."""

    class Meta:
        model = PreparatoryPart
        formfield_callback = bounded_formfield
        fields = [
            "work_started_on",
            "wishes",
            "personal_resources",
            "challenges_job",
            "challenges_social",
            "challenges_health",
            "self_assessed_health",
            "previous_benefit",
            "benefit_history",
            "earlier_interventions",
            "borger_perspective",
            "cv",
            "borger_wish",
            "signed_by_borger_on",
        ]
        widgets = {
            "work_started_on": DateInput(),
            "signed_by_borger_on": DateInput(),
            **dict.fromkeys(
                (
                    "wishes",
                    "personal_resources",
                    "challenges_job",
                    "challenges_social",
                    "challenges_health",
                    "self_assessed_health",
                    "benefit_history",
                    "earlier_interventions",
                    "borger_perspective",
                    "cv",
                ),
                TEXTAREA,
            ),
        }
        help_texts = {
            "borger_perspective": _(
                "Hvad borgeren selv mener om sin situation og om indsatsen, med borgerens egne ord."
            ),
            "personal_resources": _("Personlige styrker, som kan bruges på arbejdsmarkedet."),
            "challenges_social": _("Fx familie, netværk, økonomi, misbrug."),
        }


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["kind", "description", "occupation", "education", "set_with_borger"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "occupation": _("Et jobmål er konkret, når det peger på en bestemt stilling eller jobfunktion."),
            "education": _("Et uddannelsesmål er konkret, når det nævner en bestemt uddannelse."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occupation"].queryset = Occupation.objects.order_by("title")
        self.fields["occupation"].required = False


class HealthDocumentForm(forms.ModelForm):
    class Meta:
        model = HealthDocument
        formfield_callback = bounded_formfield
        fields = HealthDocument.INPUT_FIELDS
        widgets = {
            "requested_on": DateInput(),
            "received_on": DateInput(),
            "focus_question": forms.Textarea(attrs={"rows": 2}),
            "summary": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "focus_question": _("Påkrævet for en LÆ 261: hvad skal lægen svare på?"),
            "purpose": _("Fx “overvejelse om genforelæggelse”."),
        }


class HealthReceivedForm(forms.Form):
    received_on = BoundedDateField(label=_("Modtaget"), widget=DateInput())
    summary = forms.CharField(
        max_length=limit_of(HealthDocument, "summary"),
        label=_("Kort resumé"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
