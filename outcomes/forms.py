"""Forms of the Resultat page. They parse and label input; the rules live in outcomes.services,
whose Danish messages the views put back on these forms. Each edit of an existing record carries
the edit token (cases.concurrency); adding a sanction creates a row and needs none."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.concurrency import EditTokenMixin
from cases.forms import DateInput, bounded_formfield
from cases.models import EarlyEndReason
from outcomes.models import ExitStatus, ForloebResult, Sanction
from outcomes.services import EXIT_STATUS_FIELDS, RESULT_EDIT_FIELDS, SANCTION_FIELDS

NOTE = forms.Textarea(attrs={"rows": 2})


def _hours_widget() -> forms.NumberInput:
    return forms.NumberInput(attrs={"min": "0", "max": "37", "step": "0.1", "inputmode": "decimal"})


class ExitStatusForm(EditTokenMixin, forms.ModelForm):
    """The forsørgelsesstatus at one follow-up point. `edit_of` is the recorded status, or a new
    one when none is recorded yet (the token then says "none was recorded")."""

    class Meta:
        model = ExitStatus
        fields = list(EXIT_STATUS_FIELDS)
        widgets = {"job_hours_per_week": _hours_widget(), "note": NOTE}
        help_texts = {
            "code": _("Hvad borgeren forsørges af på dagen: job, uddannelse, en ydelse eller pension."),
            "job_hours_per_week": _(
                "Ved ordinær beskæftigelse (påkrævet) og fleksjob: timer om ugen, højst 37, fx 12,5."
            ),
        }
        error_messages = {"code": {"required": _("Vælg borgerens forsørgelsesstatus.")}}


class ResultForm(EditTokenMixin, forms.ModelForm):
    """Work, fleksjob, revalidering and førtidspension, each fact with its date."""

    class Meta:
        model = ForloebResult
        formfield_callback = bounded_formfield
        fields = list(RESULT_EDIT_FIELDS)
        widgets = {
            **{
                name: DateInput()
                for name in (
                    "ordinary_job_from",
                    "fleksjob_visiteret_on",
                    "fleksjob_employed_on",
                    "fleksjob_bonus_preapproved_on",
                    "fleksjob_bonus_paid_on",
                    "revalidering_from",
                    "fp_indstillet_on",
                    "fp_tilkendt_on",
                )
            },
            **{
                name: _hours_widget()
                for name in ("job_hours_per_week", "fleksjob_expected_hours", "fleksjob_hours_per_week")
            },
            "fleksjob_employer_cvr": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }
        help_texts = {
            "job_hours_per_week": _("Timer om ugen, højst 37, fx 12,5."),
            "fleksjob_visiteret_on": _(
                "Tom: datoen for kommunens afgørelse om fleksjob, når den er registreret under rehabiliteringsteamet."
            ),
            "fleksjob_employer_cvr": _("8 cifre."),
            "fleksjob_bonus_status": _(
                "Forhåndsgodkendt og udløst har hver sin dato; en udløst bonus kan være forhåndsgodkendt først."
            ),
            "fp_indstillet_on": _(
                "Tom: datoen for rehabiliteringsteamets indstilling om førtidspension, når den er registreret. "
                "Udfyld den, når indstillingen er givet uden for Forløb (fx efter afslutningen)."
            ),
            "fp_tilkendt_on": _(
                "Kommunens afgørelse om at tilkende førtidspension. Tom: datoen for afgørelsen om "
                "førtidspension, når den er registreret under rehabiliteringsteamet."
            ),
            "fp_held_before": _("Borgeren havde førtidspension allerede; tæller ikke som afgang til førtidspension."),
        }


class SanctionForm(forms.ModelForm):
    """A new sanction (creates a row)."""

    class Meta:
        model = Sanction
        formfield_callback = bounded_formfield
        fields = list(SANCTION_FIELDS)
        widgets = {"imposed_on": DateInput(), "note": NOTE}
        error_messages = {
            "imposed_on": {"required": _("Angiv datoen for sanktionen.")},
            "kind": {"required": _("Vælg sanktionens type.")},
            "reason": {"required": _("Vælg om borgeren ikke har medvirket eller ikke har gennemført.")},
        }


class SanctionEditForm(EditTokenMixin, SanctionForm):
    """A correction of a recorded sanction."""

    class Meta(SanctionForm.Meta):
        pass


class EarlyEndReasonForm(EditTokenMixin, forms.Form):
    """Why a closed forløb ended before its planned end date; `edit_of` is the forløb."""

    edit_token_fields = ("early_end_reason",)
    early_end_reason = forms.ChoiceField(
        label=_("Årsag til at forløbet sluttede før planlagt"),
        choices=[("", "---------"), *EarlyEndReason.choices],
        required=False,  # the service says on this field when it is needed
    )
