"""PNG charts for the digest and the summaries (matplotlib, Agg backend).

matplotlib is imported inside the functions: only the clock and `ilpbot digest` draw, and the
inbound path must not pay for the import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from handlers.digest.build import Grid, SpmLine

DPI = 110


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # no display, no GUI toolkit
    import matplotlib.pyplot as plt

    return plt


def heatmap(grid: Grid, title: str, legend: str, path: Path, levels: int) -> Path:
    """Puskesmas × day, coloured by how many daily forms were filed (0 … `levels`)."""
    plt = _pyplot()
    rows = max(len(grid.puskesmas), 1)
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.28 * rows), dpi=DPI)
    try:
        image = ax.imshow(
            [list(r) for r in grid.filed] or [[0] * len(grid.days)],
            cmap="RdYlGn",
            vmin=0,
            vmax=levels,
            aspect="auto",
        )
        ax.set_yticks(range(len(grid.puskesmas)), grid.puskesmas, fontsize=7)
        ax.set_xticks(range(len(grid.days)), [f"{d.day}/{d.month}" for d in grid.days], fontsize=7)
        ax.set_title(title, fontsize=10)
        bar = fig.colorbar(image, ax=ax, ticks=range(levels + 1), fraction=0.03)
        bar.set_label(legend, fontsize=7)
        fig.tight_layout()
        return _save(fig, path)
    finally:
        plt.close(fig)


def spm_bars(lines: list[SpmLine], labels: list[str], pace: float, title: str, path: Path) -> Path:
    """Capaian per SPM service as horizontal bars, with the year's pace as a line."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.4 * max(len(lines), 1)), dpi=DPI)
    try:
        values = [min(line.percent, 150) for line in lines]
        colours = ["#c0392b" if v < pace * 0.8 else "#27ae60" for v in values]
        ax.barh(range(len(lines)), values, color=colours)
        ax.set_yticks(range(len(lines)), labels, fontsize=8)
        ax.axvline(pace, color="#34495e", linestyle="--", linewidth=1)
        ax.set_xlim(0, max([100, *values]) * 1.05)
        ax.invert_yaxis()
        ax.set_xlabel("%", fontsize=8)
        ax.set_title(title, fontsize=10)
        for i, v in enumerate(values):
            ax.text(v + 1, i, f"{v:.0f}%", va="center", fontsize=7)
        fig.tight_layout()
        return _save(fig, path)
    finally:
        plt.close(fig)


def weighing_bars(
    labels: list[str], weighed: list[int], not_gaining: list[int], title: str, path: Path
) -> Path:
    """A desa's under-fives weighed (D) per month, with those not gaining weight (T) in front:
    small, for a phone screen."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(4.8, 2.6), dpi=DPI)
    try:
        ax.bar(range(len(labels)), weighed, color="#27ae60", label="D")
        ax.bar(range(len(labels)), not_gaining, color="#c0392b", label="T")
        ax.set_xticks(range(len(labels)), labels, fontsize=8)
        ax.set_ylim(0, max([1, *weighed]) * 1.25)  # room for the numbers and the legend
        ax.tick_params(axis="y", labelsize=7)
        ax.set_title(title, fontsize=8)
        ax.legend(fontsize=7, frameon=False)
        for i, v in enumerate(weighed):
            ax.text(i, v, str(v), ha="center", va="bottom", fontsize=7)
        fig.tight_layout()
        return _save(fig, path)
    finally:
        plt.close(fig)


def _save(fig: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp, format="png")
    tmp.replace(path)  # a sender never reads a half-written file
    return path.resolve()
