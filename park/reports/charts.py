"""Server-rendered SVG charts for the report pages and mails. Pure.

Each function returns one self-contained `<svg>` string: no script, no
external fonts or styles, a `<title>` and `<desc>` for screen readers, and
every figure also written as text so the chart reads without colour.
All text passed in is escaped here; callers pass plain strings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

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


HEADING = 28  # room at the top of every chart for its visible title


def _open_svg(chart_id: str, width: int, height: int, title: str, description: str) -> list[str]:
    """The opening of a chart `height` high below its visible title."""
    ident = _safe_id(chart_id)
    return [
        # Natural size in pixels; the page's CSS (max-width: 100%) shrinks it on phones.
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + HEADING}" '
        f'width="{width}" height="{height + HEADING}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'font-family="{_text(FONT)}" font-size="12" class="chart">',
        f'<title id="{ident}-title">{_text(title)}</title>',
        f'<desc id="{ident}-desc">{_text(description)}</desc>',
        # Seen by eyes; screen readers already have the <title>.
        f'<text x="0" y="18" font-size="15" font-weight="600" fill="{TEXT_COLOUR}" '
        f'aria-hidden="true">{_text(title)}</text>',
        f'<g transform="translate(0 {HEADING})">',
    ]


def _close_svg() -> str:
    return "</g></svg>"


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    empty_message: str = "No data",
    label_width: int = 220,
    width: int = 680,
) -> str:
    """Horizontal bars, one per row, each labelled with its percentage."""
    row_height, top = 28, 8
    height = top * 2 + max(1, len(bars)) * row_height
    parts = _open_svg(chart_id, width, height, title, description)
    if not bars:
        parts.append(
            f'<text x="{width / 2}" y="{height / 2 + 4}" text-anchor="middle" '
            f'fill="{MUTED_COLOUR}">{_text(empty_message)}</text>'
        )
    track_x = label_width + 8
    track_width = width - track_x - 170  # room for the figure and its note
    for index, bar in enumerate(bars):
        y = top + index * row_height
        filled = 0.0 if bar.value is None else max(0.0, min(bar.value, 1.0)) * track_width
        figure = percent(bar.value)
        spoken = f"{bar.label}: {figure}" + (f" ({bar.note})" if bar.note else "")
        parts.append(f"<g><title>{_text(spoken)}</title>")
        parts.append(
            f'<text x="{label_width}" y="{y + 18}" text-anchor="end" '
            f'fill="{TEXT_COLOUR}">{_text(_shorten(bar.label, 34))}</text>'
        )
        parts.append(
            f'<rect x="{track_x}" y="{y + 6}" width="{track_width}" height="16" '
            f'rx="3" fill="{TRACK_COLOUR}"/>'
        )
        if filled > 0:
            parts.append(
                f'<rect x="{track_x}" y="{y + 6}" width="{filled:.1f}" height="16" '
                f'rx="3" fill="{BAR_COLOUR}"/>'
            )
        parts.append(
            f'<text x="{track_x + track_width + 8}" y="{y + 18}" '
            f'fill="{TEXT_COLOUR}" font-weight="600">{_text(figure)}</text>'
        )
        if bar.note:
            parts.append(
                f'<text x="{track_x + track_width + 52}" y="{y + 18}" font-size="10" '
                f'fill="{MUTED_COLOUR}">{_text(_shorten(bar.note, 20))}</text>'
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
) -> str:
    """Weekday rows × hour columns, shaded by utilization, each cell titled with its figure.

    Only hours `first_hour..last_hour` are drawn, so a park open 08–22 does
    not waste half the chart on the night.
    """
    hours = list(range(first_hour, last_hour + 1))
    # Shade against the busiest cell's round share, not 100%: a park at 15%
    # still shows which hours are its busy ones.
    shown = [value for row in grid for value in row if value is not None]
    scale_top = axis_top(max(shown, default=0.0))
    left, top, cell_height = 56, 24, 26
    cell_width = (width - left - 8) / max(1, len(hours))
    height = top + len(weekday_labels) * cell_height + 44
    parts = _open_svg(chart_id, width, height, title, description)
    for column, hour in enumerate(hours):
        x = left + column * cell_width + cell_width / 2
        parts.append(
            f'<text x="{x:.1f}" y="{top - 8}" text-anchor="middle" font-size="10" '
            f'fill="{MUTED_COLOUR}">{hour:02d}</text>'
        )
    for row, day_label in enumerate(weekday_labels):
        y = top + row * cell_height
        parts.append(
            f'<text x="{left - 8}" y="{y + 17}" text-anchor="end" '
            f'fill="{TEXT_COLOUR}">{_text(day_label)}</text>'
        )
        values = grid[row] if row < len(grid) else []
        for column, hour in enumerate(hours):
            value = values[hour] if hour < len(values) else None
            x = left + column * cell_width
            figure = closed_label if value is None else percent(value)
            shade = None if value is None else value / scale_top
            parts.append(
                f'<g><title>{_text(f"{day_label} {hour:02d}:00 {figure}")}</title>'
                f'<rect x="{x:.1f}" y="{y}" width="{cell_width - 2:.1f}" '
                f'height="{cell_height - 2}" rx="2" fill="{heat_colour(shade)}"/>'
            )
            if value is not None and shade is not None and cell_width >= 22:
                ink = heat_ink(shade)
                parts.append(
                    f'<text x="{x + (cell_width - 2) / 2:.1f}" y="{y + 16}" '
                    f'text-anchor="middle" font-size="9" fill="{ink}">'
                    f"{value * 100:.0f}</text>"
                )
            parts.append("</g>")
    legend_y = top + len(weekday_labels) * cell_height + 14
    for index, colour in enumerate(HEAT_SCALE):
        x = left + index * 28
        parts.append(
            f'<rect x="{x}" y="{legend_y}" width="26" height="10" fill="{colour}"/>'
        )
    parts.append(
        f'<text x="{left}" y="{legend_y + 24}" font-size="10" fill="{MUTED_COLOUR}">0%</text>'
        f'<text x="{left + len(HEAT_SCALE) * 28 - 2}" y="{legend_y + 24}" '
        f'text-anchor="end" font-size="10" fill="{MUTED_COLOUR}">{scale_top * 100:g}%</text>'
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
    height: int = 240,
) -> str:
    """Vertical bars over time (days of a month, weeks of a quarter…)."""
    left, bottom, top = 40, 36, 16
    plot_height = height - top - bottom
    parts = _open_svg(chart_id, width, height, title, description)
    top_value = axis_top(max([0.0] + [point.value or 0.0 for point in points]))
    for tick in (0.0, top_value / 2, top_value):
        y = top + plot_height * (1 - tick / top_value)
        parts.append(
            f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{TRACK_COLOUR}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10" '
            f'fill="{MUTED_COLOUR}">{tick * 100:.{0 if tick * 100 == int(tick * 100) else 1}f}%</text>'
        )
    if not points:
        parts.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" '
            f'fill="{MUTED_COLOUR}">{_text(empty_message)}</text>'
        )
    slot = (width - left - 8) / max(1, len(points))
    label_every = max(1, int(len(points) / 12 + 0.999))
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
                f'text-anchor="middle" font-size="10" fill="{MUTED_COLOUR}">'
                f"{_text(_shorten(point.label, 10))}</text>"
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
