"""Admin base: the same scoping as everywhere else, Chinese labels from the models."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class ScopedAdmin(admin.ModelAdmin):
    """Lists and edits only what `restrict(user, action)` allows; nothing is filtered by hand."""

    def get_queryset(self, request: HttpRequest) -> Any:
        return self.model.objects.restrict(request.user, "view")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        from kechuang.accounts.scoping import can

        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can(request.user, "change", obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        from kechuang.accounts.scoping import can

        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can(request.user, "delete", obj))
