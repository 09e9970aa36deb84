"""The dashboard's SVG charts: well-formed, proportional, accessible and safe under a strict CSP."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation
from django.utils.safestring import SafeString

from supervision.charts import PALETTE, bars, dot_plot, stacked_bars

SVG = "{http://www.w3.org/2000/svg}"
WAITING = ["<=2m", "2-4m", "4-6m", ">6m"]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output; a parse error is the failure we look for


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [el for el in root.iter() if name in el.get("class", "").split()]


def texts(element: ET.Element) -> list[str]:
    return [el.text or "" for el in element.iter(f"{SVG}text")]


def row_title(row: ET.Element) -> str:
    return row.find(f"{SVG}title").text


def waiting_chart(**overrides):
    return stacked_bars(
        **{"title": "Ventetid pr. team", "buckets": WAITING, "rows": [("Kommunen", [1, 3, 0, 0])]} | overrides
    )


def share_chart(**overrides):
    arguments = {"title": "Andel med plan", "rows": [("Team Nord", 0.375, 8)], "reference": 0.5}
    return dot_plot(**arguments | {"reference_label": "Kommunen"} | overrides)


def count_chart(**overrides):
    return bars(**{"title": "Åbne flag pr. regel", "rows": [("Regel A", 4), ("Regel B", 2)]} | overrides)


CHARTS = [waiting_chart, share_chart, count_chart]


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(colour: str) -> float:
    return 1.05 / (relative_luminance(colour) + 0.05)


# --- Every chart ----------------------------------------------------------------------------------


@pytest.mark.parametrize("chart", CHARTS)
def test_every_chart_is_a_named_and_summarised_image(chart):
    svg = chart()
    root = parse(svg)

    assert isinstance(svg, SafeString)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    assert desc.text.endswith(".")


@pytest.mark.parametrize("chart", CHARTS)
def test_two_charts_with_the_same_title_on_one_page_get_different_ids(chart):
    first, second = parse(chart()), parse(chart())

    assert first.get("aria-labelledby") != second.get("aria-labelledby")


@pytest.mark.parametrize("chart", CHARTS)
def test_no_chart_contains_script_style_or_external_references(chart):
    svg = str(chart())
    root = parse(svg)

    assert {el.tag.removeprefix(SVG) for el in root.iter()} <= {
        "svg",
        "title",
        "desc",
        "g",
        "rect",
        "text",
        "line",
        "circle",
    }
    for element in root.iter():
        assert "style" not in element.attrib
        assert not any("href" in name or name.startswith("on") for name in element.attrib)
    assert "url(" not in svg
    assert re.findall(r"https?://[^\"]*", svg) == ["http://www.w3.org/2000/svg"]


@pytest.mark.parametrize("chart", CHARTS)
def test_no_text_is_smaller_than_12px(chart):
    sizes = [float(el.get("font-size")) for el in parse(chart()).iter() if el.get("font-size")]

    assert sizes
    assert min(sizes) >= 12


@pytest.mark.parametrize("chart", CHARTS)
def test_every_colour_has_at_least_3_to_1_contrast_against_white(chart):
    root = parse(chart())
    colours = {el.get(attr) for el in root.iter() for attr in ("fill", "stroke") if el.get(attr)} - {"none", "#ffffff"}

    assert colours
    assert all(contrast_with_white(colour) >= 3 for colour in colours), colours


def test_white_text_on_bucket_segments_has_4_5_to_1_contrast():
    assert all(contrast_with_white(colour) >= 4.5 for colour in PALETTE)


@pytest.mark.parametrize("chart", CHARTS)
def test_coordinates_keep_a_decimal_point_when_danish_is_active(chart):
    with translation.override("da"):
        root = parse(chart(title="Ét diagram"))

    numbers = [el.get(name) for el in root.iter() for name in ("x", "y", "x1", "x2", "cx", "cy") if el.get(name)]
    numbers += [el.get("width") for el in root.iter() if el is not root and el.get("width")]
    assert any("." in number for number in numbers)
    assert all(re.fullmatch(r"\d+(\.\d+)?", number) for number in numbers), numbers
    assert all(re.fullmatch(r"\d+(\.\d+)?", part) for part in root.get("viewBox").split())


@pytest.mark.parametrize("chart", CHARTS)
def test_labels_and_title_are_text_not_markup(chart):
    rows = {
        waiting_chart: [("<b>&", [1, 1, 1, 1])],
        share_chart: [("<b>&", 0.5, 2)],
        count_chart: [("<b>&", 3)],
    }[chart]
    svg = chart(title="<script>&", rows=rows)
    root = parse(svg)

    assert "<b>" not in svg
    assert root.find(f"{SVG}title").text == "<script>&"
    assert "<b>&" in texts(root)
    assert not list(root.iter(f"{SVG}b"))


@pytest.mark.parametrize("chart", CHARTS)
def test_a_chart_without_rows_says_so(chart):
    root = parse(chart(rows=[]))

    assert texts(root) == ["Ingen data"]
    assert root.find(f"{SVG}desc").text == "Ingen data at vise."


@pytest.mark.parametrize("chart", CHARTS)
def test_the_chart_grows_with_the_number_of_rows(chart):
    rows = {waiting_chart: ("Team", [1, 1, 1, 1]), share_chart: ("Team", 0.5, 2), count_chart: ("Team", 3)}[chart]

    def height(count):
        return float(parse(chart(rows=[rows] * count)).get("viewBox").split()[3])

    assert height(1) < height(2) < height(10)


@pytest.mark.parametrize("chart", CHARTS)
def test_a_long_label_is_cut_with_an_ellipsis_and_kept_whole_in_the_rows_title(chart):
    name = "Jobcenter Nord, team for ressourceforløb og jobafklaring"
    rows = {waiting_chart: [(name, [1, 1, 1, 1])], share_chart: [(name, 0.5, 2)], count_chart: [(name, 3)]}[chart]
    (row,) = by_class(parse(chart(rows=rows)), "row")

    label = texts(row)[0]
    assert label.endswith("…")
    assert name.startswith(label[:-1])
    assert row_title(row).startswith(name)


@pytest.mark.parametrize("chart", CHARTS)
def test_control_characters_in_a_label_do_not_break_the_svg(chart):
    rows = {
        waiting_chart: [("A\x00\x07B", [1, 1, 1, 1])],
        share_chart: [("A\x00B", 0.5, 2)],
        count_chart: [("A\x0bB", 3)],
    }

    assert "AB" in texts(parse(chart(rows=rows[chart])))


# --- Stacked bars -----------------------------------------------------------------------------------


def test_segments_are_shares_of_the_rows_total():
    root = parse(waiting_chart(rows=[("Team Nord", [1, 3, 0, 0]), ("Team Syd", [2, 2, 2, 2])]))
    north, south = by_class(root, "row")

    north_widths = [float(s.get("width")) for s in by_class(north, "segment")]
    south_widths = [float(s.get("width")) for s in by_class(south, "segment")]
    bar_width = sum(south_widths)
    assert north_widths == pytest.approx([bar_width * 0.25, bar_width * 0.75])
    assert south_widths == pytest.approx([bar_width / 4] * 4)


def test_segments_follow_each_other_in_bucket_order_like_the_legend():
    root = parse(waiting_chart(rows=[("Team Nord", [5, 5, 5, 5])]))
    segments = by_class(root, "segment")

    starts = [float(s.get("x")) for s in segments]
    ends = [float(s.get("x")) + float(s.get("width")) for s in segments]
    assert starts[1:] == pytest.approx(ends[:-1])
    assert [s.get("fill") for s in segments] == [
        item.find(f"{SVG}rect").get("fill") for item in by_class(root, "legend-item")
    ]
    assert [texts(item)[0] for item in by_class(root, "legend-item")] == WAITING


def test_wide_segments_carry_their_bucket_and_share_as_text():
    (row,) = by_class(parse(waiting_chart(rows=[("Kommunen", [30, 10, 0, 0])])), "row")

    assert "<=2m 75 %" in texts(row)
    assert "2-4m 25 %" in texts(row)


def test_a_sliver_of_a_segment_has_no_text_but_a_tooltip():
    (row,) = by_class(parse(waiting_chart(rows=[("Kommunen", [1, 0, 0, 999])])), "row")
    sliver = by_class(row, "segment")[0]

    assert sliver.find(f"{SVG}title").text == "<=2m: 1 forløb (0 %)"
    assert not any(text.startswith("<=2m") for text in texts(row))


def test_each_row_is_labelled_with_its_name_and_its_n_in_danish():
    (row,) = by_class(parse(waiting_chart(rows=[("Kommunen", [1000, 234, 0, 0])], unit="sager")), "row")

    assert texts(row)[0] == "Kommunen"
    assert texts(row)[-1] == "1.234 sager"
    assert row_title(row).startswith("Kommunen: 1.234 sager; <=2m 1.000 (81 %)")


def test_a_row_without_forloeb_shows_an_empty_bar_saying_ingen_data():
    (row,) = by_class(parse(waiting_chart(rows=[("Team Tom", [0, 0, 0, 0])])), "row")

    assert not by_class(row, "segment")
    assert by_class(row, "empty-bar")
    assert texts(row) == ["Team Tom", "ingen data", "0 forløb"]


def test_a_row_with_the_wrong_number_of_counts_is_a_programming_error():
    with pytest.raises(ValueError, match="expected 4"):
        waiting_chart(rows=[("Kommunen", [1, 2, 3])])


def test_many_buckets_wrap_the_legend_onto_more_lines():
    buckets = [f"Kategori nummer {n}" for n in range(12)]
    root = parse(stacked_bars(title="Mange", buckets=buckets, rows=[("Kommunen", list(range(12)))]))
    legend_lines = {item.find(f"{SVG}rect").get("y") for item in by_class(root, "legend-item")}

    assert len(legend_lines) > 1
    assert all(float(item.find(f"{SVG}rect").get("x")) < 680 for item in by_class(root, "legend-item"))


# --- Dot plot -----------------------------------------------------------------------------------


def axis_position(root: ET.Element, share: float) -> float:
    (axis,) = by_class(root, "axis")
    start, end = float(axis.get("x1")), float(axis.get("x2"))
    return start + share * (end - start)


def test_the_reference_line_sits_at_the_kommunes_share_and_names_it():
    root = parse(share_chart(reference=0.38, reference_label="Kommunen"))
    (line,) = by_class(root, "reference-line")

    assert float(line.get("x1")) == pytest.approx(axis_position(root, 0.38))
    assert float(line.get("x2")) == pytest.approx(axis_position(root, 0.38))
    assert "Kommunen: 38 %" in texts(root)
    assert root.find(f"{SVG}desc").text.endswith("viser Kommunen: 38 %.")


def test_each_dot_sits_at_its_share_in_the_order_given():
    rows = [("Team Syd", 0.9, 10), ("Team Nord", 0.25, 4), ("Team Øst", 0.0, 3), ("Team Vest", 1.0, 1)]
    root = parse(share_chart(rows=rows))
    drawn = by_class(root, "row")

    assert [texts(row)[0] for row in drawn] == ["Team Syd", "Team Nord", "Team Øst", "Team Vest"]
    dots = [float(by_class(row, "dot")[0].get("cx")) for row in drawn]
    assert dots == pytest.approx([axis_position(root, share) for _name, share, _n in rows])
    assert [texts(row)[-1] for row in drawn] == ["90 % (n = 10)", "25 % (n = 4)", "0 % (n = 3)", "100 % (n = 1)"]


def test_a_unit_without_forloeb_shows_ingen_data_instead_of_a_dot():
    (row,) = by_class(parse(share_chart(rows=[("Team Tom", None, 0)])), "row")

    assert not by_class(row, "dot")
    assert texts(row) == ["Team Tom", "ingen data", "(n = 0)"]


def test_without_a_reference_there_is_no_reference_line():
    root = parse(share_chart(reference=None))

    assert not by_class(root, "reference-line")
    assert "linje" not in root.find(f"{SVG}desc").text


def test_the_axis_is_labelled_in_danish_percent():
    root = parse(share_chart())

    assert [text for text in texts(root) if text.endswith(" %")][-5:] == ["0 %", "25 %", "50 %", "75 %", "100 %"]


# --- Count bars -----------------------------------------------------------------------------------


def test_bars_are_scaled_to_the_largest_count():
    root = parse(count_chart(rows=[("Regel A", 4), ("Regel B", 1), ("Regel C", 0)]))
    widths = [float(bar.get("width")) for bar in by_class(root, "bar")]

    assert widths == pytest.approx([widths[0], widths[0] / 4, 0])
    assert widths[0] > 0
    assert root.find(f"{SVG}desc").text == "Vandrette søjler med antal for 3 rækker; højest er Regel A med 4."


def test_bars_with_only_zero_counts_draw_empty_bars_with_their_counts():
    root = parse(count_chart(rows=[("Regel A", 0), ("Regel B", 0)]))

    assert [float(bar.get("width")) for bar in by_class(root, "bar")] == [0, 0]
    assert [texts(row)[-1] for row in by_class(root, "row")] == ["0", "0"]


def test_counts_are_written_with_danish_thousands_separators():
    root = parse(count_chart(rows=[("Sagsbehandler A", 12345)]))

    assert texts(root)[-1] == "12.345"
