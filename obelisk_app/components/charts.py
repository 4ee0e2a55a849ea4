"""Chart building blocks (Reflex's recharts) styled for both themes: axes, grid and tooltip take the Radix
theme's CSS variables, so text stays readable on the dark background as on the light one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import reflex as rx

TICK = {"fill": "var(--gray-11)", "fontSize": 12}
TOOLTIP_BOX = {
    "background": "var(--color-panel-solid)",
    "border": "1px solid var(--gray-a6)",
    "borderRadius": "var(--radius-2)",
    "color": "var(--gray-12)",
}
SERIES_COLORS = ("var(--accent-9)", "var(--cyan-9)", "var(--amber-9)", "var(--grass-9)", "var(--tomato-9)")
CHART_BOX = {"& .recharts-legend-item-text": {"color": "var(--gray-12) !important"}}
"""Recharts writes each legend label in its series' colour (inline): a step-9 colour is fine for a line or a
bar (3:1 against the background) but too faint for 12px text on the dark theme (violet-9 is 3.5:1 there), so
the labels take the theme's text colour and the swatch beside each keeps the series' colour."""

Series = tuple[str, str]
"""(data key, label shown in the legend and tooltip)."""


def _chrome(x_key: str, *, vertical: bool) -> list[rx.Component]:
    if vertical:
        axes = [
            rx.recharts.x_axis(type_="number", tick=TICK, stroke="var(--gray-8)", allow_decimals=False),
            rx.recharts.y_axis(data_key=x_key, type_="category", tick=TICK, stroke="var(--gray-8)", width=160),
        ]
    else:
        axes = [
            rx.recharts.x_axis(data_key=x_key, tick=TICK, stroke="var(--gray-8)"),
            rx.recharts.y_axis(tick=TICK, stroke="var(--gray-8)", allow_decimals=False),
        ]
    return [
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", stroke="var(--gray-a5)"),
        *axes,
        rx.recharts.graphing_tooltip(
            content_style=TOOLTIP_BOX,
            label_style={"color": "var(--gray-12)"},
            item_style={"color": "var(--gray-12)"},
            cursor={"fill": "var(--gray-a3)"},
        ),
        rx.recharts.legend(wrapper_style={"color": "var(--gray-11)", "fontSize": 12}),
    ]


def bar_chart(
    data: rx.Var[Any],
    x_key: str,
    series: Sequence[Series],
    *,
    testid: str,
    vertical: bool = False,
    stacked: bool = False,
    height: int = 260,
) -> rx.Component:
    """Bars of `series` per `x_key` (horizontal bars with `vertical`, for long labels such as page paths)."""
    bars = [
        rx.recharts.bar(
            data_key=key,
            name=label,
            fill=SERIES_COLORS[i % len(SERIES_COLORS)],
            stack_id="s" if stacked else None,
            is_animation_active=False,
        )
        for i, (key, label) in enumerate(series)
    ]
    return rx.box(
        rx.recharts.bar_chart(
            *_chrome(x_key, vertical=vertical),
            *bars,
            data=data,
            layout="vertical" if vertical else "horizontal",
            width="100%",
            height=height,
            margin={"top": 8, "right": 16, "left": 0, "bottom": 4},
        ),
        width="100%",
        style=CHART_BOX,
        data_testid=testid,
    )


def line_chart(
    data: rx.Var[Any], x_key: str, series: Sequence[Series], *, testid: str, height: int = 260
) -> rx.Component:
    """Lines of `series` over `x_key` (dates), a dot on each point: a series of one point (a one-day range, an
    item published today, the first day with a score) has no line to draw and would otherwise show nothing."""
    lines = [
        rx.recharts.line(
            data_key=key,
            name=label,
            stroke=SERIES_COLORS[i % len(SERIES_COLORS)],
            stroke_width=2,
            dot={"r": 2.5, "fill": SERIES_COLORS[i % len(SERIES_COLORS)], "strokeWidth": 0},
            type_="monotone",
            is_animation_active=False,
        )
        for i, (key, label) in enumerate(series)
    ]
    return rx.box(
        rx.recharts.line_chart(
            *_chrome(x_key, vertical=False),
            *lines,
            data=data,
            width="100%",
            height=height,
            margin={"top": 8, "right": 16, "left": 0, "bottom": 4},
        ),
        width="100%",
        style=CHART_BOX,
        data_testid=testid,
    )


__all__ = ["SERIES_COLORS", "Series", "bar_chart", "line_chart"]
