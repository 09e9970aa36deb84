"""Files of the tilsyn cycle for an auditor or a kommune's own archive: the risk register with every
version (CSV, JSON) and a round's sample as drawn (JSON: method, criteria, size, seed, the stored
population with its factors and weights, and the sample), from which the sample can be drawn again
with `supervision.sampling.draw`. Neither holds a CPR number or a borger's name: forløb are named
by their id. The round's findings are in its report (`supervision.reviews`)."""

from django.utils import timezone

from cases.spreadsheet import csv_writer
from supervision.models import Risk, RiskVersion, TilsynRound

RISK_COLUMNS = [
    "risiko_id",
    "version",
    "team",
    "titel",
    "beskrivelse",
    "sandsynlighed",
    "konsekvens",
    "score",
    "haandtering",
    "begrundelse",
    "kontrol",
    "kontrol_reference",
    "kontrol_beskrevet",
    "ejer",
    "vurderes_igen_senest",
    "skrevet_af",
    "skrevet",
    "udgaaet",
    "udgaaet_af",
]


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def risk_rows(risks) -> list[dict]:
    """Every version of the risks, oldest first per risk (the register's whole history)."""
    versions = (
        RiskVersion.objects.filter(risk__in=risks)
        .select_related("risk__team", "risk__retired_by", "owner", "written_by")
        .order_by("risk_id", "number")
    )
    rows = []
    for v in versions:
        risk: Risk = v.risk
        rows.append(
            {
                "risiko_id": risk.pk,
                "version": v.number,
                "team": risk.team.name if risk.team_id else "",
                "titel": v.title,
                "beskrivelse": v.description,
                "sandsynlighed": v.likelihood,
                "konsekvens": v.consequence,
                "score": v.score,
                "haandtering": v.response,
                "begrundelse": v.response_reason,
                "kontrol": v.control_kind,
                "kontrol_reference": v.control_ref,
                "kontrol_beskrevet": v.control_text,
                "ejer": _name(v.owner),
                "vurderes_igen_senest": v.review_on.isoformat(),
                "skrevet_af": _name(v.written_by),
                "skrevet": timezone.localtime(v.written_at).isoformat(timespec="minutes"),
                "udgaaet": risk.retired_on.isoformat() if risk.retired_on else "",
                "udgaaet_af": _name(risk.retired_by),
            }
        )
    return rows


def write_risks_csv(out, risks) -> None:
    csv_writer(out, RISK_COLUMNS).writerows(risk_rows(risks))


def sample_document(tilsyn_round: TilsynRound) -> dict:
    """What the sample was drawn from and what was drawn, so that an auditor can draw it again."""
    return {
        "runde": tilsyn_round.pk,
        "titel": tilsyn_round.title,
        "periode_fra": tilsyn_round.period_from.isoformat(),
        "periode_til": tilsyn_round.period_to.isoformat(),
        "metode": tilsyn_round.method,
        "kriterier": tilsyn_round.criteria,
        "stoerrelse": tilsyn_round.sample_size,
        "seed": tilsyn_round.seed,
        "trukket": timezone.localtime(tilsyn_round.drawn_at).isoformat(timespec="minutes")
        if tilsyn_round.drawn_at
        else None,
        "population": tilsyn_round.population,
        "stikproeve": [
            {"nr": item.position, "forloeb_id": item.forloeb_id, "vaegt": item.weight, "stratum": item.stratum}
            for item in tilsyn_round.sample.order_by("position")
        ],
    }
