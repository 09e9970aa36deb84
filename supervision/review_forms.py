"""Forms of the case review: one per checklist point (its answer, comment and, for a new finding,
the action it asks of the koordinerende sagsbehandler), a finding's action on its own, and the
caseworker's reply that closes an action."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from cases import clock
from cases.concurrency import EditTokenMixin
from cases.forms import BoundedDateField
from cases.text import limit_of
from supervision.models import Answer, ReviewAnswer, TilsynAction
from supervision.reviews import ACTION_DUE_DAYS, ANSWER_FIELDS

ACTION_TEXT_REQUIRED = _("Skriv, hvad den koordinerende sagsbehandler skal gøre ved fundet.")
DUE_IN_PAST = _("Fristen kan ikke ligge før i dag.")


def _default_due() -> dt.date:
    return clock.today() + dt.timedelta(days=ACTION_DUE_DAYS)


class _ActionFields(forms.Form):
    action_text = forms.CharField(
        label=_("Opfølgning: hvad skal den koordinerende sagsbehandler gøre?"),
        max_length=limit_of(TilsynAction, "text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    action_due_on = BoundedDateField(
        label=_("Frist for opfølgningen"),
        required=False,
        help_text=_("Som udgangspunkt 14 dage fra i dag."),
    )

    def clean_action_due_on(self):
        due = self.cleaned_data.get("action_due_on")
        if due is not None and due < clock.today():
            raise forms.ValidationError(DUE_IN_PAST)
        return due


class ReviewAnswerForm(EditTokenMixin, _ActionFields):
    """One point of the checklist. Its prefix is the answer's id, so the page holds one per
    point; the edit token guards the answer and the comment against a stale page."""

    edit_token_fields = ANSWER_FIELDS

    answer = forms.ChoiceField(label=_("Vurdering"), choices=Answer.choices, required=False, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Kommentar"),
        max_length=limit_of(ReviewAnswer, "comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, point: ReviewAnswer, **kwargs):
        self.point = point
        self.has_action = getattr(point, "action", None) is not None
        # An unanswered point starts at the app's suggestion: the reviewer confirms or changes it.
        kwargs.setdefault("initial", {"answer": point.answer or point.suggested, "comment": point.comment})
        super().__init__(*args, prefix=f"p{point.pk}", edit_of=point, **kwargs)
        if self.has_action:
            del self.fields["action_text"], self.fields["action_due_on"]
        else:
            self.fields["action_due_on"].initial = _default_due()

    @property
    def action_open(self) -> bool:
        """Show the action's fields unfolded: a finding (suggested, chosen or posted), or errors."""
        if self.has_action:
            return False
        if self.is_bound:
            return self.data.get(self.add_prefix("answer")) == Answer.FINDING or bool(
                self.data.get(self.add_prefix("action_text"))
            )
        return (self.point.answer or self.point.suggested) == Answer.FINDING

    def clean(self):
        cleaned = super().clean()
        if (
            not self.has_action
            and cleaned.get("answer") == Answer.FINDING
            and not (cleaned.get("action_text") or "").strip()
            and "action_text" not in self.errors
        ):
            self.add_error("action_text", ACTION_TEXT_REQUIRED)
        return cleaned


class FindingActionForm(_ActionFields):
    """A finding's action on its own page (a finding saved without one)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action_text"].required = True
        self.fields["action_text"].error_messages["required"] = ACTION_TEXT_REQUIRED
        self.fields["action_due_on"].initial = _default_due()


class ActionReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Dit svar: hvad er gjort?"),
        max_length=limit_of(TilsynAction, "reply"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Skriv, hvad der er gjort.")},
    )
