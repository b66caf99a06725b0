from django.contrib import admin

from kechuang.core.admin import ReadOnlyAdmin, ScopedAdmin
from kechuang.market.models import (
    Achievement,
    Broker,
    Expert,
    ListingAttachment,
    MarketNode,
    Match,
    MatchEvent,
    PublishedList,
    Roadshow,
    Scenario,
    TechDemand,
    TransferInstitution,
)


@admin.register(MarketNode)
class MarketNodeAdmin(ScopedAdmin):
    list_display = ["name", "area", "is_city", "is_active"]


@admin.register(Expert)
class ExpertAdmin(ScopedAdmin):
    list_display = ["name", "organization", "area", "is_public"]
    search_fields = ["name", "expertise"]


@admin.register(Broker)
class BrokerAdmin(ScopedAdmin):
    list_display = ["name", "institution", "area", "certificate_no", "deals"]
    search_fields = ["name", "fields"]


@admin.register(TransferInstitution)
class TransferInstitutionAdmin(ScopedAdmin):
    list_display = ["name", "level", "area", "certificate_no", "deals", "is_public"]
    search_fields = ["name", "fields"]


@admin.register(TechDemand, Achievement, Scenario)
class ListingAdmin(ReadOnlyAdmin, ScopedAdmin):
    """Read-only: listings change through their workflow (services.step)."""

    list_display = ["title", "organization", "area", "status", "published_on"]
    list_filter = ["status"]


@admin.register(PublishedList, Match, MatchEvent, Roadshow, ListingAttachment)
class FrozenAdmin(ReadOnlyAdmin, ScopedAdmin):
    """Read-only: lists are frozen when issued; matches move through the pipeline; roadshows and
    attachments are written by their services (links audited, files checked by content)."""
