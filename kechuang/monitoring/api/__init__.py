"""Monitoring's REST API: `router` (plans, progress, ranking; mounted at /api/monitoring) and
`observation_router` (observations; mounted at /api/monitoring/data), both by
`kechuang/site/api.py`."""

from kechuang.monitoring.api.observations import router as observation_router
from kechuang.monitoring.api.progress import router

__all__ = ["observation_router", "router"]
