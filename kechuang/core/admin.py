"""Admin base: the same scoping as everywhere else, Chinese labels from the models."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kechuang.core.models import AuditEntry
from kechuang.core.permissions import VIEW_AUDIT_TRAIL
from kechuang.core.protection import link_blockers
from kechuang.core.scoping import can


class ScopedAdmin(admin.ModelAdmin):
    """Lists and edits only what `restrict(user, action)` allows; nothing is filtered by hand."""

    def get_queryset(self, request: HttpRequest) -> Any:
        return self.model.objects.restrict(request.user, "view")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can(request.user, "change", obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can(request.user, "delete", obj))

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """Django's own answer (PROTECT keys refuse the delete and list the records), plus the
        records of history linked to the rows through a guarded link table
        (core/protection.py), which Django would otherwise delete silently."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for obj in objs:
            protected += [
                f"{b._meta.verbose_name}：{b}（历史记录，须保留；请改用注销/停用）"
                for b in link_blockers(obj)
            ]
        return deleted, counts, perms_needed, protected


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the platform itself (audit entries, tokens, screening results): the admin
    shows them and changes nothing. Combine with `ScopedAdmin` for scoped domain rows."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "at",
        "actor_username",
        "action",
        "content_type",
        "object_id",
        "object_repr",
        "ip",
    ]
    list_filter = ["action", "content_type"]
    search_fields = ["actor_username", "object_repr", "object_id", "note"]
    date_hierarchy = "at"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return VIEW_AUDIT_TRAIL.allows(request.user)
