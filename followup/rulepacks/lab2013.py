"""LAB before 2020 (the 2013 reform): at least six samtaler per rolling 12 months (R18), and a
further forløb for a borger over 40 only if the borger wishes it (R6)."""

from django.utils.translation import gettext_lazy as _

from cases.concepts import (
    IN_LATEST_12_MONTHS,
    LASTED_12_MONTHS,
    LATEST_12_MONTHS_FROM,
    SAMTALE_HELD,
    SAMTALE_INDIVIDUAL,
)
from followup.rulepacks.base import FORLOEB, SAMTALER, TIER_LAW, Rule, legal_pack, legal_period, query

PERIOD = legal_period("LAB2013")
NEXT = legal_period("LAB2020")

RULES = [
    Rule(
        id="LAB2013_UNDER_6_12M",
        version=1,
        description=_("Færre end seks individuelle samtaler de seneste 12 måneder (lovkrav før 2020)"),
        basis=_(
            "LAB før 1.1.2020: kontaktforløb med mindst seks individuelle samtaler i løbet af 12 måneder "
            "(fokusrevision 2020 R18). Gælder forløb, der har varet mindst 12 måneder"
        ),
        basis_kind="lov",
        tier=TIER_LAW,
        in_force_from=PERIOD.valid_from,
        in_force_to=NEXT.valid_from,
        sql=query(
            FORLOEB,
            SAMTALER,
            select=f"""
            SELECT f.id AS forloeb_id, '' AS subject,
                   jsonb_build_object('antal', count(m.id), 'krav', 6,
                                      'fra', {LATEST_12_MONTHS_FROM.sql()}, 'til', %(d)s::date) AS evidence
            FROM f LEFT JOIN m ON m.forloeb_id = f.id AND {SAMTALE_HELD.sql(m="m")} AND {SAMTALE_INDIVIDUAL.sql(m="m")}
                              AND {IN_LATEST_12_MONTHS.sql(m="m")}
            WHERE {LASTED_12_MONTHS.sql(f="f")}
            GROUP BY f.id
            HAVING count(m.id) < 6""",
        ),
    ),
]

PACK = legal_pack(PERIOD, RULES)
