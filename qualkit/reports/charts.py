"""Charts as PNG bytes (matplotlib's Agg canvas, no display, no pyplot state)."""

from __future__ import annotations

import io

import numpy as np

WIDTH_PER_COLUMN, HEIGHT_PER_ROW = 0.75, 0.32  # inches
MANY_COLUMNS, WIDTH_PER_MANY = 8, 0.4  # a wide matrix (themes x themes) gets narrower cells


def heatmap(rows: list[str], columns: list[str], values: list[list[float]], labels: list[list[str]],
            title: str, scale: str) -> bytes:
    """A heat map of `values` (rows x columns) with `labels` written in the cells; `scale` names the
    colour bar."""
    from matplotlib.figure import Figure  # here: importing matplotlib takes a moment

    grid = np.array(values, dtype=float) if rows and columns else np.zeros((1, 1))
    per_column = WIDTH_PER_COLUMN if len(columns) <= MANY_COLUMNS else WIDTH_PER_MANY
    width = max(5.0, 2.8 + per_column * len(columns) + 0.06 * max(map(len, rows), default=0))
    height = max(2.5, 1.6 + HEIGHT_PER_ROW * len(rows))
    figure = Figure(figsize=(width, height), dpi=110, layout="constrained")
    axes = figure.add_subplot()
    # viridis: light to dark in a steady step, so a greyscale print keeps the order of the colours
    image = axes.imshow(grid, cmap="viridis_r", aspect="auto", vmin=0)
    many = len(columns) > MANY_COLUMNS
    axes.set_xticks(range(len(columns)), columns, rotation=45 if many else 0,
                    ha="right" if many else "center", fontsize=8)
    axes.set_yticks(range(len(rows)), rows, fontsize=8)
    axes.set_title(title, fontsize=10)
    top = grid.max() if grid.size else 0
    for i, row in enumerate(labels):
        for j, text in enumerate(row):
            dark = top and grid[i, j] > 0.6 * top
            axes.text(j, i, text, ha="center", va="center", fontsize=9, color="white" if dark else "black")
    figure.colorbar(image, ax=axes, label=scale, shrink=0.8)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
