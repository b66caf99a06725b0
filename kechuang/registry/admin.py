from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from kechuang.core.admin import ReadOnlyAdmin, ScopedAdmin
from kechuang.core.services import restore_instance
from kechuang.registry.models import (
    Area,
    IndustryChain,
    IntegrityRecord,
    NamedActor,
    Organization,
    Qualification,
    TechField,
)
from kechuang.registry.services import qualifications
from kechuang.registry.services.qualifications import entry_state


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
        "archived",
    ]
    list_filter = [
        "archived",
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
    actions = ["restore_archived"]

    @admin.action(description="恢复所选已注销/停用的单位")
    def restore_archived(self, request: HttpRequest, queryset: Any) -> None:
        """Organizations with history are archived (注销/停用) instead of deleted: on the
        change form (the three 注销/停用 fields) or the pages; restored here or there."""
        restored = 0
        for org in queryset.filter(archived=True):
            restore_instance(request.user, org)
            restored += 1
        self.message_user(request, f"已恢复 {restored} 家单位。", messages.SUCCESS)


@admin.register(NamedActor)
class NamedActorAdmin(ScopedAdmin):
    list_display = ["name", "kind", "section", "role", "organization"]
    list_filter = ["kind", "seed"]
    search_fields = ["name", "role"]
    autocomplete_fields = ["organization"]
    readonly_fields = ["name", "kind", "role", "section", "seed"]


@admin.register(Qualification)
class QualificationAdmin(ScopedAdmin):
    """The state is set by the actions (and the services), never typed: a row added here is
    entered as on the pages (city staff: verified; others: a claim)."""

    list_display = [
        "organization",
        "kind",
        "certificate_no",
        "issued_on",
        "expires_on",
        "verification",
        "source",
    ]
    list_filter = ["verification", "kind", "source", "issuer_level"]
    search_fields = ["organization__name", "organization__uscc", "certificate_no"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization"]
    readonly_fields = ["verification", "source", "verified_by", "verified_at"]
    actions = ["verify_selected", "reject_selected"]

    def save_model(self, request: HttpRequest, obj: Qualification, form: Any, change: bool) -> None:
        for name, value in entry_state(request.user, obj).items():
            setattr(obj, name, value)
        super().save_model(request, obj, form, change)

    @admin.action(description="核验通过所选申报（计入统计）")
    def verify_selected(self, request: HttpRequest, queryset: Any) -> None:
        self._each(request, queryset, lambda q: qualifications.verify(request.user, q), "核验")

    @admin.action(description="驳回所选申报（须先在每条申报中填写“驳回理由”并保存）")
    def reject_selected(self, request: HttpRequest, queryset: Any) -> None:
        self._each(
            request,
            queryset,
            lambda q: qualifications.reject(request.user, q, q.rejection_reason),
            "驳回",
        )

    def _each(self, request: HttpRequest, queryset: Any, act: Any, verb: str) -> None:
        done, problems = 0, []
        for q in queryset:
            try:
                act(q)
                done += 1
            except (ValidationError, PermissionDenied) as error:
                problems.append(f"{q}：{'；'.join(getattr(error, 'messages', [str(error)]))}")
        self.message_user(request, f"已{verb} {done} 条。")
        for problem in problems:
            self.message_user(request, problem, level=messages.ERROR)


@admin.register(IntegrityRecord)
class IntegrityRecordAdmin(ReadOnlyAdmin, ScopedAdmin):
    """Entered, imported and contested through the services (registry/services/integrity.py)."""

    list_display = ["organization", "talent", "severity", "excluded_from", "excluded_until"]
    list_filter = ["severity", "source", "contest_status"]
