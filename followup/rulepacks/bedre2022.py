"""Bedre ressourceforløb (from 1.1.2022, lov nr. 1160 af 8.6.2021): duration 1-3 years (checked by
`rehab` at the indstilling and the afgørelse, and by GENFORELAEGGELSE_DUE), and LAB § 113, stk. 2:
no indsats started within six months of the start means the case goes back to the team."""

from django.utils.translation import gettext_lazy as _

from cases.concepts import INDSATS_STARTED, SIX_MONTHS_AFTER_START
from followup.rulepacks.base import FORLOEB, GENFORELAEGGELSER, TIER_LAW, Rule, legal_pack, legal_period, query

PERIOD = legal_period("BEDRE2022")
DEADLINE = SIX_MONTHS_AFTER_START.sql(f="f")
# An indsats of the forløb (`i`) started by the deadline (or by the day, while the deadline lies ahead).
STARTED_IN_TIME = INDSATS_STARTED.sql(i="i", d=f"LEAST({DEADLINE}, %(d)s)")

RULES = [
    Rule(
        id="P113_NO_INDSATS_6M",
        version=1,
        description=_("Ingen indsats igangsat inden for seks måneder: sagen skal genforelægges"),
        basis=_(
            "LAB § 113, stk. 2: er der ikke igangsat et tilbud eller en indsats inden for 6 måneder efter "
            "forløbets start, skal sagen forelægges rehabiliteringsteamet igen (forløb startet fra 1.1.2022)"
        ),
        basis_kind="lov",
        tier=TIER_LAW,
        in_force_from=PERIOD.valid_from,
        sql=query(
            FORLOEB,
            GENFORELAEGGELSER,
            select=f"""
            SELECT f.id AS forloeb_id, '' AS subject,
                   jsonb_build_object('startdato', f.start_date,
                                      'frist', {DEADLINE}) AS evidence
            FROM f
            WHERE f.start_date >= DATE '{PERIOD.valid_from.isoformat()}'
              AND {DEADLINE} < %(d)s
              AND NOT EXISTS (SELECT 1 FROM plans_intervention i
                              WHERE i.forloeb_id = f.id AND {STARTED_IN_TIME})
              AND NOT EXISTS (SELECT 1 FROM gen g WHERE g.forloeb_id = f.id AND g.on_day >= f.start_date)""",
        ),
    ),
]

PACK = legal_pack(PERIOD, RULES)
