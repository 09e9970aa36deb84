"""Server-rendered SVG charts for the ledelsestilsyn dashboard.

Pure functions: data in, ``SafeString`` SVG out. The geometry is computed here; the markup lives in
``templates/supervision/charts/`` so every label is auto-escaped. The output is safe under a strict
Content-Security-Policy: no script, no style element or attribute, no external reference; colours
and sizes are SVG presentation attributes. Numbers reach the templates as preformatted strings, so
the active locale never turns a coordinate into "12,5".

Each chart is an image with a title and a one-sentence Danish summary; the page shows the data as a
table beside it.
"""

import math
import re
import uuid

from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

WIDTH = 680  # viewBox width; the svg scales to its container (width="100%")
PLOT_X = 208  # where bars and the dot plot axis start; row labels sit left of it
BAR_W = 360  # width of a full bar (stacked bars, count bars)
AXIS_W = 320  # width of the 0-100 % axis in the dot plot
LABEL_CHARS = 24  # longer labels are cut with "…" (the full label stays in the row's <title>)
FONT = 13  # labels
SMALL = 12  # segment texts, ticks, legend; never smaller (WCAG)
CHAR_EM = 0.62  # generous average glyph width, in em, to decide whether a text fits

# Every colour has at least 4.5:1 contrast against white, so it works both as a graphical part on a
# white page (3:1) and as the background of white segment text (4.5:1).
COLOURS = {
    "text": "#1a1a1a",
    "muted": "#595959",
    "axis": "#767676",
    "bar": "#1f5c99",
    "dot": "#0b3d6b",
    "reference": "#c05600",
}
PALETTE = ("#0072b2", "#c05600", "#5e3c99", "#8c2d04", "#2d6a4f", "#3b3b3b")

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def format_share(share: float) -> str:
    """A share 0..1 as a Danish whole percentage: 0.375 -> "38 %"."""
    return f"{math.floor(share * 100 + 0.5)} %"


def format_count(count: int) -> str:
    """A count with Danish thousands separators: 1234 -> "1.234"."""
    return f"{count:,}".replace(",", ".")


def stacked_bars(
    *, title: str, buckets: list[str], rows: list[tuple[str, list[int]]], unit: str = "forløb"
) -> SafeString:
    """Horizontal 100 % stacked bars, one per row; each segment is a bucket's share of the row's total."""
    buckets, unit = [_clean(bucket) for bucket in buckets], _clean(unit)
    for label, counts in rows:
        if len(counts) != len(buckets) or any(count < 0 for count in counts):
            raise ValueError(f"{label!r}: expected {len(buckets)} non-negative counts, got {counts!r}")
    legend, legend_height = _legend(buckets)
    top = legend_height + 8
    drawn = [_stacked_row(label, counts, buckets, unit, top + index * 32) for index, (label, counts) in enumerate(rows)]
    desc = ngettext(
        "Stablet søjle, der viser fordelingen af %(unit)s på %(buckets)s for %(count)s række.",
        "Stablede søjler, der viser fordelingen af %(unit)s på %(buckets)s for hver af %(count)s rækker.",
        len(rows),
    ) % {"unit": unit, "buckets": _join(buckets), "count": len(rows)}
    context = {"legend": legend, "rows": drawn, "plot_x": str(PLOT_X), "bar_w": str(BAR_W), "bar_h": "22"}
    context |= {"empty_x": str(PLOT_X + 8), "total_x": str(PLOT_X + BAR_W + 8)}
    return _render("stacked_bars.svg", title, desc, top + len(rows) * 32, rows, context)


def dot_plot(
    *, title: str, rows: list[tuple[str, float | None, int]], reference: float | None = None, reference_label: str = ""
) -> SafeString:
    """One line per unit, in the order given, with a dot at its share on a 0-100 % axis and a dashed
    vertical line at the reference (the kommune's share)."""
    has_reference = reference is not None and not math.isnan(reference)
    top = 30 if has_reference else 8
    axis_y = top + len(rows) * 28 + 4
    x0 = PLOT_X + 8
    drawn = [
        _dot_row(label, share, count, x0, top + index * 28 + 14) for index, (label, share, count) in enumerate(rows)
    ]
    ticks = [{"x": _num(x0 + step * AXIS_W / 4), "label": format_share(step / 4)} for step in range(5)]
    context = {
        "rows": drawn,
        "ticks": ticks,
        "x0": _num(x0),
        "x1": _num(x0 + AXIS_W),
        "value_x": _num(x0 + AXIS_W + 16),
    }
    context |= {"axis_y": _num(axis_y), "tick_y": _num(axis_y + 5), "tick_label_y": _num(axis_y + 20)}
    desc = ngettext(
        "Prikdiagram over andelen for %(count)s enhed på en skala fra 0 til 100 %%",
        "Prikdiagram over andelen for %(count)s enheder på en skala fra 0 til 100 %%",
        len(rows),
    ) % {"count": len(rows)}
    if has_reference:
        label = f"{_clean(reference_label)}: {format_share(reference)}" if reference_label else format_share(reference)
        anchor = "start" if reference < 0.2 else "end" if reference > 0.8 else "middle"
        x = _num(x0 + _clamp(reference) * AXIS_W)
        context["reference"] = {"x": x, "y1": _num(top - 8), "label": label, "anchor": anchor}
        desc += _("; den stiplede lodrette linje viser %(reference)s") % {"reference": label}
    return _render("dot_plot.svg", title, desc + ".", axis_y + 28, rows, context)


def bars(*, title: str, rows: list[tuple[str, int]]) -> SafeString:
    """Simple horizontal bars, scaled to the largest count, with the count after each bar."""
    if any(count < 0 for _label, count in rows):
        raise ValueError(f"counts must be non-negative, got {rows!r}")
    largest = max((count for _label, count in rows), default=0)
    drawn = []
    for index, (label, count) in enumerate(rows):
        y = 8 + index * 28
        width = BAR_W * count / largest if largest else 0
        full = _clean(label)
        drawn.append(
            {
                "label": _truncate(full),
                "tooltip": f"{full}: {format_count(count)}",
                "y": _num(y + 5),
                "width": _num(width),
                "count": format_count(count),
                "count_x": _num(PLOT_X + width + 6),
                "text_y": _num(y + 14 + FONT * 0.35),
            }
        )
    desc = ngettext(
        "Vandret søjle med antal for %(count)s række",
        "Vandrette søjler med antal for %(count)s rækker",
        len(rows),
    ) % {"count": len(rows)}
    if largest:
        top_label = next(_clean(label) for label, count in rows if count == largest)
        desc += _("; højest er %(label)s med %(count)s") % {"label": top_label, "count": format_count(largest)}
    return _render("bars.svg", title, desc + ".", 8 + len(rows) * 28 + 8, rows, {"rows": drawn, "plot_x": str(PLOT_X)})


# --- Rows and legend ----------------------------------------------------------------------------


def _stacked_row(label: str, counts: list[int], buckets: list[str], unit: str, y: float) -> dict:
    total = sum(counts)
    full = _clean(label)
    segments, parts, x = [], [], float(PLOT_X)
    for index, (bucket, count) in enumerate(zip(buckets, counts, strict=True)):
        if not count:
            continue
        width = BAR_W * count / total
        share = format_share(count / total)
        parts.append(f"{bucket} {format_count(count)} ({share})")
        segments.append(
            {
                "x": _num(x),
                "width": _num(width),
                "fill": PALETTE[index % len(PALETTE)],
                "tooltip": f"{bucket}: {format_count(count)} {unit} ({share})",
                "text": next((t for t in (f"{bucket} {share}", bucket, share) if _fits(t, width - 6, SMALL)), ""),
                "text_x": _num(x + width / 2),
            }
        )
        x += width
    total_text = f"{format_count(total)} {unit}"
    return {
        "label": _truncate(full),
        "tooltip": f"{full}: {total_text}; {', '.join(parts) or _('ingen data')}",
        "total": total_text,
        "segments": segments,
        "y": _num(y),
        "text_y": _num(y + 11 + FONT * 0.35),
    }


def _dot_row(label: str, share: float | None, count: int, x0: float, cy: float) -> dict:
    has_data = share is not None and not math.isnan(share)
    full, n = _clean(label), f"(n = {format_count(count)})"
    value = format_share(share) if has_data else _("ingen data")
    return {
        "label": _truncate(full),
        "tooltip": f"{full}: {value} {n}",
        "value": f"{value} {n}" if has_data else n,
        "has_data": has_data,
        "cx": _num(x0 + _clamp(share) * AXIS_W) if has_data else "",
        "cy": _num(cy),
        "text_y": _num(cy + FONT * 0.35),
    }


def _legend(buckets: list[str]) -> tuple[list[dict], int]:
    """Swatches in segment order, wrapped onto as many lines as the width needs."""
    items, x, line = [], 0.0, 0
    for index, bucket in enumerate(buckets):
        text = _truncate(bucket)
        item_width = 20 + _text_width(text, SMALL) + 16
        if x and x + item_width > WIDTH:
            x, line = 0.0, line + 1
        y = 4 + line * 22
        items.append(
            {"x": _num(x), "y": _num(y), "text_x": _num(x + 20), "text_y": _num(y + 7 + SMALL * 0.35), "text": text}
            | {"fill": PALETTE[index % len(PALETTE)]}
        )
        x += item_width
    return items, 4 + (line + 1) * 22 if buckets else 0


# --- Helpers ------------------------------------------------------------------------------------


def _render(template: str, title: str, desc: str, height: float, rows: list, context: dict) -> SafeString:
    title = _clean(title)
    chart_id = f"chart-{slugify(title)[:32].strip('-') or 'diagram'}-{uuid.uuid4().hex[:8]}"
    if not rows:
        desc, height = _("Ingen data at vise."), 40
    return render_to_string(
        f"supervision/charts/{template}",
        context
        | {"id": chart_id, "title": title, "desc": desc, "empty": not rows, "c": COLOURS}
        | {"width": str(WIDTH), "height": _num(height), "font": str(FONT), "small": str(SMALL)},
    )


def _clean(text: str) -> str:
    """One line of XML-safe text: control characters dropped, whitespace runs collapsed."""
    return " ".join(_NOT_XML.sub("", str(text)).split())


def _truncate(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def _text_width(text: str, font_size: int) -> float:
    return len(text) * font_size * CHAR_EM


def _fits(text: str, width: float, font_size: int) -> bool:
    return _text_width(text, font_size) <= width


def _clamp(share: float) -> float:
    return min(max(share, 0.0), 1.0)


def _num(value: float) -> str:
    """A coordinate for an SVG attribute: a dot as decimal mark, whatever the active locale."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _join(items: list[str]) -> str:
    """Danish enumeration: "a, b og c"."""
    if len(items) < 2:
        return "".join(items)
    return _("%(first)s og %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}
