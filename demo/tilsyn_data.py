"""The demo kommune's risk register and its current tilsyn round.

`seed_demo` calls `build` last, when the imported forløb and their flags are in place. Everything
is written through the services (`supervision.risks`, `supervision.rounds`) as the demo team
leader, as a leader would on the pages:

- a risk register of six risks tied to what the fokusrevision 2020 found (spec
  fokusrevision-2020.md §3 and §6): samtaler not held every quarter (controlled by the service
  standard's flag rule), no concrete goals in the indsatsplan (case review), indsatser not started
  within six months (the § 113 flag rule), the borger's perspective missing (a figure of the
  tilsynsoversigt), a long wait for the rehabiliteringsteam in one team (scaled down, with its
  reason) and lægeattester written by a lægekonsulent (accepted, with its reason). One of them was
  written a year ago and revised since, so the register's history has something to show;
- an open round over the last quarter for all the leader's teams, linked to the three risks it
  controls, with a risk-weighted sample drawn with a fixed seed (so the demo is the same every
  time and "Træk igen (kontrol)" shows the same sample). No review is started: that is the demo.
"""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from cases import clock
from cases.models import Kommune, Team, User
from supervision import risks, rounds, sampling
from supervision.models import ControlKind, Risk, RiskResponse, RiskVersion, SampleMethod

SEED = 2013
ROUND_TITLE = "Kvartalstilsyn: samtaler, mål og indsatser"

# (title, team name or None, likelihood, consequence, response, reason, control kind, ref, control text, description)
RISKS = (
    (
        "Opfølgningssamtaler holdes ikke hvert kvartal",
        None,
        4,
        4,
        RiskResponse.CONTROL,
        "",
        ControlKind.FLAG_RULE,
        "STD_SAMTALE_OVERDUE",
        "",
        "Fokusrevisionen fandt, at mange forløb ikke havde de samtaler, loven og servicestandarden kræver. "
        "Borgeren mister kontakten, og indsatsen justeres ikke.",
    ),
    (
        "Ingen konkrete mål i indsatsplanen",
        None,
        4,
        4,
        RiskResponse.CONTROL,
        "",
        ControlKind.CASE_REVIEW,
        "",
        "",
        "Kun en mindre del af indsatsplanerne havde et konkret job- eller uddannelsesmål (fokusrevisionen). "
        "Uden et konkret mål kan indsatserne ikke rettes mod noget.",
    ),
    (
        "Indsatser igangsættes ikke inden for seks måneder",
        None,
        3,
        5,
        RiskResponse.CONTROL,
        "",
        ControlKind.FLAG_RULE,
        "P113_NO_INDSATS_6M",
        "",
        "LAB § 113, stk. 2: er der ikke igangsat en indsats inden for seks måneder, skal sagen forelægges igen.",
    ),
    (
        "Borgerens perspektiv mangler i indsatsplanen",
        None,
        3,
        3,
        RiskResponse.CONTROL,
        "",
        ControlKind.FIGURE,
        "3.1/indsatsplan",
        "",
        "Borgerens eget perspektiv er en fast del af planen; fokusrevisionen fandt det ofte fraværende.",
    ),
    (
        "Lang ventetid fra forberedende del til rehabiliteringsteamets møde",
        "Team Syd",
        3,
        2,
        RiskResponse.REDUCED,
        "Ventetiden følges allerede på tilsynsoversigten hver måned; sagsgennemgang kun ved ventetid over fire måneder.",
        ControlKind.FIGURE,
        "1.11",
        "",
        "",
    ),
    (
        "Lægeattester skrives af kommunens lægekonsulent",
        None,
        1,
        3,
        RiskResponse.ACCEPTED,
        "Kommunens lægekonsulent skriver ingen attester, og LÆ 265 bestilles altid hos egen læge. "
        "Risikoen accepteres og vurderes igen ved næste årlige gennemgang.",
        "",
        "",
        "",
        "",
    ),
)
CONTROLLED_BY_ROUND = 3  # the first three risks are what the demo round controls


def _data(row, *, owner: User, today: date) -> dict:
    title, _team, likelihood, consequence, response, reason, kind, ref, text, description = row
    return {
        "title": title,
        "description": description,
        "likelihood": likelihood,
        "consequence": consequence,
        "response": response,
        "response_reason": reason,
        "control_kind": kind,
        "control_ref": ref,
        "control_text": text,
        "owner": owner,
        "review_on": today + relativedelta(months=12),
    }


def build(*, kommune: Kommune, leader: User, today: date) -> dict:
    """The register and the round; counts for the summary."""
    teams = {t.name: t for t in Team.objects.filter(kommune=kommune)}
    written: list[Risk] = []
    year_ago = clock.now() - timedelta(days=365)
    for i, row in enumerate(RISKS):
        team = teams.get(row[1]) if row[1] else None
        if i == 0:
            # Written a year ago as less likely (dated back, as if written then); this year's
            # re-assessment raised it.
            first = _data(row, owner=leader, today=today) | {"likelihood": 3}
            risk = risks.risk_create(kommune_id=kommune.pk, team=team, data=first, actor=leader)
            Risk.objects.filter(pk=risk.pk).update(created_at=year_ago)
            RiskVersion.objects.filter(risk=risk).update(written_at=year_ago, review_on=today)
            risks.risk_revise(risk=risk, data=_data(row, owner=leader, today=today), based_on=1, actor=leader)
        else:
            risk = risks.risk_create(
                kommune_id=kommune.pk, team=team, data=_data(row, owner=leader, today=today), actor=leader
            )
        written.append(risk)

    tilsyn_round = rounds.round_start(
        kommune_id=kommune.pk,
        team=None,
        title=ROUND_TITLE,
        purpose=(
            "Kontrollerer de tre højeste risici i registret: holdes samtalerne, har planerne konkrete mål, "
            "og er indsatserne i gang? Stikprøven vægtes mod forløb med åbne advarsler og overskredne samtaler."
        ),
        period_from=today - relativedelta(months=3),
        period_to=today,
        risks=written[:CONTROLLED_BY_ROUND],
        actor=leader,
    )
    population = rounds.population_now(tilsyn_round, leader=leader)
    size, _reason = sampling.suggest_size(len(population))
    items = rounds.round_draw(
        tilsyn_round=tilsyn_round,
        method=SampleMethod.RISK_WEIGHTED,
        size=size,
        seed=SEED,
        rotation=True,
        actor=leader,
    )
    return {"risks": len(written), "population": len(population), "sample": len(items)}


def summary_lines(counts: dict) -> list[str]:
    return [
        "",
        f"Ledelsestilsyn: {counts['risks']} risici i registret; en åben tilsynsrunde med en risikovægtet "
        f"stikprøve på {counts['sample']} af {counts['population']} forløb.",
    ]
