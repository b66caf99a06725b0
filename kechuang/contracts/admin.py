from django.contrib import admin

from kechuang.contracts.models import (
    CalendarDay,
    ContractEvent,
    Objection,
    RegistrationPoint,
    TechContract,
)
from kechuang.core.admin import ReadOnlyAdmin, ScopedAdmin


@admin.register(CalendarDay)
class CalendarDayAdmin(ScopedAdmin):
    """The administrator keeps the holidays and make-up working days here (reference data:
    only city administrators change it)."""

    list_display = ["day", "kind", "name", "source"]
    list_filter = ["kind"]
    date_hierarchy = "day"


@admin.register(RegistrationPoint)
class RegistrationPointAdmin(ScopedAdmin):
    list_display = ["area", "active", "note"]


@admin.register(TechContract)
class TechContractAdmin(ReadOnlyAdmin, ScopedAdmin):
    """Read-only: contracts change through the registrar's workflow, which keeps the history."""

    list_display = ["registration_no", "title", "seller_name", "status", "registered_on"]
    list_filter = ["status", "category", "is_demo"]
    search_fields = ["registration_no", "title", "seller_name", "buyer_name"]


@admin.register(ContractEvent)
class ContractEventAdmin(ReadOnlyAdmin, ScopedAdmin):
    list_display = ["contract", "kind", "on", "actor"]
    list_filter = ["kind"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin, ScopedAdmin):
    list_display = ["contract", "raised_by", "raised_on", "status"]
