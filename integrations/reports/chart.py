"""A budget-against-actual bar chart as numbers for an SVG template (``_chart.html``): drawn on
the server, so the page needs no script and the PDF gets the same picture. Each bar carries its
amount as text, and the legend names both series: the chart never speaks by colour alone."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

LIMIT = 20  # pairs of bars shown: those with the most spent first, then the largest budgets
LABEL_WIDTH = 210
BAR_AREA = 380
ROW_HEIGHT = 38
BAR_HEIGHT = 13
TOP = 30


def bars(items: list[tuple[str, Decimal, Decimal]], legend: tuple[str, str]) -> dict[str, Any]:
    """``items`` are (label, budget, spent); the answer is what the template draws: each row's
    label and its two bars' lengths in the SVG's units."""
    shown = sorted(items, key=lambda item: (item[2] > 0, item[2], item[1]), reverse=True)[:LIMIT]
    shown.sort(key=lambda item: item[0])
    largest = max((max(a, b) for _, a, b in shown), default=Decimal(0))
    scale = Decimal(BAR_AREA) / largest if largest > 0 else Decimal(0)
    rows = []
    for index, (label, first, second) in enumerate(shown):
        y = TOP + index * ROW_HEIGHT
        rows.append(
            {
                "label": label if len(label) <= 30 else label[:29] + "…",
                "y": y,
                "text_y": y + BAR_HEIGHT,
                "first": _bar(first, scale, y),
                "second": _bar(second, scale, y + BAR_HEIGHT + 2),
                "over": second > first,
            }
        )
    return {
        "rows": rows,
        "legend": legend,
        "left": LABEL_WIDTH,
        "width": LABEL_WIDTH + BAR_AREA + 110,
        "height": TOP + len(rows) * ROW_HEIGHT + 4,
        "cut": len(items) - len(shown),
    }


def _bar(amount: Decimal, scale: Decimal, y: int) -> dict[str, Any]:
    length = int(max(amount, Decimal(0)) * scale)
    return {
        "width": max(length, 1),
        "y": y,
        "text_x": LABEL_WIDTH + max(length, 1) + 6,
        "text_y": y + BAR_HEIGHT - 3,
        "amount": amount,
    }
