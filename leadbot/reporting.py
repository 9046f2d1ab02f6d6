"""Reports for files and terminals: the full table (CSV, XLSX, `leadbot report --format table`) and a
PNG chart. The chat shows reports as blocks instead (handlers/report_text.py)."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from babel.numbers import format_decimal

from leadbot.i18n_marker import N_, Msg
from leadbot.services.reports import Report, ReportName

if TYPE_CHECKING:  # matplotlib costs ~40 MB of memory: imported when the first chart is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

Translate = Callable[[str], str]
CHART_SIZE = (8, 4.5)  # inches at 100 dpi: 800×450 px, readable at phone width
MAX_BARS = 12  # more bars than this are too thin to read: the chart shows the first ones
LABEL_WIDTH = 18  # characters per line of a bar's label, two lines at most
Series = tuple[str, list[float]]
JUNK_SECTIONS: dict[str, str] = {N_("Manager"): N_("By manager"), N_("Source"): N_("By source")}
COLORS: dict[str, str] = {  # a colour per meaning, the same in every chart
    N_("New"): "#9db4c8",
    N_("Open"): "#9db4c8",
    N_("New clients"): "#9db4c8",
    N_("In work"): "#3b75af",
    N_("Converted"): "#4a9a4a",
    N_("Repeat clients"): "#4a9a4a",
    N_("Junk"): "#c8473b",
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
    """Every column, aligned, with whole headers: for a terminal, not for a phone."""
    headers, rows = table_rows(report, translate)
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(values: list[str]) -> str:
        cells = (
            v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(values, widths, strict=True))
        )
        return "  ".join(cells).rstrip()

    return "\n".join([line(headers), *(line(r) for r in rows)])


def chart_png(report: Report, translate: Translate, title: str, locale: str = "en") -> bytes:
    """The report's chart (800×450) as PNG bytes; numbers on it are written as in `locale`."""
    buffer = io.BytesIO()
    chart_figure(report, translate, title, locale).savefig(buffer, format="png")
    return buffer.getvalue()


def chart_figure(report: Report, translate: Translate, title: str, locale: str = "en") -> Figure:
    """Horizontal bars (names stay readable), value axes from 0, whole numbers for counts; "no data"
    for an empty report; junk in two panels, by manager and by source, each bar split by reason."""
    from matplotlib.figure import Figure  # here, not at the top: see TYPE_CHECKING above
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=CHART_SIZE, dpi=100, layout="constrained")
    figure.suptitle(title)
    if report.is_empty:
        axes = figure.add_subplot()
        axes.set_axis_off()
        axes.text(0.5, 0.5, translate(N_("No data for this period.")), ha="center", va="center", fontsize=14)
        return figure
    if report.name is ReportName.JUNK:
        _junk(figure, report, translate, locale)
        return figure
    series, stacked = CHARTS[report.name](report)
    labels = [cell(row.label, translate) for row in report.rows]
    axes = figure.add_subplot()
    shown = _bars(axes, labels, series, translate, stacked=stacked, locale=locale)
    if shown < len(labels):
        axes.set_title(translate(N_("the first {shown} of {total}")).format(shown=shown, total=len(labels)))
    if report.name is ReportName.SPEED:
        axes.set_xlabel(translate(N_("minutes")))
    else:
        axes.set_xlabel(translate(N_("Leads")))
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    if len(series) > 1:
        figure.legend(*axes.get_legend_handles_labels(), loc="outside lower center", ncols=len(series))
    return figure


def _bars(
    axes: Axes,
    labels: Sequence[str],
    series: list[Series],
    translate: Translate,
    *,
    stacked: bool,
    locale: str,
) -> int:
    """Bars for the first MAX_BARS labels, top to bottom, stacked or side by side, each labelled with
    its value (a stack with its total). Series are named by msgid. How many bars were drawn."""
    labels = labels[:MAX_BARS]
    positions = list(range(len(labels)))
    height = 0.8 if stacked else 0.8 / len(series)
    left = [0.0] * len(labels)
    for index, (name, values) in enumerate(series):
        values = values[: len(labels)]
        color = COLORS.get(name)
        if stacked:
            bars = axes.barh(positions, values, height, left=left, label=translate(name), color=color)
            left = [a + b for a, b in zip(left, values, strict=True)]
        else:
            shifted = [p - 0.4 + height * (index + 0.5) for p in positions]
            bars = axes.barh(shifted, values, height, label=translate(name), color=color)
        if not stacked or index == len(series) - 1:
            shown = left if stacked else values
            values_text = [format_decimal(v, locale=locale) if v else "" for v in shown]
            axes.bar_label(bars, values_text, padding=3, fontsize="small")
    axes.set_yticks(positions, [_wrapped(label) for label in labels])
    axes.set_ylim(len(labels) - 0.5, -0.5)  # the first row on top
    axes.set_xlim(left=0)
    from matplotlib.ticker import FuncFormatter

    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: format_decimal(value, locale=locale)))
    axes.margins(x=0.12)  # room for the value labels
    axes.grid(axis="x", alpha=0.3)
    axes.set_axisbelow(True)
    return len(labels)


def _wrapped(label: str) -> str:
    return textwrap.fill(label, LABEL_WIDTH, max_lines=2, placeholder="…")


def _column(report: Report, index: int) -> list[float]:
    return [float(row.values[index] or 0) for row in report.rows]


def _managers(report: Report) -> tuple[list[Series], bool]:
    """Each manager's leads as one bar: new, in work, converted and junk add up to them."""
    parts = {N_("New"): 2, N_("In work"): 3, N_("Converted"): 4, N_("Junk"): 6}
    return [(title, _column(report, index)) for title, index in parts.items()], True


def _sources(report: Report) -> tuple[list[Series], bool]:
    leads, converted, junk = (_column(report, index) for index in (0, 2, 4))
    still_open = [n - c - j for n, c, j in zip(leads, converted, junk, strict=True)]
    return [(N_("Open"), still_open), (N_("Converted"), converted), (N_("Junk"), junk)], True


def _leads(report: Report) -> tuple[list[Series], bool]:
    return [(N_("Leads"), _column(report, 0))], True


def _speed(report: Report) -> tuple[list[Series], bool]:
    medians = {N_("1st action median, min"): 0, N_("Assignment median, min"): 2}
    return [(title, _column(report, index)) for title, index in medians.items()], False


def _repeat(report: Report) -> tuple[list[Series], bool]:
    leads, repeat = _column(report, 0), _column(report, 1)
    first_time = [n - r for n, r in zip(leads, repeat, strict=True)]
    return [(N_("New clients"), first_time), (N_("Repeat clients"), repeat)], True


CHARTS: dict[ReportName, Callable[[Report], tuple[list[Series], bool]]] = {  # series, stacked
    ReportName.MANAGERS: _managers,
    ReportName.STATUSES: _leads,
    ReportName.SOURCES: _sources,
    ReportName.FUNNEL: _leads,
    ReportName.SPEED: _speed,
    ReportName.REPEAT: _repeat,
}


def _junk(figure: Figure, report: Report, translate: Translate, locale: str) -> None:
    """A panel per dimension (managers, sources): a bar per name, split by junk reason."""
    from matplotlib.ticker import MaxNLocator

    reasons = list(dict.fromkeys(cell(row.values[1], translate) for row in report.rows))
    panels: dict[str, dict[str, dict[str, float]]] = {}
    for row in report.rows:
        names = panels.setdefault(row.values[0], {})
        names.setdefault(cell(row.label, translate), {})[cell(row.values[1], translate)] = float(
            row.values[2]
        )
    grid = figure.subplots(1, len(panels), squeeze=False)[0]
    for axes, (dimension, names) in zip(grid, panels.items(), strict=True):
        series = [(reason, [counts.get(reason, 0.0) for counts in names.values()]) for reason in reasons]
        shown = _bars(axes, list(names), series, translate, stacked=True, locale=locale)
        title = translate(JUNK_SECTIONS.get(dimension, dimension))
        if shown < len(names):
            title += "\n" + translate(N_("the first {shown} of {total}")).format(
                shown=shown, total=len(names)
            )
        axes.set_title(title)
        axes.set_xlabel(translate(N_("Leads")))
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    handles, labels = grid[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=min(len(reasons), 4))
