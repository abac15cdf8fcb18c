"""A bar chart as plain SVG geometry, drawn server-side (no script, CSP-clean)."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 720
HEIGHT = 240
PLOT_TOP = 20
PLOT_BOTTOM = 210  # the baseline; day labels go below it
PLOT_LEFT = 40


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    show_label: bool


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    maximum: int
    width: int = WIDTH
    height: int = HEIGHT
    top: int = PLOT_TOP
    baseline: int = PLOT_BOTTOM
    left: int = PLOT_LEFT


def nice_maximum(value: int) -> int:
    """Round the axis top up to 1, 2 or 5 times a power of ten (at least 1)."""
    if value <= 1:
        return 1
    magnitude = 1
    while magnitude * 10 < value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def bar_chart(values: list[tuple[str, int]], *, label_every: int = 5) -> BarChart:
    """Lay out one bar per (label, value); every `label_every`-th label (and the last) shown."""
    maximum = nice_maximum(max((v for _, v in values), default=0))
    slot = (WIDTH - PLOT_LEFT) / max(len(values), 1)
    plot_height = PLOT_BOTTOM - PLOT_TOP
    bars = []
    for index, (label, value) in enumerate(values):
        height = plot_height * value / maximum
        bars.append(
            Bar(
                x=round(PLOT_LEFT + index * slot + slot * 0.15, 1),
                y=round(PLOT_BOTTOM - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                value=value,
                label=label,
                show_label=index % label_every == 0 or index == len(values) - 1,
            )
        )
    return BarChart(bars=bars, maximum=maximum)
