"""Indicator charts as PNG for the Word report (the dashboard draws its own with ECharts).

matplotlib with the Agg backend (no display), Chinese labels in Noto Sans CJK from Debian's
fonts-noto-cjk; without that font the chart is still drawn, with the default font.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager
from matplotlib import pyplot as plt

CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


@functools.cache
def _font() -> Any:
    """The CJK font, registered with matplotlib once per process."""
    if CJK_FONT.exists():
        font_manager.fontManager.addfont(str(CJK_FONT))
        return font_manager.FontProperties(fname=str(CJK_FONT))
    return font_manager.FontProperties()


def indicator_chart(
    title: str,
    unit: str,
    counted: dict[int, float],
    planned: dict[int, float],
    computed: dict[int, float],
    target: tuple[int, float] | None,
) -> bytes:
    """A line chart: counted published values, the planned path, registry-computed values and
    the target; returns PNG bytes."""
    font = _font()
    figure, axes = plt.subplots(figsize=(6.4, 2.6), dpi=150)
    try:
        if planned:
            years = sorted(planned)
            axes.plot(years, [planned[y] for y in years], "--", color="#8c8c8c", label="规划路径")
        if computed:
            years = sorted(computed)
            axes.plot(
                years, [computed[y] for y in years], "s:", color="#2f9e44", label="登记库计算"
            )
        if counted:
            years = sorted(counted)
            axes.plot(
                years, [counted[y] for y in years], "o-", color="#1f4e8c", label="发布值（计入）"
            )
        if target is not None:
            axes.scatter(
                [target[0]], [target[1]], marker="*", s=120, color="#d9480f", label="目标", zorder=3
            )
        axes.set_title(title, fontproperties=font, fontsize=10)
        axes.set_ylabel(unit, fontproperties=font, fontsize=8)
        axes.tick_params(labelsize=7)
        axes.grid(alpha=0.3)
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.legend(prop=font, fontsize=7, loc="upper left", frameon=False)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)
