"""Geometry of the inline SVG charts; the HTML template draws them from these numbers.

Nothing here produces markup: user text never passes through this module, and the template
(autoescaped) places every number and label.

Hand-written on purpose: the charts are a few bars and a line. A charting library
(matplotlib, Plotly, Altair) would add tens of MB, draw with fonts or scripts that the report
must not fetch or run (the HTML is self-contained and script-free, and WeasyPrint prints it
as is), and turn user labels into markup we no longer escape ourselves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from assessor.reports.model import HistoryPoint, VerdictCounts

COLORS = {
    "ready": "#1a7f4b",
    "conditional": "#b26a00",
    "not_ready": "#b42318",
    "open": "#8a94a6",
}
SOFT = {"ready": "#e3f3ea", "conditional": "#fcefd9", "not_ready": "#fbe7e5", "open": "#eef0f4"}
TRACK = "#e8ebf0"
INK = "#1c2333"
MUTED = "#5b6576"

GAUGE_RADIUS = 52
GAUGE_CIRCUMFERENCE = 2 * math.pi * GAUGE_RADIUS


def tone(score: int | None) -> str:
    """The color family of a 0-100 score, by the default verdict bands."""
    if score is None:
        return "open"
    if score >= 70:
        return "ready"
    if score >= 40:
        return "conditional"
    return "not_ready"


def gauge_arc(score: int) -> float:
    return round(GAUGE_CIRCUMFERENCE * max(0, min(score, 100)) / 100, 2)


@dataclass(frozen=True)
class Segment:
    key: str
    x: float
    width: float
    count: int


def verdict_segments(counts: VerdictCounts) -> list[Segment]:
    """A stacked bar of verdicts on a 0-100 axis: ready, conditional, not ready."""
    total = counts.ready + counts.conditional + counts.not_ready
    out, x = [], 0.0
    for key in ("ready", "conditional", "not_ready"):
        n = getattr(counts, key)
        width = 100.0 * n / total if total else 0.0
        if n:
            out.append(Segment(key, round(x, 3), round(width, 3), n))
        x += width
    return out


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    color: str


@dataclass(frozen=True)
class Column:
    """One decile of the score histogram, stacked by verdict."""

    x: float
    center: float
    top: float
    count: int
    label: str
    rects: list[Rect]


HIST_W, HIST_H = 600, 220
HIST_LEFT, HIST_RIGHT, HIST_TOP, HIST_BOTTOM = 16, 584, 54, 184
HIST_BAND_LABEL_Y = 20


def histogram(scored: list[tuple[int, str]]) -> list[Column]:
    """Use cases per score decile (0-9, ..., 90-100), each column stacked by verdict."""
    bins: list[dict[str, int]] = [{} for _ in range(10)]
    for score, verdict in scored:
        b = bins[min(max(score, 0) // 10, 9)]
        b[verdict] = b.get(verdict, 0) + 1
    top = max((sum(b.values()) for b in bins), default=0) or 1
    step = (HIST_RIGHT - HIST_LEFT) / 10
    unit = (HIST_BOTTOM - HIST_TOP) / top
    columns = []
    for i, b in enumerate(bins):
        x = HIST_LEFT + i * step + step * 0.14
        width = step * 0.72
        y = float(HIST_BOTTOM)
        rects = []
        for verdict in ("not_ready", "conditional", "ready"):
            n = b.get(verdict, 0)
            if n:
                height = unit * n
                y -= height
                rects.append(
                    Rect(
                        round(x, 2), round(y, 2), round(width, 2), round(height, 2), COLORS[verdict]
                    )
                )
        columns.append(
            Column(
                x=round(x, 2),
                center=round(x + width / 2, 2),
                top=round(y, 2),
                count=sum(b.values()),
                label=f"{i * 10}–{i * 10 + 9 if i < 9 else 100}",
                rects=rects,
            )
        )
    return columns


def band_x(score: float) -> float:
    return round(HIST_LEFT + (HIST_RIGHT - HIST_LEFT) * score / 100, 2)


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    score: int
    color: str
    label: str


@dataclass(frozen=True)
class Line:
    dots: list[Dot]
    points: str
    """The polyline through the dots (SVG ``points``)."""


LINE_W, LINE_H = 600, 190
LINE_LEFT, LINE_RIGHT, LINE_TOP, LINE_BOTTOM = 40, 585, 14, 160


def history_line(history: list[HistoryPoint]) -> Line:
    """The score at each scored version, left (oldest) to right (newest)."""
    scored = [p for p in history if p.score is not None]
    n = len(scored)
    dots = []
    for i, p in enumerate(scored):
        x = LINE_LEFT + ((LINE_RIGHT - LINE_LEFT) * i / (n - 1) if n > 1 else 0)
        score = p.score or 0
        y = LINE_BOTTOM - (LINE_BOTTOM - LINE_TOP) * score / 100
        dots.append(
            Dot(
                round(x, 2),
                round(y, 2),
                score,
                COLORS[p.verdict or "open"],
                p.date[:10] if p.commit else "working copy",
            )
        )
    return Line(dots=dots, points=" ".join(f"{d.x},{d.y}" for d in dots))


def line_y(score: float) -> float:
    return round(LINE_BOTTOM - (LINE_BOTTOM - LINE_TOP) * score / 100, 2)
