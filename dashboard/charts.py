"""Server-side SVG charts as view models (bars with coordinates); templates only draw them."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 720, 180, 40, 28, 10
SERIES_CLASSES = 8  # CSS classes s0..s7 color the series


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    w: float
    h: float
    css: str
    title: str


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    y: float
    label: str


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    xticks: list[Tick]
    yticks: list[Tick]
    legend: list[tuple[str, str]]  # (css class, series name)
    empty: bool


def stacked(buckets: list[str], series: dict[str, list[int]]) -> Chart:
    """Stacked bars: one column per bucket label, one colored segment per series."""
    names = sorted(series)
    totals = [sum(series[n][i] for n in names) for i in range(len(buckets))]
    top = max(totals, default=0) or 1
    plot_w, plot_h = WIDTH - PAD_LEFT - 4, HEIGHT - PAD_BOTTOM - PAD_TOP
    step = plot_w / max(1, len(buckets))
    bars: list[Bar] = []
    for i, label in enumerate(buckets):
        base = float(HEIGHT - PAD_BOTTOM)
        for k, name in enumerate(names):
            count = series[name][i]
            if not count:
                continue
            h = plot_h * count / top
            base -= h
            bars.append(
                Bar(
                    round(PAD_LEFT + i * step + 1, 1),
                    round(base, 1),
                    round(max(step - 2, 1), 1),
                    round(h, 1),
                    f"s{k % SERIES_CLASSES}",
                    f"{label} {name}: {count}",
                )
            )
    every = max(1, len(buckets) // 6)
    xticks = [
        Tick(round(PAD_LEFT + i * step, 1), HEIGHT - 10, label[5:16].replace("T", " "))
        for i, label in enumerate(buckets)
        if i % every == 0
    ]
    yticks = [
        Tick(PAD_LEFT - 4, round(HEIGHT - PAD_BOTTOM - plot_h * f, 1), str(round(top * f)))
        for f in (0, 0.5, 1)
    ]
    legend = [(f"s{k % SERIES_CLASSES}", n) for k, n in enumerate(names)] if len(names) > 1 else []
    return Chart(WIDTH, HEIGHT, bars, xticks, yticks, legend, not any(totals))


def single(buckets: list[tuple[str, int]]) -> Chart:
    """Plain bars for one series (the search histogram)."""
    return stacked([b for b, _ in buckets], {"events": [n for _, n in buckets]})
