"""Shared data of the dashboard, API and command tests: the Nanyang plan loaded, and the
hand-computed 高新技术企业数 series.

hnte_count: baseline 264 (2020), target 500 (2025), geometric path. Observations for the city:
2021 300 正式数, 2022 350 正式数, 2023 410 初步数 (2024-02-20) then 420 正式数 (2024-05-10),
and a 2025 预测数 of 600 that must never count. As of 2024-06-30:
- latest 420 (2023, 正式数); completion (420 − 264)/(500 − 264) = 156/236 = 0.66102;
- planned 2023 value 264·(500/264)^(3/5) = 387.28; expected completion 0.52237 → 正常;
- OLS over 2021–2023: slope 60/year, forecast 2025 = 356.667 + 60·3 = 536.667.
As of 2024-03-01 the 正式数 is not yet published: latest 410 (2023, 初步数), completion 146/236.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from kechuang.monitoring import services
from kechuang.monitoring.models import Indicator, Plan
from kechuang.registry.models import Area

AS_OF = dt.date(2024, 6, 30)
BEFORE_REVISION = dt.date(2024, 3, 1)
COMPLETION = (420 - 264) / (500 - 264)
PRELIMINARY_COMPLETION = (410 - 264) / (500 - 264)
EXPECTED_2023 = 264 * (500 / 264) ** (3 / 5)
FORECAST_2025 = 1070 / 3 + 60 * 3


def load_plan() -> Plan:
    return services.load_plan_file(settings.DATA_DIR / "plans" / "nanyang-14th.yaml")


def record(user: Any, code: str, area: str, period: str, value: float, kind: str, **extra: Any):
    data = {
        "indicator": Indicator.objects.get(code=code),
        "area": Area.objects.get(name=area),
        "period": period,
        "value": value,
        "kind": kind,
        "as_of": extra.pop("as_of", dt.date(int(period[:4]) + 1, 4, 1)),
        "source_title": extra.pop("source_title", f"{period[:4]} 年南阳市统计公报"),
        **extra,
    }
    return services.record_observation(user, data)


def record_hnte(user: Any, area: str = "南阳市") -> None:
    record(user, "hnte_count", area, "2021", 300, "actual")
    record(user, "hnte_count", area, "2022", 350, "actual")
    record(
        user,
        "hnte_count",
        area,
        "2023",
        410,
        "preliminary",
        as_of=dt.date(2024, 2, 20),
        source_title="2023 年全市科技工作快报",
    )
    record(
        user,
        "hnte_count",
        area,
        "2023",
        420,
        "actual",
        as_of=dt.date(2024, 5, 10),
        source_issuer="南阳市统计局",
        source_url="https://tjj.nanyang.gov.cn/2023-bulletin",
        source_quote="全市高新技术企业达到 420 家",
    )
    record(
        user,
        "hnte_count",
        area,
        "2025",
        600,
        "forecast",
        as_of=dt.date(2024, 1, 15),
        source_title="市科技局 2025 年工作预测",
    )
