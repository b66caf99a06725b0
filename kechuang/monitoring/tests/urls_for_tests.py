"""The project's URLs plus the observation pages under /monitoring/ (namespace "monitoring"),
for as long as kechuang/monitoring/urls.py does not include them yet."""

from django.urls import URLResolver, include, path

from kechuang.urls import *  # noqa: F403
from kechuang.urls import urlpatterns as project_patterns


def _has_monitoring(patterns: list) -> bool:
    return any(isinstance(p, URLResolver) and p.namespace == "monitoring" for p in patterns)


def _includes_observations() -> bool:
    try:
        from kechuang.monitoring import urls as monitoring_urls
    except ImportError:
        return False
    return any(
        isinstance(p, URLResolver) and p.urlconf_name.__name__.endswith("observation_urls")
        for p in getattr(monitoring_urls, "urlpatterns", [])
        if hasattr(getattr(p, "urlconf_name", None), "__name__")
    )


if _has_monitoring(project_patterns) and _includes_observations():
    urlpatterns = list(project_patterns)
elif _has_monitoring(project_patterns):
    # the monitoring namespace exists without the observation pages: put them first under it
    urlpatterns = [
        path(
            "monitoring/",
            include(("kechuang.monitoring.observation_urls", "monitoring"), namespace="monitoring"),
        ),
        *project_patterns,
    ]
else:
    urlpatterns = [
        *project_patterns,
        path(
            "monitoring/",
            include(("kechuang.monitoring.observation_urls", "monitoring"), namespace="monitoring"),
        ),
    ]
