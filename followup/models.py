"""What happens over time in a forløb: opfølgningssamtaler, the kommune's rule settings, the
flags the rule packs raise (kept for ever, with their whole lifecycle) and the evaluation runs."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Forloeb, Kommune
from cases.text import LONG_TEXT, NOTE, text_limits
from followup.rulepacks.servicestandard import DEFAULTS


class SamtaleSetting(models.TextChoices):
    INDIVIDUAL = "individuel", _("Individuel")
    GROUP = "gruppe", _("Gruppe")


class SamtaleChannel(models.TextChoices):
    IN_PERSON = "fremmoede", _("Fremmøde")
    PHONE = "telefon", _("Telefon")
    VIDEO = "video", _("Video")


class NoNextReason(models.TextChoices):
    """Why no next samtale was agreed. The first three exclude the forløb from "no next samtale
    agreed" (the fokusrevision's n = 366 rule: cases agreed for re-assessment are not counted)."""

    ENDING = "afsluttes", _("Forløbet afsluttes")
    GENFORELAEGGELSE = "genforelaeggelse", _("Sagen forelægges rehabiliteringsteamet igen")
    REASSESSMENT = "revurdering", _("Sagen revurderes")
    OTHER = "andet", _("Andet (skriv hvorfor)")


EXCUSED_NO_NEXT = (NoNextReason.ENDING, NoNextReason.GENFORELAEGGELSE, NoNextReason.REASSESSMENT)


@text_limits
class FollowUpMeeting(models.Model):
    """One opfølgningssamtale. `held_on` is the Danish calendar day the law counts; the time,
    when given, is kept as an aware datetime so a samtale at 00:30 on a DST day stays on its day."""

    forloeb = models.ForeignKey(Forloeb, on_delete=models.CASCADE, related_name="followups")
    held_on = models.DateField(_("dato"))
    held_at = models.DateTimeField(_("tidspunkt"), null=True, blank=True)
    setting = models.CharField(_("form"), max_length=20, choices=SamtaleSetting.choices, default="individuel")
    channel = models.CharField(_("kanal"), max_length=20, choices=SamtaleChannel.choices, default="fremmoede")
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("afholdt af"), on_delete=models.PROTECT, related_name="+"
    )
    borger_attended = models.BooleanField(_("borgeren deltog"), default=True)
    status_on_interventions = models.TextField(_("status på deltagelse i indsatser"), blank=True, max_length=LONG_TEXT)
    new_agreements = models.TextField(_("nye aftaler om indsatsplanen"), blank=True, max_length=LONG_TEXT)
    mentor_need_assessed = models.BooleanField(_("behovet for mentorstøtte er vurderet"), default=False)
    mentor_assessment = models.TextField(_("vurdering af behov for (øget) mentorstøtte"), blank=True, max_length=NOTE)
    borger_perspective = models.TextField(_("borgerens perspektiv"), blank=True, max_length=LONG_TEXT)
    next_on = models.DateField(_("næste samtale"), null=True, blank=True)
    no_next_reason = models.CharField(
        _("hvorfor ingen næste samtale"), max_length=20, choices=NoNextReason.choices, blank=True
    )
    no_next_note = models.CharField(_("begrundelse"), max_length=300, blank=True)
    plan_revision = models.ForeignKey(
        "plans.ActionPlan",
        verbose_name=_("revision af indsatsplanen"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("opfølgningssamtale")
        verbose_name_plural = _("opfølgningssamtaler")
        ordering = ["held_on", "id"]
        indexes = [models.Index(fields=["forloeb", "held_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_on__isnull=False) | ~Q(no_next_reason=""), name="followup_next_or_reason"
            ),
            models.CheckConstraint(
                condition=Q(next_on__isnull=True) | Q(next_on__gt=models.F("held_on")), name="followup_next_after"
            ),
        ]

    def __str__(self):
        return f"{self.held_on:%d.%m.%Y}: {self.get_setting_display()}, {self.get_channel_display()}"

    @property
    def counts(self) -> bool:
        """Held with the borger present (an udeblivelse is not a samtale)."""
        return self.borger_attended


class RuleSettings(models.Model):
    """The kommune's own service standard and good-practice thresholds. A kommune without a row
    uses the defaults of `followup.rulepacks.servicestandard` (the fokusrevision's buckets)."""

    kommune = models.OneToOneField(Kommune, on_delete=models.CASCADE, related_name="rule_settings")
    standard_enabled = models.BooleanField(_("servicestandard for opfølgning slået til"), default=True)
    samtaler_per_year = models.PositiveSmallIntegerField(
        _("opfølgningssamtaler pr. år"), default=DEFAULTS["samtaler_per_year"]
    )
    max_gap_days = models.PositiveSmallIntegerField(
        _("højst dage mellem to samtaler"), default=DEFAULTS["max_gap_days"]
    )
    rehab_wait_days = models.PositiveSmallIntegerField(
        _("ventetid fra forberedende del til møde (dage)"), default=DEFAULTS["rehab_wait_days"]
    )
    indstilling_send_days = models.PositiveSmallIntegerField(
        _("indstilling sendt til borgeren inden (dage)"), default=DEFAULTS["indstilling_send_days"]
    )
    plan_after_meeting_days = models.PositiveSmallIntegerField(
        _("indsatsplan færdig efter mødet inden (dage)"), default=DEFAULTS["plan_after_meeting_days"]
    )
    not_started_days = models.PositiveSmallIntegerField(
        _("anbefalet indsats igangsat inden (dage)"), default=DEFAULTS["not_started_days"]
    )
    not_started_days_by_category = models.JSONField(
        _("anbefalet indsats igangsat inden (dage) pr. kategori"), default=dict, blank=True
    )
    digest_enabled = models.BooleanField(
        _("daglig e-mail med Min dag"),
        default=False,
        help_text=_("Sagsbehandlere med en e-mailadresse får hver morgen et kort overblik (uden navne og CPR)."),
    )
    ending_warning_days = models.PositiveSmallIntegerField(
        _("varsel før forløbets slutdato (dage)"), default=DEFAULTS["ending_warning_days"]
    )

    class Meta:
        verbose_name = _("regelindstillinger")
        verbose_name_plural = _("regelindstillinger")

    def __str__(self):
        return str(self.kommune)

    def clean(self):
        """The per-category days are read by the nightly SQL: refuse anything but known
        categories with a whole number of days, so a typo can never stop the evaluation."""
        from rehab.models import InterventionCategory

        value = self.not_started_days_by_category
        if not isinstance(value, dict):
            raise ValidationError(
                {"not_started_days_by_category": _('Skriv fx {"mentor": 60, "virksomhedsrettet": 90}.')}
            )
        errors = []
        for category, days in value.items():
            if category not in InterventionCategory.values:
                errors.append(
                    _("Ukendt kategori “%(c)s”; brug en af: %(all)s.")
                    % {"c": category, "all": ", ".join(InterventionCategory.values)}
                )
            elif isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3650:
                errors.append(_("Antal dage for “%(c)s” skal være et helt tal mellem 1 og 3650.") % {"c": category})
        if errors:
            raise ValidationError({"not_started_days_by_category": errors})


class BasisKind(models.TextChoices):
    LAW = "lov", _("Lovkrav")
    LOCAL = "servicestandard", _("Kommunens servicestandard")


class Resolution(models.TextChoices):
    CLEARED = "ophoert", _("Forholdet er bragt i orden")
    CLOSED = "afsluttet", _("Forløbet er afsluttet")
    NOT_IN_FORCE = "ikke_i_kraft", _("Reglen gælder ikke længere")


@text_limits
class Flag(models.Model):
    """One flag: raised when its rule first held for a forløb (and subject), resolved when it no
    longer does. Never deleted. At most one open flag per forløb, rule and subject, enforced by
    the database, so re-evaluation and overlapping runs cannot duplicate one."""

    forloeb = models.ForeignKey(Forloeb, on_delete=models.CASCADE, related_name="flags")
    rule_id = models.CharField(_("regel"), max_length=40)
    rule_version = models.PositiveSmallIntegerField(_("regelversion"))
    pack = models.CharField(_("regelsæt"), max_length=20)
    basis_kind = models.CharField(_("grundlag"), max_length=20, choices=BasisKind.choices)
    basis = models.TextField(_("hjemmel"), max_length=NOTE)
    # What the flag is about within the forløb: "" for the forløb as a whole, else e.g. a
    # document kind or a recommended indsats ("anbefalet:123").
    subject = models.CharField(_("emne"), max_length=60, blank=True, default="")
    evidence = models.JSONField(_("dokumentation"), default=dict)
    raised_on = models.DateField(_("rejst (dato for evaluering)"))
    raised_at = models.DateTimeField(_("rejst"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("kvitteret"), null=True, blank=True)
    acknowledge_comment = models.TextField(_("kommentar"), blank=True, max_length=NOTE)
    resolved_on = models.DateField(_("løst (dato for evaluering)"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("løst"), null=True, blank=True)
    resolution = models.CharField(_("løst fordi"), max_length=20, choices=Resolution.choices, blank=True)

    class Meta:
        verbose_name = _("advarsel")
        verbose_name_plural = _("advarsler")
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["forloeb", "rule_id", "subject"],
                condition=Q(resolved_at__isnull=True),
                name="flag_one_open_per_rule_and_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["rule_id", "forloeb"], condition=Q(resolved_at__isnull=True), name="flag_open_rule"),
            models.Index(fields=["forloeb", "raised_on"]),
        ]

    def __str__(self):
        return f"{self.rule_id} ({self.raised_on:%d.%m.%Y})"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


SNOOZE_MAX_DAYS = 180  # how far ahead a good-practice flag may be put off


@text_limits
class FlagSnooze(models.Model):
    """A good-practice flag put off until a day, with why (`followup.services.flag_snooze`). The
    flag stays open; Min dag leaves it out of its triage list until that day. Never deleted: each
    snooze is part of the flag's history, the latest one counts."""

    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="snoozes", verbose_name=_("advarsel"))
    until = models.DateField(_("udsat til"))
    reason = models.TextField(_("begrundelse"), max_length=NOTE)
    snoozed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("udsat af"), on_delete=models.PROTECT, related_name="+"
    )
    snoozed_at = models.DateTimeField(_("udsat"))

    class Meta:
        verbose_name = _("udsættelse af advarsel")
        verbose_name_plural = _("udsættelser af advarsler")
        ordering = ["snoozed_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="flagsnooze_reason_given")]

    def __str__(self):
        return f"{self.flag_id} → {self.until.isoformat()}"


class EvaluationRun(models.Model):
    """One full evaluation (nightly, or replayed with `evaluate_flags --as-of`)."""

    as_of = models.DateField(_("evalueret pr."))
    started_at = models.DateTimeField(_("startet"))
    finished_at = models.DateTimeField(_("færdig"), null=True, blank=True)
    raised = models.PositiveIntegerField(_("rejst"), default=0)
    resolved = models.PositiveIntegerField(_("løst"), default=0)
    queries = models.PositiveIntegerField(_("SQL-forespørgsler"), default=0)

    class Meta:
        verbose_name = _("evalueringskørsel")
        verbose_name_plural = _("evalueringskørsler")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.as_of} ({self.started_at:%Y-%m-%d %H:%M})"


class EvaluationRequest(models.Model):
    """The outbox: a request to re-evaluate a forløb's flags, written in the same transaction as the
    change (so it exists exactly when the change does) and deleted by the worker in the transaction
    that evaluates it (`followup.outbox`). Rows left behind by a failed publish are picked up by the
    periodic sweep, so no change goes unevaluated while Redis is down."""

    forloeb = models.ForeignKey(Forloeb, on_delete=models.CASCADE, related_name="+", verbose_name=_("forløb"))
    requested_at = models.DateTimeField(_("anmodet"))

    class Meta:
        verbose_name = _("anmodning om genberegning")
        verbose_name_plural = _("anmodninger om genberegning")

    def __str__(self):
        return f"{self.forloeb_id} ({self.requested_at:%Y-%m-%d %H:%M})"
