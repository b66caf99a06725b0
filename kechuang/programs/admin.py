from django.contrib import admin

from kechuang.core.admin import ReadOnlyAdmin, ScopedAdmin
from kechuang.programs.models import (
    Application,
    Assignment,
    Award,
    Call,
    Challenge,
    Expert,
    PhaseChange,
    Program,
    Review,
    WorkflowVersion,
)


@admin.register(Program)
class ProgramAdmin(ScopedAdmin):
    list_display = ["name", "kind", "year", "is_demo"]
    list_filter = ["kind", "year"]


@admin.register(Call)
class CallAdmin(ScopedAdmin):
    """Calls are set up here (the workflow version is fixed at creation); they are published,
    closed and their results published on the call's page, through the services."""

    list_display = ["title", "program", "mode", "status", "closes_at", "workflow_version"]
    list_filter = ["mode", "status"]


@admin.register(Challenge)
class ChallengeAdmin(ScopedAdmin):
    list_display = ["code", "title", "call", "budget_cap", "status"]
    list_filter = ["status"]


@admin.register(Expert)
class ExpertAdmin(ScopedAdmin):
    list_display = ["talent", "user", "available", "max_load"]
    list_filter = ["available"]
    raw_id_fields = ["talent", "collaborators"]


@admin.register(WorkflowVersion)
class WorkflowVersionAdmin(ReadOnlyAdmin, ScopedAdmin):
    """Read-only: versions are saved on the workflow page, which validates them."""

    list_display = ["workflow", "number", "note", "created_at"]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin, ScopedAdmin):
    """Read-only: applications move through their call's workflow, which keeps the history."""

    list_display = ["title", "call", "organization", "phase", "submitted_at"]
    list_filter = ["phase", "is_demo"]
    search_fields = ["title"]


@admin.register(PhaseChange)
class PhaseChangeAdmin(ReadOnlyAdmin, ScopedAdmin):
    list_display = ["application", "label", "source", "target", "actor", "created_at"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin, ScopedAdmin):
    list_display = ["application", "expert", "status", "manual", "fit"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin, ScopedAdmin):
    list_display = ["assignment", "total", "recommendation"]


@admin.register(Award)
class AwardAdmin(ReadOnlyAdmin, ScopedAdmin):
    list_display = ["application", "amount", "decided_on", "published"]
