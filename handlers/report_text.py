"""A report as a chat message for a phone: no table, one block per row.

A block is the row's name in bold, then its figures as labelled items ("converted: 1 (50 %)") joined by
" · " into lines of at most WIDTH characters. An item is never cut: items of the same kind line up
across blocks because each is packed with the width of the widest of its kind. Numbers, shares, money
and minutes follow the reader's locale (Babel); each currency's amounts stay apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from handlers.formats import number, percent, whole_money
from handlers.render import esc
from leadbot.i18n_marker import N_, Msg
from leadbot.reporting import JUNK_SECTIONS
from leadbot.services.reports import Report, ReportName, Row

Translate = Callable[[str], str]
Item = tuple[str, str]  # (kind, text): items of one kind share a width across blocks
WIDTH = 35  # characters on a narrow phone screen
SEPARATOR = " · "
TOTALS: dict[str, str] = {"leads": N_("leads"), "junk": N_("junk"), "repeat": N_("repeat")}


class Figures:
    """Values as the reader writes them, and "label: value (share)" items."""

    def __init__(self, translate: Translate, locale: str) -> None:
        self.translate = translate
        self.locale = locale

    def count(self, value: int) -> str:
        return number(value, self.locale)

    def percent(self, value: float) -> str:
        return percent(value, self.locale)

    def minutes(self, value: float | None) -> str:
        return "—" if value is None else number(Decimal(str(value)), self.locale)

    def money(self, amount: Decimal, currency: str) -> str:
        return whole_money(amount, currency, self.locale)

    def label(self, value: str) -> str:
        """A row's name or a reason: translated when the report marked it (such as "Unassigned"), as it
        is when it comes from the data (a manager, a status)."""
        return self.translate(value) if isinstance(value, Msg) else value

    def item(self, label: str, value: str, share: float | None = None) -> str:
        text = f"{self.label(label)}: {value}"
        return text if share is None else f"{text} ({self.percent(share)})"

    def counted(self, label: str, value: int, share: float | None = None) -> Item:
        return label, self.item(label, self.count(value), share)


def chat_text(report: Report, translate: Translate, locale: str, title: str) -> str:
    """Telegram HTML: the title, the totals, then a block per row (a section per dimension for junk)."""
    figures = Figures(translate, locale)
    lines = [f"<b>{esc(title)}</b>", *pack(totals(report, figures))]
    if report.is_empty:
        return "\n".join([*lines, esc(translate(N_("No data for this period.")))])
    if report.name is ReportName.SPEED:
        lines.append(esc(translate(N_("median / 90th percentile, min"))))
    sections = (
        _junk_sections(report, figures)
        if report.name is ReportName.JUNK
        else [("", _blocks(report, figures))]
    )
    for heading, blocks in sections:
        if heading:
            lines += ["", f"<b><u>{esc(heading)}</u></b>"]
        widths = _widths(items for _name, items in blocks)
        for name, items in blocks:
            lines += ["", f"<b>{esc(name)}</b>", *pack(items, widths)]
    return "\n".join(lines)


def totals(report: Report, figures: Figures) -> list[Item]:
    """ "leads: 7", "junk: 1 (14.3 %)" (a rate goes with its count), an amount per currency."""
    items: list[Item] = []
    for key, value in report.totals.items():
        if key.endswith("_rate"):
            continue
        if key == "amount":
            items += [(c, figures.item(N_("amount"), figures.money(v, c))) for c, v in value.items()]
            continue
        items.append(figures.counted(TOTALS.get(key, key), value, report.totals.get(f"{key}_rate")))
    return items


def _blocks(report: Report, figures: Figures) -> list[tuple[str, list[Item]]]:
    build = BLOCKS[report.name]
    return [
        (figures.label(row.label), build(report, index, row, figures))
        for index, row in enumerate(report.rows)
    ]


def _managers(report: Report, index: int, row: Row, f: Figures) -> list[Item]:
    n, share, new, work, converted, conversion, junk, junk_share = row.values
    return [
        f.counted(N_("leads"), n, share),
        f.counted(N_("new"), new),
        f.counted(N_("in work"), work),
        f.counted(N_("converted"), converted, conversion),
        f.counted(N_("junk"), junk, junk_share),
    ]


def _statuses(report: Report, index: int, row: Row, f: Figures) -> list[Item]:
    n, share, *money = row.values
    amounts = zip(report.currencies, money[::2], money[1::2], strict=True)
    return [
        f.counted(N_("leads"), n, share),
        *((c, f"{f.money(amount, c)} ({f.percent(part)})") for c, amount, part in amounts if amount),
    ]


def _sources(report: Report, index: int, row: Row, f: Figures) -> list[Item]:
    n, share, converted, conversion, junk, junk_share = row.values
    return [
        f.counted(N_("leads"), n, share),
        f.counted(N_("converted"), converted, conversion),
        f.counted(N_("junk"), junk, junk_share),
    ]


def _funnel(report: Report, index: int, row: Row, f: Figures) -> list[Item]:
    n, of_created, of_previous = row.values
    if not index:  # the first stage is all of them
        return [f.counted(N_("leads"), n)]
    return [
        f.counted(N_("leads"), n),
        (N_("of created"), f.item(N_("of created"), f.percent(of_created))),
        (N_("of previous"), f.item(N_("of previous"), f.percent(of_previous))),
    ]


def _speed(report: Report, index: int, row: Row, f: Figures) -> list[Item]:
    action_median, action_p90, assignment_median, assignment_p90 = row.values
    return [
        (label, f.item(label, f"{f.minutes(median)} / {f.minutes(p90)}"))
        for label, median, p90 in (
            (N_("first action"), action_median, action_p90),
            (N_("assignment"), assignment_median, assignment_p90),
        )
    ]


def _repeat(report: Report, index: int, row: Row, f: Figures) -> list[Item]:
    n, repeat, repeat_share = row.values
    return [f.counted(N_("leads"), n), f.counted(N_("repeat"), repeat, repeat_share)]


BLOCKS: dict[ReportName, Callable[[Report, int, Row, Figures], list[Item]]] = {
    ReportName.MANAGERS: _managers,
    ReportName.STATUSES: _statuses,
    ReportName.SOURCES: _sources,
    ReportName.FUNNEL: _funnel,
    ReportName.SPEED: _speed,
    ReportName.REPEAT: _repeat,
}


def _junk_sections(report: Report, f: Figures) -> list[tuple[str, list[tuple[str, list[Item]]]]]:
    """Junk reasons per manager, then per source: a heading per dimension, a block per name with its
    count per reason (the rate is in the totals)."""
    sections: dict[str, dict[str, list[Item]]] = {}
    for row in report.rows:
        dimension, reason, n, _of_junk = row.values
        blocks = sections.setdefault(f.translate(JUNK_SECTIONS.get(dimension, dimension)), {})
        blocks.setdefault(f.label(row.label), []).append((reason, f.item(reason, f.count(n))))
    return [(heading, list(blocks.items())) for heading, blocks in sections.items()]


def _widths(blocks: Iterable[list[Item]]) -> dict[str, int]:
    widths: dict[str, int] = {}
    for items in blocks:
        for kind, text in items:
            widths[kind] = max(widths.get(kind, 0), len(text))
    return widths


def pack(items: list[Item], widths: dict[str, int] | None = None) -> list[str]:
    """Items joined into lines of at most WIDTH characters (an item wider than that has a line of its
    own), each item counted as wide as the widest of its kind; HTML-escaped."""
    lines: list[list[str]] = []
    used = 0
    for kind, text in items:
        width = max(len(text), (widths or {}).get(kind, 0))
        if not lines or used + len(SEPARATOR) + width > WIDTH:
            lines.append([])
            used = width
        else:
            used += len(SEPARATOR) + width
        lines[-1].append(esc(text))
    return [SEPARATOR.join(line) for line in lines]
