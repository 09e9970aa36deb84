"""The checklist of a case review (spec fokusrevision-2020.md §6.1 and §6.3 E): legal points and
quality points, each pre-filled from what the app already knows, so the reviewer confirms rather
than re-reads the case.

Legal points are the flag rules in force on the forløb's dates within the round's period (the
rules the nightly evaluation runs, `followup.rulepacks`), grouped by the pack that holds them;
the kommune's service standard is its own group, and is left out when the kommune has switched
it off. A rule the forløb had a flag of in the period is suggested as a finding, with the flag's
rule, basis, subject, days and evidence; a rule without one is suggested "ok".

Quality points are a fixed list (the fokusrevision's concrete goals, the borger's perspective,
coordination, the content of the samtaler, progression), each with a hint from the data; the
reviewer judges them without a suggestion.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import clock, dates
from cases.concepts import GOAL_CONCRETE, SAMTALE_HELD
from cases.models import Forloeb
from followup.models import Flag, FollowUpMeeting, Resolution
from followup.rulepacks import PACKS, RULES, STANDARD, packs_for
from followup.rulepacks.base import Rule
from followup.selectors import SUBJECT_LABELS, settings_for
from plans.models import ActionPlan, CoordinationNote, Progress
from rehab.models import Goal
from supervision.models import Answer, PointKind, TilsynRound

NO_FLAG = gettext_lazy("Ingen advarsel i perioden")


@dataclass(frozen=True)
class QualityPoint:
    key: str
    label: str


QUALITY_POINTS = (
    QualityPoint(
        "Q_GOALS",
        gettext_lazy("Konkrete mål: job- eller uddannelsesmål og delmål er konkrete og sat sammen med borgeren"),
    ),
    QualityPoint(
        "Q_BORGER_PERSPECTIVE",
        gettext_lazy("Borgerens perspektiv: ønsker, motivation og oplevelse af indsatsen er beskrevet"),
    ),
    QualityPoint(
        "Q_COORDINATION",
        gettext_lazy(
            "Koordinering: den koordinerende sagsbehandler er gennemgående, og indsatser på tværs af "
            "forvaltninger er koordineret"
        ),
    ),
    QualityPoint(
        "Q_SAMTALE_CONTENT",
        gettext_lazy(
            "Samtalernes indhold: status på indsatserne, nye aftaler, vurdering af behov for mentor og "
            "borgerens perspektiv"
        ),
    ),
    QualityPoint(
        "Q_PROGRESSION",
        gettext_lazy("Progression: borgerens fremdrift mod delmålene følges og vurderes"),
    ),
)
QUALITY_KEYS = tuple(p.key for p in QUALITY_POINTS)


# The order points are shown and counted in: the packs' rules as declared, then the quality points.
POINT_ORDER = tuple(r.id for pack in PACKS for r in pack.rules) + QUALITY_KEYS


@dataclass
class Point:
    key: str
    kind: str  # PointKind
    label: str
    group: str  # the pack's name, the kommune's standard, or "Kvalitet"
    suggested: str = ""  # Answer, or "" (no suggestion)
    evidence: str = ""


@dataclass(frozen=True)
class Window:
    """The days of the round's period the forløb was open, up to today."""

    start: dt.date
    end: dt.date


def window_for(forloeb: Forloeb, tilsyn_round: TilsynRound) -> Window:
    end = min(tilsyn_round.period_to, clock.today())
    if forloeb.closed_on is not None:
        end = min(end, forloeb.closed_on)
    start = max(tilsyn_round.period_from, forloeb.opened_on)
    return Window(start=min(start, end), end=end)


def _in_force_within(rule: Rule, window: Window) -> bool:
    return rule.in_force_from <= window.end and (rule.in_force_to is None or rule.in_force_to > window.start)


def group_label(pack_code: str) -> str:
    if pack_code == STANDARD.code:
        return str(STANDARD.name)
    pack = next((p for p in PACKS if p.code == pack_code), None)
    return str(pack.name) if pack is not None else _("Andre regler")


def group_of(point: str, kind: str) -> str:
    """The group a stored answer is shown under (its rule's pack, or the quality points)."""
    if kind == PointKind.QUALITY:
        return _("Kvalitet")
    rule = RULES.get(point)
    return group_label(rule.pack) if rule is not None else _("Andre regler")


def governing_packs(forloeb: Forloeb, window: Window) -> list[tuple[str, str]]:
    """The packs that govern the forløb in the window, each with why (for the review page)."""
    reasons = {
        "start": _("forløbets startdato"),
        "day": _("perioden"),
        "standard": _("kommunens egen standard"),
    }
    seen: dict[str, str] = {}
    for day in (window.start, window.end):
        for pack, why in packs_for(started_on=forloeb.start_date, day=day):
            seen.setdefault(str(pack.name), str(reasons.get(why, why)))
    return list(seen.items())


def _flags_in_window(forloeb: Forloeb, window: Window) -> list[Flag]:
    return list(
        Flag.objects.filter(forloeb=forloeb, raised_on__lte=window.end)
        .filter(Q(resolved_on__isnull=True) | Q(resolved_on__gte=window.start))
        .order_by("raised_on", "pk")
    )


def _evidence_value(value) -> str:
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        try:
            return dates.short(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def flag_evidence(flag: Flag) -> str:
    """A flag in words: its rule, basis, subject, days and the evidence it was raised on."""
    rule = RULES.get(flag.rule_id)
    lines = [
        _("Advarsel: %(rule)s (regel %(id)s, version %(version)s)")
        % {"rule": rule.description if rule else flag.rule_id, "id": flag.rule_id, "version": flag.rule_version},
        _("Grundlag: %(basis)s") % {"basis": flag.basis},
    ]
    subject = flag.subject
    if subject:
        label = flag.evidence.get("indsats", "") if subject.startswith("anbefalet:") else SUBJECT_LABELS.get(subject)
        lines.append(_("Emne: %(subject)s") % {"subject": label or subject})
    if flag.resolved_on is None:
        lines.append(_("Rejst %(raised)s, stadig åben") % {"raised": dates.short(flag.raised_on)})
    else:
        lines.append(
            _("Rejst %(raised)s, løst %(resolved)s (%(why)s)")
            % {
                "raised": dates.short(flag.raised_on),
                "resolved": dates.short(flag.resolved_on),
                "why": Resolution(flag.resolution).label if flag.resolution in Resolution.values else "-",
            }
        )
    if flag.acknowledged_at is not None:
        ack = _("Kvitteret %(day)s") % {"day": dates.short(flag.acknowledged_at)}
        if flag.acknowledge_comment:
            ack += f": {flag.acknowledge_comment}"
        lines.append(ack)
    details = [
        f"{key.replace('_', ' ').capitalize()}: {_evidence_value(value)}"
        for key, value in (flag.evidence or {}).items()
        if value is not None
    ]
    if details:
        lines.append(_("Dokumentation: %(details)s") % {"details": "; ".join(details)})
    return "\n".join(lines)


def legal_points(forloeb: Forloeb, window: Window) -> list[Point]:
    standard_on = settings_for(kommune_id=forloeb.kommune_id)["standard_enabled"]
    flags = _flags_in_window(forloeb, window)
    by_rule: dict[str, list[Flag]] = {}
    for flag in flags:
        by_rule.setdefault(flag.rule_id, []).append(flag)
    points = []
    for pack in PACKS:
        for rule in pack.rules:
            flagged = by_rule.pop(rule.id, [])
            if not flagged and (not _in_force_within(rule, window) or (pack.code == STANDARD.code and not standard_on)):
                continue
            points.append(_legal_point(rule.id, str(rule.description), group_label(pack.code), flagged))
    for rule_id, flagged in by_rule.items():  # a rule no pack holds any more, by what its flag says
        points.append(_legal_point(rule_id, rule_id, str(_("Andre regler")), flagged))
    return points


def _legal_point(key: str, label: str, group: str, flagged: list[Flag]) -> Point:
    if flagged:
        evidence = "\n\n".join(flag_evidence(f) for f in flagged)
        return Point(key, PointKind.LEGAL, label, group, Answer.FINDING, evidence)
    return Point(key, PointKind.LEGAL, label, group, Answer.OK, str(NO_FLAG))


def _yes(value: bool) -> str:
    return _("ja") if value else _("nej")


def _written(text: str | None) -> bool:
    return bool(text and text.strip())


def quality_points(forloeb: Forloeb, window: Window) -> list[Point]:
    """The quality points with a hint each from the forløb's data up to the window's end."""
    end = window.end
    goals = Goal.objects.filter(forloeb=forloeb).aggregate(
        total=Count("pk"), concrete=Count("pk", filter=GOAL_CONCRETE.expression(g=Goal._meta.db_table))
    )
    plan = (
        ActionPlan.objects.filter(forloeb=forloeb, completed_on__lte=end)
        .annotate(
            milestones_n=Count("milestones", distinct=True),
            dated_n=Count("milestones", filter=Q(milestones__target_date__isnull=False), distinct=True),
        )
        .order_by("-version")
        .first()
    )
    samtaler = list(FollowUpMeeting.objects.filter(forloeb=forloeb, held_on__lte=end).order_by("-held_on", "-pk")[:1])
    held_in_window = (
        FollowUpMeeting.objects.filter(forloeb=forloeb, held_on__gte=window.start)
        .filter(SAMTALE_HELD.expression(end, m=FollowUpMeeting._meta.db_table))
        .count()
    )
    notes = CoordinationNote.objects.filter(forloeb=forloeb, written_on__lte=end).count()
    progress = Progress.objects.filter(forloeb=forloeb, recorded_on__lte=end).order_by("-recorded_on", "-pk")
    progress_n, latest_progress = progress.count(), progress.first()
    last = samtaler[0] if samtaler else None

    hints: dict[str, list[str]] = {key: [] for key in QUALITY_KEYS}
    hints["Q_GOALS"].append(
        _("%(concrete)s af %(total)s job- og uddannelsesmål er konkrete.") % goals,
    )
    if plan is not None:
        hints["Q_GOALS"].append(
            _("Indsatsplanen (version %(v)s) har %(n)s delmål, %(dated)s med en forventet dato.")
            % {"v": plan.version, "n": plan.milestones_n, "dated": plan.dated_n}
        )
    else:
        hints["Q_GOALS"].append(_("Ingen færdig indsatsplan."))
    if plan is not None:
        hints["Q_BORGER_PERSPECTIVE"].append(
            _("Borgerens perspektiv i indsatsplanen: %(yes)s.") % {"yes": _yes(_written(plan.borger_perspective))}
        )
    if last is not None:
        hints["Q_BORGER_PERSPECTIVE"].append(
            _("Borgerens perspektiv ved seneste samtale (%(day)s): %(yes)s.")
            % {"day": dates.short(last.held_on), "yes": _yes(_written(last.borger_perspective))}
        )
        hints["Q_SAMTALE_CONTENT"].append(
            _(
                "Seneste samtale %(day)s: status på indsatser %(status)s, nye aftaler %(agreements)s, "
                "mentorbehov vurderet %(mentor)s, borgerens perspektiv %(perspective)s."
            )
            % {
                "day": dates.short(last.held_on),
                "status": _yes(_written(last.status_on_interventions)),
                "agreements": _yes(_written(last.new_agreements)),
                "mentor": _yes(last.mentor_need_assessed),
                "perspective": _yes(_written(last.borger_perspective)),
            }
        )
    else:
        hints["Q_BORGER_PERSPECTIVE"].append(_("Ingen opfølgningssamtale registreret."))
        hints["Q_SAMTALE_CONTENT"].append(_("Ingen opfølgningssamtale registreret."))
    hints["Q_SAMTALE_CONTENT"].append(
        _("%(n)s samtaler med borgeren i perioden.") % {"n": held_in_window},
    )
    hints["Q_COORDINATION"].append(_("%(n)s koordineringsnotater.") % {"n": notes})
    if plan is not None:
        hints["Q_COORDINATION"].append(
            _("Indsatsplanen nævner den koordinerende sagsbehandler: %(yes)s.")
            % {"yes": _yes(plan.coordinator_id is not None)}
        )
    if latest_progress is not None:
        hints["Q_PROGRESSION"].append(
            _("%(n)s progressionsscorer registreret, senest %(day)s (score %(score)s).")
            % {"n": progress_n, "day": dates.short(latest_progress.recorded_on), "score": latest_progress.score}
        )
    else:
        hints["Q_PROGRESSION"].append(_("Ingen progressionsscorer registreret."))
    return [
        Point(p.key, PointKind.QUALITY, str(p.label), _("Kvalitet"), "", " ".join(hints[p.key])) for p in QUALITY_POINTS
    ]


def points_for(*, forloeb: Forloeb, tilsyn_round: TilsynRound) -> list[Point]:
    """The whole checklist for a sampled forløb: legal points first, then quality points."""
    window = window_for(forloeb, tilsyn_round)
    return legal_points(forloeb, window) + quality_points(forloeb, window)
