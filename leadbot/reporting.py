"""Reports as people read them: a compact text table for a phone, rows for CSV/XLSX, and a PNG chart."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from leadbot.i18n_marker import Msg
from leadbot.services.reports import Report, ReportName

Translate = Callable[[str], str]
LABEL_WIDTH = 12
HEADER_WIDTH = 6
CHART_SIZE = (8, 4.5)  # inches at 100 dpi: 800×450 px, readable at phone width
NUMERIC_CHART_COLUMNS = {
    ReportName.MANAGERS: (0, 3, 5),  # leads, converted, junk
    ReportName.STATUSES: (0,),
    ReportName.SOURCES: (0, 2, 4),
    ReportName.FUNNEL: (0,),
    ReportName.JUNK: (2,),  # leads per reason
    ReportName.SPEED: (0, 2),  # medians of first action and assignment
    ReportName.REPEAT: (0, 1),
}


def cell(value: Any, translate: Translate) -> str:
    if value is None:
        return "—"
    if isinstance(value, Msg):
        return translate(value)
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"
    if isinstance(value, Decimal):
        return f"{value:,.0f}".replace(",", " ")
    return str(value)


def table_rows(report: Report, translate: Translate) -> tuple[list[str], list[list[str]]]:
    headers = [translate(title) for title in report.columns]
    rows = [[cell(row.label, translate), *(cell(v, translate) for v in row.values)] for row in report.rows]
    return headers, rows


def text_table(report: Report, translate: Translate) -> str:
    """Aligned columns; long labels are cut so that a row fits a phone screen in a monospace block."""
    headers, rows = table_rows(report, translate)
    rows = [[row[0][:LABEL_WIDTH], *row[1:]] for row in rows]
    short = [headers[0][:LABEL_WIDTH], *(h.split(",")[0][:HEADER_WIDTH] for h in headers[1:])]
    widths = [max(len(r[i]) for r in [short, *rows]) for i in range(len(short))]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(values, widths, strict=True))
        )

    return "\n".join([line(short), *(line(r) for r in rows)])


def chart_png(report: Report, translate: Translate, title: str) -> bytes:
    """A bar chart of the report's main figures, labelled, as PNG bytes."""
    columns = NUMERIC_CHART_COLUMNS[report.name]
    labels = [cell(row.label, translate)[:18] for row in report.rows] or ["—"]
    figure, axes = plt.subplots(figsize=CHART_SIZE, dpi=100)
    try:
        width = 0.8 / len(columns)
        for index, column in enumerate(columns):
            values = [float(row.values[column] or 0) for row in report.rows] or [0.0]
            positions = [i + index * width - 0.4 + width / 2 for i in range(len(labels))]
            axes.bar(positions, values, width=width, label=translate(report.columns[column + 1]))
        axes.set_xticks(range(len(labels)))
        axes.set_xticklabels(
            labels, rotation=30 if len(labels) > 4 else 0, ha="right" if len(labels) > 4 else "center"
        )
        axes.set_title(title)
        axes.set_xlabel(translate(report.columns[0]))
        axes.set_ylabel(translate(report.columns[columns[0] + 1]))
        if len(columns) > 1:
            axes.legend()
        axes.grid(axis="y", alpha=0.3)
        if report.name is not ReportName.SPEED:  # counts, not minutes
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)
