"""Date filters: the one Danish date format of `cases.dates`, for templates.

``{% load dates %}`` then ``{{ d|dato }}`` (3. dec. 2026), ``{{ d|kortdato }}`` (03.12.2026, in
tables), ``{{ d|ugedag_dato }}`` (torsdag 3. dec. 2026), ``{{ t|dato_tid }}`` (3. dec. 2026 kl. 10:14).
"""

from django import template

from cases import dates

register = template.Library()

register.filter("dato", dates.text)
register.filter("kortdato", dates.short)
register.filter("ugedag_dato", dates.with_weekday)
register.filter("dato_tid", dates.with_time)
