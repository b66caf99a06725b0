"""Read-only: policies, runs and payments change through the module's services (versions stay
fixed to their runs, every write is checked and audited)."""

from django.contrib import admin

from kechuang.core.admin import ReadOnlyAdmin, ScopedAdmin
from kechuang.policies.models import (
    BenefitRun,
    Entitlement,
    Objection,
    PaymentBatch,
    Policy,
    PolicyVersion,
)


@admin.register(Policy)
class PolicyAdmin(ReadOnlyAdmin, ScopedAdmin):
    list_display = ["code", "name", "mode", "status", "is_demo"]


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdmin, ScopedAdmin):
    list_display = ["policy", "number", "budget_total", "created_at"]


@admin.register(BenefitRun)
class BenefitRunAdmin(ReadOnlyAdmin, ScopedAdmin):
    list_display = ["version", "year", "status", "stage", "entitled", "total"]


@admin.register(Entitlement)
class EntitlementAdmin(ReadOnlyAdmin, ScopedAdmin):
    list_display = ["run", "organization", "status", "amount"]
    exclude = ["bank_account"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin, ScopedAdmin):
    list_display = ["entitlement", "status", "created_at"]


@admin.register(PaymentBatch)
class PaymentBatchAdmin(ReadOnlyAdmin, ScopedAdmin):
    list_display = ["run", "number", "status", "total", "paid_on"]
