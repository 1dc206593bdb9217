"""SVG charts: well-formed, accessible, escaped, script-free."""

import xml.etree.ElementTree as ET

from park.reports.charts import Bar, bar_chart, heat_colour, heat_map_chart, time_series_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def test_bar_chart_is_labelled_for_screen_readers_and_writes_each_figure_as_text():
    svg = bar_chart("by-kind", "Utilization by kind", "Share of open seat-hours booked",
                    [Bar("Lab", 0.5, "10 / 20 h"), Bar("Studio", None)])
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Utilization by kind"
    assert root.find(f"{SVG}desc").text == "Share of open seat-hours booked"
    labelled_by = root.get("aria-labelledby").split()
    assert labelled_by == [root.find(f"{SVG}title").get("id"), root.find(f"{SVG}desc").get("id")]
    assert "50%" in texts(root)
    assert "Lab" in texts(root) and "Studio" in texts(root)


def test_chart_text_is_escaped_so_a_name_cannot_inject_markup():
    hostile = '<script>alert("x")</script> & Co'
    svg = bar_chart('x" onload="alert(1)', hostile, hostile, [Bar(hostile, 0.1)])
    root = parse(svg)  # still well-formed XML
    assert "<script" not in svg
    assert root.find(f"{SVG}title").text == hostile
    assert "onload" not in root.attrib
    assert not list(root.iter(f"{SVG}script"))


def test_bar_longer_than_full_is_drawn_at_full_width_but_labelled_with_its_real_figure():
    root = parse(bar_chart("over", "t", "d", [Bar("Hall", 1.3)], width=640, label_width=180))
    rects = list(root.iter(f"{SVG}rect"))
    track, fill = rects[0], rects[1]
    assert float(fill.get("width")) == float(track.get("width"))
    assert "130%" in texts(root)


def test_an_empty_bar_chart_says_there_is_no_data():
    root = parse(bar_chart("empty", "t", "d", [], empty_message="暂无数据"))
    assert "暂无数据" in texts(root)


def test_heat_map_shades_busier_hours_darker_and_titles_every_cell():
    grid = [[None] * 24 for _ in range(7)]
    grid[0][9] = 0.9
    grid[0][10] = 0.1
    svg = heat_map_chart("heat", "Busy hours", "Utilization by weekday and hour", grid,
                         ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
                         first_hour=8, last_hour=20)
    root = parse(svg)
    titles = [element.text for element in root.iter(f"{SVG}title")]
    assert "Mon 09:00 90%" in titles
    assert "Sun 20:00 closed" in titles
    assert len(titles) == 1 + 7 * 13
    assert heat_colour(0.9) != heat_colour(0.1)
    assert heat_colour(None) != heat_colour(0.0)


def test_time_series_draws_one_bar_per_point_with_its_figure_in_a_title():
    points = [Bar(f"11-{day:02d}", day / 30) for day in range(1, 31)]
    root = parse(time_series_chart("days", "Daily utilization", "November", points))
    titles = [element.text for element in root.iter(f"{SVG}title")]
    assert "11-15: 50%" in titles
    assert len([t for t in titles if t.startswith("11-")]) == 30


def test_cell_figures_are_white_only_on_the_darkest_blues_so_they_stay_readable():
    from park.reports.charts import TEXT_COLOUR, heat_ink

    assert heat_ink(0.95) == "#ffffff"
    assert heat_ink(0.5) == TEXT_COLOUR
    assert heat_ink(0.0) == TEXT_COLOUR


def test_every_chart_shows_its_title_as_visible_text():
    root = parse(bar_chart("t", "Utilization by kind", "d", [Bar("Lab", 0.5)]))
    assert texts(root)[0] == "Utilization by kind"


def test_a_quiet_month_gets_an_axis_that_fits_its_bars():
    from park.reports.charts import axis_top

    assert axis_top(0.07) == 0.1
    assert axis_top(0.6) == 0.75
    assert axis_top(1.3) == 1.3
    root = parse(time_series_chart("q", "Quiet", "d", [Bar("11-01", 0.04), Bar("11-02", 0.08)]))
    assert "10%" in texts(root)


def test_a_quiet_heat_map_shades_against_its_busiest_hour_and_says_so():
    from park.reports.charts import HEAT_SCALE

    grid = [[None] * 24 for _ in range(7)]
    grid[2][10], grid[2][11] = 0.19, 0.02
    root = parse(heat_map_chart("q", "Busy hours", "d", grid, ["M", "T", "W", "T", "F", "S", "S"]))
    fills = {rect.get("fill") for rect in root.iter(f"{SVG}rect")}
    assert HEAT_SCALE[-1] in fills  # 19% of a 20% scale is the darkest blue
    assert "20%" in texts(root)


def _font_sizes(root: ET.Element) -> list[float]:
    default = float(root.get("font-size"))
    return [float(element.get("font-size") or default) for element in root.iter(f"{SVG}text")]


def test_every_chart_comes_laid_out_for_each_width_with_no_text_under_11_px():
    from park.reports.charts import LAYOUT_WIDTHS, responsive

    grid = [[0.5 if 8 <= hour <= 22 else None for hour in range(24)] for _ in range(7)]
    markup = [
        responsive(bar_chart, "b", "Utilization by facility kind", "d",
                   [Bar("A very long meeting room name indeed", 0.42, "120/300 h")]),
        responsive(heat_map_chart, "h", "Busy hours", "d", grid, ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
                   first_hour=8, last_hour=22),
        responsive(time_series_chart, "t", "Day by day", "d", [Bar(f"11-{day:02d}", 0.3) for day in range(1, 31)]),
    ]
    for chart in markup:
        root = ET.fromstring(chart)
        svgs = list(root.iter(f"{SVG}svg"))
        assert [int(svg.get("width")) for svg in svgs] == list(LAYOUT_WIDTHS)
        for svg in svgs:
            assert min(_font_sizes(svg)) >= 11
            # Nothing is drawn past the right edge of the layout it is drawn for.
            assert all(float(rect.get("x")) + float(rect.get("width")) <= float(svg.get("width")) + 0.5
                       for rect in svg.iter(f"{SVG}rect"))


def test_a_phone_bar_chart_puts_the_label_above_its_bar_and_keeps_the_note():
    root = parse(bar_chart("p", "t", "d", [Bar("Lab", 0.5, "10/20 h")], width=260))
    assert {"Lab", "50%", "10/20 h"} <= set(texts(root))


def test_heat_map_cells_show_their_unit_and_the_legend_names_the_scale():
    grid = [[None] * 24 for _ in range(7)]
    grid[0][9] = 0.72
    for width in (260, 680):
        root = parse(heat_map_chart("u", "Busy hours", "d", grid, ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
                                    first_hour=8, last_hour=20, width=width, closed_label="closed",
                                    legend_label="Share of open seat-hours booked"))
        shown = texts(root)
        assert "72%" in shown
        assert "Share of open seat-hours booked" in shown and "0%" in shown and "closed" in shown


def test_a_heat_map_too_narrow_for_its_hours_runs_them_down_the_chart():
    grid = [[0.1] * 24 for _ in range(7)]
    root = parse(heat_map_chart("n", "Busy hours", "d", grid, ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
                                first_hour=8, last_hour=22, width=260))
    assert "08:00" in texts(root) and "22:00" in texts(root)  # hours label the rows
    wide = parse(heat_map_chart("w", "Busy hours", "d", grid, ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
                                first_hour=8, last_hour=22, width=680))
    assert "08" in texts(wide) and "08:00" not in texts(wide)  # hours label the columns
