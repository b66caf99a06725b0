from django.contrib import admin

from kechuang.core.admin import ScopedAdmin
from kechuang.registry.models import Area, IndustryChain, NamedActor, Organization, TechField


@admin.register(Area)
class AreaAdmin(ScopedAdmin):
    list_display = ["name", "code", "kind", "parent", "sort_order"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    readonly_fields = ["path"]


@admin.register(IndustryChain)
class IndustryChainAdmin(ScopedAdmin):
    list_display = ["name", "code", "parent", "category", "source_section"]
    list_filter = ["category"]
    search_fields = ["name", "code"]


@admin.register(TechField)
class TechFieldAdmin(ScopedAdmin):
    list_display = ["code", "name"]


@admin.register(Organization)
class OrganizationAdmin(ScopedAdmin):
    list_display = [
        "name",
        "uscc",
        "kind",
        "area",
        "industry",
        "is_above_designated_size",
        "is_demo",
    ]
    list_filter = [
        "kind",
        "area",
        "industry_section",
        "is_listed",
        "is_above_designated_size",
        "is_demo",
    ]
    search_fields = ["name", "uscc"]
    autocomplete_fields = ["industry"]
    list_select_related = ["area", "industry"]


@admin.register(NamedActor)
class NamedActorAdmin(ScopedAdmin):
    list_display = ["name", "kind", "section", "role", "organization"]
    list_filter = ["kind", "seed"]
    search_fields = ["name", "role"]
    autocomplete_fields = ["organization"]
    readonly_fields = ["name", "kind", "role", "section", "seed"]
