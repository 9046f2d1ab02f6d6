"""Report charts, read back from the matplotlib figure: value axes from 0 in whole numbers, "no data" for
an empty report, one dimension per junk panel, names wrapped rather than cut, and 800×450 PNGs."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from leadbot.actor import Actor
from leadbot.reporting import LABEL_WIDTH, MAX_BARS, chart_figure, chart_png
from leadbot.services.registry import Services
from leadbot.services.reports import Report, ReportName, Row
from leadbot.translations import translator
from tests.unit.test_reports_phone import seed_small_team

MOSCOW = ZoneInfo("Europe/Moscow")
SINCE = datetime(2026, 11, 1, tzinfo=MOSCOW)
UNTIL = datetime(2026, 12, 1, tzinfo=MOSCOW)
EN = translator("en")


@pytest.fixture
async def small_team(services: Services, anna: Actor, boris: Actor) -> Services:
    await seed_small_team(services, anna, boris)
    return services


def manager_rows(*names: str) -> Report:
    """A report by manager of one new lead each."""
    columns = ("Manager", "Leads", "Share %", "New", "In work", "Converted", "Conv. %", "Junk", "Junk %")
    rows = [Row(name, (1, 1.0, 1, 0, 0, 0.0, 0, 0.0)) for name in names]
    return Report(ReportName.MANAGERS, columns, rows, {"leads": len(rows)})


@pytest.mark.parametrize("name", list(ReportName))
async def test_every_chart_counts_from_zero(small_team: Services, name: ReportName) -> None:
    report = await small_team.reports.build(name, SINCE, UNTIL, locale="en")
    figure = chart_figure(report, EN, "Title", "en")
    panels = [axes for axes in figure.axes if axes.axison]
    assert panels
    for axes in panels:
        low, high = axes.get_xlim()
        assert low == 0 < high
        if name is not ReportName.SPEED:  # counts of leads; speed is in minutes
            assert all(float(tick).is_integer() for tick in axes.get_xticks())


async def test_a_chart_is_a_png_of_800_by_450(small_team: Services) -> None:
    report = await small_team.reports.build(ReportName.MANAGERS, SINCE, UNTIL, locale="en")
    png = chart_png(report, EN, "Leads by manager", "en")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (800, 450)
    assert 5_000 < len(png) < 500_000


async def test_an_empty_report_has_a_no_data_chart_without_axes(services: Services) -> None:
    report = await services.reports.build(ReportName.FUNNEL, SINCE, UNTIL, locale="en")
    figure = chart_figure(report, EN, "Funnel", "en")
    [axes] = figure.axes
    assert not axes.axison
    assert [text.get_text() for text in axes.texts] == ["No data for this period."]


async def test_junk_has_a_panel_per_dimension(small_team: Services) -> None:
    report = await small_team.reports.build(ReportName.JUNK, SINCE, UNTIL, locale="en")
    managers, sources = chart_figure(report, EN, "Junk", "en").axes
    assert (managers.get_title(), sources.get_title()) == ("By manager", "By source")
    assert [label.get_text() for label in managers.get_yticklabels()] == ["Anna"]
    assert [label.get_text() for label in sources.get_yticklabels()] == ["Call"]
    assert [patch.get_label() for patch in managers.containers] == ["Spam"]


def test_a_big_team_shows_its_first_bars_and_says_so() -> None:
    report = manager_rows(*(f"Manager {number:02d}" for number in range(1, 71)))
    [axes] = chart_figure(report, EN, "By manager", "en").axes
    assert len(axes.get_yticklabels()) == MAX_BARS
    assert axes.get_title() == f"the first {MAX_BARS} of 70"


def test_a_long_name_is_wrapped_at_spaces_not_cut() -> None:
    name = "Viktoria Alexandrovna Konstantinopolskaya-Smirnova"
    [axes] = chart_figure(manager_rows(name, "Gleb"), EN, "By manager", "en").axes
    label = axes.get_yticklabels()[0].get_text()
    assert label == "Viktoria\nAlexandrovna…"
    assert all(len(line) <= LABEL_WIDTH for line in label.splitlines())
