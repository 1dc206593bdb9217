"""Server-rendered SVG charts for the report pages and mails. Pure.

Each function returns one self-contained `<svg>` string: no script, no
external fonts or styles, a `<title>` and `<desc>` for screen readers, and
every figure also written as text so the chart reads without colour.
All text passed in is escaped here; callers pass plain strings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

FONT = "system-ui, -apple-system, 'Segoe UI', 'PingFang SC', 'Microsoft YaHei', sans-serif"
BAR_COLOUR = "#2563eb"
TRACK_COLOUR = "#e5e7eb"
TEXT_COLOUR = "#111827"
MUTED_COLOUR = "#6b7280"
EMPTY_COLOUR = "#f3f4f6"
# Light to dark blue; a cell's colour is picked by its utilization.
HEAT_SCALE = ("#eff6ff", "#bfdbfe", "#93c5fd", "#60a5fa", "#3b82f6", "#1d4ed8", "#1e3a8a")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # a share in [0, 1] (may exceed 1), or None: not measured
    note: str = ""  # e.g. "120 / 300 h"


def _text(value: object) -> str:
    return escape(str(value), quote=True)


def _safe_id(chart_id: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", chart_id) or "chart"
    return cleaned if cleaned[0].isalpha() else f"c-{cleaned}"


def percent(value: float | None, empty: str = "–") -> str:
    return empty if value is None else f"{value * 100:.0f}%"


# Every chart is drawn for the width it is shown at, never scaled down below it, so its lettering
# stays at these sizes (CSS pixels): labels 12, small print 11, the title 15.
FONT_SIZE = 12
SMALL = 11
TITLE_SIZE = 15
# The widths a chart is laid out for: a phone's column, a half of a desktop's two columns, a whole one.
# The page shows the widest that fits its box (CSS container queries in park.css, `.chart-layouts`).
LAYOUT_WIDTHS = (260, 500, 680)


def text_width(text: str, size: float) -> float:
    """A generous estimate of `text`'s width in pixels: CJK characters are square, others about 0.6 em."""
    return sum(size if ord(char) >= 0x2E80 else size * 0.6 for char in text)


def fit(text: str, room: float, size: float) -> str:
    """`text`, shortened with an ellipsis where it would be wider than `room` pixels."""
    if text_width(text, size) <= room:
        return text
    while text and text_width(text + "…", size) > room:
        text = text[:-1]
    return text + "…"


def _title_lines(title: str, width: int) -> list[str]:
    """The visible title in at most two lines that fit `width`, breaking at a space where there is one."""
    if text_width(title, TITLE_SIZE) <= width:
        return [title]
    cut = len(title)
    while cut > 1 and text_width(title[:cut], TITLE_SIZE) > width:
        cut -= 1
    space = title.rfind(" ", 0, cut + 1)
    first = title[:space] if space > 0 else title[:cut]
    return [first, fit(title[len(first):].strip(), width, TITLE_SIZE)]


def responsive(draw: Callable[..., str], chart_id: str, *args: Any, **kwargs: Any) -> str:
    """The chart `draw(chart_id, *args, width=…, **kwargs)` laid out once per width of LAYOUT_WIDTHS.

    The page shows one of them, the widest its box holds: a phone gets a chart drawn for a phone
    (fewer columns, labels above bars) rather than a desktop chart shrunk until it cannot be read.
    """
    return '<div class="chart-layouts">' + "".join(
        f'<div class="chart-at chart-at-{width}">{draw(f"{chart_id}-{width}", *args, width=width, **kwargs)}</div>'
        for width in LAYOUT_WIDTHS
    ) + "</div>"


def _open_svg(chart_id: str, width: int, height: int, title: str, description: str) -> list[str]:
    """The opening of a chart `height` high below its visible title."""
    ident = _safe_id(chart_id)
    lines = _title_lines(title, width)
    heading = 10 + len(lines) * 19
    return [
        # Natural size in pixels; the page shows the layout that fits (see `responsive`).
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + heading}" '
        f'width="{width}" height="{height + heading}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'font-family="{_text(FONT)}" font-size="{FONT_SIZE}" class="chart">',
        f'<title id="{ident}-title">{_text(title)}</title>',
        f'<desc id="{ident}-desc">{_text(description)}</desc>',
        # Seen by eyes; screen readers already have the <title>.
        *(
            f'<text x="0" y="{18 + index * 19}" font-size="{TITLE_SIZE}" font-weight="600" '
            f'fill="{TEXT_COLOUR}" aria-hidden="true">{_text(line)}</text>'
            for index, line in enumerate(lines)
        ),
        f'<g transform="translate(0 {heading})">',
    ]


def _close_svg() -> str:
    return "</g></svg>"


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    empty_message: str = "No data",
    label_width: int | None = None,
    width: int = 680,
) -> str:
    """Horizontal bars, one per row, each labelled with its percentage.

    From 400 px wide the label sits left of its bar and the note right of the figure; narrower,
    each row puts its label (and note) on a line above the bar, so neither is squeezed.
    """
    stacked = width < 400
    row_height, top = (44, 4) if stacked else (28, 8)
    height = top * 2 + max(1, len(bars)) * row_height
    parts = _open_svg(chart_id, width, height, title, description)
    if not bars:
        parts.append(
            f'<text x="{width / 2}" y="{height / 2 + 4}" text-anchor="middle" '
            f'fill="{MUTED_COLOUR}">{_text(fit(empty_message, width, FONT_SIZE))}</text>'
        )
    figure_room = text_width("100%", FONT_SIZE) + 10
    if stacked:
        track_x, label_room = 0, width
        track_width = width - figure_room
        note_room = 0.0
    else:
        # Room for the longest label and note, up to a share of the width: the bars keep the rest.
        longest_label = max([text_width(bar.label, FONT_SIZE) for bar in bars] + [40.0])
        longest_note = max([text_width(bar.note, SMALL) + 8 for bar in bars if bar.note] + [0.0])
        label_room = label_width if label_width is not None else int(min(longest_label + 1, width * 0.4, 240))
        track_x = label_room + 8
        note_room = min(longest_note, width * 0.22)
        track_width = width - track_x - figure_room - note_room
    for index, bar in enumerate(bars):
        y = top + index * row_height
        bar_y = y + 22 if stacked else y + 6
        text_y = bar_y + 12
        filled = 0.0 if bar.value is None else max(0.0, min(bar.value, 1.0)) * track_width
        figure = percent(bar.value)
        spoken = f"{bar.label}: {figure}" + (f" ({bar.note})" if bar.note else "")
        parts.append(f"<g><title>{_text(spoken)}</title>")
        if stacked:
            note = fit(bar.note, width * 0.4, SMALL) if bar.note else ""
            room = width - (text_width(note, SMALL) + 8 if note else 0)
            parts.append(
                f'<text x="0" y="{y + 15}" fill="{TEXT_COLOUR}">{_text(fit(bar.label, room, FONT_SIZE))}</text>'
            )
            if note:
                parts.append(
                    f'<text x="{width}" y="{y + 15}" text-anchor="end" font-size="{SMALL}" '
                    f'fill="{MUTED_COLOUR}">{_text(note)}</text>'
                )
        else:
            parts.append(
                f'<text x="{label_room}" y="{text_y}" text-anchor="end" '
                f'fill="{TEXT_COLOUR}">{_text(fit(bar.label, label_room, FONT_SIZE))}</text>'
            )
        parts.append(
            f'<rect x="{track_x}" y="{bar_y}" width="{track_width:.1f}" height="16" '
            f'rx="3" fill="{TRACK_COLOUR}"/>'
        )
        if filled > 0:
            parts.append(
                f'<rect x="{track_x}" y="{bar_y}" width="{filled:.1f}" height="16" '
                f'rx="3" fill="{BAR_COLOUR}"/>'
            )
        parts.append(
            f'<text x="{track_x + track_width + 6:.1f}" y="{text_y}" '
            f'fill="{TEXT_COLOUR}" font-weight="600">{_text(figure)}</text>'
        )
        if bar.note and not stacked:
            parts.append(
                f'<text x="{track_x + track_width + figure_room:.1f}" y="{text_y}" font-size="{SMALL}" '
                f'fill="{MUTED_COLOUR}">{_text(fit(bar.note, note_room, SMALL))}</text>'
            )
        parts.append("</g>")
    parts.append(_close_svg())
    return "".join(parts)


def _heat_step(value: float) -> int:
    return min(len(HEAT_SCALE) - 1, int(max(0.0, value) * (len(HEAT_SCALE) - 1) + 0.5))


def heat_colour(value: float | None) -> str:
    return EMPTY_COLOUR if value is None else HEAT_SCALE[_heat_step(value)]


def heat_ink(value: float) -> str:
    """Text colour on a cell: white only on the two darkest blues (AA contrast)."""
    return "#ffffff" if _heat_step(value) >= len(HEAT_SCALE) - 2 else TEXT_COLOUR


CELL_MIN_WIDTH = 32  # room for "100%" in small print


def heat_map_chart(
    chart_id: str,
    title: str,
    description: str,
    grid: Sequence[Sequence[float | None]],
    weekday_labels: Sequence[str],
    closed_label: str = "closed",
    first_hour: int = 0,
    last_hour: int = 23,
    width: int = 720,
    legend_label: str = "Share of open seat-hours booked",
) -> str:
    """Weekday × hour cells shaded by utilization, each showing and titled with its percentage.

    Only hours `first_hour..last_hour` are drawn, so a park open 08–22 does
    not waste half the chart on the night. Where the hours do not fit across
    `width` with room for "100%" in each cell, the hours run down the chart
    and the weekdays across. A legend names the scale and its unit.
    """
    hours = list(range(first_hour, last_hour + 1))
    days = list(range(len(weekday_labels)))
    # Shade against the busiest cell's round share, not 100%: a park at 15%
    # still shows which hours are its busy ones.
    shown = [value for row in grid for value in row if value is not None]
    scale_top = axis_top(max(shown, default=0.0))
    day_room = max([text_width(name, FONT_SIZE) for name in weekday_labels] + [0.0]) + 10
    across_hours = (width - day_room - 4) / max(1, len(hours)) >= CELL_MIN_WIDTH
    if across_hours:
        left, top, cell_height = day_room, 22, 26
        columns, rows = hours, days
    else:
        left, top, cell_height = text_width("00:00", SMALL) + 10, 24, 22
        columns, rows = days, hours
    cell_width = (width - left - 4) / max(1, len(columns))
    grid_bottom = top + len(rows) * cell_height
    height = grid_bottom + 70
    parts = _open_svg(chart_id, width, height, title, description)

    def column_name(value: int) -> str:
        return f"{value:02d}" if across_hours else weekday_labels[value]

    def row_name(value: int) -> str:
        return weekday_labels[value] if across_hours else f"{value:02d}:00"

    for index, value in enumerate(columns):
        x = left + index * cell_width + cell_width / 2
        parts.append(
            f'<text x="{x:.1f}" y="{top - 8}" text-anchor="middle" font-size="{SMALL if across_hours else FONT_SIZE}" '
            f'fill="{MUTED_COLOUR if across_hours else TEXT_COLOUR}">'
            f"{_text(fit(column_name(value), cell_width, FONT_SIZE))}</text>"
        )
    for row_index, row_value in enumerate(rows):
        y = top + row_index * cell_height
        parts.append(
            f'<text x="{left - 8:.1f}" y="{y + cell_height / 2 + 4:.1f}" text-anchor="end" '
            f'font-size="{FONT_SIZE if across_hours else SMALL}" '
            f'fill="{TEXT_COLOUR if across_hours else MUTED_COLOUR}">{_text(row_name(row_value))}</text>'
        )
        for index, column_value in enumerate(columns):
            day, hour = (row_value, column_value) if across_hours else (column_value, row_value)
            values = grid[day] if day < len(grid) else []
            value = values[hour] if hour < len(values) else None
            x = left + index * cell_width
            figure = closed_label if value is None else percent(value)
            shade = None if value is None else value / scale_top
            parts.append(
                f'<g><title>{_text(f"{weekday_labels[day]} {hour:02d}:00 {figure}")}</title>'
                f'<rect x="{x:.1f}" y="{y}" width="{cell_width - 2:.1f}" '
                f'height="{cell_height - 2}" rx="2" fill="{heat_colour(shade)}"/>'
            )
            if value is not None and shade is not None:
                parts.append(
                    f'<text x="{x + (cell_width - 2) / 2:.1f}" y="{y + cell_height / 2 + 3:.1f}" '
                    f'text-anchor="middle" font-size="{SMALL}" fill="{heat_ink(shade)}">'
                    f"{_text(percent(value))}</text>"
                )
            parts.append("</g>")
    # The legend: what the shades measure, in which unit, and which cells were closed.
    legend_y = grid_bottom + 14
    parts.append(
        f'<text x="0" y="{legend_y + 4}" font-size="{SMALL}" fill="{TEXT_COLOUR}">'
        f"{_text(fit(legend_label, width, SMALL))}</text>"
    )
    swatch = min(28.0, (width - 80) / len(HEAT_SCALE))
    swatch_y = legend_y + 12
    for index, colour in enumerate(HEAT_SCALE):
        parts.append(
            f'<rect x="{index * swatch:.1f}" y="{swatch_y}" width="{swatch - 2:.1f}" height="12" '
            f'fill="{colour}" stroke="{TRACK_COLOUR}"/>'
        )
    scale_end = len(HEAT_SCALE) * swatch - 2
    parts.append(
        f'<text x="0" y="{swatch_y + 28}" font-size="{SMALL}" fill="{MUTED_COLOUR}">0%</text>'
        f'<text x="{scale_end:.1f}" y="{swatch_y + 28}" text-anchor="end" font-size="{SMALL}" '
        f'fill="{MUTED_COLOUR}">{scale_top * 100:g}%</text>'
    )
    closed_x = scale_end + 14
    parts.append(
        f'<rect x="{closed_x:.1f}" y="{swatch_y}" width="{swatch - 2:.1f}" height="12" '
        f'fill="{EMPTY_COLOUR}" stroke="{TRACK_COLOUR}"/>'
        f'<text x="{closed_x:.1f}" y="{swatch_y + 28}" font-size="{SMALL}" fill="{MUTED_COLOUR}">'
        f"{_text(fit(closed_label, width - closed_x, SMALL))}</text>"
    )
    parts.append(_close_svg())
    return "".join(parts)


def time_series_chart(
    chart_id: str,
    title: str,
    description: str,
    points: Sequence[Bar],
    empty_message: str = "No data",
    width: int = 720,
    height: int | None = None,
) -> str:
    """Vertical bars over time (days of a month, weeks of a quarter…); as many labels as fit."""
    if height is None:
        height = 200 if width < 400 else 240
    left, bottom, top = text_width("100%", SMALL) + 10, 36, 16
    plot_height = height - top - bottom
    parts = _open_svg(chart_id, width, height, title, description)
    top_value = axis_top(max([0.0] + [point.value or 0.0 for point in points]))
    for tick in (0.0, top_value / 2, top_value):
        y = top + plot_height * (1 - tick / top_value)
        parts.append(
            f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{TRACK_COLOUR}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="{SMALL}" '
            f'fill="{MUTED_COLOUR}">{tick * 100:.{0 if tick * 100 == int(tick * 100) else 1}f}%</text>'
        )
    if not points:
        parts.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" '
            f'fill="{MUTED_COLOUR}">{_text(fit(empty_message, width, FONT_SIZE))}</text>'
        )
    slot = (width - left - 8) / max(1, len(points))
    labels = [_shorten(point.label, 10) for point in points]
    widest = max([text_width(label, SMALL) for label in labels] + [0.0]) + 8
    label_every = max(1, -int(-widest // slot))
    for index, point in enumerate(points):
        value = point.value or 0.0
        bar_height = plot_height * value / top_value
        x = left + index * slot
        spoken = f"{point.label}: {percent(point.value)}" + (
            f" ({point.note})" if point.note else ""
        )
        parts.append(f"<g><title>{_text(spoken)}</title>")
        parts.append(
            f'<rect x="{x + slot * 0.15:.1f}" y="{top + plot_height - bar_height:.1f}" '
            f'width="{slot * 0.7:.1f}" height="{bar_height:.1f}" fill="{BAR_COLOUR}"/>'
        )
        if index % label_every == 0:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{height - bottom + 16}" '
                f'text-anchor="middle" font-size="{SMALL}" fill="{MUTED_COLOUR}">'
                f"{_text(labels[index])}</text>"
            )
        parts.append("</g>")
    parts.append(_close_svg())
    return "".join(parts)


NICE_TOPS = (0.1, 0.2, 0.25, 0.5, 0.75, 1.0)


def axis_top(highest: float) -> float:
    """The top of a share axis: the smallest round share at or above the highest bar,
    so a quiet month is not a row of slivers under an empty 100%."""
    for top in NICE_TOPS:
        if highest <= top:
            return top
    return highest


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
