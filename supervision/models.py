"""The tilsyn cycle of the fokusrevision (spec fokusrevision-2020.md §6.1): a written risk
picture, controls chosen from it, rounds that draw a sample by a stated method, case reviews with
a checklist, findings followed up with the koordinerende sagsbehandler, and a re-assessment of the
risks when a round closes.

A risk keeps every version (`RiskVersion`, never changed once written), so last year's risk
picture stays readable and a round shows the risks as they stood when it was linked to them.
A round stores its sample's method, criteria, size, seed and the population it was drawn from,
so the same sample can be drawn again and shown to an auditor (`supervision.sampling`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Forloeb, Kommune, Team
from cases.text import LONG_TEXT, NOTE, text_limits


class Level(models.IntegerChoices):
    """Likelihood and consequence, each on a five-step scale; the risk score is their product."""

    VERY_LOW = 1, _("1 – meget lav")
    LOW = 2, _("2 – lav")
    MEDIUM = 3, _("3 – middel")
    HIGH = 4, _("4 – høj")
    VERY_HIGH = 5, _("5 – meget høj")


class RiskResponse(models.TextChoices):
    CONTROL = "kontrol", _("Kontrolleres")
    REDUCED = "nedskaleret", _("Kontrolleres i mindre omfang")
    ACCEPTED = "accepteret", _("Accepteres uden kontrol")


class ControlKind(models.TextChoices):
    FLAG_RULE = "advarselsregel", _("En advarselsregel")
    FIGURE = "noegletal", _("Et nøgletal på tilsynsoversigten")
    CASE_REVIEW = "sagsgennemgang", _("Sagsgennemgang i en tilsynsrunde")
    OTHER = "anden", _("Anden kontrol (beskrevet med ord)")


class Risk(models.Model):
    """A risk in the kommune's (or one team's) risk register; its content lives in its versions."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("oprettet"))
    retired_on = models.DateField(_("udgået"), null=True, blank=True)
    retired_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("risiko")
        verbose_name_plural = _("risici")

    def __str__(self):
        return f"Risiko {self.pk}"


@text_limits
class RiskVersion(models.Model):
    """One version of a risk, as written on a day. Never changed: an edit writes a new version."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("risiko"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True, max_length=NOTE)
    likelihood = models.PositiveSmallIntegerField(_("sandsynlighed"), choices=Level.choices)
    consequence = models.PositiveSmallIntegerField(_("konsekvens"), choices=Level.choices)
    response = models.CharField(_("håndtering"), max_length=20, choices=RiskResponse.choices)
    response_reason = models.TextField(_("begrundelse"), blank=True, max_length=NOTE)
    control_kind = models.CharField(_("kontrol"), max_length=20, choices=ControlKind.choices, blank=True)
    control_ref = models.CharField(_("regel eller nøgletal"), max_length=64, blank=True)
    control_text = models.TextField(_("kontrollen beskrevet"), blank=True, max_length=NOTE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("ejer")
    )
    review_on = models.DateField(_("vurderes igen senest"))
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(_("skrevet"))

    class Meta:
        verbose_name = _("version af risiko")
        verbose_name_plural = _("versioner af risici")
        ordering = ["risk_id", "number"]
        constraints = [models.UniqueConstraint(fields=["risk", "number"], name="one_risk_version_number")]

    def __str__(self):
        return f"{self.title} (version {self.number})"

    @property
    def score(self) -> int:
        return self.likelihood * self.consequence


class RoundStatus(models.TextChoices):
    OPEN = "aaben", _("Åben")
    CLOSED = "afsluttet", _("Afsluttet")


class SampleMethod(models.TextChoices):
    RANDOM = "tilfaeldig", _("Tilfældig")
    STRATIFIED = "stratificeret", _("Stratificeret")
    RISK_WEIGHTED = "risikovaegtet", _("Risikovægtet")


@text_limits
class TilsynRound(models.Model):
    """A tilsyn round: a period, a unit (the kommune's teams in the leader's view, or one team), a
    purpose and the risks it controls; then its sample, its reviews and its closing."""

    kommune = models.ForeignKey(Kommune, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    title = models.CharField(_("titel"), max_length=200)
    purpose = models.TextField(_("formål"), max_length=NOTE)
    period_from = models.DateField(_("periode fra"))
    period_to = models.DateField(_("periode til"))
    status = models.CharField(_("status"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("startet"))
    risks = models.ManyToManyField(RiskVersion, through="RoundRisk", related_name="rounds", blank=True)
    # The sample: how it was drawn and from what (supervision.sampling).
    method = models.CharField(_("metode"), max_length=20, choices=SampleMethod.choices, blank=True)
    criteria = models.JSONField(_("kriterier"), default=dict, blank=True)
    sample_size = models.PositiveIntegerField(_("stikprøvens størrelse"), null=True, blank=True)
    seed = models.BigIntegerField(_("startværdi (seed)"), null=True, blank=True)
    population = models.JSONField(_("population"), default=list, blank=True)
    drawn_at = models.DateTimeField(_("trukket"), null=True, blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    # The closing.
    summary = models.TextField(_("opsamling"), blank=True, max_length=LONG_TEXT)
    unreviewed_reason = models.TextField(_("hvorfor ikke alle er gennemgået"), blank=True, max_length=NOTE)
    closed_at = models.DateTimeField(_("afsluttet"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("tilsynsrunde")
        verbose_name_plural = _("tilsynsrunder")
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return self.title


@text_limits
class RoundRisk(models.Model):
    """A risk (as the version linked) that a round controls, and its re-assessment at closing."""

    round = models.ForeignKey(TilsynRound, on_delete=models.CASCADE, related_name="round_risks")
    risk_version = models.ForeignKey(RiskVersion, on_delete=models.PROTECT, related_name="+")
    reassessment = models.TextField(_("genvurdering"), blank=True, max_length=NOTE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "risk_version"], name="one_round_risk")]

    def __str__(self):
        return f"{self.round_id}: {self.risk_version_id}"


class SampleItem(models.Model):
    """One forløb drawn into a round's sample, in the order drawn."""

    round = models.ForeignKey(TilsynRound, on_delete=models.CASCADE, related_name="sample")
    forloeb = models.ForeignKey(Forloeb, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    weight = models.FloatField(null=True, blank=True)
    stratum = models.CharField(max_length=100, blank=True)
    coordinator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["round_id", "position"]
        constraints = [models.UniqueConstraint(fields=["round", "forloeb"], name="one_sample_item_per_forloeb")]

    def __str__(self):
        return f"{self.round_id}: {self.position}"


@text_limits
class Review(models.Model):
    """The case review of one sampled forløb."""

    item = models.OneToOneField(SampleItem, on_delete=models.CASCADE, related_name="review")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("påbegyndt"))
    completed_at = models.DateTimeField(_("afsluttet"), null=True, blank=True)
    note = models.TextField(_("samlet vurdering"), blank=True, max_length=NOTE)

    class Meta:
        verbose_name = _("sagsgennemgang")
        verbose_name_plural = _("sagsgennemgange")

    def __str__(self):
        return f"Sagsgennemgang {self.pk}"


class PointKind(models.TextChoices):
    LEGAL = "lov", _("Lovkrav")
    QUALITY = "kvalitet", _("Kvalitet")


class Answer(models.TextChoices):
    OK = "ok", _("I orden")
    FINDING = "fund", _("Fund")
    NOT_RELEVANT = "ikke_relevant", _("Ikke relevant")


@text_limits
class ReviewAnswer(models.Model):
    """One checklist point of a review: what the app suggested from the flags and their evidence,
    and what the reviewer answered."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="answers")
    point = models.CharField(_("punkt"), max_length=64)
    kind = models.CharField(_("art"), max_length=10, choices=PointKind.choices)
    label = models.CharField(_("punktet"), max_length=300)
    suggested = models.CharField(_("forslag"), max_length=20, choices=Answer.choices, blank=True)
    evidence = models.TextField(_("grundlag"), blank=True, max_length=NOTE)
    answer = models.CharField(_("svar"), max_length=20, choices=Answer.choices, blank=True)
    comment = models.TextField(_("kommentar"), blank=True, max_length=NOTE)
    position = models.PositiveSmallIntegerField(default=0)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    answered_at = models.DateTimeField(_("besvaret"), null=True, blank=True)

    class Meta:
        ordering = ["review_id", "position"]
        constraints = [models.UniqueConstraint(fields=["review", "point"], name="one_answer_per_point")]

    def __str__(self):
        return f"{self.point}: {self.answer}"


class ActionStatus(models.TextChoices):
    OPEN = "aaben", _("Åben")
    CLOSED = "lukket", _("Lukket")


@text_limits
class TilsynAction(models.Model):
    """What a finding asks of the koordinerende sagsbehandler, by a due date. It is shown on their
    Min dag and closed there with a reply; closing it closes the finding."""

    finding = models.OneToOneField(ReviewAnswer, on_delete=models.CASCADE, related_name="action")
    forloeb = models.ForeignKey(Forloeb, on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tilsyn_actions")
    text = models.TextField(_("opgave"), max_length=NOTE)
    due_on = models.DateField(_("frist"))
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("oprettet"))
    reply = models.TextField(_("svar"), blank=True, max_length=NOTE)
    closed_at = models.DateTimeField(_("lukket"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("opfølgning på fund")
        verbose_name_plural = _("opfølgninger på fund")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return f"Opfølgning på fund {self.pk}"
