"""The 2026 reform (lov nr. 1750 af 29.12.2025): no new ressourceforløb for new borgere; running
forløb may finish. The contact rules of LAB 2020 are kept until the reform's own contact rules
are verified (they are described as looser). In-force date and transitional rule: see
`cases.rulepacks` (a case whose forberedende del began before the date may still be granted)."""

from django.utils.translation import gettext_lazy as _

from cases.concepts import PREPARATION_STARTED_ON
from followup.rulepacks.base import FORLOEB, TIER_LAW, Rule, legal_pack, legal_period, query

PERIOD = legal_period("REFORM2026")

RULES = [
    Rule(
        id="REFORM2026_NEW_FORLOEB",
        version=1,
        description=_("Nyt ressourceforløb efter reformen, der stopper nye forløb"),
        basis=_(
            "Lov nr. 1750 af 29.12.2025: ressourceforløb afskaffes for nye borgere; kun sager, hvis forberedende "
            "del blev påbegyndt før ikrafttræden, kan afsluttes som ressourceforløb"
        ),
        basis_kind="lov",
        tier=TIER_LAW,
        in_force_from=PERIOD.valid_from,
        sql=query(
            FORLOEB,
            select=f"""
            SELECT f.id AS forloeb_id, '' AS subject,
                   jsonb_build_object('startdato', f.start_date,
                                      'forberedende_del_startet', {PREPARATION_STARTED_ON.sql(pp="pp", f="f")}) AS evidence
            FROM f LEFT JOIN rehab_preparatorypart pp ON pp.forloeb_id = f.id
            WHERE f.start_date >= DATE '{PERIOD.valid_from.isoformat()}' AND f.start_date <= %(d)s
              AND {PREPARATION_STARTED_ON.sql(pp="pp", f="f")} >= DATE '{PERIOD.valid_from.isoformat()}'""",
        ),
    ),
]

PACK = legal_pack(PERIOD, RULES)
