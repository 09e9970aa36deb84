"""The key table and rule list of docs/fokusrevision.md, generated from the catalogue, so the
documentation cannot drift from the figures: `tests/supervision/test_export.py` checks the file
holds exactly what this module makes. After a change to `supervision.points`, regenerate with

    DJANGO_DEBUG=true .venv/bin/python -m supervision.doc_table
"""

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "fokusrevision.md"
TABLE = re.compile(r"\| Nøgle / key \| Gruppe \|.*?\n(?=\n### `A`)", re.S)
RULES = re.compile(r"(rule ids:\n\n)(- `.*?\n)+", re.S)


def _pct(v) -> str:
    return "–" if v is None else f"{round(v * 100)} %"


def _audit(point) -> str:
    a = point.audit
    if a is None:
        return "–"
    shares = a.value.items() if isinstance(a.value, dict) else [(None, a.value)]
    text = ", ".join(f"`{k}` {_pct(v)}" if k else _pct(v) for k, v in shares)
    return text + (f" (n={a.n})" if a.n else "")


def key_table() -> str:
    from supervision import points as cp
    from supervision.export import _point_order

    ordered = sorted(cp.POINTS, key=lambda p: (_point_order(p.key[0]), cp.POINTS.index(p)))
    lines = [
        "| Nøgle / key | Gruppe | Betegnelse | Nævner (`n`) | Tæller (`count`) eller spande (`buckets`) | Landstal |",
        "|---|---|---|---|---|---|",
    ]
    for p in ordered:
        counted = str(p.count_text) if p.kind == "share" else "<br>".join(f"`{b}`: {w}" for b, _, w in p.buckets)
        kind = "andel" if p.kind == "share" else "fordeling"
        lines.append(f"| `{p.ref}` | {cp.GROUPS[p.group]}, {kind} | {p.label} | {p.n_text} | {counted} | {_audit(p)} |")
    return "\n".join(lines) + "\n"


def rule_list() -> str:
    from followup.rulepacks import RULES as rules

    return "".join(f"- `{rule_id}`: {rule.description}\n" for rule_id, rule in sorted(rules.items()))


def generated(doc: str) -> str:
    doc, tables = TABLE.subn(lambda m: key_table(), doc)
    doc, lists = RULES.subn(lambda m: m.group(1) + rule_list(), doc)
    if tables != 1 or lists != 1:
        raise ValueError("docs/fokusrevision.md has lost its key table or rule list heading")
    return doc


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    DOC.write_text(generated(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {DOC}")
