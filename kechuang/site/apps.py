from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The composition of the whole site: the API object with every app's router, the root
    URLconf's home page, the navigation and the demo loader. It may import every app; no app
    imports it."""

    name = "kechuang.site"
    label = "site"
    verbose_name = "站点"
