"""The dashboard's charts as SVG drawn on the server: they need no script and no other host.
Each function returns the geometry a template draws (autoescaped), never markup."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.dashboard.overview import Capaian, Heat

CELL, GAP, LABEL_W, HEAD_H = 18, 2, 150, 22


@dataclass(frozen=True)
class Rect:
    x: int
    y: int
    state: str  # filed | missing | off
    title: str  # read by screen readers and shown on hover


@dataclass(frozen=True)
class HeatChart:
    width: int
    height: int
    rects: tuple[Rect, ...]
    rows: tuple[tuple[int, str], ...]  # (y of the text baseline, puskesmas)
    days: tuple[tuple[int, str], ...]  # (x, "07")


def heat_svg(heat: Heat) -> HeatChart:
    rects, rows = [], []
    for r, row in enumerate(heat.rows):
        y = HEAD_H + r * (CELL + GAP)
        rows.append((y + CELL - 5, row.puskesmas))
        for c, (day, state) in enumerate(zip(heat.days, row.cells, strict=True)):
            x = LABEL_W + c * (CELL + GAP)
            rects.append(Rect(x, y, state, f"{row.puskesmas} {day:%d/%m}"))
    days = tuple(
        (LABEL_W + c * (CELL + GAP) + CELL // 2, f"{d:%d}") for c, d in enumerate(heat.days)
    )
    width = LABEL_W + len(heat.days) * (CELL + GAP)
    height = HEAD_H + max(len(heat.rows), 1) * (CELL + GAP)
    return HeatChart(width, height, tuple(rects), tuple(rows), days)


@dataclass(frozen=True)
class Line:
    label: str  # msgid of the service
    points: str  # "x,y x,y …" for a polyline
    last: float  # the latest percent


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    pace: str  # the year's pace as a polyline
    lines: tuple[Line, ...]
    ticks: tuple[tuple[int, int, str], ...]  # (x, y, label): 0/50/100 % and the months


W, H, PAD = 600, 220, 30


def line_svg(data: Capaian) -> LineChart:
    """Year-to-date capaian per service by month end (0–100 %), with the year's pace."""

    def point(month: int, percent: float) -> str:
        x = PAD + (W - 2 * PAD) * month / 12
        y = H - PAD - (H - 2 * PAD) * min(percent, 120) / 120
        return f"{x:.0f},{y:.0f}"

    lines = []
    for label, series in zip(data.services, data.monthly, strict=True):
        if not series:
            continue
        pts = " ".join(point(m + 1, p) for m, p in enumerate(series))
        lines.append(Line(label, f"{point(0, 0)} {pts}", series[-1]))
    pace = f"{point(0, 0)} {point(12, 100)}"
    ticks = [(2, int(point(0, p).split(",")[1]) + 4, f"{p}%") for p in (0, 50, 100)]
    ticks += [(int(point(m, 0).split(",")[0]) - 4, H - 8, str(m)) for m in (1, 3, 6, 9, 12)]
    return LineChart(W, H, pace, tuple(lines), tuple(ticks))
