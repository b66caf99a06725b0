"""The numbers the generator is calibrated on, and the years it covers.

The 2020 baselines and 2025 targets are the plan's (宛政办〔2022〕52号 一（四） 表
“南阳市‘十四五’科技创新预期目标”): 264 high-tech enterprises, 450 tech-based SMEs, 764
innovation platforms in 2020; 500, 1350 and 1000 in 2025. The generated city meets the 2020
baselines exactly (times the scale) and grows toward, not onto, the 2025 targets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

# Through 2025, the plan's last year: screening on a day of 2026 meets the 2025 renewals and
# registrations, not holders lapsing only because the data stopped.
FIGURE_YEARS = (2020, 2021, 2022, 2023, 2024, 2025)
BASE_YEAR = 2020
TARGET_YEAR = 2025
# Statuses (patents in force, lapsed ...) are "as of" this fixed day, never today, so that the
# same seed gives the same data whenever it is run.
AS_OF = dt.date(2025, 12, 31)


@dataclass(frozen=True)
class Baseline:
    """City totals at scale 1; `scaled` multiplies and rounds them for other scales."""

    organizations: int = 2000
    hnte_2020: int = 264
    tsme_2020: int = 450
    platforms_2020: int = 764
    hnte_2025: int = 500
    tsme_2025: int = 1350
    platforms_2025: int = 1000

    def scaled(self, scale: float) -> Baseline:
        if scale <= 0:
            raise ValueError("规模系数须大于 0。")

        def times(n: int) -> int:
            return max(1, int(n * scale + 0.5))

        return replace(
            self,
            organizations=max(20, times(self.organizations)),
            hnte_2020=times(self.hnte_2020),
            tsme_2020=times(self.tsme_2020),
            platforms_2020=times(self.platforms_2020),
            hnte_2025=times(self.hnte_2025),
            tsme_2025=times(self.tsme_2025),
            platforms_2025=times(self.platforms_2025),
        )


def geometric_path(start: float, end: float, year: int) -> float:
    """The value on the geometric path from `start` in 2020 to `end` in 2025."""
    share = (year - BASE_YEAR) / (TARGET_YEAR - BASE_YEAR)
    return start * (end / start) ** share if start > 0 else end * share
