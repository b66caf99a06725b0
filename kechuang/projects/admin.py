from django.contrib import admin

from kechuang.core.admin import ReadOnlyAdmin, ScopedAdmin
from kechuang.projects.models import (
    Acceptance,
    ChangeRequest,
    FundingScheme,
    GateDecision,
    Output,
    Project,
    ProjectReview,
    Spending,
    StageGate,
    Tranche,
)


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin, ScopedAdmin):
    """Projects change through the services (agreement, signature, gates, acceptance)."""

    list_display = ["title", "organization", "mode", "lump_sum", "status", "city_funds"]
    list_filter = ["status", "mode", "lump_sum", "confidential"]
    search_fields = ["title"]


@admin.register(FundingScheme)
class FundingSchemeAdmin(ScopedAdmin):
    list_display = ["program", "tranches"]


for model in (Tranche, Spending, ChangeRequest, ProjectReview, StageGate, GateDecision):
    admin.site.register(model, type(f"{model.__name__}Admin", (ReadOnlyAdmin, ScopedAdmin), {}))


@admin.register(Acceptance)
class AcceptanceAdmin(ReadOnlyAdmin, ScopedAdmin):
    list_display = ["project", "completion", "suggested", "conclusion", "decided_on"]


@admin.register(Output)
class OutputAdmin(ScopedAdmin):
    list_display = ["project", "kind", "title", "year"]
